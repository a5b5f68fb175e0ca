#!/usr/bin/env bash
# tests/fabbench/tcp.sh [FABBENCH] - multi-process fabbench tests over
# --transport tcp on localhost (make check-fabbench): every algorithm and
# collective at 2-8 ranks (non-powers of two included; broadcast, reduce
# and sendrecv at 3 and 4 from several roots), out of place and in place
# (--inplace 2, the default, checks both; 0 and 1 one each), every data type and
# op, sizes that do not divide evenly, standalone and under mpirun, all with
# -c 1; -p 0 and 1 (parallel connection set-up: data, the init line and
# JSON keys); --p2p (percentiles in order, both bandwidths, JSON keys), --p2p all
# (matrices, the slowest pair, --p2p-csv) and the TCP rank lines;
# then the failure paths, each bounded in time so that a timeout
# cannot pass for a diagnosis: ranks started with different options, a
# missing RDMA device (on any one rank or all), a rank that cannot write
# its output, not enough memory, duplicate and mismatched launches, a peer
# killed or stopped mid-run, an unreachable master, every numeric option
# out of its range, --min-busbw.
set -u
LABEL=fabbench-tcp
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=${1:-build/fabbench}
[ -x "$BIN" ] || { echo "$LABEL: $BIN not built" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
# shellcheck disable=SC2154 # tmp comes from lib.sh
DIR=$tmp
# Below the kernel's ephemeral ports (32768 up), which the ranks' own
# connections take; 200 per suite run, which uses about 150.
PORT=$((10000 + $$ % 100 * 200))
# shellcheck disable=SC2054 # "tcp,self" is one word
MPIRUN=(mpirun --allow-run-as-root --oversubscribe --mca pml ob1 --mca btl tcp,self)
SIZES=(-b 1004 -e 100000 -f 7 -n 2 -w 1)
# Whether this machine has an RDMA device (the verbs cases need none).
HAVE_RDMA=0
ibv_devices 2>/dev/null | grep -qv -e '^ *device' -e '^ *-' && HAVE_RDMA=1

# failed NAME WHY [LOG]: a failure with its reason and the log's tail.
failed() {
	rm -f "$tmp/err"
	bad "$1"
	echo "    $2"
	[ -n "${3:-}" ] && [ -f "$3" ] && tail -n 40 "$3" | sed 's/^/    /'
	return 0
}

# NAME N ARGS...: N standalone ranks; all must exit 0 with no wrong data.
ranks() {
	local name=$1 n=$2 r rc=0 pids=()
	shift 2
	PORT=$((PORT + 1))
	for ((r = 0; r < n; r++)); do
		timeout 120 "$BIN" --transport tcp --rank "$r" --nranks "$n" \
			--master "127.0.0.1:$PORT" -T 20 -q "$@" > "$DIR/out.$r" 2>&1 &
		pids+=($!)
	done
	for r in "${pids[@]}"; do wait "$r" || rc=$?; done
	cat "$DIR"/out.[1-9]* >> "$DIR/out.0" 2>/dev/null
	judge_rows "$name" "$rc" "$DIR/out.0"
	rm -f "$DIR"/out.*
}

# p2p_ok FILE: --p2p's footer: latency percentiles in order (min <=
# typical <= p99 <= p99.9 <= max, average within min..max) over 1000
# ping-pongs, and both bandwidths above zero.
p2p_ok() {
	awk '/^# p2p latency \(us\)/ {
		for (i = 1; i < NF; i++) v[$i] = $(i + 1)
		lat = $9 == "1000:" && v["t_min"] > 0 && v["t_min"] <= v["t_typical"] &&
			v["t_typical"] <= v["p99"] && v["p99"] <= v["p99.9"] &&
			v["p99.9"] <= v["t_max"] && v["t_min"] <= v["t_avg"] &&
			v["t_avg"] <= v["t_max"] && v["t_stdev"] >= 0
	}
	/^# p2p bandwidth \(GB\/s\)/ { bw = $9 + 0 > 0 && $11 + 0 > 0 }
	END { exit !(lat && bw) }' "$1"
}

