#!/usr/bin/env bash
# fabsim report: from small flow, collective and (hand-made) prediction
# results, the plots exist as PNG and SVG with their axis labels, report.md
# embeds them and carries the figures of the summaries, titles name the
# topology, scale and lb/cc/rx, legends sit outside the data, several seeds
# aggregate to mean [min..max] (hand values), the ablation ladder's chart
# and table come from a hand-made ladder.csv, the output is the same twice,
# and bad input or usage fails with a clear message.
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
collective,algorithm,nranks,size_bytes,measured_time_us,measured_algbw_GBps,measured_busbw_GBps,predicted_time_us,predicted_algbw_GBps,predicted_busbw_GBps,line_gbps,rel_error
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
	"heatmap-ecmp|destination "	# the busier direction between leaves and spines, ACKs included
	"heatmap-coll|utilization (fraction of line rate)"
	"queue-ecmp|data queue (KB)"
	"queue-coll|time (us)"
	"predicted-vs-measured-allreduce|bus bandwidth (GB/s)"
	"time-vs-size|collective time (us"
	"busbw-per-nic-vs-size|busbw per NIC of the server"
	"flow-throughput|throughput (% of line rate)"
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

# titles carry their context: what the curves share in the title, what differs in the legend
for stem in effective-vs-size busbw-vs-size time-vs-size; do
	check "$stem.gp title: railopt-demo" grep -Eq "set title '[^']*railopt-demo" "$out/$stem.gp"
	check "$stem.gp title: ranks" grep -Eq "set title '[^']*, [0-9]+ ranks" "$out/$stem.gp"
	check "$stem.gp title: lb=ar cc=telemetry rx=ddp" grep -Eq "set title '[^']*lb=ar cc=telemetry rx=ddp" "$out/$stem.gp"
done
check "flow-throughput.gp title: small-800g, 128 hosts" grep -Eq "set title '[^']*small-800g, 128 hosts" "$out/flow-throughput.gp"
check "flow-throughput.gp title: cc=none rx=ddp shared" grep -Eq "set title '[^']*cc=none rx=ddp" "$out/flow-throughput.gp"
check "flow-throughput.gp: the lb that differs names each cluster" grep -Fq "'ecmp (lb=ecmp)'" "$out/flow-throughput.gp"
check "flow-throughput.svg: lb=ar" grep -Fq "ar (lb=ar)" "$out/flow-throughput.svg"
check "heatmap-coll.gp title: the run's stack" grep -Eq "set title .*lb=ar cc=telemetry rx=ddp" "$out/heatmap-coll.gp"
# legends outside the data area
for stem in effective-vs-size busbw-vs-size busbw-per-nic-vs-size nic-busy-vs-size time-vs-size flow-throughput \
	fct-cdf queue-ecmp predicted-vs-measured-allreduce; do
	check "$stem.gp: key outside the data" sh -c "! grep 'set key' '$out/$stem.gp' | grep -Evq 'outside|below' &&
		grep -Eq 'set key (outside|below)' '$out/$stem.gp'"
done

# several seeds, hand values: each figure is the mean, with min and max
# collective: 1M over seeds 1..3, 4M over seeds 1..2 (columns by name, any order)
sd=$tmp/seeds
mkdir -p "$sd/coll" "$sd/flow" "$sd/old"
cat >"$sd/coll/collective.csv" <<'EOF'
job,collective,algorithm,ranks,seed,size_bytes,time_us,busbw_GBps,busbw_per_nic,effective_throughput,nic_busy,line_gbps
main,allreduce,ring,8,1,1048576,100,10,0.10,0.2,0.5,400
main,allreduce,ring,8,2,1048576,200,20,0.20,0.4,0.5,400
main,allreduce,ring,8,3,1048576,300,30,0.60,0.6,0.5,400
main,allreduce,ring,8,1,4194304,400,40,0.70,0.8,0.9,400
main,allreduce,ring,8,2,4194304,500,50,0.90,1.0,0.95,400
EOF
echo '{"topology": "hand-topo", "hosts": 8, "lb": "spray", "cc": "dcqcn", "rx": "gbn"}' >"$sd/coll/summary.json"
# flow run: seeds.csv's three figures; summary.json's own are the last seed's, not the mean
cat >"$sd/flow/seeds.csv" <<'EOF'
seed,status,effective_throughput,all_active_throughput,mean_flow_throughput
1,complete,0.40,0.50,0.60
2,complete,0.50,0.70,0.80
3,complete,0.45,0.60,0.70
EOF
echo '{"command": "fabsim run -t hand.topo -w all-to-all -s 1M --seeds 1:3", "topology": "hand-topo",
 "hosts": 16, "lb": "ecmp", "cc": "none", "rx": "ddp", "flows": 240, "effective_throughput": 0.45,
 "all_active_throughput": 0.60, "mean_flow_throughput": 0.70}' >"$sd/flow/summary.json"
