#!/usr/bin/env bash
# Command-line behaviour of fabsim: help and version, presets, DOT export,
# clear errors with file and line on bad input, output files and their
# fields, and byte-identical results for the same seed.
set -u
FABSIM=${1:-build/fabsim}
LABEL=cli
. "$(dirname "$0")/lib.sh"

expect "--help" 0 "usage: fabsim" "$FABSIM" --help
expect "--version" 0 "^fabsim [0-9]+\.[0-9]+" "$FABSIM" --version
expect "no command" 2 "usage" "$FABSIM"
expect "unknown command" 2 "unknown command" "$FABSIM" frobnicate
expect "run --help" 0 "--workload" "$FABSIM" run --help
expect "topo --help" 0 "usage" "$FABSIM" topo --help

expect "topo small-800g: 128 hosts" 0 "128" "$FABSIM" topo topologies/small-800g.topo
expect "topo sn5600-2tier: 2048 hosts" 0 "2,?048" "$FABSIM" topo topologies/sn5600-2tier.topo
expect "topo railopt-8gpu: 1024 GPUs" 0 "1,?024" "$FABSIM" topo topologies/railopt-8gpu.topo
expect "topo colossus-100k: 100000 GPUs" 0 "100,?000" "$FABSIM" topo topologies/colossus-100k.topo
expect "topo --json" 0 '"hosts": 128' "$FABSIM" topo --json topologies/small-800g.topo
expect "topo --dot -" 0 "graph" "$FABSIM" topo --dot - topologies/tiny-explicit.topo

printf 'name = "x";\nfabric = {\n  kind = "leafspine";\n  leaves = 2; hosts_per_leaf = 2; spines = 1;\n  host_rate = "800G";\n  colour = "blue";\n};\n' >"$tmp/unknown.topo"
expect "unknown key names file:line" 1 "unknown.topo:6:" "$FABSIM" topo "$tmp/unknown.topo"
printf 'fabric = {\n  kind = "leafspine";\n  leaves = 2; hosts_per_leaf = 2; spines = 1;\n  host_rate = "fast";\n};\n' >"$tmp/rate.topo"
expect "bad rate names file:line" 1 "rate.topo:4:" "$FABSIM" topo "$tmp/rate.topo"
printf 'fabric = { kind = "leafspine"\n' >"$tmp/syntax.topo"
expect "syntax error names file:line" 1 "syntax.topo:[0-9]+:" "$FABSIM" topo "$tmp/syntax.topo"
expect "missing topology file" 1 "nope.topo" "$FABSIM" run --topo "$tmp/nope.topo"

T=topologies/small-800g.topo
expect "run: bad --lb" 2 "ecmp, flowlet, spray or ar" "$FABSIM" run -t $T --lb magic
expect "run: bad --size" 2 "invalid --size" "$FABSIM" run -t $T --size lots
expect "run: missing --topo" 2 "--topo FILE is required" "$FABSIM" run
printf '0 1 1M\n# comment\n2 3 4X\n' >"$tmp/bad.flows"
expect "flow list error names file:line" 1 "bad.flows:3:" "$FABSIM" run -t $T -f "$tmp/bad.flows" -o "$tmp/f"
printf '0 200 1M\n' >"$tmp/range.flows"
expect "flow list host out of range" 1 "range.flows:1:" "$FABSIM" run -t $T -f "$tmp/range.flows" -o "$tmp/f"

expect "run permutation writes results" 0 "effective" "$FABSIM" run -t $T -s 1M -l ar -o "$tmp/a"
for field in effective_throughput fct_p50_us fct_p99_us drops events wall_s pfc_pauses ecn_marks ooo_packets; do
	if grep -q "\"$field\"" "$tmp/a/summary.json"; then ok "summary.json has $field"; else bad "summary.json has $field"; fi
done
if [ "$(wc -l <"$tmp/a/flows.csv")" -eq 129 ]; then ok "flows.csv: header + 128 flows"; else bad "flows.csv: header + 128 flows"; fi
if head -1 "$tmp/a/links.csv" | grep -q utilization; then ok "links.csv has utilization"; else bad "links.csv has utilization"; fi

# determinism: same seed, same bytes (wall-clock fields aside)
"$FABSIM" run -t $T -s 1M -l spray -S 5 -o "$tmp/d1" >/dev/null 2>&1
"$FABSIM" run -t $T -s 1M -l spray -S 5 -o "$tmp/d2" >/dev/null 2>&1
strip() { grep -vE '"(wall_s|events_per_s|peak_rss_kb|command)"' "$1"; }
if cmp -s "$tmp/d1/flows.csv" "$tmp/d2/flows.csv" && cmp -s "$tmp/d1/links.csv" "$tmp/d2/links.csv" &&
	[ "$(strip "$tmp/d1/summary.json")" = "$(strip "$tmp/d2/summary.json")" ]; then
	ok "same seed: identical results"
else
	bad "same seed: identical results"
fi
expect "--json prints summary" 0 '"effective_throughput"' "$FABSIM" run -t $T -s 256K --json -o ""

