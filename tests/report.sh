#!/usr/bin/env bash
# fabsim report: from small flow, collective and (hand-made) prediction
# results, the plots exist as PNG and SVG with their axis labels and gnuplot
# says nothing on stderr; every tier pair of a 3-tier fat-tree and a 2-tier
# leaf-spine has its heatmap with node names, a failed link hatched; the
# queue plot traces the busiest port (a tiny incast's receiver downlink) or
# says how to; fabbench's p2p matrix (--p2p, hand-made and real) draws as
# two heatmaps with the slowest pair named; report.md
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
check "report over flows, a collective and a prediction: nothing on stderr" test ! -s "$tmp/err"

# plot stem and a label its SVG must show
plots=(
	"effective-vs-size|effective throughput (busbw / NIC line rate, %)"
	"busbw-vs-size|bus bandwidth (GB/s)"
	"nic-busy-vs-size|NIC busy"
	"fct-cdf|flow completion time (us"
	"heatmap-ecmp-leaf-spine|down: spine -> leaf"	# up and down, ACKs included
	"heatmap-ecmp-host-leaf|up: host -> leaf"
	"heatmap-coll-leaf-spine|utilization (fraction of line rate)"
	"heatmap-coll-host-leaf|rail0-leaf0"
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
check "heatmap-coll-leaf-spine.gp title: the run's stack" grep -Eq "set multiplot .*lb=ar cc=telemetry rx=ddp" \
	"$out/heatmap-coll-leaf-spine.gp"
# legends outside the data area
for stem in effective-vs-size busbw-vs-size busbw-per-nic-vs-size nic-busy-vs-size time-vs-size flow-throughput \
	fct-cdf queue-ecmp predicted-vs-measured-allreduce; do
	check "$stem.gp: key outside the data" sh -c "! grep 'set key' '$out/$stem.gp' | grep -Evq 'outside|below' &&
		grep -Eq 'set key (outside|below)' '$out/$stem.gp'"
done

# every tier of a 3-tier fat-tree and of a 2-tier leaf-spine: one heatmap per tier pair, up and down
# panels, node names on the axes (every k-th when too many), a link down hatched, nothing on stderr
ft=$tmp/fattree-tiny.topo
cat >"$ft" <<'EOF'
name = "fattree-tiny";
fabric = {
	kind = "fattree";
	pods = 2;
	leaves_per_pod = 2;
	hosts_per_leaf = 4;
	aggs_per_pod = 2;
	cores_per_group = 2;
	host_rate = "400G";
	fabric_rate = "400G";
};
EOF
# the lines of datablock $NAME in FILE, on one line
block() { sed -n "/^\\\$$2 << EOD/,/^EOD/p" "$1" | sed '1d;$d' | tr '\n' ' '; }
tiers=$tmp/tiers
"$FABSIM" run -t "$ft" -s 256K --fail leaf0:agg0.0 -o "$tiers/ft" >/dev/null 2>&1
"$FABSIM" run -t "$ft" -w allreduce -s 64K:256K:x4 -o "$tiers/ftcoll" >/dev/null 2>&1
check "3-tier run with a failed link: links.csv has link_down" sh -c "head -1 '$tiers/ft/links.csv' | grep -q ',link_down\$'"
down=$(awk -F, 'NR > 1 && $NF == 1 { print $2 ":" $3 }' "$tiers/ft/links.csv" | sort | tr '\n' ' ')
check "links.csv: both directions of leaf0:agg0.0 down, no other" test "$down" = "agg0.0:leaf0 leaf0:agg0.0 "
check "a run without failures: no link_down column (files as before)" sh -c "! grep -q link_down '$res/ecmp/links.csv'"
oh=$tmp/oh
expect "report on a 3-tier run and a 2-tier run" 0 "" "$FABSIM" report -o "$oh" "$tiers/ft" "$tiers/ftcoll" "$res/ecmp"
check "3-tier and 2-tier heatmaps: nothing on stderr" test ! -s "$tmp/err"
for stem in heatmap-ft-host-leaf heatmap-ft-leaf-agg heatmap-ft-agg-core heatmap-ftcoll-host-leaf \
	heatmap-ftcoll-leaf-agg heatmap-ftcoll-agg-core heatmap-ecmp-host-leaf heatmap-ecmp-leaf-spine; do
	check "$stem.png is a PNG" is_png "$oh/$stem.png"
	check "$stem.svg is an SVG" grep -q "<svg" "$oh/$stem.svg"
	check "report.md embeds $stem.png" grep -Fq "]($stem.png)" "$oh/report.md"
done
check "2-tier: no agg-core heatmap" test ! -e "$oh/heatmap-ecmp-agg-core.png"
for pair in "host leaf" "leaf agg" "agg core"; do
	lo=${pair% *}
	hi=${pair#* }
	gp=$oh/heatmap-ft-$lo-$hi.gp
	check "heatmap-ft-$lo-$hi.gp names both tiers, up and down" sh -c "grep -Fq \"set title 'up: $lo -> $hi\" '$gp' &&
		grep -Fq \"set title 'down: $hi -> $lo\" '$gp' && grep -Fq \"set ylabel '$lo'\" '$gp' &&
		grep -Fq \"set xlabel '$hi'\" '$gp'"
done
gp=$oh/heatmap-ft-leaf-agg.gp
check "heatmap-ft-leaf-agg.gp: agg names on the x axis" grep -Fq "set xtics out ('agg0.0' 0, 'agg0.1' 1, 'agg1.0' 2, 'agg1.1' 3)" "$gp"
check "heatmap-ft-leaf-agg.gp: leaf names on the y axis" grep -Fq "set ytics out ('leaf0' 0, 'leaf1' 1, 'leaf2' 2, 'leaf3' 3)" "$gp"
# leaf0 is row 0, agg0.0 column 0: the one cell down, in both panels, and not among the live cells
check "heatmap-ft-leaf-agg.gp: leaf0-agg0.0 down in the up panel" test "$(block "$gp" down0)" = "0 0 "
check "heatmap-ft-leaf-agg.gp: and in the down panel" test "$(block "$gp" down1)" = "0 0 "
check "heatmap-ft-leaf-agg.gp: not a live cell" sh -c "! sed -n '/^.live0 << EOD/,/^EOD/p' '$gp' | grep -q '^0 0 '"
check "heatmap-ft-leaf-agg.gp: down cells hatched" grep -q "fs pattern" "$gp"
check "report.md: the links down are said" grep -Fq "2 link directions were down at the end of the run are hatched red" "$oh/report.md"
check "3-tier collective: nothing hatched" sh -c "! grep -q 'fs pattern' '$oh/heatmap-ftcoll-leaf-agg.gp'"
# small-800g: 128 hosts; an axis names 40 at most: every ceil(128 / 40) = 4th
check "128 hosts: every 4th named, and the axis says so" grep -Fq "set ylabel 'host (every 4th of 128 labelled)'" \
	"$oh/heatmap-ecmp-host-leaf.gp"
check "128 hosts: h124 labelled" grep -Fq "'h124' 124" "$oh/heatmap-ecmp-host-leaf.gp"
check "128 hosts: h125 not" sh -c "! grep -Fq \"'h125'\" '$oh/heatmap-ecmp-host-leaf.gp'"

# the queue plot of the busiest port: a tiny incast, h1..h3 into h0 on its leaf, where only leaf0's port
# down to h0 queues (3 x 400G into 400G). Ports: the 16 hosts' uplinks are 0..15, then leaf0's, down
# ports first: leaf0:h0 is port 16.
"$FABSIM" run -t "$ft" -w incast --incast-senders 3 --incast-from local -s 256K -o "$tiers/inc" >/dev/null 2>&1
"$FABSIM" run -t "$ft" -w incast --incast-senders 3 --incast-from local -s 256K --trace-port leaf0:agg0.0 \
	-o "$tiers/inc-other" >/dev/null 2>&1
expect "queue plot: the busiest port when none is named" 0 "queue-inc: port leaf0:h0 (port 16, the busiest: max queue " \
	"$FABSIM" report -o "$tmp/oq" "$tiers/inc"
check "queue plot: nothing on stderr" test ! -s "$tmp/err"
check "queue-inc.gp title names leaf0:h0, the busiest" grep -Fq "queue and PFC at port leaf0:h0 (port 16, the busiest" \
	"$tmp/oq/queue-inc.gp"
check "port table: the busiest port" grep -Fq "| inc | leaf0:h0 |" "$tmp/oq/report.md"
check "the queue plot shows a queue" sh -c "! grep -q 'the queue stayed empty' '$tmp/oq/queue-inc.gp'"
expect "queue plot: the busiest port is not in trace.csv" 0 "queue-inc-other: port leaf0:h0 (port 16, the busiest: max queue" \
	"$FABSIM" report -o "$tmp/oq2" "$tiers/inc-other"
check "stdout: draws trace.csv's port, says how to trace the busiest" grep -Fq \
	"which samples leaf0:agg0.0: drawn instead; rerun 'fabsim run' with --trace-port leaf0:h0" "$tmp/out"
check "queue-inc-other.gp: the title names the traced port" grep -Fq \
	"queue and PFC at port leaf0:agg0.0, the one trace.csv samples" "$tmp/oq2/queue-inc-other.gp"
check "queue-inc-other.gp: a title line names the busiest" grep -Fq "not traced: leaf0:h0" "$tmp/oq2/queue-inc-other.gp"
expect "queue plot: --port wins" 0 "queue-inc: port leaf0:h1 (named by --port) is not in trace.csv" \
	"$FABSIM" report --port leaf0:h1 -o "$tmp/oq3" "$tiers/inc"

# fabbench --p2p all --p2p-csv: 4 ranks, pair 1-3 slow (2.5 GB/s, the others 10), pair 0-2 the highest latency
p2p=$tmp/p2p
mkdir -p "$p2p"
cat >"$p2p/pairs.csv" <<'EOF'
src,dst,latency_us,p99_us,p999_us,min_us,max_us,bandwidth_GBps,bibw_GBps,src_host,dst_host
0,1,5.000,6.000,7.000,4.000,8.000,10.000000,20.000000,node-a,node-b
0,2,9.000,9.500,9.900,8.000,10.000,10.000000,20.000000,node-a,node-c
0,3,5.000,6.000,7.000,4.000,8.000,10.000000,20.000000,node-a,node-d
1,2,5.000,6.000,7.000,4.000,8.000,10.000000,20.000000,node-b,node-c
1,3,5.000,6.000,7.000,4.000,8.000,2.500000,5.000000,node-b,node-d
2,3,5.000,6.000,7.000,4.000,8.000,10.000000,20.000000,node-c,node-d
EOF
op=$tmp/op
expect "--p2p alone: the two heatmaps and report.md" 0 "$op/p2p-bandwidth.svg" "$FABSIM" report --p2p "$p2p/pairs.csv" -o "$op"
check "--p2p: nothing on stderr" test ! -s "$tmp/err"
for stem in p2p-latency p2p-bandwidth; do
	check "$stem.png is a PNG" is_png "$op/$stem.png"
	check "$stem.svg names the ranks' hosts" grep -Fq "1 (node-b)" "$op/$stem.svg"
	check "report.md embeds $stem.png" grep -Fq "]($stem.png)" "$op/report.md"
done
# medians as fabbench's footer (nearest rank, the 3rd of 6): bandwidths 2.5 10 10 10 10 10, latencies 5 5 5 5 5 9
check "report.md names the slowest pair" grep -Fxq -e \
	"- **Slowest pair**: rank 1 (node-b) <-> 3 (node-d): 2.500 GB/s, the median pair 10.000 GB/s." "$op/report.md"
check "report.md names the highest latency" grep -Fxq -e \
	"- **Highest latency**: rank 0 (node-a) <-> 2 (node-c): 9.00 us, the median pair 5.00 us." "$op/report.md"
check "p2p-bandwidth.gp marks ranks 1 and 3" test "$(block "$op/p2p-bandwidth.gp" slow)" = "3 1 1 3 "
check "p2p-latency.gp marks ranks 0 and 2" test "$(block "$op/p2p-latency.gp" slow)" = "2 0 0 2 "
check "p2p-bandwidth.gp: in GB/s" grep -Fq "set cblabel 'bandwidth (GB/s)'" "$op/p2p-bandwidth.gp"
check "p2p-latency.gp: in us" grep -Fq "set cblabel 'latency (us, typical one-way)'" "$op/p2p-latency.gp"
check "p2p-bandwidth.gp: rank x rank" sh -c "grep -Fq \"set xlabel 'rank'\" '$op/p2p-bandwidth.gp' &&
	grep -Fq \"set ylabel 'rank'\" '$op/p2p-bandwidth.gp'"
# a file fabbench wrote (4 ranks over TCP on loopback, when the GB/s column was bandwidth_gbps);
# its footer said "rank 1 (vm) <-> 3 (vm): 1.340 GB/s, the median pair 1.729 GB/s"
cat >"$p2p/fabbench.csv" <<'EOF'
src,dst,latency_us,p99_us,p999_us,min_us,max_us,bandwidth_gbps,bibw_gbps,src_host,dst_host
0,1,20.008,26.620,46.993,11.320,57.080,1.728612,1.171091,vm,vm
0,2,20.039,25.451,68.227,11.355,77.481,1.778550,1.470959,vm,vm
0,3,19.806,28.293,44.925,11.312,75.728,1.689181,1.494090,vm,vm
1,2,19.952,27.422,56.394,11.328,116.642,1.780628,1.528750,vm,vm
1,3,19.794,29.710,41.390,11.303,74.926,1.340081,1.426626,vm,vm
2,3,19.905,25.908,35.402,11.359,39.610,1.793811,1.386426,vm,vm
EOF
expect "--p2p with a results DIR: one report" 0 "$tmp/op2/heatmap-ecmp-leaf-spine.png" \
	"$FABSIM" report --p2p "$p2p/fabbench.csv" -o "$tmp/op2" "$res/ecmp"
check "fabbench's file: the slowest pair as its footer" grep -Fq \
	"rank 1 (vm) <-> 3 (vm): 1.340 GB/s, the median pair 1.729 GB/s." "$tmp/op2/report.md"
check "--p2p with a DIR: 1 configuration and a p2p matrix" grep -Fxq "1 configuration and a p2p matrix." "$tmp/op2/report.md"
expect "--p2p alone writes beside the file" 0 "$p2p/p2p-latency.png" "$FABSIM" report --p2p "$p2p/pairs.csv"
# bad files: FILE:LINE and exit 1
sed '3s/,10.000000,20/,fast,20/' "$p2p/pairs.csv" >"$p2p/bad-value.csv"
expect "--p2p: a bad value: file:line, column, exit 1" 1 "bad-value.csv:3: column 'bandwidth_GBps': expected a number" \
	"$FABSIM" report --p2p "$p2p/bad-value.csv" -o "$tmp/o"
sed '/^2,3,/d' "$p2p/pairs.csv" >"$p2p/missing.csv"
expect "--p2p: a pair missing: exit 1" 1 "missing.csv: no row for ranks 2 and 3" \
	"$FABSIM" report --p2p "$p2p/missing.csv" -o "$tmp/o"
{ cat "$p2p/pairs.csv"; echo "3,1,5,6,7,4,8,10,20,node-d,node-b"; } >"$p2p/twice.csv"
expect "--p2p: a pair twice: exit 1" 1 "twice.csv:8: ranks 1 and 3 again (line 6 has them)" \
	"$FABSIM" report --p2p "$p2p/twice.csv" -o "$tmp/o"
cut -d, -f1-7 "$p2p/pairs.csv" >"$p2p/nobw.csv"
expect "--p2p: no bandwidth column: exit 1" 1 "nobw.csv: header has no 'bandwidth_GBps' column" \
	"$FABSIM" report --p2p "$p2p/nobw.csv" -o "$tmp/o"
expect "--p2p: no such file: exit 1" 1 "cannot read $p2p/nope.csv" "$FABSIM" report --p2p "$p2p/nope.csv" -o "$tmp/o"
expect "--p2p '': exit 2" 2 "--p2p needs a file name" "$FABSIM" report --p2p "" "$res"

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
expect "no arguments: exit 2" 2 "expected at least one results DIR (or --p2p FILE)" "$FABSIM" report
expect "unknown option: exit 2" 2 "usage: fabsim report" "$FABSIM" report --frobnicate "$res"
expect "bad --port: exit 2" 2 "expected FROM:TO" "$FABSIM" report --port leaf0 "$res"
expect "--help: exit 0" 0 "usage: fabsim report" "$FABSIM" report --help

finish
