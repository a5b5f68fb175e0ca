#!/usr/bin/env bash
# tests/vm/run.sh SCRIPT [ARGS...] - runs SCRIPT as root inside the fabsim
# RDMA test VM (qemu TCG, Debian kernel, two Soft-RoCE devices rxe0/rxe1
# joined by a veth pair; see stage2.sh) and exits with its status.
#
# The guest's / is the host's / (read-only 9p), so host-installed tools and
# freshly built binaries run unchanged. The share folder (VM_SHARE) is
# mounted writable at the same absolute path, and SCRIPT runs with it as
# cwd, so paths are identical inside and outside the VM.
#
# Exit status: SCRIPT's; 124 on timeout; 125 if the VM failed to boot or to
# set up the RDMA fabric (no status came back).
#
# Env:
#   VM_SHARE    writable folder (default: git toplevel of the cwd, else cwd)
#   VM_TIMEOUT  wall-clock limit in seconds, boot included (default 600)
#   VM_MTU      veth MTU (default 9000 -> rxe active MTU 4096; 1500 -> 1024)
#   VM_MEM      guest RAM in MiB (default 2048); VM_SMP vCPUs (default 2)
#   VM_ENV      names of host variables to export into the guest job
#   VM_OUTDIR   build dir of kernel/initramfs (default <repo>/build/vm)
#   VM_LOG      if set, the job's output is also copied to this file
#   VM_SHELL=1  debug: interactive busybox shell on the console afterwards
#   VM_TRACE=1  debug: trace guest stage 2 (set -x with timestamps)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUTDIR=${VM_OUTDIR:-$REPO/build/vm}
VM_TIMEOUT=${VM_TIMEOUT:-600}
VM_MTU=${VM_MTU:-9000}
VM_MEM=${VM_MEM:-2048}
VM_SMP=${VM_SMP:-2}

RUNDIR=
QEMU_PID=

log() { echo "vm-run: $*" >&2; }
usage() { echo "usage: $0 SCRIPT [ARGS...]" >&2; exit 2; }

# shellcheck disable=SC2317 # invoked from the EXIT trap
cleanup() {
	# Never leave a qemu behind (Ctrl-C, errors, timeout).
	if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill -KILL "$QEMU_PID" 2>/dev/null || true
		wait "$QEMU_PID" 2>/dev/null || true # gone before we return
	fi
	[ -n "$RUNDIR" ] && rm -rf "$RUNDIR"
	return 0
}

default_share() {
	git rev-parse --show-toplevel 2>/dev/null || pwd
}

# Absolute path of $1 without requiring realpath -m semantics.
abspath() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }

# The job file stage2.sh sources: cwd, script, args and forwarded env, all
# %q-quoted so that any characters survive (the kernel command line would
# not: it is short and split on spaces).
write_job() { # SHARE SCRIPT ARGS...
	local share=$1 script=$2 name
	shift 2
	{
		printf 'JOB_CWD=%q\n' "$share"
		printf 'JOB_SCRIPT=%q\n' "$script"
		printf 'JOB_ARGS=('
		[ $# -gt 0 ] && printf '%q ' "$@"
		printf ')\n'
		for name in ${VM_ENV:-}; do
			[ -n "${!name+x}" ] && printf 'export %s=%q\n' "$name" "${!name}"
		done
	} > "$RUNDIR/job"
}

# Kernel command line. quiet + loglevel keep the console for the job;
# mitigations=off and no_timer_check save time under emulation.
kernel_cmdline() { # SHARE
	local cmd="console=ttyS0 panic=-1 quiet loglevel=3 rdinit=/init"
	cmd+=" mitigations=off no_timer_check tsc=reliable random.trust_cpu=on"
	cmd+=" 8250.nr_uarts=1 fabvm.mtu=$VM_MTU"
	case "$1" in *[[:space:]]*) log "VM_SHARE path must not contain spaces"; exit 2 ;; esac
	cmd+=" fabvm.share=$1"
	[ "${VM_SHELL:-0}" = 1 ] && cmd+=" fabvm.shell=1"
	[ "${VM_TRACE:-0}" = 1 ] && cmd+=" fabvm.trace=1"
	echo "$cmd"
}