# simulated collectives
C=topologies/railopt-demo.topo
expect "allreduce sweep table" 0 "Avg bus bandwidth" "$FABSIM" run -t $C -w allreduce -a hier -n 64 -s 1M:4M:x4 -o "$tmp/coll"
if [ "$(wc -l <"$tmp/coll/collective.csv")" -eq 3 ] && [ -f "$tmp/coll/largest/flows.csv" ]; then
	ok "collective.csv: header + 2 sizes, largest/"
else
	bad "collective.csv: header + 2 sizes, largest/"
fi
expect "bad --algo" 2 "ring, rhd, tree, hier or pairwise" "$FABSIM" run -t $C -w allreduce -a magic
expect "hier needs whole servers" 1 "gpus_per_server" "$FABSIM" run -t $C -w allreduce -a hier -n 12 -s 1M -o "$tmp/x"
printf 'a allreduce ring 16 random
b alltoall pairwise 16 contiguous 1M
' >"$tmp/jobs"
expect "two jobs, results per job" 0 "Avg bus bandwidth \(b\)" "$FABSIM" run -t $C --jobs "$tmp/jobs" -s 2M -o "$tmp/jobs-out"
printf 'a allreduce ring 16 random
b allreduce spiral 16 random
' >"$tmp/badjobs"
expect "jobs file error names file:line" 1 "badjobs:2:" "$FABSIM" run -t $C --jobs "$tmp/badjobs" -o "$tmp/x"

# ECN thresholds per link speed: lower ones at 800G mark more; a 400G entry leaves 800G ports alone
m0=$("$FABSIM" run -t $T -w incast -s 2M --window unlimited --json -o "" | jq .ecn_marks)
m1=$("$FABSIM" run -t $T -w incast -s 2M --window unlimited --ecn-kmin 800G=50K --ecn-kmax 800G=100K --json -o "" | jq .ecn_marks)
m2=$("$FABSIM" run -t $T -w incast -s 2M --window unlimited --ecn-kmin 400G=50K --json -o "" | jq .ecn_marks)
if [ "$m1" -gt "$m0" ] && [ "$m2" -eq "$m0" ]; then ok "ECN thresholds per link speed"; else bad "ECN thresholds per link speed ($m0 $m1 $m2)"; fi
expect "bad ECN threshold list" 2 "RATE=SIZE" "$FABSIM" run -t $T --ecn-kmin 800G=x

# sched: the schedules, printed and proved
expect "sched ring 5 ranks checks out" 0 "check: every byte" "$FABSIM" sched -n 5 -s 1000004
expect "sched tree 7 ranks checks out" 0 "check: every byte" "$FABSIM" sched -a tree -n 7 -s 1M --chunk 64K -q
expect "sched hier needs whole servers" 2 "gpus_per_server" "$FABSIM" sched -a hier -n 6 --gpus-per-server 4
expect "sched bad algo" 2 "invalid --algo" "$FABSIM" sched -a spiral
if [ "$("$FABSIM" sched -n 4 -s 64K | grep -c ' -> ')" -eq 24 ]; then
	ok "sched ring n=4 prints 2n(n-1) = 24 transfers"
else
	bad "sched ring n=4 prints 2n(n-1) = 24 transfers"
fi

# predict: a simulated result fed back reproduces itself within 1%
"$FABSIM" run -t $C -w allreduce -a ring -n 32 --placement random -s 1M:4M:x4 -l ar \
	--bench-json "$tmp/sim.json" --quiet -o "$tmp/simrun" >/dev/null 2>&1
if "$FABSIM" predict --bench "$tmp/sim.json" --topo $C -l ar -o "$tmp/pred" >"$tmp/out" 2>"$tmp/err" &&
	awk -F, 'NR > 1 { e = $12 < 0 ? -$12 : $12; if (e > 0.01) bad = 1; n++ } END { exit bad || n != 2 }' "$tmp/pred/prediction.csv"; then
	ok "predict reproduces a simulated run within 1%"
else
	bad "predict reproduces a simulated run within 1%"
fi
echo '{ "tool": "fabbench", "nranks": 4 ' >"$tmp/trunc.json"
expect "predict: truncated results file" 1 "trunc.json:" "$FABSIM" predict --bench "$tmp/trunc.json" --topo $C -o "$tmp/x"
jq '.hosts = ["h0"]' "$tmp/sim.json" >"$tmp/mismatch.json"
expect "predict: hosts do not match nranks" 1 "key 'hosts'" "$FABSIM" predict --bench "$tmp/mismatch.json" --topo $C -o "$tmp/x"
jq '.algorithm = "spiral"' "$tmp/sim.json" >"$tmp/algo.json"
expect "predict: unknown algorithm" 1 "key 'algorithm'" "$FABSIM" predict --bench "$tmp/algo.json" --topo $C -o "$tmp/x"
jq '.hosts[3] = "nosuchnode"' "$tmp/sim.json" >"$tmp/host.json"
expect "predict: unknown host names it" 1 "nosuchnode" "$FABSIM" predict --bench "$tmp/host.json" --topo $C -o "$tmp/x"
printf 'rank0 h0
' >"$tmp/map"
expect "predict: rank missing from map" 1 "rank 1 .*not in the map" "$FABSIM" predict --bench "$tmp/sim.json" --topo $C --map "$tmp/map" -o "$tmp/x"
expect "predict: usage" 2 "required" "$FABSIM" predict --topo $C

finish
