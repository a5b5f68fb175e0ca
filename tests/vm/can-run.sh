#!/usr/bin/env bash
# tests/vm/can-run.sh - exits 0 if the RDMA test VM (tests/vm/run.sh) can
# run on this machine, 1 (with the reason on stderr) otherwise. `make check`
# uses it to decide whether to run the RDMA tests or skip them.
#
# Checks: VM tests not disabled (VM_DISABLE=1), qemu-system-x86_64 and a
# static busybox present, enough available memory for the guest (VM_MEM MiB
# plus headroom), and qemu actually starting a TCG q35 machine here
# (sandboxes may forbid the thread or mmap tricks it needs). No KVM needed.
# -q: no message.
set -euo pipefail

VM_MEM=${VM_MEM:-2048}
QUIET=0
[ "${1:-}" = -q ] && QUIET=1

no() {
	[ $QUIET -eq 1 ] || echo "vm-can-run: no: $*" >&2
	exit 1
}

# TOOL PACKAGE: the Debian package (tests/packages.txt) that provides TOOL.
need_tool() {
	command -v "$1" >/dev/null 2>&1 ||
		no "$1 not installed (Debian package $2; 'make deps' installs it)"
}

check_tools() {
	need_tool qemu-system-x86_64 qemu-system-x86
	need_tool busybox busybox-static
	! ldd "$(command -v busybox)" >/dev/null 2>&1 ||
		no "busybox is not static (Debian package busybox-static)"
	need_tool cpio cpio
	need_tool rdma iproute2
	need_tool ibv_devices ibverbs-utils
	need_tool ib_write_bw perftest
	need_tool rping rdmacm-utils
	need_tool mpirun openmpi-bin
}

check_memory() {
	local avail_kb need_kb
	avail_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
	# Guest RAM is mostly untouched, but qemu and TCG's code cache
	# (up to 1 GiB for -accel tcg) come on top; ask for 512 MiB more.
	need_kb=$(((VM_MEM + 512) * 1024))
	[ "${avail_kb:-0}" -ge "$need_kb" ] ||
		no "only $((avail_kb / 1024)) MiB available, need $((need_kb / 1024))"
}

check_qemu_starts() {
	# Start the real machine type paused, then quit via the monitor.
	local out
	out=$(echo quit | timeout 30 qemu-system-x86_64 \
		-accel tcg,thread=multi -cpu max -machine q35 -m "$VM_MEM" \
		-nodefaults -no-user-config -display none -S -monitor stdio 2>&1) ||
		no "qemu does not start here: $(tail -n 3 <<<"$out")"
}

main() {
	[ "${VM_DISABLE:-0}" != 1 ] || no "disabled by VM_DISABLE=1"
	[ "$(uname -m)" = x86_64 ] || no "needs an x86_64 host"
	check_tools
	check_memory
	check_qemu_starts
}

main "$@"