# an older flow run: no hosts, lb, cc, rx, all-active or mean per flow: the folder name stands in
echo '{"flows": 8, "effective_throughput": 0.25}' >"$sd/old/summary.json"
o4=$tmp/out4
expect "report over hand-made seeds" 0 "$o4/report.md" "$FABSIM" report -o "$o4" "$sd"
md=$o4/report.md
# 1M: busbw (10+20+30)/3 = 20, per NIC (10+20+60)/3 = 30%, time 200 us, effective 40%, NIC busy 50%
check "seeds: 1M row, mean [min..max] of each figure" grep -Fq \
	"| 1M | 3 | 200.0 [100.0..300.0] | 20.00 [10.00..30.00] | 30.0% [10.0..60.0] | 40.0% [20.0..60.0] | 50.0% [50.0..50.0] |" "$md"
# 4M: busbw 45, per NIC 80%, time 450 us, effective 90%, NIC busy 92.5%
check "seeds: 4M row" grep -Fq \
	"| 4M | 2 | 450.0 [400.0..500.0] | 45.00 [40.00..50.00] | 80.0% [70.0..90.0] | 90.0% [80.0..100.0] | 92.5% [90.0..95.0] |" "$md"
# key figures: effective at the largest size, avg busbw = (20 + 45) / 2 = 32.50
check "seeds: key row, 90.0% [80.0..100.0] (4M), avg busbw 32.50" grep -Fq "90.0% [80.0..100.0] (4M) | 32.50 |" "$md"
check "seeds: busbw-vs-size has one point per size: mean min max" grep -Fxq "1048576 20 10 30" "$o4/busbw-vs-size.gp"
check "seeds: busbw-vs-size 4M point" grep -Fxq "4194304 45 40 50" "$o4/busbw-vs-size.gp"
check "seeds: busbw-vs-size draws the min-max bars" grep -Fq 'using 1:3:(0):($4-$3) with vectors' "$o4/busbw-vs-size.gp"
check "seeds: time-vs-size is log-log" sh -c "grep -q 'set logscale x' '$o4/time-vs-size.gp' && grep -q 'set logscale y' '$o4/time-vs-size.gp'"
check "seeds: title names hand-topo, 8 ranks, lb=spray cc=dcqcn rx=gbn" grep -Fq \
	"set title 'allreduce ring on hand-topo, 8 ranks, lb=spray cc=dcqcn rx=gbn: bus bandwidth vs message size'" \
	"$o4/busbw-vs-size.gp"
# flow: effective (40+50+45)/3 = 45%, all-active (50+70+60)/3 = 60%, mean per flow (60+80+70)/3 = 70%
check "seeds: flow table row" grep -Fq "| 3 | 45.0% [40.0..50.0] | 60.0% [50.0..70.0] | 70.0% [60.0..80.0] |" "$md"
check "seeds: flow table names the workload from the command" grep -Fq \
	"| flow | all-to-all on hand-topo, 16 hosts, lb=ecmp cc=none rx=ddp |" "$md"
check "seeds: key row uses the seeds' mean" grep -Fq "| 45.0% [40.0..50.0] |" "$md"
check "seeds: flow bars mean min max" grep -Fq '0 45 40 50 "45.0"' "$o4/flow-throughput.gp"
check "seeds: all-active bar" grep -Fq '1 60 50 70 "60.0"' "$o4/flow-throughput.gp"
check "older run: a row under its folder name, context unknown" grep -Fq "| old | – | 1 | 25.0% | – | – |" "$md"

