# Soft-RoCE VM harness (tests/vm/): qemu TCG boots Debian's kernel with
# rdma_rxe so real verbs programs run without RDMA hardware.
VM_PKGS := qemu-system-x86 busybox-static xz-utils cpio kmod iproute2

.PHONY: vm-deps vm-build vm-smoke
vm-deps:
	@bash tests/vm/deps.sh
vm-build: vm-deps
	bash tests/vm/build.sh $(BUILD)/vm
vm-smoke: vm-build
	bash tests/vm/run.sh tests/vm/smoke.sh
