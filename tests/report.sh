#!/usr/bin/env bash
# fabsim report: from small flow, collective and (hand-made) prediction
# results, the plots exist as PNG and SVG with their axis labels, report.md
# embeds them and carries the figures of the summaries, the output is the
# same twice, and bad input or usage fails with a clear message.
# usage: tests/report.sh [BUILD/fabsim]
set -u
FABSIM=${1:-build/fabsim}
LABEL=report
EXPECT_GREP=-F
. "$(dirname "$0")/lib.sh"
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else bad "$name"; fi; }

is_png() { [ -s "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = "211PNG" ]; }

# small runs: two flow runs with a traced uplink, one collective sweep
res=$tmp/res
T=topologies/small-800g.topo
"$FABSIM" run -t $T -s 1M -l ecmp --trace-port leaf0:spine0 -o "$res/ecmp" >/dev/null 2>&1
"$FABSIM" run -t $T -s 1M -l ar --trace-port leaf0:spine0 -o "$res/ar" >/dev/null 2>&1
"$FABSIM" run -t topologies/railopt-demo.topo -w allreduce -a ring --placement random -s 1M:4M:x4 \
	-l ar -c telemetry -r ddp --trace-port rail0-leaf0:spine0 -o "$res/coll" >/dev/null 2>&1
mkdir -p "$res/pred"
cat >"$res/pred/prediction.csv" <<'EOF'
collective,algorithm,nranks,size_bytes,measured_time_us,measured_algbw_gbps,measured_busbw_gbps,predicted_time_us,predicted_algbw_gbps,predicted_busbw_gbps,line_gbps,rel_error
allreduce,ring,4,1048576,250.0,4.194,6.291,230.0,4.559,6.838,100,-0.08
allreduce,ring,4,4194304,700.0,5.992,8.988,735.0,5.706,8.560,100,0.05
EOF
echo '{"calibration": {"nic_rate_bps": 92500000000, "overhead_us": 8.1}}' >"$res/pred/summary.json"
for d in ecmp ar coll; do
	check "sample run $d" test -s "$res/$d/summary.json"
done

out=$tmp/out1
expect "report over a folder of results" 0 "$out/report.md" "$FABSIM" report -o "$out" "$res"
cp "$tmp/out" "$tmp/stdout1"

# plot stem and a label its SVG must show
plots=(
	"effective-vs-size|effective throughput (busbw / NIC line rate, %)"
	"busbw-vs-size|bus bandwidth (GB/s)"
	"nic-busy-vs-size|NIC busy"
	"fct-cdf|flow completion time (us"
	"heatmap-ecmp|destination spine"
	"heatmap-coll|utilization (fraction of line rate)"
	"queue-ecmp|data queue (KB)"
	"queue-coll|time (us)"
	"predicted-vs-measured-allreduce|bus bandwidth (GB/s)"
)
for p in "${plots[@]}"; do
	stem=${p%%|*}
	label=${p#*|}
	check "$stem.png is a PNG" is_png "$out/$stem.png"
	check "$stem.svg has '$label'" grep -Fq "$label" "$out/$stem.svg"
	check "$stem.gp kept" test -s "$out/$stem.gp"
	check "report.md embeds $stem.png" grep -Fq "]($stem.png)" "$out/report.md"
	check "stdout lists $stem.svg" grep -Fxq "$out/$stem.svg" "$tmp/stdout1"
done

# the figures of the summaries, as report.md rounds them
pct() { awk -v v="$1" 'BEGIN { printf "%.1f%%", 100 * v }'; }
eff=$(sed -n 's/.*"effective_throughput": \([0-9.e+-]*\),*/\1/p' "$res/ecmp/summary.json" | head -1)
check "report.md: ecmp effective throughput $(pct "$eff")" grep -Fq "| $(pct "$eff") |" "$out/report.md"
p99=$(sed -n 's/.*"fct_p99_us": \([0-9.e+-]*\),*/\1/p' "$res/ar/summary.json" | head -1)
p99=$(awk -v v="$p99" 'BEGIN { printf "%.1f", v }')
check "report.md: ar p99 FCT $p99 us" grep -Fq "| $p99 |" "$out/report.md"
ceff=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "effective_throughput") c = i } NR > 1 { v = $c } END { print v }' "$res/coll/collective.csv")
check "report.md: collective effective $(pct "$ceff") (4M)" grep -Fq "$(pct "$ceff") (4M)" "$out/report.md"
check "report.md: prediction error -8.0%" grep -Fq -- "-8.0%" "$out/report.md"
check "report.md: defines effective throughput" grep -q "Effective throughput" "$out/report.md"
check "report.md: no timestamps" sh -c "! grep -Eq '20[0-9]{2}-[0-9]{2}-[0-9]{2}' '$out/report.md'"

# same input, same bytes
"$FABSIM" report -o "$tmp/out2" "$res" >/dev/null 2>&1
check "same results: identical report.md" cmp "$out/report.md" "$tmp/out2/report.md"
check "same results: identical gnuplot scripts" cmp "$out/fct-cdf.gp" "$tmp/out2/fct-cdf.gp"

expect "--port names the port in report.md" 0 "" "$FABSIM" report --port leaf0:spine1 -o "$tmp/out3" "$res/ecmp"
check "--port: port table row leaf0:spine1" grep -Fq "| leaf0:spine1 |" "$tmp/out3/report.md"
check "one folder, no collectives: no size plots" test ! -e "$tmp/out3/busbw-vs-size.png"
expect "default OUTDIR is the first DIR" 0 "$res/ar/report.md" "$FABSIM" report "$res/ar"

# errors
mkdir -p "$tmp/empty" "$tmp/badcoll"
echo "job,size_bytes" >"$tmp/badcoll/collective.csv"
printf '{ "effective' >"$tmp/badjson.json"
mkdir -p "$tmp/badjson" && mv "$tmp/badjson.json" "$tmp/badjson/summary.json"
expect "not a results folder: exit 1, names it" 1 "$tmp/empty: no summary.json" "$FABSIM" report -o "$tmp/o" "$tmp/empty"
expect "missing folder: exit 1, names it" 1 "$tmp/nope" "$FABSIM" report -o "$tmp/o" "$tmp/nope"
expect "collective.csv without a column: names file, column" 1 "badcoll/collective.csv: header has no 'collective'" \
	"$FABSIM" report -o "$tmp/o" "$tmp/badcoll"
expect "broken summary.json: names file and line" 1 "badjson/summary.json:1:" "$FABSIM" report -o "$tmp/o" "$tmp/badjson"
expect "no arguments: exit 2" 2 "usage: fabsim report" "$FABSIM" report
expect "unknown option: exit 2" 2 "usage: fabsim report" "$FABSIM" report --frobnicate "$res"
expect "bad --port: exit 2" 2 "expected FROM:TO" "$FABSIM" report --port leaf0 "$res"
expect "--help: exit 0" 0 "usage: fabsim report" "$FABSIM" report --help

finish