# NAME N ARGS...: the same under mpirun.
mpiranks() {
	local name=$1 n=$2 rc=0
	shift 2
	timeout 120 "${MPIRUN[@]}" -np "$n" "$BIN" --transport tcp -T 20 -q "$@" \
		> "$DIR/mpi.out" 2>&1 || rc=$?
	judge_rows "$name" "$rc" "$DIR/mpi.out"
}

# A job of standalone ranks started one by one, then judged together:
#   job; start R ARGS...; start R ARGS...; verdict NAME MAX_S R RC PATTERN...
# Every rank gets --rank R, the job's --master and -T 30, so a rank that
# only gives up at a timeout fails MAX_S, the bound on the listed ranks'
# exit. Ranks not listed (a killed or stopped victim) are killed after.
job() {
	PORT=$((PORT + 1))
	JOB_PIDS=()
	JOB_FILES=()
	JOB_T0=$EPOCHREALTIME
	rm -f "$DIR"/r.*
}

start() { # R ARGS...: a second process for R logs to r.R.<n>
	local r=$1 f
	shift
	f="$DIR/r.$r"
	[ -e "$f" ] && f="$DIR/r.$r.${#JOB_PIDS[@]}"
	"$BIN" --rank "$r" --master "127.0.0.1:$PORT" -T 30 "$@" > "$f" 2>&1 &
	JOB_PIDS+=($!)
	JOB_FILES+=("$f")
}

