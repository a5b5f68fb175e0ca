# shellcheck shell=bash
# tests/vm/lib.sh - guest-side helpers for scripts run by tests/vm/run.sh.
# Source it:  . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   (bash only)
#
# Guest fabric (set up by stage2.sh before the script starts):
#   rxe0 on veth0 = 10.77.0.1, rxe1 on veth1 = 10.77.0.2 (RoCEv2, GID index 1)
# Everything is slow under TCG: a process start costs 50-130 ms, a server
# may need seconds before it listens, so wait/retry instead of sleeping.
#
# Functions:
#   vm_ip DEV                     IPv4 of rxe device DEV (from its RoCEv2 GID)
#   vm_netdev DEV                 netdev under DEV (veth0/veth1)
#   vm_gid DEV [INDEX]            GID INDEX (default 1) of DEV port 1
#   vm_wait_port HOST PORT SECS [PID]
#                                 wait until a TCP port listens (0) or the
#                                 timeout/PID death (1); never connects
#   vm_retry_while_alive PID SECS CMD...
#                                 re-run CMD until it succeeds, while PID
#                                 (a server) lives, for at most SECS
#   vm_write_bw [SIZE [ITERS [SRV_DEV [CLI_DEV]]]]
#                                 ib_write_bw SRV_DEV <- CLI_DEV across the
#                                 veth; prints the average MB/s and sets
#                                 VM_BW_MBPS, VM_BW_LINE (perftest result
#                                 line), VM_BW_OUTPUT (client output) --
#                                 not inside $(...), which is a subshell
#   vm_mpirun ARGS...             mpirun with the flags that work in the guest
#   vm_in_guest                   true inside the VM
[ -n "${BASH_VERSION:-}" ] || { echo "lib.sh needs bash" >&2; return 1; }

# QP timeout exponent for perftest (4.096 us * 2^N): rxe under TCG can stall
# for long enough that the default (14 = 67 ms) triggers retransmits.
VM_QP_TIMEOUT=${VM_QP_TIMEOUT:-16}
# mpirun flags that work in the guest: Debian's Open MPI would pick UCX,
# which aborts or hangs on rxe, so use ob1 over TCP/shared memory.
# shellcheck disable=SC2054 # commas are inside MCA values
VM_MPIRUN_FLAGS=(--allow-run-as-root --oversubscribe
	--mca pml ob1 --mca btl tcp,vader,self --mca osc '^ucx'
	--mca btl_tcp_if_include lo --mca oob_tcp_if_include lo)
_vm_next_port=${VM_PORT_BASE:-18515}

vm_in_guest() { [ "${FABVM:-0}" = 1 ]; }

vm_gid() { # DEV [INDEX]
	cat "/sys/class/infiniband/$1/ports/1/gids/${2:-1}"
}

vm_netdev() { # DEV
	cat "/sys/class/infiniband/$1/ports/1/gid_attrs/ndevs/1"
}

vm_ip() { # DEV: decode the IPv4-mapped GID ::ffff:a.b.c.d (no forks)
	local gid
	gid=$(<"/sys/class/infiniband/$1/ports/1/gids/1") || return 1
	[[ $gid == 0000:0000:0000:0000:0000:ffff:* ]] || {
		echo "vm_ip: $1 has no IPv4 GID at index 1 ($gid)" >&2
		return 1
	}
	local hi=${gid:30:4} lo=${gid:35:4}
	echo "$((16#${hi:0:2})).$((16#${hi:2:2})).$((16#${lo:0:2})).$((16#${lo:2:2}))"
}

# /proc/net/tcp spells IPv4 addresses as little-endian hex.
_vm_hexip() { # a.b.c.d
	local IFS=.
	# shellcheck disable=SC2086
	set -- $1
	printf '%02X%02X%02X%02X' "$4" "$3" "$2" "$1"
}

