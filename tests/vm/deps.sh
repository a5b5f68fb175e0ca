#!/usr/bin/env bash
# tests/vm/deps.sh - installs the Debian packages the RDMA VM harness needs:
# qemu (TCG guest), busybox + cpio + xz + kmod (initramfs build), and the
# rdma-core / perftest / Open MPI userland that runs inside the guest (the
# guest's root filesystem IS the host's /, shared read-only over 9p, so every
# program the guest runs must be installed here on the host).
# Idempotent: prints nothing and exits 0 when everything is present.
set -euo pipefail

PKGS=(
	qemu-system-x86 busybox-static xz-utils cpio kmod iproute2
	rdma-core ibverbs-utils rdmacm-utils perftest
	libibverbs-dev librdmacm-dev openmpi-bin libopenmpi-dev
)

missing_pkgs() {
	local p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || echo "$p"
	done
}

main() {
	local missing
	mapfile -t missing < <(missing_pkgs)
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "vm-deps: installing ${missing[*]}" >&2
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >&2
	# --no-install-recommends keeps the qemu install small (no GUI bits).
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

main "$@"
