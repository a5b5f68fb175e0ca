#!/usr/bin/env bash
# tests/fabbench/rdma-vm.sh [FABBENCH] - guest side of `make check-rdma`:
#   bash tests/vm/run.sh tests/fabbench/rdma-vm.sh build/fabbench
# fabbench over --transport verbs between the VM's Soft-RoCE devices
# (rxe0 on veth0, rxe1 on veth1; ranks alternate between them, so every
# byte crosses the veth pair): 2 and 4 ranks standalone and under mpirun
# (MPI over TCP only), -c 1 throughout, --baseline mpi, -p 0 and 1; the failure paths
# (missing device, bad GID index, killed peer); broadcast, reduce and
# sendrecv out of place and in place; and fabbench's
# point-to-point bandwidth against ib_write_bw on the same devices.
# Sizes stay small: TCG emulation moves only tens of MB/s.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../vm/lib.sh
. "$HERE/../vm/lib.sh"
# wait_for; its ok and bad give way to this suite's own below.
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
# shellcheck source=lib.sh
. "$HERE/lib.sh"
BIN=${1:-build/fabbench}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
DIR=$(mktemp -d)
PORT=29500
PASS=0
FAIL=0
DEVS=rxe0,rxe1
SIZES=(-b 64K -e 1M -f 4 -n 5 -w 1)
T=20

ok() { PASS=$((PASS + 1)); printf 'fabbench-rdma: %-56s ok\n' "$1"; }
bad() {
	FAIL=$((FAIL + 1))
	printf 'fabbench-rdma: %-56s FAILED: %s\n' "$1" "$2"
	[ -n "${3:-}" ] && sed 's/^/    /' "$3" | tail -n 30
}
# For judge_rows: the log is in the output already.
failed() { bad "$1" "$2"; }

# NAME N ARGS...: N standalone verbs ranks, devices alternating.
ranks() {
	local name=$1 n=$2 r rc=0 pids=()
	shift 2
	PORT=$((PORT + 1))
	for ((r = 0; r < n; r++)); do
		"$BIN" --device "$DEVS" --rank "$r" --nranks "$n" \
			--master "127.0.0.1:$PORT" -T "$T" "$@" > "$DIR/out.$r" 2>&1 &
		pids+=($!)
	done
	for r in "${pids[@]}"; do wait "$r" || rc=$?; done
	cat "$DIR/out.0"
	cat "$DIR"/out.[1-9]* 2>/dev/null
	judge_rows "$name" "$rc" "$DIR/out.0"
}

mpiranks() {
	local name=$1 n=$2 rc=0
	shift 2
	timeout 300 mpirun "${VM_MPIRUN_FLAGS[@]}" -np "$n" "$BIN" --device "$DEVS" -T "$T" "$@" \
		> "$DIR/mpi.out" 2>&1 || rc=$?
	cat "$DIR/mpi.out"
	judge_rows "$name" "$rc" "$DIR/mpi.out"
}

# NAME WANT_RC PATTERN ARGS...: two standalone ranks that must both fail so.
expect_pair() {
	local name=$1 want=$2 pat=$3 rc0=0 rc1=0 pid
	shift 3
	PORT=$((PORT + 1))
	"$BIN" --rank 1 --nranks 2 --master "127.0.0.1:$PORT" -T 10 "$@" \
		> "$DIR/e.1" 2>&1 &
	pid=$!
	timeout 60 "$BIN" --rank 0 --nranks 2 --master "127.0.0.1:$PORT" -T 10 "$@" \
		> "$DIR/e.0" 2>&1 || rc0=$?
	wait "$pid" || rc1=$?
	cat "$DIR/e.0"
	if [ "$rc0" -ne "$want" ] || [ "$rc1" -ne "$want" ]; then
		bad "$name" "exit $rc0/$rc1, want $want" "$DIR/e.1"
	elif ! grep -qE -- "$pat" "$DIR/e.0"; then
		bad "$name" "no '$pat'"
	else
		ok "$name"
	fi
}

killed_peer() {
	local r pids=() rc start victim=2 good=0
	PORT=$((PORT + 1))
	for r in 0 1 2 3; do
		"$BIN" --device "$DEVS" --rank "$r" --nranks 4 --master "127.0.0.1:$PORT" \
			-b 64K -e 64K -n 1000000 -T 10 -q > "$DIR/kill.$r" 2>&1 &
		pids+=($!)
	done
	wait_for size "$DIR/kill.0" 60
	sleep 2
	kill -9 "${pids[$victim]}"
	start=$SECONDS
	for r in 0 1 3; do
		rc=0
		{ wait "${pids[$r]}"; } 2> /dev/null || rc=$?
		echo "    rank $r: exit $rc after $((SECONDS - start)) s: $(grep -v '^#' "$DIR/kill.$r")"
		if [ "$rc" -ne 0 ] && [ $((SECONDS - start)) -le 12 ] &&
			grep -q "peer rank $victim " "$DIR/kill.$r"; then
			good=$((good + 1))
		fi
	done
	{ wait "${pids[$victim]}"; } 2> /dev/null
	if [ $good -eq 3 ]; then
		ok "killed peer: survivors exit 1 naming rank $victim"
	else
		bad "killed peer: survivors exit 1 naming rank $victim" "$good of 3"
	fi
}