_vm_listening() { # HOST PORT: is a LISTEN socket on HOST:PORT or *:PORT?
	local port hexip
	port=$(printf '%04X' "$2")
	hexip=$(_vm_hexip "$1")
	# st 0A = LISTEN; tcp6 wildcard sockets also accept IPv4.
	grep -qE "^ *[0-9]+: ($hexip|00000000):$port [0-9A-F:]+ 0A " /proc/net/tcp ||
		grep -qE "^ *[0-9]+: 0{32}:$port [0-9A-F:]+ 0A " /proc/net/tcp6
}

# Waits without connecting: perftest servers take the first TCP connection
# as their peer, so a probe connect would break them. All guest addresses
# are local, so the kernel's socket table is authoritative.
vm_wait_port() { # HOST PORT SECS [PID]
	local host=$1 port=$2 deadline=$((SECONDS + $3)) pid=${4:-}
	until _vm_listening "$host" "$port"; do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			echo "vm_wait_port: server (pid $pid) died before listening on $port" >&2
			return 1
		fi
		if [ $SECONDS -ge $deadline ]; then
			echo "vm_wait_port: nothing listens on $host:$port after $3 s" >&2
			return 1
		fi
		sleep 0.1
	done
}

vm_retry_while_alive() { # PID SECS CMD...
	local pid=$1 deadline=$((SECONDS + $2)) try=1
	shift 2
	until "$@"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "vm_retry: server (pid $pid) is gone; giving up on: $*" >&2
			return 1
		fi
		if [ $SECONDS -ge $deadline ]; then
			echo "vm_retry: still failing after $try tries: $*" >&2
			return 1
		fi
		try=$((try + 1))
		sleep 0.5
	done
}

# Kills PID if still alive and reaps it; for cleanup paths.
_vm_reap() { # PID
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

vm_write_bw() { # [SIZE [ITERS [SRV_DEV [CLI_DEV]]]]
	local size=${1:-65536} iters=${2:-200} sdev=${3:-rxe0} cdev=${4:-rxe1}
	local port=$_vm_next_port sip dir spid rc=0
	# A fresh port per call: no TIME_WAIT or leftover-server surprises.
	_vm_next_port=$((_vm_next_port + 1))
	sip=$(vm_ip "$sdev") || return 1
	dir=$(mktemp -d)
	local common=(-x 1 -p "$port" -s "$size" -n "$iters" -u "$VM_QP_TIMEOUT" -F)
	ib_write_bw -d "$sdev" "${common[@]}" > "$dir/server" 2>&1 &
	spid=$!
	if vm_wait_port "$sip" "$port" 60 "$spid"; then
		vm_retry_while_alive "$spid" 30 \
			ib_write_bw -d "$cdev" "${common[@]}" "$sip" > "$dir/client" 2>&1 || rc=1
	else
		rc=1
	fi
	[ $rc -eq 0 ] || _vm_reap "$spid"
	wait "$spid" || rc=1
	# Result line: first numeric line after the "#bytes" header; its 4th
	# column is "BW average[MB/sec]".
	VM_BW_LINE=$(awk '/#bytes/ {h = 1; next} h && $1 ~ /^[0-9]+$/ {print; exit}' \
		"$dir/client" 2>/dev/null)
	if [ $rc -ne 0 ] || [ -z "$VM_BW_LINE" ]; then
		echo "vm_write_bw: failed; server output:" >&2
		cat "$dir/server" >&2
		echo "vm_write_bw: client output:" >&2
		cat "$dir/client" >&2 2>/dev/null
		rm -rf "$dir"
		return 1
	fi
	# shellcheck disable=SC2034 # for the caller
	VM_BW_OUTPUT=$(<"$dir/client")
	rm -rf "$dir"
	read -r _ _ _ VM_BW_MBPS _ <<<"$VM_BW_LINE"
	echo "$VM_BW_MBPS"
}

vm_mpirun() { # ARGS...
	mpirun "${VM_MPIRUN_FLAGS[@]}" "$@"
}
