#!/usr/bin/env bash
# tests/vm/deps.sh - installs the Debian packages the RDMA VM harness needs:
# groups "vm" (qemu for the TCG guest; busybox, cpio, xz, kmod for its
# initramfs) and "fabbench" (the rdma-core / perftest / Open MPI userland
# that runs inside the guest: the guest's root filesystem IS the host's /,
# shared read-only over 9p, so every program it runs must be installed here
# on the host) of tests/packages.txt, the project's one package list.
# Idempotent: prints nothing and exits 0 when everything is present.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/../install-deps.sh" vm fabbench
