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

check_tools() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 ||
		no "qemu-system-x86_64 not installed (tests/vm/deps.sh)"
	local bb
	bb=$(command -v busybox 2>/dev/null) || no "busybox not installed (busybox-static)"
	! ldd "$bb" >/dev/null 2>&1 || no "busybox is not static (install busybox-static)"
	local t
	for t in ibv_devices ib_write_bw rping mpirun rdma cpio; do
		command -v "$t" >/dev/null 2>&1 || no "$t not installed (tests/vm/deps.sh)"
	done
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