main() {
	[ $# -ge 1 ] || usage
	local script share kernel rc status elapsed start
	script=$(abspath "$1")
	shift
	[ -f "$script" ] || { log "no such script: $script"; exit 2; }
	share=$(cd "${VM_SHARE:-$(default_share)}" && pwd)
	[[ $VM_MTU =~ ^[0-9]+$ ]] || { log "VM_MTU must be a number"; exit 2; }
	[[ $VM_TIMEOUT =~ ^[0-9]+$ ]] || { log "VM_TIMEOUT must be seconds"; exit 2; }

	bash "$HERE/build.sh" "$OUTDIR" || { log "build failed"; exit 125; }
	kernel=$OUTDIR/$(cat "$OUTDIR/kernel.img")

	trap cleanup EXIT
	trap 'exit 130' INT TERM
	# The per-run folder is the "fabvm" 9p share: job in, status/log out.
	RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/fabvm-run.XXXXXX")
	log "booting $(basename "$kernel") (TCG, timeout ${VM_TIMEOUT}s) for $script"
	# The guest lays tmpfs over /tmp, /run, /root and /var/tmp, hiding
	# host files there unless they are inside the share: ship a copy.
	case "$script" in
	"$share"/*) ;;
	/tmp/* | /run/* | /root/* | /var/tmp/*)
		cp "$script" "$RUNDIR/$(basename "$script")"
		script=/run/fabvm/$(basename "$script") ;;
	esac
	write_job "$share" "$script" "$@"

	# qemu option values escape a literal comma by doubling it.
	local qshare=${share//,/,,} qrun=${RUNDIR//,/,,}
	# shellcheck disable=SC2054 # commas belong to qemu option values
	local qemu=(qemu-system-x86_64
		-accel tcg,thread=multi -cpu max -machine q35
		-m "$VM_MEM" -smp "$VM_SMP"
		-nodefaults -no-user-config -nic none -display none
		-monitor none -parallel none -serial stdio -no-reboot
		-kernel "$kernel" -initrd "$OUTDIR/initramfs.cpio.gz"
		-append "$(kernel_cmdline "$share")"
		-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
		-device virtio-9p-pci,fsdev=root,mount_tag=rootfs
		-fsdev "local,id=share,path=$qshare,security_model=none,multidevs=remap"
		-device virtio-9p-pci,fsdev=share,mount_tag=share
		-fsdev "local,id=fabvm,path=$qrun,security_model=none"
		-device virtio-9p-pci,fsdev=fabvm,mount_tag=fabvm)

	start=$(date +%s.%N)
	# stdin: /dev/null unless a debug shell is wanted, so qemu never puts
	# the caller's terminal into raw mode. The console is streamed through
	# a CR stripper (the serial line ends lines with CRLF).
	local stdin=/dev/null
	[ "${VM_SHELL:-0}" = 1 ] && stdin=/dev/stdin
	"${qemu[@]}" < "$stdin" > >(sed -u 's/\r$//') 2>&1 &
	QEMU_PID=$!
	rc=0
	wait_with_timeout "$QEMU_PID" "$VM_TIMEOUT" || rc=$?
	QEMU_PID=
	elapsed=$(echo "$start $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')

	[ -n "${VM_LOG:-}" ] && [ -f "$RUNDIR/output.log" ] && cp "$RUNDIR/output.log" "$VM_LOG"
	if [ "$rc" -eq 124 ]; then
		log "TIMEOUT after ${VM_TIMEOUT}s; qemu killed"
		# A job that finished just before a hung shutdown still counts.
		[ -s "$RUNDIR/status" ] || exit 124
		log "(the job had finished; its status stands)"
	fi
	if [ -f "$RUNDIR/init-error" ]; then
		log "guest init failed: $(cat "$RUNDIR/init-error")"
	fi
	if [ ! -s "$RUNDIR/status" ]; then
		log "VM failed (qemu status $rc, no job status) after ${elapsed}s"
		exit 125
	fi
	status=$(cat "$RUNDIR/status")
	log "job status $status, VM wall time ${elapsed}s"
	exit "$status"
}

# Waits for PID up to SECS seconds; returns its status, or kills it and
# returns 124. (coreutils timeout would also do, but then the pid we must
# clean up on Ctrl-C would be timeout's, not qemu's.)
wait_with_timeout() { # PID SECS
	local pid=$1 deadline=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null; do
		if [ $SECONDS -ge $deadline ]; then
			kill -TERM "$pid" 2>/dev/null || true
			sleep 2
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			return 124
		fi
		sleep 0.2
	done
	wait "$pid"
}

main "$@"
