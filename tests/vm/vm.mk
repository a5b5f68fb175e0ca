# Soft-RoCE VM harness (tests/vm/): qemu TCG boots Debian's kernel with
# rdma_rxe so real verbs programs run without RDMA hardware.
# Its Debian packages: the "vm" group of tests/packages.txt (plus "fabbench",
# whose userland runs in the guest).
VM_PKGS = $(call pkgs,vm)

.PHONY: vm-deps vm-build vm-smoke
vm-deps:
	@bash tests/vm/deps.sh
vm-build: vm-deps
	bash tests/vm/build.sh $(BUILD)/vm
vm-smoke: vm-build
	bash tests/vm/run.sh tests/vm/smoke.sh
