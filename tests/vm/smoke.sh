#!/usr/bin/env bash
# tests/vm/smoke.sh - guest-side smoke test of the RDMA VM harness; run it
# with:  bash tests/vm/run.sh tests/vm/smoke.sh
# Proves the stack fabbench relies on: two Soft-RoCE devices with RoCEv2
# GIDs, RDMA writes between them across the veth pair (ib_write_bw),
# rdma_cm connections (rping), and Open MPI launching and communicating
# over TCP. Exits non-zero on the first failing check.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

_t_step=$SECONDS
step() { # prints the time the previous step took, then the new step's name
	echo "=== smoke: $* (+$((SECONDS - _t_step)) s)"
	_t_step=$SECONDS
}
fail() { echo "SMOKE FAIL: $*" >&2; exit 1; }

check_devices() {
	step "devices"
	vm_in_guest || fail "not inside the fabvm guest (use tests/vm/run.sh)"
	local devs dev
	devs=$(ibv_devices)
	echo "$devs"
	for dev in rxe0 rxe1; do
		grep -qw "$dev" <<<"$devs" || fail "$dev missing from ibv_devices"
		ibv_devinfo -d "$dev" | grep -E 'hca_id|transport|state|active_mtu|link_layer'
		ibv_devinfo -d "$dev" | grep -q 'PORT_ACTIVE' || fail "$dev port not active"
		# The GID table, like rdma-core's show_gids.
		local f i gid
		for f in "/sys/class/infiniband/$dev/ports/1/gids/"*; do
			i=${f##*/}
			gid=$(<"$f")
			[ "$gid" = 0000:0000:0000:0000:0000:0000:0000:0000 ] && continue
			echo "  $dev GID[$i] $gid $(<"/sys/class/infiniband/$dev/ports/1/gid_attrs/types/$i")"
		done
		local type
		type=$(<"/sys/class/infiniband/$dev/ports/1/gid_attrs/types/1")
		echo "$dev: netdev $(vm_netdev "$dev"), GID[1] $(vm_gid "$dev" 1) ($type), IPv4 $(vm_ip "$dev")"
		[ "$type" = "RoCE v2" ] || fail "$dev GID index 1 is '$type', not RoCE v2"
	done
	if [ "$(vm_ip rxe0)" != 10.77.0.1 ] || [ "$(vm_ip rxe1)" != 10.77.0.2 ]; then
		fail "unexpected device addresses"
	fi
}

# Traffic between the two local addresses must leave through the veth,
# not lo, or rxe would never put a packet on the "wire".
check_routing() {
	step "routing"
	local r
	r=$(ip route get 10.77.0.1 from 10.77.0.2)
	echo "$r"
	grep -q 'dev veth1' <<<"$r" || fail "10.77.0.2 -> 10.77.0.1 does not use veth1"
	r=$(ip route get 10.77.0.2 from 10.77.0.1)
	echo "$r"
	grep -q 'dev veth0' <<<"$r" || fail "10.77.0.1 -> 10.77.0.2 does not use veth0"
}

check_write_bw() {
	step "ib_write_bw rxe1 -> rxe0 (64 KiB x 200)"
	local before after
	before=$(</sys/class/net/veth1/statistics/tx_bytes)
	vm_write_bw 65536 200 rxe0 rxe1 > /dev/null || fail "ib_write_bw failed"
	after=$(</sys/class/net/veth1/statistics/tx_bytes)
	echo "$VM_BW_OUTPUT" | grep -E 'MTU|GID|#bytes' || true
	echo "ib_write_bw result: $VM_BW_LINE"
	echo "ib_write_bw average: $VM_BW_MBPS MB/s"
	echo "veth1 tx during the test: $(((after - before) / 1024)) KiB"
	# 200 x 64 KiB = 12.5 MiB must have crossed the veth.
	[ $((after - before)) -ge $((200 * 65536)) ] ||
		fail "RDMA traffic did not cross veth1"
}

check_rping() {
	step "rping rxe1 -> rxe0 (rdma_cm, 3 pings)"
	local spid
	# rdma_cm listens have no TCP socket to wait for: retry the client
	# while the server lives instead.
	rping -s -a 10.77.0.1 -C 3 -V &
	spid=$!
	echo "(REJECTED events below are client retries before the server listens)"
	vm_retry_while_alive "$spid" 60 \
		rping -c -a 10.77.0.1 -I 10.77.0.2 -C 3 -V -v ||
		{ _vm_reap "$spid"; fail "rping client failed"; }
	wait "$spid" || fail "rping server failed"
}

check_mpi() {
	step "mpirun -np 2 hostname"
	local out
	out=$(mpirun --allow-run-as-root --oversubscribe -np 2 \
		--mca pml ob1 --mca btl tcp,self hostname) || fail "mpirun failed"
	echo "$out"
	[ "$(wc -l <<<"$out")" -eq 2 ] || fail "expected 2 ranks"
	# A real message exchange, when a compiler is around (libopenmpi-dev
	# brings mpicc, but the C compiler itself may be missing).
	if command -v mpicc >/dev/null && command -v cc >/dev/null; then
		step "MPI_Allreduce over TCP (2 ranks)"
		local dir
		dir=$(mktemp -d)
		cat > "$dir/ar.c" <<-'EOF'
			#include <mpi.h>
			#include <stdio.h>
			int main(int argc, char **argv) {
				int rank, size, sum = 0;
				MPI_Init(&argc, &argv);
				MPI_Comm_rank(MPI_COMM_WORLD, &rank);
				MPI_Comm_size(MPI_COMM_WORLD, &size);
				int v = rank + 1;
				MPI_Allreduce(&v, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
				printf("rank %d/%d allreduce sum %d\n", rank, size, sum);
				MPI_Finalize();
				return sum == size * (size + 1) / 2 ? 0 : 1;
			}
		EOF
		mpicc -O1 -o "$dir/ar" "$dir/ar.c" || fail "mpicc failed"
		vm_mpirun -np 2 "$dir/ar" || fail "MPI_Allreduce failed"
		rm -rf "$dir"
	fi
}

main() {
	local t0=$SECONDS
	check_devices
	check_routing
	check_write_bw
	check_rping
	check_mpi
	step "done"
	echo "SMOKE OK ($((SECONDS - t0)) s in the guest)"
}

main "$@"