# the ablation ladder, hand values: rows shuffled, a UTF-8 minus in a label, seeds per cell;
# written as experiments/flagship.sh did before issue 16 (busbw_gbps for GB/s), which still reads
lad=$tmp/ladder
mkdir -p "$lad"
cat >"$lad/ladder.csv" <<'EOF'
workload,size_bytes,order,config,label,seed,busbw_gbps,busbw_per_nic,nic_busy,time_us
ring,67108864,2,spcx-ar,−AR,1,360,0.90,0.95,100
ring,67108864,2,spcx-ar,−AR,2,368,0.92,0.96,99
ring,67108864,0,roce,RoCE as deployed,1,160,0.40,0.5,200
ring,67108864,0,roce,RoCE as deployed,2,200,0.50,0.6,180
ring,67108864,0,roce,RoCE as deployed,3,180,0.45,0.55,190
ring,67108864,1,roce-qps,+QPs,1,240,0.60,0.7,150
ring,67108864,1,roce-qps,+QPs,2,280,0.70,0.8,140
ring,67108864,1,roce-qps,+QPs,3,320,0.80,0.9,130
ring,268435456,0,roce,RoCE as deployed,1,200,0.50,0.6,700
ring,268435456,0,roce,RoCE as deployed,2,208,0.52,0.6,690
ring,268435456,0,roce,RoCE as deployed,3,216,0.54,0.6,680
ring,268435456,1,roce-qps,+QPs,1,300,0.75,0.8,500
ring,268435456,2,spcx-ar,−AR,1,380,0.95,0.97,400
ring,268435456,2,spcx-ar,−AR,2,388,0.97,0.98,390
hier,67108864,0,roce,RoCE as deployed,1,120,0.30,0.4,300
EOF
o5=$tmp/out5
expect "report over a ladder-only folder" 0 "$o5/ladder-ring.png" "$FABSIM" report -o "$o5" "$lad"
md=$o5/report.md
# 64M: RoCE (40+50+45)/3 = 45, +QPs (60+70+80)/3 = 70, −AR (90+92)/2 = 91; 256M: 52, 75 (one seed), 96
check "ladder: RoCE row" grep -Fxq "| 0 | RoCE as deployed | 45.0% [40.0..50.0] | 52.0% [50.0..54.0] |" "$md"
check "ladder: +QPs row, one seed at 256M" grep -Fxq "| 1 | +QPs | 70.0% [60.0..80.0] | 75.0% |" "$md"
check "ladder: −AR row" grep -Fxq "| 2 | −AR | 91.0% [90.0..92.0] | 96.0% [95.0..97.0] |" "$md"
check "ladder: hier table" grep -Fxq "| 0 | RoCE as deployed | 30.0% |" "$md"
check "ladder: size columns" grep -Fxq "| order | configuration | 64M | 256M |" "$md"
check "ladder: rows in the ladder's order" sh -c "grep '^| [0-9] | ' '$md' | head -3 | cut -d'|' -f2 | tr -d ' \n' | grep -qx '012'"
# bars: 64M cluster at x 0..2, 256M at 4..6 (a gap of one bar between clusters)
check "ladder: ring chart, RoCE bar 45 [40..50] at 64M" grep -Fq '0 45 40 50 "45.0"' "$o5/ladder-ring.gp"
check "ladder: ring chart, −AR bar at 256M" grep -Fq '6 96 95 97 "96.0"' "$o5/ladder-ring.gp"
check "ladder: ring chart has error bars" grep -Fq 'with vectors heads' "$o5/ladder-ring.gp"
check "ladder: ring chart prints the values" grep -Fq 'with labels' "$o5/ladder-ring.gp"
check "ladder: legend shows the UTF-8 label" grep -Fq "−AR" "$o5/ladder-ring.svg"
check "ladder: title names the workload" grep -Fq "Ablation ladder: ring all-reduce" "$o5/ladder-ring.svg"
check "ladder: hier chart" is_png "$o5/ladder-hier.png"
check "ladder: key outside" grep -Fq "set key outside" "$o5/ladder-ring.gp"
mkdir -p "$tmp/lbad" "$tmp/ldup" "$tmp/lcol"
sed 's/^ring,67108864,1,roce-qps,+QPs,2/ring,67108864,1,roce-flowlet,+flowlet,2/' "$lad/ladder.csv" >"$tmp/lbad/ladder.csv"
expect "ladder: one order, two configurations: exit 1" 1 "order 1 is both '+QPs' (roce-qps) and '+flowlet'" \
	"$FABSIM" report -o "$tmp/o" "$tmp/lbad"
{ cat "$lad/ladder.csv"; echo "hier,67108864,0,roce,RoCE as deployed,1,120,0.31,0.4,300"; } >"$tmp/ldup/ladder.csv"
expect "ladder: a seed twice: exit 1" 1 "seed 1 appears twice" "$FABSIM" report -o "$tmp/o" "$tmp/ldup"
cut -d, -f1-7 "$lad/ladder.csv" >"$tmp/lcol/ladder.csv"
expect "ladder: no busbw_per_nic column: exit 1" 1 "ladder.csv: header has no 'busbw_per_nic' column" \
	"$FABSIM" report -o "$tmp/o" "$tmp/lcol"

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