verdict() { # NAME MAX_S [R RC PATTERN]...
	local name=$1 max=$2 i rc secs why="" f dog
	local -A pid_of=()
	shift 2
	for i in "${!JOB_PIDS[@]}"; do
		pid_of[${JOB_FILES[$i]}]=${JOB_PIDS[$i]}
	done
	# Nothing may hang the suite: a watchdog ends the job after 60 s.
	( sleep 60; kill -KILL "${JOB_PIDS[@]}" ) 2> /dev/null &
	dog=$!
	while [ $# -ge 3 ]; do
		f="$DIR/r.$1"
		rc=0
		if [ -z "${pid_of[$f]:-}" ]; then
			rc=none
		else
			{ wait "${pid_of[$f]}"; } 2> /dev/null || rc=$?
		fi
		secs=$(awk -v a="$JOB_T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
		if [ "$rc" != "$2" ]; then
			why+="rank $1 exit $rc, want $2; "
		elif [ -n "$3" ] && ! grep -qE -- "$3" "$f"; then
			why+="rank $1 lacks '$3'; "
		fi
		shift 3
	done
	kill -KILL "${JOB_PIDS[@]}" 2> /dev/null
	{ wait "${JOB_PIDS[@]}"; } 2> /dev/null
	kill "$dog" 2> /dev/null
	{ wait "$dog"; } 2> /dev/null
	if awk -v s="$secs" -v m="$max" 'BEGIN { exit !(s > m) }'; then
		why+="took $secs s, more than $max s; "
	fi
	if [ -n "$why" ]; then
		for f in "${JOB_FILES[@]}"; do
			echo "== ${f##*/}"
			cat "$f"
		done > "$DIR/job.log"
		failed "$name" "$why" "$DIR/job.log"
	else
		ok "$name ($secs s)"
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
		ranks "all-to-all pairwise n=$n" "$n" --coll all-to-all "${SIZES[@]}"
	done
	# broadcast, reduce (from several roots) and sendrecv, out of place and in place
	for n in 3 4; do
		ranks "broadcast chain n=$n root 0" "$n" --coll broadcast "${SIZES[@]}"
		ranks "broadcast chain n=$n root $((n - 1)) 2 channels chunk 1K" "$n" --coll broadcast \
			-r $((n - 1)) --channels 2 --chunk 1K "${SIZES[@]}"
		ranks "reduce chain n=$n root 0" "$n" --coll reduce "${SIZES[@]}"
		ranks "reduce chain n=$n root 1 -d half -o max" "$n" --coll reduce -r 1 -d half -o max \
			"${SIZES[@]}"
		ranks "sendrecv p2p n=$n" "$n" --coll sendrecv "${SIZES[@]}"
		ranks "sendrecv p2p n=$n chunk 1K depth 1" "$n" --coll sendrecv --chunk 1K --depth 1 \
			"${SIZES[@]}"
	done
	ranks "reduce chain n=4 root 3 --inplace 0" 4 --coll reduce -r 3 --inplace 0 "${SIZES[@]}"
	ranks "broadcast chain n=3 root 2 --inplace 1" 3 --coll broadcast -r 2 --inplace 1 "${SIZES[@]}"
	ranks "allgather ring n=4 --inplace 0 (own block copied)" 4 --coll allgather --inplace 0 "${SIZES[@]}"
	ranks "allreduce ring n=6 2 channels chunk 1K depth 1" 6 --channels 2 \
		--chunk 1K --depth 1 "${SIZES[@]}"
	ranks "allreduce tree n=7 chunk 512 depth 2 -a 3" 7 --algo tree \
		--chunk 512 --depth 2 -a 3 "${SIZES[@]}"
	# Sizes read as fabsim reads them: 1.5K is 1536 bytes.
	ranks "allreduce ring n=3 -b 1.5K -e 6K --chunk 0.5K" 3 -b 1.5K -e 6K -f 2 \
		--chunk 0.5K -n 2 -w 1
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
		echo "$LABEL: mpirun not installed, skipping the mpirun cases"
		return
	fi
	mpiranks "mpirun allreduce ring n=4" 4 "${SIZES[@]}"
	mpiranks "mpirun allreduce tree n=5 -d bfloat16" 5 --algo tree -d bfloat16 "${SIZES[@]}"
	mpiranks "mpirun alltoall (the alias) n=3" 3 --coll alltoall "${SIZES[@]}"
	mpiranks "mpirun --baseline mpi --p2p --json n=2" 2 --baseline mpi --p2p \
		--json "$DIR/r.json" --csv "$DIR/r.csv" "${SIZES[@]}"
	if grep -q '"p2p_bw_GBps": [0-9]' "$DIR/r.json" 2>/dev/null &&
		grep -q mpi_busbw_GBps "$DIR/r.json" &&
		{ ! command -v python3 > /dev/null || python3 -m json.tool "$DIR/r.json" > /dev/null; } &&
		[ "$(wc -l < "$DIR/r.csv")" -eq 4 ]; then
		ok "json and csv files"
	else
		failed "json and csv files" "missing fields" "$DIR/r.json"
	fi
	# The start-up check over MPI: every rank stops, naming the option.
	local rc=0
	# shellcheck disable=SC2016 # expanded by each rank's shell
	timeout 60 "${MPIRUN[@]}" -np 3 bash -c 'exec "$0" --transport tcp -T 30 -b 4K -e 4K \
		-d $([ "$OMPI_COMM_WORLD_RANK" = 2 ] && echo half || echo float)' "$BIN" \
		> "$DIR/mpi.out" 2>&1 || rc=$?
	if [ "$rc" -eq 2 ] &&
		[ "$(grep -c 'option --datatype differs: rank 0 has float, rank 2 has half' "$DIR/mpi.out")" -eq 3 ] &&
		! grep -q '^ *[0-9]' "$DIR/mpi.out"; then
		ok "mpirun: -d differs on rank 2: every rank exits 2 naming it"
	else
		failed "mpirun: -d differs on rank 2" "exit $rc" "$DIR/mpi.out"
	fi
}

# Options that must agree, each changed on rank 1 of 2: both ranks stop at
# start-up (exit 2) naming the option, both values and both ranks.
options_differ() {
	local spec opt v0 v1 pat
	for spec in "-n iters 20 10" "-w warmup_iters 1 0" "-c check 1 0" \
		"-d datatype float half" "-o op sum max" "--coll coll allreduce allgather" \
		"--algo algo ring tree" "--chunk chunk 131072 65536" "--channels channels 1 2" \
		"--qps qps 1 2" "--depth depth 8 4" "-e maxbytes 4096 8192" "--inplace inplace 2 1" \
		"-p parallel_init 0 1"; do
		read -r opt name v0 v1 <<< "$spec"
		pat="option --$name differs: rank 0 has $v0, rank 1 has $v1"
		job
		start 0 --nranks 2 --transport tcp -b 4K -e 4K "$opt" "$v0"
		start 1 --nranks 2 --transport tcp -b 4K -e 4K "$opt" "$v1"
		verdict "$opt $v0 vs $v1: both exit 2 at start-up" 3 0 2 "$pat" 1 2 "$pat"
	done
	# The root of a broadcast must agree too.
	pat="option --root differs: rank 0 has 0, rank 1 has 1"
	job
	start 0 --nranks 2 --transport tcp -b 4K -e 4K --coll broadcast -r 0
	start 1 --nranks 2 --transport tcp -b 4K -e 4K --coll broadcast -r 1
	verdict "-r 0 vs 1: both exit 2 at start-up" 3 0 2 "$pat" 1 2 "$pat"
	# A root that is not a rank: every rank stops at start-up, saying so.
	pat="--root 2 is not a rank: want 0\.\.1 \(2 ranks\)"
	job
	start 0 --nranks 2 --transport tcp -b 4K -e 4K --coll reduce -r 2
	start 1 --nranks 2 --transport tcp -b 4K -e 4K --coll reduce -r 2
	verdict "-r 2 of 2 ranks: both exit 2 at start-up" 3 0 2 "$pat" 1 2 ""
	# -c 0 on one rank used to print a bandwidth table and exit 0.
	job
	start 0 --nranks 2 --transport tcp -b 4K -e 4K -c 0
	start 1 --nranks 2 --transport tcp -b 4K -e 4K
	verdict "-c 0 on rank 0 only: no table, both exit 2" 3 \
		0 2 "option --check differs: rank 0 has 0, rank 1 has 1" \
		1 2 "option --check differs"
	if grep -q '^ *[0-9]' "$DIR/r.0"; then failed "-c 0 on rank 0 only: no table" "a table was printed" "$DIR/r.0"; fi
	# A third rank that agrees learns it too.
	job
	start 0 --nranks 3 --transport tcp -b 4K -e 4K
	start 1 --nranks 3 --transport tcp -b 4K -e 4K
	start 2 --nranks 3 --transport tcp -b 4K -e 4K --algo rhd
	verdict "--algo on rank 2 of 3: every rank exits 2" 3 \
		0 2 "option --algo differs: rank 0 has ring, rank 2 has rhd" \
		1 2 "option --algo differs: rank 0 has ring, rank 2 has rhd" \
		2 2 "option --algo differs: rank 0 has ring, rank 2 has rhd"
	# Settings that are per rank (or rank 0's only) may differ.
	job
	start 0 --nranks 2 --transport tcp -b 4K -e 4K -n 2 -T 20 -a 0 --tc 96 -q
	start 1 --nranks 2 --transport tcp -b 4K -e 4K -n 2 -T 25 -a 3 -x 1 -D foo
	verdict "per-rank settings may differ (-T -a --tc -x -D)" 10 0 0 "Avg bus bandwidth" 1 0 ""
}

# --p2p standalone: the percentiles, the bidirectional bandwidth and
# their JSON keys beside the old ones (fabsim predict reads those).
p2p() {
	job
	start 0 --nranks 2 --transport tcp --p2p -b 4K -e 256K -f 8 -n 3 -w 1 \
		--json "$DIR/p2p.json"
	start 1 --nranks 2 --transport tcp --p2p -b 4K -e 256K -f 8 -n 3 -w 1
	verdict "--p2p n=2: latency and bandwidth lines" 20 \
		0 0 "^# p2p rank 0 <-> 1     : latency [0-9.]+ us, bandwidth [0-9.]+ GB/s" 1 0 ""
	if p2p_ok "$DIR/r.0"; then
		ok "--p2p: min <= typical <= p99 <= p99.9 <= max, both bandwidths"
	else
		failed "--p2p: percentiles and bandwidths" "out of order or missing" "$DIR/r.0"
	fi
	local k miss=""
	for k in p2p_latency_us p2p_bw_GBps p2p_latency_us_min p2p_latency_us_max \
		p2p_latency_us_avg p2p_latency_us_stdev p2p_latency_us_p99 \
		p2p_latency_us_p999 p2p_bibw_GBps; do
		grep -q "\"$k\": [0-9]" "$DIR/p2p.json" 2>/dev/null || miss+=" $k"
	done
	grep -q '"p2p_latency_iterations": 1000' "$DIR/p2p.json" 2>/dev/null ||
		miss+=" p2p_latency_iterations"
	if [ -z "$miss" ]; then
		ok "--p2p: json keys"
	else
		failed "--p2p: json keys" "missing:$miss" "$DIR/p2p.json"
	fi
}

# --p2p all over 4 ranks: both 4 x 4 matrices, the slowest pair named, a
# CSV row per pair (6) with latency <= p99 <= p99.9 and a bandwidth; and
# --p2p-csv without "all" refused.
p2p_all() {
	local r csv
	job
	for r in 0 1 2 3; do
		csv=()
		[ "$r" = 0 ] && csv=(--p2p-csv "$DIR/pairs.csv")
		start "$r" --nranks 4 --transport tcp --p2p all -b 4K -e 64K -f 16 -n 2 -w 1 -q "${csv[@]}"
	done
	verdict "--p2p all n=4: matrices and the slowest pair" 30 \
		0 0 "^# p2p slowest pair     : rank [0-3] \(.*\) <-> [0-3] \(.*\): [0-9.]+ GB/s, the median pair" \
		1 0 "" 2 0 "" 3 0 ""
	if [ "$(grep -cE '^# +[0-3]( +(-|[0-9.]+)){4}$' "$DIR/r.0")" -eq 8 ] &&
		awk -F, 'NR == 1 { ok = $0 ~ /^src,dst,latency_us,p99_us,p999_us,min_us,max_us,bandwidth_GBps,bibw_GBps,/; next }
			 { n++; k[$1 "-" $2] = 1
			   if (!($1 < $2 && $3 <= $4 && $4 <= $5 && $6 <= $3 && $5 <= $7 && $8 > 0 && $9 > 0)) bad++ }
			 END { exit !(ok && n == 6 && length(k) == 6 && !bad) }' "$DIR/pairs.csv"; then
		ok "--p2p all: two 4x4 matrices, --p2p-csv has the 6 pairs in order"
	else
		failed "--p2p all: matrices and csv" "wrong rows" "$DIR/pairs.csv"
	fi
	expect "--p2p-csv without --p2p all" 2 "--p2p-csv needs --p2p all" \
		"$BIN" --transport tcp --p2p --p2p-csv "$DIR/x.csv"
}

# TCP rank lines: the interface holding the connection's address, that
# address and the kernel's speed for it or "unknown" (loopback has none);
# %line follows: a share of the slowest rank's speed, or n/a if unknown.
tcp_rank_lines() {
	local pat='^#  Rank +[01] Pid +[0-9]+ on +[^ ]+ tcp interface [^ ?]+ +addr [0-9.]+ +speed ([0-9.]+ Gb/s|unknown) qps 1 '
	job
	start 0 --nranks 2 --transport tcp -b 4K -e 16K -f 4 -n 2 -w 1
	start 1 --nranks 2 --transport tcp -b 4K -e 16K -f 4 -n 2 -w 1
	verdict "tcp rank lines name the interface, address and speed" 20 0 0 "$pat" 1 0 ""
	if [ "$(grep -cE "$pat" "$DIR/r.0")" -eq 2 ] &&
		awk '/^#  Rank/ { n++; if ($0 ~ /speed unknown/) unk = 1 }
		     /^# .*%line/ { k = 0; for (i = 2; i <= NF; i++) if ($i == "%line") col[++k] = i - 1; next }
		     !/^#/ && NF >= 11 { rows++; for (i = 1; i <= k; i++) if (unk ? $(col[i]) != "n/a" : $(col[i]) !~ /%$/) bad++ }
		     END { exit !(n == 2 && rows == 2 && k == 2 && !bad) }' "$DIR/r.0"; then
		ok "tcp rank lines: both ranks, %line from the speed or n/a"
	else
		failed "tcp rank lines: both ranks, %line" "lines or %line column wrong" "$DIR/r.0"
	fi
}

# The launch itself is wrong: fail at once, every rank, naming the mistake.
launch_mistakes() {
	job
	start 0 --nranks 2 --transport tcp -b 4K -e 4K
	start 1 --nranks 3 --transport tcp -b 4K -e 4K
	verdict "--nranks 2 vs 3: both exit 2" 4 \
		0 2 "option --nranks differs: rank 0 has 2, rank 1 \(.*\) has 3" \
		1 2 "option --nranks differs: rank 0 has 2, rank 1 \(.*\) has 3"
	job
	start 0 --nranks 3 --transport tcp -b 4K -e 4K
	start 1 --nranks 3 --transport tcp -b 4K -e 4K
	sleep 0.3
	start 1 --nranks 3 --transport tcp -b 4K -e 4K
	verdict "--rank 1 twice: every process exits 2" 5 \
		0 2 "--rank 1 is claimed by two processes" \
		1 2 "--rank 1 is claimed by two processes" \
		1.2 2 "--rank 1 is claimed by two processes"
	# Memory: nothing may allocate what the host does not have.
	job
	start 0 --nranks 2 --transport tcp -b 1T -e 1T
	start 1 --nranks 2 --transport tcp -b 1T -e 1T
	# (3 TiB each: output, input for out of place, the check's copy)
	verdict "-e 1T: both exit 1 before allocating" 3 \
		0 1 "2 ranks on .* need 6.* of memory .* available there" \
		1 1 "2 ranks on .* need 6.* of memory"
	# Rank 0 could not write its results at the end: say so at the start.
	job
	start 0 --nranks 2 --transport tcp -b 4K -e 4K --json "$DIR/no/such/dir/r.json"
	start 1 --nranks 2 --transport tcp -b 4K -e 4K
	verdict "--json in a missing folder: both exit 1 at start-up" 3 \
		0 1 "cannot write --json .*/no/such/dir/r.json: No such file" \
		1 1 "peer rank 0 \(.*\) cannot run: cannot write --json"
	PORT=$((PORT + 1))
	expect "unreachable master" 1 "cannot reach rank 0" \
		timeout 60 "$BIN" --transport tcp --rank 1 --nranks 2 --master "127.0.0.1:$PORT" -T 2
	PORT=$((PORT + 1))
	expect "rank that never joins" 1 "rank 1 never joined" \
		timeout 60 "$BIN" --transport tcp --rank 0 --nranks 2 --master "127.0.0.1:$PORT" -T 2
}

# No RDMA device: every rank says so at once with the fix, and the others
# hear it from the rank that has none instead of timing out.
no_rdma() {
	local pat="no RDMA device found.*rdma_rxe.*--transport tcp"
	if [ "$HAVE_RDMA" = 1 ]; then
		echo "$LABEL: this machine has an RDMA device: the no-device cases do not apply"
		return
	fi
	job
	start 0 --nranks 2 -b 4K -e 4K
	start 1 --nranks 2 -b 4K -e 4K
	verdict "verbs without an RDMA device: both ranks exit 1 at once" 2 \
		0 1 "$pat" 1 1 "$pat"
	job
	start 0 --nranks 2 -b 4K -e 4K
	verdict "verbs without an RDMA device, rank 0 alone: exit 1 within the grace" 4 0 1 "$pat"
	job
	start 1 --nranks 4 -b 4K -e 4K
	verdict "verbs without an RDMA device, rank 1 alone: exit 1 within the grace" 4 1 1 "$pat"
	job
	start 0 --nranks 2 -b 4K -e 4K --transport tcp
	start 1 --nranks 2 -b 4K -e 4K
	verdict "--transport tcp on rank 0 only: both exit 2, rank 1 says why" 3 \
		0 2 "option --transport differs: rank 0 has tcp, rank 1 has verbs" \
		1 2 "$pat"
}

# mid_run SIGNAL R: once the job's table header shows (until then the ranks
# are still connecting), SIGNAL to its rank R; the job's clock restarts.
mid_run() {
	wait_for size "$DIR/r.0" 10
	sleep 0.5
	kill -"$1" "${JOB_PIDS[$2]}"
	JOB_T0=$EPOCHREALTIME
}

# Kill one of 4 ranks mid-run: the others fail at once (not at -T 30),
# naming it. VICTIM 0 is also the bootstrap's hub.
killed_peer() { # VICTIM
	local victim=$1 r name="killed rank $1 mid-run: survivors exit 1 naming it"
	job
	for r in 0 1 2 3; do
		start "$r" --nranks 4 --transport tcp -b 256K -e 256K -n 1000000 -q
	done
	mid_run KILL "$victim"
	local args=()
	for r in 0 1 2 3; do
		[ "$r" -eq "$victim" ] && continue
		args+=("$r" 1 "peer rank $victim \(.*\) closed the connection")
	done
	verdict "$name" 3 "${args[@]}"
	grep -h "peer rank $victim" "$DIR"/r.* | sed 's/^/    /'

}

# A peer that stops (SIGSTOP) without dying: its neighbour names it within
# -T; the others, starved in turn, fail as quickly, naming whom they wait on.
stopped_peer() {
	local r
	job
	for r in 0 1 2; do
		start "$r" --nranks 3 --transport tcp -b 256K -e 256K -n 1000000 -q -T 2
	done
	mid_run STOP 2
	verdict "stopped rank 2 (-T 2): the others exit 1 naming it" 5 \
		0 1 "peer rank 2 \(.*\) stopped responding: no data from it for 2 s" \
		1 1 "peer rank [02] \(.*\) (stopped responding|closed the connection)"
}

# Every numeric option outside its documented range: exit 2 naming the
# option, the value and the range.
bad_values() {
	local spec
	while IFS='|' read -r spec pat; do
		# shellcheck disable=SC2086 # SPEC is a word list
		expect "bad value: $spec" 2 "$pat" "$BIN" $spec
	done <<'EOF'
-n 0|bad value '0' for -n/--iters: want a whole number in 1\.\.100000000
-w 100000001|-w/--warmup_iters: want a whole number in 0\.\.100000000
-f 0|-f/--stepfactor: want a whole number in 1\.\.1048576
-b 2T|-b/--minbytes: want a size in 0 B\.\.1 TiB
-e 0|-e/--maxbytes: want a size in 1 B\.\.1 TiB
-b 1.5|bad value '1\.5' for -b/--minbytes: want a size in 0 B\.\.1 TiB
-c 2|-c/--check: want a whole number in 0\.\.1
-a 4|-a/--average: want a whole number in 0\.\.3
-T 0|-T/--timeout: want a whole number in 1\.\.86400
-x 65536|-x/--gid-index: want a whole number in 0\.\.65535
--channels 65|--channels: want a whole number in 1\.\.64
--gpus-per-server 1025|--gpus-per-server: want a whole number in 0\.\.1024
--ib-port 0|--ib-port: want a whole number in 1\.\.255
--tc 256|--tc: want a whole number in 0\.\.255
--qps 17|--qps: want a whole number in 1\.\.16
--chunk 32|--chunk: want a size in 64 B\.\.1 GiB
--depth 1025|--depth: want a whole number in 1\.\.1024
--rank 0 --nranks 1025 --master h:1|--nranks: want a whole number in 1\.\.1024
--min-busbw nan|bad value 'nan' for --min-busbw: want a number in 0\.\.1e\+06
-d float128|-d/--datatype: want one of int32, int64, half, bfloat16, float, double
-b 1 -e 1G -i 1|makes more than 256 sizes
--rank 0 --nranks 2 --master 127.0.0.1:99999|bad port '99999' in --master 127\.0\.0\.1:99999: want a whole number in 1\.\.65535
--rank 0 --nranks 2 --master 127.0.0.1:0|bad port '0' in --master
--rank 0 --nranks 2 --master 127.0.0.300:29500|bad host '127\.0\.0\.300' in --master
--rank 0 --nranks 2 --master [::1]:29500|IPv6 is not supported
--master 127.0.0.1:29500|--master needs --rank and --nranks
-r 1025 --coll broadcast|-r/--root: want a whole number in 0\.\.1023
-r 1|-r/--root applies to broadcast and reduce, not allreduce
--coll sendrecv -r 0|-r/--root applies to broadcast and reduce, not sendrecv
--inplace 3|--inplace: want a whole number in 0\.\.2
--coll gather|--coll: want one of allreduce, allgather, reducescatter, all-to-all, broadcast, reduce, sendrecv
EOF
}

failures() {
	options_differ
	launch_mistakes
	no_rdma
	killed_peer 2
	killed_peer 0
	stopped_peer
	bad_values
	expect "bad option" 2 "unknown option" "$BIN" --bogus
	expect "half a launch" 2 "go together" "$BIN" --rank 0
	expect "--baseline mpi without mpirun" 2 "needs an mpirun" "$BIN" --baseline mpi
	expect "--help shows the ranges" 0 "\[1\.\.65535\]" "$BIN" --help
	expect "--version" 0 "fabbench [0-9]" "$BIN" -V
	job
	start 1 --nranks 2 --transport tcp -b 64K -e 64K -n 2 --min-busbw 100000
	start 0 --nranks 2 --transport tcp -b 64K -e 64K -n 2 --min-busbw 100000
	verdict "--min-busbw not met" 20 0 4 "below --min-busbw"
}

# -p (nccl-tests' --parallel_init): every connection at once, or one after
# another (the default); both give right data at any rank count, and the
# header and the JSON say which ran and how long the set-up took.
parallel_init() {
	local n p mode
	for n in 2 5 8; do
		ranks "allreduce ring n=$n -p 1" "$n" -p 1 "${SIZES[@]}"
	done
	ranks "alltoall n=6 -p 1" 6 --coll alltoall -p 1 "${SIZES[@]}"
	ranks "allreduce tree n=7 -p 0" 7 --algo tree -p 0 "${SIZES[@]}"
	for p in 0 1; do
		mode=serial
		[ "$p" = 1 ] && mode=parallel
		job
		for n in 0 1 2; do
			start "$n" --nranks 3 --transport tcp -p "$p" -b 4K -e 4K -n 2 \
				--json "$DIR/init$p.json"
		done
		verdict "-p $p: '# init: N ms ($mode)' in the header" 20 \
			0 0 "^# init: [0-9]+\.[0-9]{3} ms \($mode\), the slowest rank's connection set-up" \
			1 0 "" 2 0 ""
		if grep -q "\"parallel_init\": $p," "$DIR/init$p.json" 2>/dev/null &&
			grep -qE '^  "init_ms": [0-9]' "$DIR/init$p.json" &&
			[ "$(grep -cE '^      "init_ms": [0-9]' "$DIR/init$p.json")" -eq 3 ]; then
			ok "-p $p: json parallel_init, init_ms and each rank's"
		else
			failed "-p $p: json parallel_init and init_ms" "missing" "$DIR/init$p.json"
		fi
	done
	expect "bad value: -p 2" 2 "bad value '2' for -p/--parallel_init: want a whole number in 0\.\.1" \
		"$BIN" -p 2
}

main() {
	local t0=$SECONDS
	parallel_init
	p2p
	p2p_all
	tcp_rank_lines
	algorithms
	types_ops
	under_mpirun
	failures
	echo "$LABEL: took $((SECONDS - t0)) s"
	finish
}

main "$@"
