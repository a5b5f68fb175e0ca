#!/usr/bin/env bash
# tests/fabbench/tcp.sh [FABBENCH] - multi-process fabbench tests over
# --transport tcp on localhost (make check-fabbench): every algorithm and
# collective at 2-8 ranks (non-powers of two included), every data type and
# op, sizes that do not divide evenly, standalone and under mpirun, all with
# -c 1; then the failure paths: a peer killed mid-run, an unreachable
# master, bad options, a missing RDMA device, --min-busbw.
set -u
BIN=${1:-build/fabbench}
[ -x "$BIN" ] || { echo "fabbench-tcp: $BIN not built" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
DIR=$(mktemp -d "${TMPDIR:-/tmp}/fabbench-tcp.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
PORT=$((20000 + $$ % 20000))
PASS=0
FAIL=0
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --mca pml ob1 --mca btl tcp,self)
SIZES=(-b 1004 -e 100000 -f 7 -n 2 -w 1)

ok() { PASS=$((PASS + 1)); printf 'fabbench-tcp: %-58s ok\n' "$1"; }
bad() {
	FAIL=$((FAIL + 1))
	printf 'fabbench-tcp: %-58s FAILED: %s\n' "$1" "$2"
	[ -n "${3:-}" ] && sed 's/^/    /' "$3" | tail -n 20
}

# Table rows must all report 0 wrong elements (column 11).
rows_ok() { # FILE
	awk '!/^#/ && NF >= 11 { n++; if ($11 != "0") bad++ }
	     END { exit !(n > 0 && !bad) }' "$1"
}

# NAME N ARGS...: N standalone ranks; all must exit 0 with no wrong data.
ranks() {
	local name=$1 n=$2 r rc=0 pids=()
	shift 2
	PORT=$((PORT + 1))
	for ((r = 0; r < n; r++)); do
		"$BIN" --transport tcp --rank "$r" --nranks "$n" \
			--master "127.0.0.1:$PORT" -T 20 -q "$@" > "$DIR/out.$r" 2>&1 &
		pids+=($!)
	done
	for r in "${pids[@]}"; do wait "$r" || rc=$?; done
	cat "$DIR"/out.[1-9]* >> "$DIR/out.0" 2>/dev/null
	if [ "$rc" -ne 0 ]; then
		bad "$name" "exit $rc" "$DIR/out.0"
	elif ! rows_ok "$DIR/out.0"; then
		bad "$name" "wrong data or no results" "$DIR/out.0"
	else
		ok "$name"
	fi
	rm -f "$DIR"/out.*
}

# NAME N ARGS...: the same under mpirun.
mpiranks() {
	local name=$1 n=$2 rc=0
	shift 2
	timeout 120 "${MPIRUN[@]}" -np "$n" "$BIN" --transport tcp -T 20 -q "$@" \
		> "$DIR/mpi.out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		bad "$name" "exit $rc" "$DIR/mpi.out"
	elif ! rows_ok "$DIR/mpi.out"; then
		bad "$name" "wrong data or no results" "$DIR/mpi.out"
	else
		ok "$name"
	fi
}

# NAME WANT_RC PATTERN CMD...: expect an exit code and a message.
expect() {
	local name=$1 want=$2 pat=$3 rc=0
	shift 3
	timeout 60 "$@" > "$DIR/exp.out" 2>&1 || rc=$?
	if [ "$rc" -ne "$want" ]; then
		bad "$name" "exit $rc, want $want" "$DIR/exp.out"
	elif ! grep -qE -- "$pat" "$DIR/exp.out"; then
		bad "$name" "no '$pat' in the output" "$DIR/exp.out"
	else
		ok "$name"
	fi
}

algorithms() {
	local n
	for n in 2 3 4 5 6 7 8; do
		ranks "allreduce ring n=$n" "$n" "${SIZES[@]}"
	done
	for n in 3 5 8; do
		ranks "allreduce rhd n=$n" "$n" --algo rhd "${SIZES[@]}"
		ranks "allreduce tree n=$n" "$n" --algo tree "${SIZES[@]}"
	done
	ranks "allreduce hier n=4 (2 per server)" 4 --algo hier --gpus-per-server 2 "${SIZES[@]}"
	ranks "allreduce hier n=6 (3 per server)" 6 --algo hier --gpus-per-server 3 "${SIZES[@]}"
	for n in 2 5 7; do
		ranks "allgather ring n=$n" "$n" --coll allgather "${SIZES[@]}"
		ranks "reducescatter ring n=$n" "$n" --coll reducescatter "${SIZES[@]}"
		ranks "alltoall pairwise n=$n" "$n" --coll alltoall "${SIZES[@]}"
	done
	ranks "allreduce ring n=6 2 channels chunk 1K depth 1" 6 --channels 2 \
		--chunk 1K --depth 1 "${SIZES[@]}"
	ranks "allreduce tree n=7 chunk 512 depth 2 -a 3" 7 --algo tree \
		--chunk 512 --depth 2 -a 3 "${SIZES[@]}"
}

types_ops() {
	local dt op
	for dt in float half bfloat16 int32 int64 double; do
		for op in sum prod min max; do
			ranks "allreduce n=3 -d $dt -o $op" 3 -d "$dt" -o "$op" \
				-b 1000 -e 30000 -f 30 -n 1 -w 0
		done
	done
	ranks "reducescatter n=5 -d half -o max" 5 --coll reducescatter -d half \
		-o max "${SIZES[@]}"
}

under_mpirun() {
	if ! command -v mpirun > /dev/null; then
		echo "fabbench-tcp: mpirun not installed, skipping the mpirun cases"
		return
	fi
	mpiranks "mpirun allreduce ring n=4" 4 "${SIZES[@]}"
	mpiranks "mpirun allreduce tree n=5 -d bfloat16" 5 --algo tree -d bfloat16 "${SIZES[@]}"
	mpiranks "mpirun alltoall n=3" 3 --coll alltoall "${SIZES[@]}"
	mpiranks "mpirun --baseline mpi --p2p --json n=2" 2 --baseline mpi --p2p \
		--json "$DIR/r.json" --csv "$DIR/r.csv" "${SIZES[@]}"
	if grep -q '"p2p_bw_gbps": [0-9]' "$DIR/r.json" 2>/dev/null &&
		grep -q mpi_busbw_gbps "$DIR/r.json" &&
		{ ! command -v python3 > /dev/null || python3 -m json.tool "$DIR/r.json" > /dev/null; } &&
		[ "$(wc -l < "$DIR/r.csv")" -eq 4 ]; then
		ok "json and csv files"
	else
		bad "json and csv files" "missing fields" "$DIR/r.json"
	fi
}

# Kill one of 4 ranks mid-run; the others must fail within -T, naming it.
killed_peer() {
	local r pids=() rc start t victim=2 good=0
	PORT=$((PORT + 1))
	for r in 0 1 2 3; do
		"$BIN" --transport tcp --rank "$r" --nranks 4 --master "127.0.0.1:$PORT" \
			-b 256K -e 256K -n 1000000 -T 5 -q > "$DIR/kill.$r" 2>&1 &
		pids+=($!)
	done
	# Until the table header shows, the ranks are still connecting.
	for ((t = 0; t < 100; t++)); do
		grep -q "size" "$DIR/kill.0" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.5
	kill -9 "${pids[$victim]}"
	start=$SECONDS
	for r in 0 1 3; do
		rc=0
		# (braces: no "Killed" job notice for the victim)
		{ wait "${pids[$r]}"; } 2> /dev/null || rc=$?
		if [ "$rc" -ne 0 ] && [ $((SECONDS - start)) -le 6 ] &&
			grep -q "peer rank $victim " "$DIR/kill.$r"; then
			good=$((good + 1))
		else
			echo "    rank $r: exit $rc after $((SECONDS - start)) s: $(cat "$DIR/kill.$r")"
		fi
	done
	wait "${pids[$victim]}" 2> /dev/null
	if [ $good -eq 3 ]; then
		ok "killed peer: survivors exit 1 naming rank $victim"
		sed 's/^/    /' "$DIR"/kill.[013] | grep -v '^    #'
	else
		bad "killed peer: survivors exit 1 naming rank $victim" "$good of 3"
	fi
}

failures() {
	killed_peer
	PORT=$((PORT + 1))
	expect "unreachable master" 1 "cannot reach rank 0" \
		"$BIN" --transport tcp --rank 1 --nranks 2 --master "127.0.0.1:$PORT" -T 2
	PORT=$((PORT + 1))
	expect "rank that never joins" 1 "rank 1 never joined" \
		"$BIN" --transport tcp --rank 0 --nranks 2 --master "127.0.0.1:$PORT" -T 2
	expect "bad option" 2 "unknown option" "$BIN" --bogus
	expect "bad size" 2 "bad value" "$BIN" -b 12Q
	expect "bad op" 2 "bad value" "$BIN" -o average
	expect "half a launch" 2 "go together" "$BIN" --rank 0
	expect "--baseline mpi without mpirun" 2 "needs an mpirun" "$BIN" --baseline mpi
	expect "--help" 0 "exit status" "$BIN" --help
	expect "--version" 0 "fabbench [0-9]" "$BIN" -V
	if ! ibv_devices 2>/dev/null | grep -qv -e '^ *device' -e '^ *-'; then
		PORT=$((PORT + 1))
		"$BIN" --rank 1 --nranks 2 --master "127.0.0.1:$PORT" -T 2 > /dev/null 2>&1 &
		expect "verbs without an RDMA device" 1 "no RDMA device.*--transport tcp" \
			"$BIN" --rank 0 --nranks 2 --master "127.0.0.1:$PORT" -T 2
		wait
	fi
	PORT=$((PORT + 1))
	"$BIN" --transport tcp --rank 1 --nranks 2 --master "127.0.0.1:$PORT" \
		-b 64K -e 64K -n 2 --min-busbw 100000 > /dev/null 2>&1 &
	expect "--min-busbw not met" 4 "below --min-busbw" \
		"$BIN" --transport tcp --rank 0 --nranks 2 --master "127.0.0.1:$PORT" \
		-b 64K -e 64K -n 2 --min-busbw 100000
	wait
}

main() {
	local t0=$SECONDS
	algorithms
	types_ops
	under_mpirun
	failures
	echo "fabbench-tcp: $PASS passed, $FAIL failed ($((SECONDS - t0)) s)"
	[ "$FAIL" -eq 0 ]
}

main "$@"
