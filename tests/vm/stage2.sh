#!/bin/bash
# tests/vm/stage2.sh - stage 2 of the fabsim RDMA test VM. Copied into the
# initramfs by build.sh; init.sh runs it with bash inside the chroot (the
# host's / over 9p), so it can use the host's iproute2/rdma-core tools.
#
# It builds the guest "fabric":
#   veth0 10.77.0.1/24 <-> veth1 10.77.0.2/24, rxe0 on veth0, rxe1 on veth1
# with policy routing so that traffic between the two addresses, which are
# both local to this one kernel, really crosses the veth pair instead of
# being short-circuited over lo (two netns do not work: rxe's UDP socket
# lives in the initial namespace). Then it runs the job that run.sh wrote to
# the result share (/run/fabvm/job) and records its exit status.
set -uo pipefail # no -e: we must always reach the status write below

OUT=/run/fabvm
IP0=10.77.0.1
IP1=10.77.0.2
PREFIX=24

log() { echo "fabvm: $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

cmdline_arg() { # NAME -> value of NAME=value on the kernel command line
	local kv
	for kv in $(</proc/cmdline); do
		[[ $kv == "$1"=* ]] && { echo "${kv#*=}"; return 0; }
	done
	return 1
}

sysctl_set() { echo "$2" > "/proc/sys/${1//.//}"; }

# Fixed, locally administered MACs: known in advance, so the whole setup
# is one "ip -batch" (every process start costs ~0.1 s under TCG).
MAC0=02:77:00:00:00:01
MAC1=02:77:00:00:00:02

setup_net() {
	local mtu=$1 key dev
	# The peer's address is local, so a packet arriving on a veth would
	# count as a martian (source is ours) and fail reverse-path checks.
	# "default" is inherited by the veths created below.
	for key in accept_local rp_filter; do
		for dev in all default lo; do
			sysctl_set "net.ipv4.conf.$dev.$key" "$([[ $key == rp_filter ]] && echo 0 || echo 1)"
		done
	done
	# Routing: locally originated packets (iif lo) to a peer address go
	# out of the other veth via a per-peer table, consulted before the
	# "local" table, which therefore moves from pref 0 to pref 1000.
	# Packets arriving on a veth do not match "iif lo" and are delivered
	# locally as usual. Static neighbours: ARP between two addresses of
	# one host is unreliable (replies take the local route) and slow.
	ip -batch - <<-EOF
		link set lo up
		link add veth0 address $MAC0 mtu $mtu type veth peer name veth1 address $MAC1 mtu $mtu
		addr add $IP0/$PREFIX dev veth0
		addr add $IP1/$PREFIX dev veth1
		link set veth0 up
		link set veth1 up
		neigh replace $IP1 lladdr $MAC1 dev veth0 nud permanent
		neigh replace $IP0 lladdr $MAC0 dev veth1 nud permanent
		route add $IP1/32 dev veth0 src $IP0 table 101
		route add $IP0/32 dev veth1 src $IP1 table 102
		rule add pref 100 iif lo to $IP1/32 lookup 101
		rule add pref 101 iif lo to $IP0/32 lookup 102
		rule add pref 1000 lookup local
		rule del pref 0 lookup local
	EOF
}

wait_gid() { # DEV: wait until the RoCEv2 IPv4-mapped GID (index 1) exists
	local f=/sys/class/infiniband/$1/ports/1/gids/1 i
	for ((i = 0; i < 100; i++)); do
		[[ -r $f && $(<"$f") != 0000:0000:0000:0000:0000:0000:0000:0000 ]] &&
			return 0
		sleep 0.1
	done
	log "warning: $1 has no GID at index 1"
	return 1
}

setup_rxe() {
	rdma link add rxe0 type rxe netdev veth0 || return 1
	rdma link add rxe1 type rxe netdev veth1 || return 1
	wait_gid rxe0 && wait_gid rxe1
}

setup_env() {
	export HOME=/root TERM=dumb LANG=C.UTF-8
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	# Registered memory counts against RLIMIT_MEMLOCK; rxe pins it too.
	ulimit -l unlimited
	# Debian's Open MPI defaults to UCX, which aborts or hangs on rxe.
	# MPI in the guest only bootstraps and provides the TCP baseline, so
	# steer it to ob1 + TCP/shared memory; --mca flags still override.
	export OMPI_MCA_pml=ob1
	export OMPI_MCA_btl=tcp,vader,self
	export OMPI_MCA_osc=^ucx
	export OMPI_MCA_btl_tcp_if_include=lo
	export OMPI_MCA_oob_tcp_if_include=lo
	export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
	export FABVM=1 FABVM_IP0=$IP0 FABVM_IP1=$IP1
	[[ -r /etc/hostname ]] && hostname "$(</etc/hostname)"
}

run_job() {
	local script cwd=/ args=() rc script_cmd=()
	# job: written by run.sh; defines JOB_CWD, JOB_SCRIPT, JOB_ARGS=(...)
	# and exports the variables the caller forwarded (VM_ENV).
	if [[ -r $OUT/job ]]; then
		# shellcheck source=/dev/null
		. "$OUT/job"
		script=$JOB_SCRIPT cwd=$JOB_CWD args=("${JOB_ARGS[@]}")
	elif script=$(cmdline_arg fabvm.script); then
		cwd=$(cmdline_arg fabvm.share) || cwd=/
	else
		log "no job given (fabvm.script= or run.sh job file)"
		return 125
	fi
	cd "$cwd" || return 125
	log "running $script ${args[*]} (cwd $cwd) at $(uptime_s)s"
	[[ -x $script ]] || script_cmd=(bash)
	# Output goes to the console (streamed by run.sh) and to the share.
	# Not a plain "| tee" pipeline: a background process the job leaves
	# behind (a server it forgot to kill) would hold the pipe open and
	# hang the VM until run.sh's timeout. Wait for tee only briefly.
	local fd teepid i
	exec {fd}> >(exec tee "$OUT/output.log")
	teepid=$!
	"${script_cmd[@]}" "$script" "${args[@]}" < /dev/null >&"$fd" 2>&1
	rc=$?
	exec {fd}>&-
	for ((i = 0; i < 30; i++)); do
		kill -0 "$teepid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$teepid" 2>/dev/null &&
		log "note: processes left by the job still hold its output open"
	log "job exited with status $rc at $(uptime_s)s"
	return "$rc"
}

main() {
	local mtu rc
	[[ $(cmdline_arg fabvm.trace) == 1 ]] && { PS4='+ ${EPOCHREALTIME} '; set -x; }
	mtu=$(cmdline_arg fabvm.mtu) || mtu=9000
	setup_net "$mtu" || { log "network setup failed"; return 125; }
	setup_rxe || { log "rxe setup failed"; return 125; }
	log "fabric up at $(uptime_s)s: rxe0=$IP0 (veth0) rxe1=$IP1 (veth1) mtu $mtu"
	setup_env
	run_job
	rc=$?
	echo "$rc" > "$OUT/status.tmp" && mv "$OUT/status.tmp" "$OUT/status"
	return "$rc"
}

main "$@"