# -p: every connection of 4 ranks x 2 QPs set up one after another (0) or
# all at once (1): right data both ways, and the '# init' line of each,
# printed side by side.
parallel_init() {
	local p ms=()
	for p in 0 1; do
		ranks "verbs allreduce ring n=4 --qps 2 -p $p" 4 -b 64K -e 64K -n 3 --qps 2 -p "$p"
		ms+=("$(sed -n 's/^# init: \([0-9.]*\) ms (\(serial\|parallel\)).*/\1/p' "$DIR/out.0")")
	done
	echo "verbs connection set-up, 4 ranks, --qps 2: -p 0 ${ms[0]:-?} ms, -p 1 ${ms[1]:-?} ms"
	if [ -n "${ms[0]}" ] && [ -n "${ms[1]}" ]; then
		ok "-p 0 and -p 1: '# init: N ms' lines"
	else
		bad "-p 0 and -p 1: '# init: N ms' lines" "missing"
	fi
}

# fabbench's rank 0 -> 1 bandwidth (rxe0 -> rxe1) against ib_write_bw's.
p2p_vs_perftest() {
	local fb ib ratio
	ranks "verbs --p2p n=2 (1 MiB writes)" 2 -b 1M -e 1M -n 40 -w 2 \
		--p2p --json "$DIR/p2p.json" -q
	fb=$(sed -n 's/.*"p2p_bw_GBps": \([0-9.e+-]*\).*/\1/p' "$DIR/p2p.json")
	# Over verbs too: latency percentiles in order and a bidirectional bandwidth.
	if awk -F': ' '{ gsub(/[",]/, ""); gsub(/^ +/, ""); v[$1] = $2 }
		END { exit !(v["p2p_latency_iterations"] == 1000 && v["p2p_latency_us_min"] > 0 &&
			v["p2p_latency_us_min"] <= v["p2p_latency_us"] &&
			v["p2p_latency_us"] <= v["p2p_latency_us_p99"] &&
			v["p2p_latency_us_p99"] <= v["p2p_latency_us_p999"] &&
			v["p2p_latency_us_p999"] <= v["p2p_latency_us_max"] && v["p2p_bibw_GBps"] > 0) }' \
		"$DIR/p2p.json"; then
		ok "verbs --p2p: min <= typical <= p99 <= p99.9 <= max, bidirectional bandwidth"
	else
		bad "verbs --p2p: percentiles and bidirectional bandwidth" "$(grep p2p_ "$DIR/p2p.json" | tr -d '\n')"
	fi
	if ! vm_write_bw 1048576 100 rxe1 rxe0 > /dev/null; then
		bad "ib_write_bw rxe0 -> rxe1" "failed"
		return
	fi
	ib=$VM_BW_MBPS
	ratio=$(awk -v f="$fb" -v i="$ib" 'BEGIN { if (i > 0) printf "%.2f", f * 1000 / i }')
	echo "fabbench p2p: $(awk -v f="$fb" 'BEGIN { printf "%.1f", f * 1000 }') MB/s," \
		"ib_write_bw: $ib MB/s (1 MiB), ratio $ratio"
	if [ -n "$ratio" ] && awk -v r="$ratio" 'BEGIN { exit !(r > 0.2) }'; then
		ok "p2p bandwidth vs ib_write_bw (ratio $ratio)"
	else
		bad "p2p bandwidth vs ib_write_bw" "ratio '$ratio'"
	fi
}

main() {
	local t0=$SECONDS
	vm_in_guest || { echo "run me with tests/vm/run.sh" >&2; exit 2; }
	ibv_devices
	ranks "verbs allreduce ring n=2" 2 "${SIZES[@]}" --json "$DIR/n2.json"
	ranks "verbs allreduce ring n=4" 4 "${SIZES[@]}"
	ranks "verbs allreduce tree n=4 --qps 2 -d half" 4 "${SIZES[@]}" --algo tree \
		--qps 2 -d half -q
	ranks "verbs alltoall n=3 --chunk 16K --depth 2 --tc 96" 3 --coll alltoall \
		-b 12K -e 300K -f 5 -n 3 --chunk 16K --depth 2 --tc 96 -q
	# nccl-tests' rooted collectives and sendrecv, out of place (input and
	# output registered apart) and in place, each checked
	ranks "verbs broadcast n=3 root 1 --chunk 16K" 3 --coll broadcast -r 1 \
		-b 12K -e 300K -f 5 -n 3 --chunk 16K -q
	ranks "verbs reduce n=4 root 2 -d half" 4 --coll reduce -r 2 -d half \
		-b 12K -e 300K -f 5 -n 3 -q
	ranks "verbs sendrecv n=4 --chunk 16K --depth 2" 4 --coll sendrecv \
		-b 12K -e 300K -f 5 -n 3 --chunk 16K --depth 2 -q
	mpiranks "mpirun verbs n=2 --baseline mpi" 2 "${SIZES[@]}" --baseline mpi
	mpiranks "mpirun verbs n=4 --baseline mpi" 4 "${SIZES[@]}" --baseline mpi
	# Rank 1 lacks its device; rank 0 hears it at start-up, not at -T.
	expect_pair "missing device on rank 1" 1 "peer rank 1 .* cannot run: no RDMA device 'rxe9'" \
		--device rxe0,rxe9 -b 4K -e 4K
	expect_pair "GID index 7" 1 "GID index 7 does not exist.*-x" --device "$DEVS" -x 7 -b 4K -e 4K
	parallel_init
	killed_peer
	p2p_vs_perftest
	rm -rf "$DIR"
	echo "fabbench-rdma: $PASS passed, $FAIL failed ($((SECONDS - t0)) s in the guest)"
	[ "$FAIL" -eq 0 ]
}

main "$@"
