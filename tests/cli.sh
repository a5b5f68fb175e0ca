#!/usr/bin/env bash
# Command-line behaviour of fabsim: help and version, presets, DOT export,
# clear errors with file and line on bad input, output files and their
# fields, and byte-identical results for the same seed.
set -u
FABSIM=${1:-build/fabsim}
LABEL=cli
. "$(dirname "$0")/lib.sh"
# CSV columns by name: $CSV_AWK (experiments/lib.sh)
. "$(dirname "$0")/../experiments/lib.sh"

expect "--help" 0 "usage: fabsim" "$FABSIM" --help
expect "--version" 0 "^fabsim [0-9]+\.[0-9]+" "$FABSIM" --version
expect "no command" 2 "usage" "$FABSIM"
expect "unknown command" 2 "unknown command" "$FABSIM" frobnicate
expect "run --help" 0 "--workload" "$FABSIM" run --help
expect "topo --help" 0 "usage" "$FABSIM" topo --help
expect "help" 0 "usage: fabsim" "$FABSIM" help
expect "help frobnicate: unknown command" 2 "unknown command 'frobnicate'" "$FABSIM" help frobnicate
expect "help run topo: one command at most" 2 "one COMMAND at most" "$FABSIM" help run topo
# fabsim help COMMAND prints exactly what fabsim COMMAND --help does (and fabsim help, fabsim --help)
for c in "" topo run report sched predict; do
	n="help${c:+ $c} = ${c:+$c }--help"
	tmatch "$n" || continue
	if [ "$("$FABSIM" help $c 2>&1; echo "rc=$?")" = "$("$FABSIM" $c --help 2>&1; echo "rc=$?")" ] &&
		"$FABSIM" help $c | grep -q "usage"; then
		ok "$n"
	else
		bad "$n"
	fi
done

expect "topo small-800g: 128 hosts" 0 "128" "$FABSIM" topo topologies/small-800g.topo
expect "topo sn5600-2tier: 2048 hosts" 0 "2,?048" "$FABSIM" topo topologies/sn5600-2tier.topo
expect "topo railopt-8gpu: 1024 GPUs" 0 "1,?024" "$FABSIM" topo topologies/railopt-8gpu.topo
expect "topo colossus-100k: 100000 GPUs" 0 "100,?000" "$FABSIM" topo topologies/colossus-100k.topo
expect "topo colossus-2plane: 2 planes" 0 "100000, 2 x 400G NIC ports each \(2 planes\)" "$FABSIM" topo topologies/colossus-2plane.topo
# --plane-spread: both modes run on a generated dual-plane fabric; a bad
# mode, and packet spreading on an explicit graph with 2 planes, are refused
printf 'name = "ls2";\nfabric = { kind = "leafspine"; leaves = 2; hosts_per_leaf = 2; spines = 1; planes = 2;\n  host_rate = "400G"; };\n' >"$tmp/ls2.topo"
expect "--plane-spread qp" 0 "planes=2 plane-spread=qp" "$FABSIM" run -t "$tmp/ls2.topo" -s 64K -q 2 --plane-spread qp -o "$tmp/ps"
expect "--plane-spread packet" 0 "planes=2 plane-spread=packet" "$FABSIM" run -t "$tmp/ls2.topo" -s 64K --plane-spread packet -o "$tmp/ps"
expect "--plane-spread bad mode" 2 "invalid --plane-spread 'spray': expected qp or packet" "$FABSIM" run -t "$tmp/ls2.topo" --plane-spread spray -o "$tmp/ps"
printf 'name = "x2";\nfabric = { kind = "explicit"; host_rate = "400G";\n  nodes = ( { name = "h0"; kind = "host"; }, { name = "h1"; kind = "host"; },\n    { name = "sw0"; kind = "switch"; }, { name = "sw1"; kind = "switch"; } );\n  links = ( ( "h0", "sw0" ), ( "h0", "sw1" ), ( "h1", "sw0" ), ( "h1", "sw1" ) ); };\n' >"$tmp/x2.topo"
expect "--plane-spread packet on an explicit graph" 1 "plane-spread packet needs a generated fabric.*x2 is an explicit graph with 2 planes" "$FABSIM" run -t "$tmp/x2.topo" -s 64K --plane-spread packet -o "$tmp/ps"
expect "--plane-spread qp on an explicit graph" 0 "plane-spread=qp" "$FABSIM" run -t "$tmp/x2.topo" -s 64K -q 2 -o "$tmp/ps"
expect "topo --json" 0 '"hosts": 128' "$FABSIM" topo --json topologies/small-800g.topo
expect "topo --dot -" 0 "graph" "$FABSIM" topo --dot - topologies/tiny-explicit.topo

printf 'name = "x";\nfabric = {\n  kind = "leafspine";\n  leaves = 2; hosts_per_leaf = 2; spines = 1;\n  host_rate = "800G";\n  colour = "blue";\n};\n' >"$tmp/unknown.topo"
expect "unknown key names file:line" 1 "unknown.topo:6:" "$FABSIM" topo "$tmp/unknown.topo"
printf 'fabric = {\n  kind = "leafspine";\n  leaves = 2; hosts_per_leaf = 2; spines = 1;\n  host_rate = "fast";\n};\n' >"$tmp/rate.topo"
expect "bad rate names file:line" 1 "rate.topo:4:" "$FABSIM" topo "$tmp/rate.topo"
printf 'fabric = { kind = "leafspine"\n' >"$tmp/syntax.topo"
expect "syntax error names file:line" 1 "syntax.topo:[0-9]+:" "$FABSIM" topo "$tmp/syntax.topo"
expect "missing topology file" 1 "nope.topo" "$FABSIM" run --topo "$tmp/nope.topo"
# presets by name (sim/cli/load.c): NAME or NAME.topo in $FABSIM_TOPOLOGIES,
# the installed share folder, then ./topologies; a miss lists where it looked
expect "preset by name: topo small-800g" 0 "128, 1 x 800G" "$FABSIM" topo small-800g
expect "preset by name: topo small-800g.topo" 0 "128, 1 x 800G" "$FABSIM" topo small-800g.topo
expect "preset by name: run -t small-800g" 0 "small-800g" "$FABSIM" run -t small-800g -s 64K -o ""
mkdir -p "$tmp/presets" "$tmp/elsewhere"
cp topologies/tiny-explicit.topo "$tmp/presets/my-lab.topo"
FABSIM_ABS=$(cd "$(dirname "$FABSIM")" && pwd)/$(basename "$FABSIM")
expect "preset by name: FABSIM_TOPOLOGIES" 0 "^topology +tiny" \
	env -C "$tmp/elsewhere" FABSIM_TOPOLOGIES="$tmp/presets" "$FABSIM_ABS" topo my-lab
expect "preset by name: FABSIM_TOPOLOGIES first" 0 "^topology +tiny" \
	env FABSIM_TOPOLOGIES="$tmp/presets" sh -c 'cp "$1/my-lab.topo" "$1/small-800g.topo" && "$2" topo small-800g' \
	sh "$tmp/presets" "$FABSIM"
rm -f "$tmp/presets/small-800g.topo"
expect "preset by name: missing name lists the folders" 1 \
	"no-such-fabric: no such topology file, nor preset no-such-fabric or no-such-fabric.topo in $tmp/presets, .*/share/fabsim/topologies, topologies" \
	env FABSIM_TOPOLOGIES="$tmp/presets" "$FABSIM" run -t no-such-fabric
expect "preset by name: not from ./topologies elsewhere" 1 "FABSIM_TOPOLOGIES=DIR adds a folder" \
	env -C "$tmp/elsewhere" -u FABSIM_TOPOLOGIES "$FABSIM_ABS" topo my-lab

T=topologies/small-800g.topo
expect "run: bad --lb" 2 "ecmp, flowlet, spray or ar" "$FABSIM" run -t $T --lb magic
expect "run: bad --size" 2 "invalid --size" "$FABSIM" run -t $T --size lots
# failed links (sim/topo/fail.h): each bad SPEC or TIME is named with what was expected
expect "run: --fail unknown link" 2 "--fail leaf3:leaf4: no link between leaf3 and leaf4 \(expected" \
	"$FABSIM" run -t $T --fail leaf3:leaf4 -o ""
expect "run: --fail unknown node" 2 "unknown node 'leafx'" "$FABSIM" run -t $T --fail leafx:spine1 -o ""
expect "run: --fail fraction above 100%" 2 "150%@leaf-spine: fraction 150% outside 0-100%" \
	"$FABSIM" run -t $T --fail 150%@leaf-spine -o ""
expect "run: --fail unknown tier" 2 "unknown tier 'foo' \(expected host-leaf, leaf-spine, leaf-agg, agg-core\)" \
	"$FABSIM" run -t $T --fail 10%@foo -o ""
expect "run: --fail-at 0 is in the past" 2 "--fail-at 0 leaf3:spine7: a time in the past" \
	"$FABSIM" run -t $T --fail-at 0 leaf3:spine7 -o ""
expect "run: --fail-at after --stop" 2 "at or after --stop" \
	"$FABSIM" run -t $T --stop 1us --fail-at 2us leaf3:spine7 -o ""
expect "run: --restore-at of a live link" 2 "leaf3:spine7 is not failed by an earlier change" \
	"$FABSIM" run -t $T --restore-at 2us leaf3:spine7 -o ""
expect "run: --fail cutting a host of the workload" 1 \
	"--fail h3:leaf0 leaves h3 \(used by the workload\) without a path to h[0-9]+" \
	"$FABSIM" run -t $T -s 64K --fail h3:leaf0 -o ""
expect "run: --fail-at cutting a collective's host" 1 "leaves h3 \(used by the workload\) without a path to h[0-9]+ from 5 us on" \
	"$FABSIM" run -t $T -w allreduce -s 64K --fail-at 5us h3:leaf0 -o ""
expect "topo --fail: links down" 0 "links down +1: leaf3:spine7" "$FABSIM" topo --fail leaf3:spine7 $T
expect "topo --fail: a host without a path" 0 "hosts without a path 1: h3" "$FABSIM" topo --fail h3:leaf0 $T
expect "topo --fail --json: failed_links" 0 '"leaf3:spine7"' "$FABSIM" topo --json --fail leaf3:spine7 $T
printf 'fabric = { kind = "leafspine"; leaves = 2; hosts_per_leaf = 2; spines = 2; host_rate = "800G"; };\nfail = ( "leaf0:spine1",\n  "leafx:spine1" );\n' >"$tmp/fail.topo"
expect "topology fail list: entry and line" 1 'fail.topo:3: fail\[1\] = "leafx:spine1": unknown node' \
	"$FABSIM" topo "$tmp/fail.topo"
# the DCQCN sets come from cc/dcqcn.c's table (mellanox is an alias of connectx)
expect "run: bad --dcqcn-params lists the sets" 2 "paper, connectx or connectx-unscaled" \
	"$FABSIM" run -t $T --dcqcn-params magic
expect "run: --cnp-interval 0 refused (1 ns minimum)" 2 "out of range \(1 ns to 1 ms\)" \
	"$FABSIM" run -t $T --cnp-interval 0
expect "run: --tele-max-stage 65 refused" 2 "out of range \(0 to 64\)" "$FABSIM" run -t $T --tele-max-stage 65
expect "run: --tele-wai below 1 Mb/s refused" 2 "out of range \(1 Mb/s to 100 Gb/s\)" \
	"$FABSIM" run -t $T --tele-wai 500k
# telemetry's eta cap is stated: 0.95 of the wire rate = 0.95 x 4096 / 4178 = 93.1 % of payload,
# --eta 0.5: 0.5 x 4096 / 4178 = 49.0 %; summary.json has it, null for a CC without a target
expect "run: telemetry states its eta cap" 0 "eta=95% of line \\(wire bytes\\): 93\\.1% payload at 4096 B MTU" \
	"$FABSIM" run -t $T -s 256K -c telemetry -o "$tmp/tele"
expect "run: --eta 0.5 cap" 0 "eta=50% of line \\(wire bytes\\): 49\\.0% payload" \
	"$FABSIM" run -t $T -s 256K -c telemetry --eta 0.5 -o ""
[ -e "$tmp/tele/summary.json" ] || "$FABSIM" run -t $T -s 256K -c telemetry -o "$tmp/tele" >/dev/null 2>&1
if [ "$(jq .cc_target_utilization "$tmp/tele/summary.json" 2>/dev/null)" = 0.95 ]; then
	ok "summary.json: cc_target_utilization 0.95 with telemetry"
else
	bad "summary.json: cc_target_utilization 0.95 with telemetry"
fi
"$FABSIM" run -t $T -s 256K -c dcqcn -o "$tmp/dcqcn" >"$tmp/dcqcn.out" 2>&1
if [ "$(jq .cc_target_utilization "$tmp/dcqcn/summary.json" 2>/dev/null)" = null ] &&
	! grep -q "^cc target" "$tmp/dcqcn.out"; then
	ok "dcqcn: no cc target line, cc_target_utilization null"
else
	bad "dcqcn: no cc target line, cc_target_utilization null"
fi
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
expect "bad --algo" 2 "ring, rhd, tree, hier, pairwise, hier-tree, chain or p2p" "$FABSIM" run -t $C -w allreduce -a magic
for k in broadcast reduce sendrecv; do
	expect "run -w $k (root 0; the schedule's transfers as flows)" 0 "Avg bus bandwidth" \
		"$FABSIM" run -t $C -w $k -n 16 -s 1M -o "$tmp/$k"
done
expect "hier needs whole servers" 1 "gpus_per_server" "$FABSIM" run -t $C -w allreduce -a hier -n 12 -s 1M -o "$tmp/x"
printf 'a allreduce ring 16 random
b all-to-all pairwise 16 contiguous 1M
' >"$tmp/jobs"
expect "two jobs, results per job" 0 "Avg bus bandwidth \(b\)" "$FABSIM" run -t $C --jobs "$tmp/jobs" -s 2M -o "$tmp/jobs-out"
printf 'a allreduce ring 16 random
b allreduce spiral 16 random
' >"$tmp/badjobs"
expect "jobs file error names file:line" 1 "badjobs:2:" "$FABSIM" run -t $C --jobs "$tmp/badjobs" -o "$tmp/x"
# issue 16: a labelled run (--jobs, --background): every row starts with its job, one line per size for the
# background, per-job FCT percentiles, flows.csv says whose each flow is
printf 'a allreduce ring 16 random\nb alltoall pairwise 8 contiguous\nlong-name allgather ring 16 contiguous 32K\n' \
	>"$tmp/three.jobs"
expect "jobs sweep with background" 0 "^# background at size 262144: 216 flows of 64 KiB, effective" \
	"$FABSIM" run -t $C --jobs "$tmp/three.jobs" -s 64K:256K:x4 --background 64K -o "$tmp/jb"
cp "$tmp/out" "$tmp/jb.out"
n="jobs sweep: 6 rows, each led by its job, in job order per size"
if tmatch "$n" && [ "$(grep -v '^#' "$tmp/jb.out" | awk '{print $1}' | tr '\n' ' ')" = "a b long-name a b long-name " ] &&
	[ "$(grep -c '^# background at size' "$tmp/jb.out")" -eq 2 ] &&
	grep -Eq '^# job +size \(B\)' "$tmp/jb.out" && grep -q '^# job long-name: allgather ring' "$tmp/jb.out"; then
	ok "$n"
else
	bad "$n"
fi
n="jobs sweep: a job inside one server says none (NVLink only), 0 network flows"
if tmatch "$n" && [ "$(grep -c '^  b .* 0 *- *-  none (NVLink only)$' "$tmp/jb.out")" -eq 2 ] &&
	! grep -q -- '-0->0' "$tmp/jb.out" && grep -q '^  a .*  h[0-9]*->h[0-9]* ' "$tmp/jb.out"; then
	ok "$n"
else
	bad "$n"
fi
n="jobs sweep: flows.csv labels every flow with its job or background"
if tmatch "$n" && head -1 "$tmp/jb/largest/flows.csv" | grep -q ',retransmits,job$' &&
	[ "$(tail -n +2 "$tmp/jb/largest/flows.csv" | awk -F, '$12 !~ /^(a|b|long-name|background)$/' | wc -l)" -eq 0 ] &&
	[ "$(grep -c ',background$' "$tmp/jb/largest/flows.csv")" -eq 216 ]; then
	ok "$n"
else
	bad "$n"
fi
n="jobs sweep: summary.json per-job FCT percentiles and background results"
if tmatch "$n" &&
	[ "$(jq -c '[.jobs[] | .results[] | [.fct_p50_us <= .fct_p99_us, .fct_p99_us <= .fct_max_us, .flows >= .network_flows]]
		| flatten | unique' "$tmp/jb/summary.json" 2>/dev/null)" = '[true]' ] &&
	[ "$(jq -c '[.jobs[1].results[] | .fct_p50_us]' "$tmp/jb/summary.json")" = '[null,null]' ] &&
	[ "$(jq -c '[.background.hosts, .background.bytes_per_flow, (.background.results | length),
		.background.results[0].flows, .background.results[0].bytes, .background.results[1].complete]' \
		"$tmp/jb/summary.json")" = '[216,65536,2,216,14155776,true]' ]; then
	ok "$n"
else
	bad "$n"
fi
expect "one job and --background: its rows are labelled main" 0 "^  main +1048576 " \
	"$FABSIM" run -t $C -w allreduce -n 16 -s 1M --background 1M -o ""
n="one job from the command line: the plain table, no job column, no per-job FCT keys"
if tmatch "$n" && "$FABSIM" run -t $C -w allreduce -n 16 -s 1M -o "$tmp/one" >"$tmp/one.out" 2>&1 &&
	grep -q '^ *1048576 ' "$tmp/one.out" && ! grep -q '^# job' "$tmp/one.out" &&
	head -1 "$tmp/one/largest/flows.csv" | grep -q ',retransmits$' &&
	[ "$(jq -c '[.jobs[0].results[0] | has("fct_p50_us"), has("flows")], has("background")' "$tmp/one/summary.json" |
		tr -d '\n')" = '[false,false]false' ]; then
	ok "$n"
else
	bad "$n"
fi

# ECN thresholds per link speed: lower ones at 800G mark more; a 400G entry leaves 800G ports alone
m0=$("$FABSIM" run -t $T -w incast -s 2M --window unlimited --json -o "" | jq .ecn_marks)
m1=$("$FABSIM" run -t $T -w incast -s 2M --window unlimited --ecn-kmin 800G=50K --ecn-kmax 800G=100K --json -o "" | jq .ecn_marks)
m2=$("$FABSIM" run -t $T -w incast -s 2M --window unlimited --ecn-kmin 400G=50K --json -o "" | jq .ecn_marks)
if [ "$m1" -gt "$m0" ] && [ "$m2" -eq "$m0" ]; then ok "ECN thresholds per link speed"; else bad "ECN thresholds per link speed ($m0 $m1 $m2)"; fi
expect "bad ECN threshold list" 2 "invalid --ecn-kmin at 800G 'x'" "$FABSIM" run -t $T --ecn-kmin 800G=x
expect "ECN threshold list without sizes" 2 "RATE=SIZE" "$FABSIM" run -t $T --ecn-kmin 800G,400G=1M

# sched: the schedules, printed and proved
expect "sched ring 5 ranks checks out" 0 "check: every byte" "$FABSIM" sched -n 5 -s 1000004
expect "sched tree 7 ranks checks out" 0 "check: every byte" "$FABSIM" sched -a tree -n 7 -s 1M --chunk 64K -q
expect "sched hier needs whole servers" 2 "gpus_per_server" "$FABSIM" sched -a hier -n 6 --gpus-per-server 4
expect "sched bad algo" 2 "invalid --algo" "$FABSIM" sched -a spiral
# broadcast and reduce: a chain from/to the root, 1 MiB chunks; sendrecv: r -> r+1
# (4 MiB in 4 chunks: 4 x 3 hops; 4 x 4 ranks)
expect "sched broadcast from root 2: 12 transfers" 0 "broadcast \\(root 2\\) chain: 4 ranks, 4194304 bytes \\(elem 4\\), 1 channel, buffer 4194304 bytes, 12 transfers" \
	"$FABSIM" sched -w broadcast -r 2 -n 4 -s 4M
expect "sched reduce to root 3 checks out" 0 "check: every byte" "$FABSIM" sched -w reduce --root 3 -n 5 -s 1000004 -q
expect "sched sendrecv: 16 transfers, buffer 2S" 0 "sendrecv p2p: 4 ranks, 4194304 bytes \\(elem 4\\), 1 channel, buffer 8388608 bytes, 16 transfers" \
	"$FABSIM" sched -w sendrecv -n 4 -s 4M
expect "sched root not a rank" 2 "the root must be one of the ranks" "$FABSIM" sched -w reduce -r 3 -n 3
expect "sched -r 1024" 2 "--root 1024 is out of range \\(0 to 1023\\)" "$FABSIM" sched -w broadcast -r 1024
if [ "$("$FABSIM" sched -n 4 -s 64K | grep -c ' -> ')" -eq 24 ]; then
	ok "sched ring n=4 prints 2n(n-1) = 24 transfers"
else
	bad "sched ring n=4 prints 2n(n-1) = 24 transfers"
fi

# predict: a simulated result fed back reproduces itself within 1%
"$FABSIM" run -t $C -w allreduce -a ring -n 32 --placement random -s 1M:4M:x4 -l ar \
	--bench-json "$tmp/sim.json" --quiet -o "$tmp/simrun" >/dev/null 2>&1
if "$FABSIM" predict --bench "$tmp/sim.json" --topo $C -l ar -o "$tmp/pred" >"$tmp/out" 2>"$tmp/err" &&
	awk -F, "$CSV_AWK"'NR == 1 { csv_header(); next }
		{ e = col("rel_error"); e = e < 0 ? -e : e; if (e > 0.01) bad = 1; n++ }
		END { exit bad || n != 2 }' "$tmp/pred/prediction.csv"; then
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

# Bad input: a clear error naming the option (or FILE:LINE), the value and
# the range; never a crash, a hang or a silent wrong answer (issue 9).
expect "run --help gives ranges" 0 "--window SIZE .*\\[4 KiB\\.\\.16 MiB, or 'unlimited'" "$FABSIM" run --help
expect "sched --help gives ranges" 0 "ranks, default 4 \\[1\\.\\.1024\\]" "$FABSIM" sched --help
expect "--ranks 2^32-1 (was a heap overflow)" 2 "--ranks 4294967295 is out of range \\(2 to 256: railopt-demo has 256 hosts\\)" \
	"$FABSIM" run -t $C -w allreduce -n 4294967295 --gpus-per-server 2 -o ""
expect "--gpus-per-server 2^32-1 (was SIGSEGV)" 2 "--gpus-per-server 4294967295 is out of range \\(1 to 1024\\)" \
	"$FABSIM" run -t $C -w allreduce --gpus-per-server 4294967295 -o ""
expect "--gpus-per-server beyond the hosts" 2 "--gpus-per-server 512 is out of range \\(1 to 256" \
	"$FABSIM" run -t $C -w allreduce --gpus-per-server 512 -o ""
printf 'big allreduce ring 4294967295 contiguous\n' >"$tmp/hugejobs"
expect "jobs file: RANKS 2^32-1 names file:line" 1 "hugejobs:1: RANKS 4294967295 is out of range \\(2 to 256" \
	"$FABSIM" run -t $C --jobs "$tmp/hugejobs" -o ""
expect "--window 8T (was an endless loop)" 2 "--window 8 TiB is out of range \\(4 KiB to 16 MiB, or 'unlimited'\\)" \
	"$FABSIM" run -t $T --window 8T -o ""
expect "--ack-every 2^31-1 (was an endless loop)" 2 "--ack-every 2147483647 is out of range \\(1 to 64\\)" \
	"$FABSIM" run -t $T --ack-every 2147483647 -o ""
expect "--buffer 1 (ran forever)" 2 "--buffer 1 B is out of range \\(64 KiB to 64 GiB\\)" "$FABSIM" run -t $T --buffer 1 -o ""
expect "--rto 1ps --no-pfc (ran forever)" 2 "--rto 1 ps is out of range \\(1 us to 1 s\\)" \
	"$FABSIM" run -t $T --rto 1ps --no-pfc -o ""
expect "--stop nan (ran to 2^63)" 2 "invalid --stop 'nan': expected a time like 10us \\(1 ns to 100 s\\)" \
	"$FABSIM" run -t $T --stop nan -o ""
expect "--rto nan" 2 "invalid --rto 'nan'" "$FABSIM" run -t $T --rto nan -o ""
expect "--eta nan (CC silently off)" 2 "invalid --eta 'nan': expected a number \\(0.1 to 1\\)" \
	"$FABSIM" run -t $T -c telemetry --eta nan -o ""
expect "--alpha nan" 2 "invalid --alpha 'nan'" "$FABSIM" run -t $T --alpha nan -o ""
expect "--ecn-pmax inf" 2 "invalid --ecn-pmax 'inf'" "$FABSIM" run -t $T --ecn-pmax inf -o ""
expect "--stop 1e30s overflows" 2 "--stop 1e30s is out of range" "$FABSIM" run -t $T --stop 1e30s -o ""
expect "--size -1M" 2 "invalid --size '-1M'" "$FABSIM" run -t $T --size -1M -o ""
expect "--size 0x10 (hex float)" 2 "invalid --size '0x10'" "$FABSIM" run -t $T --size 0x10 -o ""
expect "--size 2T" 2 "--size 2 TiB is out of range \\(1 B to 1 TiB\\)" "$FABSIM" run -t $T --size 2T -o ""
expect "sweep beyond 1 TiB" 2 "--size 2 TiB is out of range" "$FABSIM" run -t $C -w allreduce -s 1T:2T -o ""
expect "--seed 2^32" 2 "--seed 4294967296 is out of range" "$FABSIM" run -t $T -S 4294967296 -o ""
expect "--qps 0" 2 "--qps 0 is out of range \\(1 to 256\\)" "$FABSIM" run -t $T -q 0 -o ""
expect "--incast-senders beyond the hosts" 2 "--incast-senders 128 is out of range \\(1 to 127" \
	"$FABSIM" run -t $T -w incast --incast-senders 128 -o ""
expect "--pfc-xon above --pfc-xoff" 2 "--pfc-xon 2 MiB must be below --pfc-xoff 1 MiB" \
	"$FABSIM" run -t $T --pfc-xoff 1M --pfc-xon 2M -o ""
expect "--background without a collective" 2 "need a collective workload" "$FABSIM" run -t $T --background 1M -o ""
expect "sched -n 2^32-1 (gigabytes)" 2 "--ranks 4294967295 is out of range \\(1 to 1024\\)" "$FABSIM" sched -n 4294967295 -q
expect "sched --channels 0" 2 "--channels 0 is out of range \\(1 to 64\\)" "$FABSIM" sched --channels 0
expect "sched refuses a schedule too large to build" 1 "transfers, more than the" \
	"$FABSIM" sched -n 1024 -s 1T --chunk 1 -q

# flow and jobs files: FILE:LINE, what was found, what was expected
expect "-f /dev/zero (gigabytes in seconds)" 1 "/dev/zero:1: a NUL byte" "$FABSIM" run -t $T -f /dev/zero -o ""
printf '0 1 1M\n2 3 1M nan\n' >"$tmp/nan.flows"
expect "flow start nan" 1 "nan.flows:2: invalid START 'nan': expected a time like 10us \\(0 ps to 100 s\\)" \
	"$FABSIM" run -t $T -f "$tmp/nan.flows" -o ""
printf '0 1 1e30G\n' >"$tmp/huge.flows"
expect "flow size 1e30G" 1 "huge.flows:1: SIZE 1e30G is out of range \\(1 B to 1 TiB\\)" "$FABSIM" run -t $T -f "$tmp/huge.flows" -o ""
printf '5 5 1M\n' >"$tmp/self.flows"
expect "flow to itself" 1 "self.flows:1: SRC and DST are both host 5" "$FABSIM" run -t $T -f "$tmp/self.flows" -o ""
printf '0 1 1M 0 9\n' >"$tmp/fields.flows"
expect "flow line with 5 fields" 1 "fields.flows:1: expected 'SRC DST SIZE \\[START\\]', found more than 4 fields" \
	"$FABSIM" run -t $T -f "$tmp/fields.flows" -o ""
{ printf '0 1 1M'; printf '%2000s' ''; printf '2 3 1M\n'; } >"$tmp/long.flows"
expect "over-long flow line refused, not split" 1 "long.flows:1: line longer than 1023 characters" \
	"$FABSIM" run -t $T -f "$tmp/long.flows" -o ""
{ printf '0 1 1M # '; printf '%2000s' ''; printf '2 3 1M\n'; } >"$tmp/longc.flows"
"$FABSIM" run -t $T -f "$tmp/longc.flows" -o "$tmp/longc" >/dev/null 2>&1
if [ "$(wc -l <"$tmp/longc/flows.csv")" -eq 2 ]; then
	ok "a long comment's tail is not a flow"
else
	bad "a long comment's tail is not a flow"
fi
# --incast-from: small-800g is 8 leaves x 16 hosts, leaf0 = h0..h15. remote: 16 senders into h0, none on
# leaf0, two or three per other leaf; the receiver's downlink is the bottleneck, so while all send each
# gets 1/16 of it (the ideal's all-active figure) and the fabric links carry the traffic
"$FABSIM" run -t $T -w incast --incast-senders 16 --incast-from remote -s 512K -o "$tmp/icr" >/dev/null 2>&1
if awk -F, 'NR > 1 { n++; if ($2 < 16 || $3 != 0) exit 1; leaf[int($2 / 16)]++ }
	END { for (l in leaf) if (leaf[l] < 2 || leaf[l] > 3) exit 1; exit !(n == 16) }' "$tmp/icr/flows.csv" 2>/dev/null &&
	jq -e '.all_active_throughput > 0.98 * .ideal_all_active_throughput and
		.ideal_all_active_throughput > 0.058 and .ideal_all_active_throughput <= 0.0625 and
		.max_link_utilization > 0 and .leaf_uplinks_used > 0' "$tmp/icr/summary.json" >/dev/null 2>&1; then
	ok "--incast-from remote: senders off the receiver's leaf, 1/16 each"
else
	bad "--incast-from remote: senders off the receiver's leaf, 1/16 each"
fi
"$FABSIM" run -t $T -w incast --incast-senders 8 --incast-dst 20 --incast-from local -s 64K -o "$tmp/icl" >/dev/null 2>&1
if [ "$(cut -d, -f2 "$tmp/icl/flows.csv" 2>/dev/null | tail -n +2 | tr '\n' ' ')" = "21 22 23 24 25 26 27 28 " ]; then
	ok "--incast-from local: the receiver's leafmates after it"
else
	bad "--incast-from local: the receiver's leafmates after it"
fi
expect "--incast-from local: more senders than the leaf holds" 1 \
	"--incast-from local: 16 senders, but only 15 hosts are on leaf0, the leaf of the destination h0 \\(expected --incast-senders 1..15\\)" \
	"$FABSIM" run -t $T -w incast --incast-senders 16 --incast-from local -o ""
expect "--incast-from remote: more senders than the other leaves hold" 1 "only 112 hosts are off leaf0" \
	"$FABSIM" run -t $T -w incast --incast-senders 120 --incast-from remote -o ""
expect "--incast-from: bad name" 2 "--incast-from 'far'.*next, local, remote or random" \
	"$FABSIM" run -t $T -w incast --incast-from far -o ""
for i in 1 2; do "$FABSIM" run -t $T -w incast --incast-senders 40 --incast-from random -S 7 -s 4K -o "$tmp/icx$i" >/dev/null 2>&1; done
if [ "$(tail -n +2 "$tmp/icx1/flows.csv" 2>/dev/null | cut -d, -f2 | sort -u | grep -vc '^0$')" -eq 40 ] &&
	cmp -s "$tmp/icx1/flows.csv" "$tmp/icx2/flows.csv" &&
	[ "$(tail -n +2 "$tmp/icx1/flows.csv" | cut -d, -f2 | tr '\n' ' ')" != "$(seq -s ' ' 1 40) " ]; then
	ok "--incast-from random: 40 distinct senders, not the receiver, same for a seed"
else
	bad "--incast-from random: 40 distinct senders, not the receiver, same for a seed"
fi
# --hosts: flow workloads among some hosts only. A permutation of 0-15: 16 flows, every host of 0..15
# sending once and receiving once; all-to-all of 4 + 1 hosts: 5 x 4 = 20 flows among them
"$FABSIM" run -t $T --hosts 0-15 -s 64K -o "$tmp/hp" >/dev/null 2>&1
if awk -F, 'NR > 1 { n++; if ($2 > 15 || $3 > 15 || $2 == $3) exit 1; s[$2]++; d[$3]++ }
	END { if (n != 16) exit 1; for (h = 0; h < 16; h++) if (s[h] != 1 || d[h] != 1) exit 1 }' "$tmp/hp/flows.csv" 2>/dev/null; then
	ok "--hosts 0-15: a permutation of 16 flows within 0..15"
else
	bad "--hosts 0-15: a permutation of 16 flows within 0..15"
fi
"$FABSIM" run -t $T -w alltoall --hosts 0-3,100 -s 4K -o "$tmp/ha" >/dev/null 2>&1
if awk -F, 'NR > 1 { n++; if (!($2 <= 3 || $2 == 100) || !($3 <= 3 || $3 == 100) || $2 == $3 || p[$2 "," $3]++) exit 1 }
	END { exit !(n == 20) }' "$tmp/ha/flows.csv" 2>/dev/null; then
	ok "--hosts 0-3,100: all-to-all of 20 flows among those 5"
else
	bad "--hosts 0-3,100: all-to-all of 20 flows among those 5"
fi
"$FABSIM" run -t $T -w incast --incast-senders 4 --incast-from remote --hosts 0-3,16-19,32-35 -s 4K -o "$tmp/hi" >/dev/null 2>&1
if [ "$(tail -n +2 "$tmp/hi/flows.csv" 2>/dev/null | cut -d, -f2,3 | tr '\n' ' ')" = "16,0 32,0 17,0 33,0 " ]; then
	ok "--hosts with --incast-from remote: round-robin over the chosen hosts' leaves"
else
	bad "--hosts with --incast-from remote: round-robin over the chosen hosts' leaves"
fi
expect "--hosts: out of range" 1 "--hosts '0-200': host 200 is out of range \\(0 to 127: the hosts of small-800g\\)" \
	"$FABSIM" run -t $T --hosts 0-200 -o ""
expect "--hosts: reversed range" 1 "--hosts '5-3': range '5-3' ends before it starts" "$FABSIM" run -t $T --hosts 5-3 -o ""
expect "--hosts: not a number" 1 "--hosts 'x': invalid host 'x'" "$FABSIM" run -t $T --hosts x -o ""
expect "--hosts: one host" 1 "--hosts '3' is 1 host; a workload needs at least 2" "$FABSIM" run -t $T --hosts 3 -o ""
expect "--hosts: incast receiver outside" 1 "--incast-dst 5 is not one of the --hosts" \
	"$FABSIM" run -t $T -w incast --incast-dst 5 --hosts 0-3 -o ""
expect "--hosts: more senders than hosts" 1 "--incast-senders 16: the 4 hosts of --hosts hold 1..3 senders" \
	"$FABSIM" run -t $T -w incast --hosts 0-3 -o ""
printf '0 1 1M\n' >"$tmp/h.flows"
expect "--hosts with a flow list refused" 1 "--hosts chooses the hosts of permutation, all-to-all and incast" \
	"$FABSIM" run -t $T -f "$tmp/h.flows" --hosts 0-3 -o ""
expect "--hosts with a collective refused" 2 "--hosts chooses the hosts of permutation, all-to-all and incast" \
	"$FABSIM" run -t $T -w allreduce --hosts 0-3 -o ""
# flow lists name hosts by index or by name (h12; an explicit topology's own names), never a switch
printf 'h0 h17 1M\n3 h40 1M 1us\nh5 6 512K\n' >"$tmp/names.flows"
"$FABSIM" run -t $T -f "$tmp/names.flows" -o "$tmp/names" >/dev/null 2>&1
if [ "$(cut -d, -f2,3 "$tmp/names/flows.csv" 2>/dev/null | tr '\n' ' ')" = "src,dst 0,17 3,40 5,6 " ]; then
	ok "flow list: host names and indices, mixed"
else
	bad "flow list: host names and indices, mixed"
fi
printf '0 1 1M\nh999 1 1M\n' >"$tmp/unk.flows"
expect "flow list: unknown host name" 1 \
	"unk.flows:2: SRC: unknown host 'h999' \\(expected a host index 0..127 or a host name such as h0\\)" \
	"$FABSIM" run -t $T -f "$tmp/unk.flows" -o ""
printf '0 leaf0 1M\n' >"$tmp/sw.flows"
expect "flow list: a switch is not a host" 1 "sw.flows:1: DST: 'leaf0' is a switch" \
	"$FABSIM" run -t $T -f "$tmp/sw.flows" -o ""
printf 'name = "xn";\nfabric = { kind = "explicit"; host_rate = "400G";\n  nodes = ( { name = "gpuA"; kind = "host"; }, { name = "gpuB"; kind = "host"; },\n    { name = "sw"; kind = "switch"; } );\n  links = ( ( "gpuA", "sw" ), ( "gpuB", "sw" ) ); };\n' >"$tmp/xn.topo"
printf 'gpuB gpuA 64K\n0 gpuB 64K\n' >"$tmp/xn.flows"
"$FABSIM" run -t "$tmp/xn.topo" -f "$tmp/xn.flows" -o "$tmp/xn" >/dev/null 2>&1
if [ "$(cut -d, -f2,3 "$tmp/xn/flows.csv" 2>/dev/null | tr '\n' ' ')" = "src,dst 1,0 0,1 " ]; then
	ok "flow list: an explicit topology's host names"
else
	bad "flow list: an explicit topology's host names"
fi
printf 'h1 gpuA 64K\n' >"$tmp/xn2.flows"
expect "flow list: generated names are not an explicit topology's" 1 \
	"xn2.flows:1: SRC: unknown host 'h1' \\(expected a host index 0..1 or a host name such as gpuA\\)" \
	"$FABSIM" run -t "$tmp/xn.topo" -f "$tmp/xn2.flows" -o ""
{ printf 'a allreduce ring 16 contiguous'; printf '%2000s' ''; printf '1M\n'; } >"$tmp/long.jobs"
expect "over-long jobs line refused" 1 "long.jobs:1: line longer than 1023 characters" \
	"$FABSIM" run -t $C --jobs "$tmp/long.jobs" -o ""
printf 'a,b allreduce ring 16 contiguous\n' >"$tmp/name.jobs"
expect "jobs NAME with a comma" 1 "name.jobs:1: NAME 'a,b': expected 1 to 31 letters" "$FABSIM" run -t $C --jobs "$tmp/name.jobs" -o ""
printf 'a allreduce ring 16 contiguous\na allgather ring 16 contiguous\n' >"$tmp/dup.jobs"
expect "jobs NAME used twice" 1 "dup.jobs:2: NAME 'a' is taken" "$FABSIM" run -t $C --jobs "$tmp/dup.jobs" -o ""
printf 'a allreduce ring 16 contiguous 1M 1e30s\n' >"$tmp/start.jobs"
expect "jobs START out of range" 1 "start.jobs:1: START 1e30s is out of range \\(0 ps to 100 s\\)" \
	"$FABSIM" run -t $C --jobs "$tmp/start.jobs" -o ""
printf 'a all-to-all ring 16 contiguous\n' >"$tmp/algo.jobs"
expect "jobs: algorithm does not fit the kind" 1 "algo.jobs:1: all-to-all ring on 16 ranks .*use pairwise" \
	"$FABSIM" run -t $C --jobs "$tmp/algo.jobs" -o ""

# one spelling, all-to-all, everywhere a collective is named; alltoall (nccl-tests') is read too
for k in all-to-all alltoall; do
	printf 'a %s pairwise 16 contiguous 64K\n' "$k" >"$tmp/kind-$k.jobs"
	expect "jobs KIND $k: the all-to-all collective, printed all-to-all" 0 "^# job a: all-to-all pairwise" \
		"$FABSIM" run -t $C --jobs "$tmp/kind-$k.jobs" -o "$tmp/kind-$k"
	expect "sched -w $k" 0 "^# all-to-all pairwise: 4 ranks" "$FABSIM" sched -w $k -n 4 -s 4K
done
# the rows but wall_s (wall-clock time) alike
kind_rows() { awk -F, "$CSV_AWK"'NR == 1 { csv_header() } { $csv_col["wall_s"] = ""; print }' "$1" 2>/dev/null; }
if [ -n "$(kind_rows "$tmp/kind-alltoall/collective.csv")" ] &&
	[ "$(kind_rows "$tmp/kind-all-to-all/collective.csv")" = "$(kind_rows "$tmp/kind-alltoall/collective.csv")" ] &&
	awk -F, "$CSV_AWK"'NR == 1 { csv_header(); next } { exit col("collective") != "all-to-all" }' \
		"$tmp/kind-alltoall/collective.csv"; then
	ok "jobs KIND alltoall = all-to-all: same collective.csv, collective column all-to-all"
else
	bad "jobs KIND alltoall = all-to-all: same collective.csv, collective column all-to-all"
fi
printf 'a all2all pairwise 16 contiguous\n' >"$tmp/kind-bad.jobs"
expect "jobs KIND all2all: unknown, the names listed" 1 \
	"kind-bad.jobs:1: KIND 'all2all': expected allreduce, allgather, reducescatter or all-to-all" \
	"$FABSIM" run -t $C --jobs "$tmp/kind-bad.jobs" -o ""
expect "sched -w all2all: unknown" 2 "all2all" "$FABSIM" sched -w all2all -n 4 -s 4K
# run -w: all-to-all is the collective; alltoall stays the flow workload (-s per host pair)
expect "run -w all-to-all: the collective" 0 "^# fabsim all-to-all job 'main': pairwise, 4 ranks" \
	"$FABSIM" run -t topologies/small-800g.topo -w all-to-all -n 4 -s 64K -o ""
expect "run -w alltoall: the flow workload, 128 x 127 flows" 0 "^flows +16256 of 16256 finished" \
	"$FABSIM" run -t topologies/small-800g.topo -w alltoall -s 1K -o ""
expect "run -w all2all: unknown, the names listed" 2 "permutation, alltoall, incast, flows, allreduce, allgather, reducescatter, all-to-all, broadcast, reduce or sendrecv" \
	"$FABSIM" run -t topologies/small-800g.topo -w all2all -o ""

# --stop before any flow finished: exit 3, no figure from unfinished flows
expect "--stop 10us: exit 3, says what is unavailable" 3 "stopped at 10 us with 0 of 128 flows finished: effective throughput" \
	"$FABSIM" run -t $T --stop 10us -o "$tmp/stop"
if grep -q "unavailable  effective throughput" "$tmp/out" && ! grep -q "^effective" "$tmp/out"; then
	ok "--stop: no effective figure printed"
else
	bad "--stop: no effective figure printed"
fi
if [ "$(jq '[.complete, .effective_throughput, .fct_p50_us, .mean_flow_throughput, .makespan_us, .flows_done]' -c \
	"$tmp/stop/summary.json")" = '[false,null,null,null,null,0]' ]; then
	ok "--stop: summary.json complete false, figures null"
else
	bad "--stop: summary.json complete false, figures null"
fi
# 16 ranks = 2 servers of 8: NCCL's 8 rings, 8 x 2 x 16 x 15 transfers
expect "collective --stop: exit 3" 3 "unfinished: [0-9]+ of 3840 transfers done at 100.000 us" \
	"$FABSIM" run -t $C -w allreduce -n 16 -s 1M:64M:x64 --stop 100us -o "$tmp/cstop"
if [ "$(wc -l <"$tmp/cstop/collective.csv")" -eq 2 ] && grep -q "Avg bus bandwidth (main): unavailable" "$tmp/out" &&
	[ "$(jq -c '[.jobs[0].results[] | .complete]' "$tmp/cstop/summary.json")" = '[true,false]' ]; then
	ok "collective --stop: no row, no average for the unfinished size"
else
	bad "collective --stop: no row, no average for the unfinished size"
fi
expect "hier -n 100: error before any output" 1 "hier needs nranks to be a multiple of gpus_per_server" \
	"$FABSIM" run -t $C -w allreduce -a hier -n 100 -o "$tmp/x"
if [ ! -s "$tmp/out" ]; then ok "hier -n 100: no header, table or bandwidth"; else bad "hier -n 100: no header, table or bandwidth"; fi

printf 'name = "one";\nfabric = { kind = "leafspine"; leaves = 1; hosts_per_leaf = 1; spines = 1; host_rate = "800G"; };\n' \
	>"$tmp/one.topo"
expect "1-host topology: a message" 1 "has 1 host; every workload needs at least 2" "$FABSIM" run -t "$tmp/one.topo" -o ""
expect "1-host topology, collective" 1 "has 1 host; every workload needs at least 2" \
	"$FABSIM" run -t "$tmp/one.topo" -w allreduce -o ""

# resource guards: refused before allocating
expect "all-to-all on 100k hosts: too many flows" 1 "all-to-all is 9999900000 flows, more than" \
	"$FABSIM" run -t topologies/colossus-100k.topo -w alltoall -o ""
expect "ring all-reduce on 100k ranks: too many transfers" 1 "would be 2e\\+10 transfers" \
	"$FABSIM" run -t topologies/colossus-100k.topo -w allreduce -o ""
# a tree (built, not generated) of 27 ranks at 1 TiB: NCCL's 512 KiB chunk, 2^21 chunks, each
# up and down 26 tree edges: 1.09e8 transfers, over the 2^24 cap of a built schedule; it used
# to build for over 10 minutes before the memory guard named the sweep
printf 'small allgather ring 4 contiguous\nbig allreduce tree 27 contiguous 1T\n' >"$tmp/big.jobs"
expect "jobs file: a job over the transfer cap, named with FILE:LINE" 1 \
	"big.jobs:2: job 'big': allreduce tree on 27 ranks at 1 TiB would be 1.09e\\+08 transfers, more than the 16777216 a job may have" \
	timeout 20 "$FABSIM" run -t topologies/railopt-demo.topo -w allreduce --jobs "$tmp/big.jobs" -o ""
expect "all-to-all with 256 QPs: more memory than available" 1 "needs [0-9.]+ GiB, more than the [0-9.]+ GiB available" \
	"$FABSIM" run -t topologies/sn5600-2tier.topo -w alltoall -q 256 -s 1K -o ""

expect "--trace-port unknown: refused before any output" 2 "--trace-port 'nowhere:h0': expected a port index" \
	"$FABSIM" run -t $T --trace-port nowhere:h0 -o "$tmp/a"
if [ -f "$tmp/a/summary.json" ]; then ok "a refused run leaves the earlier results"; else bad "a refused run leaves the earlier results"; fi

# a results folder holds one run: an earlier run's files are removed first
mkdir -p "$tmp/reuse" && touch "$tmp/reuse/prediction.csv" "$tmp/reuse/notes.txt"
"$FABSIM" run -t $C -w allreduce -n 16 -s 1M --trace-port 0 -o "$tmp/reuse" >/dev/null 2>&1
"$FABSIM" run -t $T -s 64K -o "$tmp/reuse" >/dev/null 2>&1
if [ "$(cd "$tmp/reuse" && ls | tr '\n' ' ')" = "flows.csv links.csv notes.txt summary.json trace.csv " ]; then
	ok "--out reused: only this run's files (and the user's)"
else
	bad "--out reused: only this run's files (and the user's)"
fi

# --seeds (issue 12): bad sets refused by the option table, before anything runs
expect "--seeds B < A refused" 2 "invalid --seeds '5:2': expected A:B \(A <= B\)" "$FABSIM" run -t $T --seeds 5:2
expect "--seeds repeated seed refused" 2 "1 is repeated" "$FABSIM" run -t $T --seeds 1,2,1
expect "--seeds beyond 1000 refused" 2 "at most 1000 seeds" "$FABSIM" run -t $T --seeds 1:1001
expect "--seeds junk refused" 2 "--seeds" "$FABSIM" run -t $T --seeds x
# flow workload: one row per seed in seeds.csv, mean [min..max] over seeds in the summary and summary.json
expect "--seeds 1:3 permutation: figures over seeds" 0 "over seeds   effective [0-9.]+% \[[0-9.]+\.\.[0-9.]+\] \| all-active" \
	"$FABSIM" run -t $T -s 64K --seeds 1:3 -o "$tmp/seeds"
if [ "$(cut -d, -f1 "$tmp/seeds/seeds.csv" | tr '\n' ' ')" = "seed 1 2 3 " ] &&
	[ "$(jq -c .seeds "$tmp/seeds/summary.json")" = "[1,2,3]" ] &&
	jq -e '.seed_stats.effective_throughput | .min <= .mean and .mean <= .max' "$tmp/seeds/summary.json" >/dev/null; then
	ok "--seeds: seeds.csv has seeds 1 2 3, summary.json min <= mean <= max"
else
	bad "--seeds: seeds.csv has seeds 1 2 3, summary.json min <= mean <= max"
fi
# the mean in summary.json is the mean of seeds.csv's rows (to 6 decimals)
m=$(awk -F, 'NR > 1 { s += $3; n++ } END { printf "%.4f", s / n }' "$tmp/seeds/seeds.csv")
if [ "$m" = "$(jq '.seed_stats.effective_throughput.mean * 10000 | round / 10000' "$tmp/seeds/summary.json" |
	xargs printf '%.4f')" ]; then
	ok "--seeds: summary.json's mean effective = mean of seeds.csv ($m)"
else
	bad "--seeds: summary.json's mean effective = mean of seeds.csv ($m)"
fi
"$FABSIM" run -t $T -s 64K --seeds 1:3 -o "$tmp/seeds2" >/dev/null 2>&1
if cmp -s "$tmp/seeds/seeds.csv" "$tmp/seeds2/seeds.csv" && cmp -s "$tmp/seeds/flows.csv" "$tmp/seeds2/flows.csv"; then
	ok "--seeds: same inputs, byte-identical seeds.csv and flows.csv"
else
	bad "--seeds: same inputs, byte-identical seeds.csv and flows.csv"
fi
# all-to-all leads with all-active (16K: 4 frames a flow, so every flow delivers before the first finishes;
# 4K flows are one frame, first byte and finish at once: no all-active window, n/a)
expect "alltoall: all-active first" 0 "^throughput   all-active [0-9.]+% \| effective" "$FABSIM" run -t $T -w alltoall -s 16K -o ""
# collectives: one line per size with mean [min..max], every seed's row in collective.csv
expect "--seeds 1:3 allreduce: one line per size, mean [min..max]" 0 \
	"^ +262144 +[0-9.]+ \[[0-9.]+\.\.[0-9.]+\] " "$FABSIM" run -t $T -w allreduce -n 16 -s 256K:512K:x2 --seeds 1:3 -o "$tmp/cseeds"
if [ "$(awk -F, 'NR > 1 { print $6 ":" $21 }' "$tmp/cseeds/collective.csv" | tr '\n' ' ')" = \
	"262144:1 262144:2 262144:3 524288:1 524288:2 524288:3 " ] &&
	[ "$(jq '.jobs[0].seed_stats | length' "$tmp/cseeds/summary.json")" = 2 ] &&
	[ "$(jq '.jobs[0].seed_stats[0].seeds_complete' "$tmp/cseeds/summary.json")" = 3 ]; then
	ok "--seeds collective: 6 rows (size:seed) in collective.csv, 2 seed_stats entries of 3 seeds"
else
	bad "--seeds collective: 6 rows (size:seed) in collective.csv, 2 seed_stats entries of 3 seeds"
fi
"$FABSIM" run -t $T -w allreduce -n 16 -s 256K:512K:x2 --seeds 1:3 -o "$tmp/cseeds2" >/dev/null 2>&1
if cmp -s <(cut -d, -f1-18,20- "$tmp/cseeds/collective.csv") <(cut -d, -f1-18,20- "$tmp/cseeds2/collective.csv") &&
	cmp -s <(jq -S 'del(.command, .jobs[].results[].wall_s)' "$tmp/cseeds/summary.json") \
		<(jq -S 'del(.command, .jobs[].results[].wall_s)' "$tmp/cseeds2/summary.json"); then
	ok "--seeds collective: same inputs, identical collective.csv and summary.json (but wall-clock)"
else
	bad "--seeds collective: same inputs, identical collective.csv and summary.json (but wall-clock)"
fi
# busbw per NIC of the server: hier on 8-GPU servers; busbw_per_nic = busbw x 8 / (8 x line_gbps)
"$FABSIM" run -t $T -w allreduce -a hier --gpus-per-server 8 -n 32 -s 4M -o "$tmp/hier" >/dev/null 2>&1
if awk -F, 'NR == 2 { want = $9 * 8 / (8 * $12); d = $20 - want; exit !(d < 1e-5 && d > -1e-5 && $20 <= 1) }' \
	"$tmp/hier/collective.csv"; then
	ok "hier: busbw_per_nic = busbw x 8 / (8 NICs x line) and at most 1"
else
	bad "hier: busbw_per_nic = busbw x 8 / (8 NICs x line) and at most 1"
fi
expect "collective header names bw/NIC" 0 "bw/NIC: busbw per NIC of the server = busbw / \(8 NICs x 100 GB/s\)" \
	"$FABSIM" run -t $T -w allreduce -a hier --gpus-per-server 8 -n 32 -s 1M -o ""
expect "--seeds with --bench-json refused" 1 "--bench-json describes one run per size" \
	"$FABSIM" run -t $T -w allreduce -n 16 -s 256K --seeds 1:2 --bench-json "$tmp/b.json" -o ""

# --timeline: what edge switches sent down to hosts, summed over the intervals, is the payload
# delivered plus framing: 4178 wire bytes per 4096-byte frame, plus ACKs (86 bytes at most one
# per frame): between 1.02 and 1.05 times the payload (2 MiB flows end on a whole frame)
"$FABSIM" run -t $T -s 2M -l ar --timeline -o "$tmp/tl" >/dev/null 2>&1
if [ "$(head -1 "$tmp/tl/timeline.csv" 2>/dev/null)" = \
	"time_us,delivered_gbps,delivered_of_line,leaf_up_util,tier2_down_util,tier2_up_util,tier3_down_util,drops" ] &&
	awk -F, -v pay="$(jq .payload_bytes "$tmp/tl/summary.json")" '
		NR == 2 { dt = $1 } NR > 1 { b += $2 * dt * 1e3 / 8; if ($3 > 1.0001 || $4 > 1.0001) exit 1 }
		END { r = b / pay; exit !(r > 1.02 && r < 1.05) }' "$tmp/tl/timeline.csv"; then
	ok "--timeline: delivered bytes = payload x framing, utilizations <= 1"
else
	bad "--timeline: delivered bytes = payload x framing, utilizations <= 1"
fi
expect "--timeline refused for a collective" 2 "--timeline samples one flow workload" \
	"$FABSIM" run -t $T -w allreduce -n 16 -s 256K --timeline -o "$tmp/tlc"

# fabsim sched pipelines as fabsim run does by default (NCCL's 1 MiB chunk for a ring): a 4-rank ring
# all-reduce of 16 MiB is 2n(n-1) = 24 transfers per piece, 16 MiB / (4 segments x 1 MiB) = 4 pieces: 96
expect "sched: the ring's default chunk is run's (1 MiB: 96 transfers)" 0 "16777216 bytes: 96 transfers" \
	"$FABSIM" sched -a ring -n 4 -s 16M -q
# stdout into a file is line-buffered: the first row of a sweep is there while the
# last size (~1 s) still runs (block-buffered, the ~1 KB of output came only at exit)
if tmatch "stdout line-buffered into a file"; then
	"$FABSIM" run -t topologies/small-800g.topo -w allreduce -s 1M:128M:x128 -o "" >"$tmp/lb.out" 2>/dev/null &
	lbpid=$!
	if wait_for "^ +1048576 " "$tmp/lb.out" 20 && kill -0 "$lbpid" 2>/dev/null; then
		ok "stdout line-buffered into a file"
	else
		bad "stdout line-buffered into a file"
	fi
	wait "$lbpid"
fi

# --progress: a line per update on stderr into a file (no '\r' redraw), with simulated time,
# events/s and an ETA, for a run of ~1 s (updates every 0.5 s); without it, none off a terminal
if tmatch "--progress into a file"; then
	"$FABSIM" run -t topologies/small-800g.topo -w alltoall -s 256K --progress -o "" >/dev/null 2>"$tmp/pg.err"
	if grep -qE "^  t=[0-9.]+ us  [0-9.]+M events/s  flows [0-9]+/16256  [0-9.]+s  ETA ([0-9]+(s|min)|[0-9.]+h|n/a)$" "$tmp/pg.err" &&
		! grep -q $'\r' "$tmp/pg.err"; then
		ok "--progress into a file"
	else
		bad "--progress into a file"
	fi
	"$FABSIM" run -t topologies/small-800g.topo -w alltoall -s 256K -o "" >/dev/null 2>"$tmp/pg.err"
	if [ -s "$tmp/pg.err" ]; then bad "no progress off a terminal without --progress"; else
		ok "no progress off a terminal without --progress"; fi
fi

# options that do not apply to the workload are refused, naming the option and the workload
for a in "-n 64:-n/--ranks" "-a ring:-a/--algo" "--placement random:--placement" "--channels 2:--channels" \
	"--chunk 1M:--chunk" "--gpus-per-server 8:--gpus-per-server" "--pxn off:--pxn"; do
	expect "flow workload refuses ${a#*:}" 2 "${a#*:} applies to collectives, not to the workload 'alltoall'" \
		"$FABSIM" run -t topologies/small-800g.topo -w alltoall ${a%%:*} -o ""
done
expect "default permutation refuses -n" 2 "-n/--ranks applies to collectives, not to the workload 'permutation'" \
	"$FABSIM" run -t topologies/small-800g.topo -n 64 -o ""
expect "incast refuses --algo" 2 "-a/--algo applies to collectives, not to the workload 'incast'" \
	"$FABSIM" run -t topologies/small-800g.topo -w incast -a ring -o ""
expect "flows refuses --placement" 2 "--placement applies to collectives, not to the workload 'flows'" \
	"$FABSIM" run -t topologies/small-800g.topo -f /dev/null --placement random -o ""
expect "permutation refuses --incast-senders" 2 "--incast-senders applies to -w incast, not to the workload 'permutation'" \
	"$FABSIM" run -t topologies/small-800g.topo -w permutation --incast-senders 4 -o ""
expect "allreduce refuses --incast-dst" 2 "--incast-dst applies to -w incast, not to the workload 'allreduce'" \
	"$FABSIM" run -t topologies/small-800g.topo -w allreduce --incast-dst 3 -o ""
expect "allreduce refuses -f" 2 "-f/--flows applies to -w flows, not to the workload 'allreduce'" \
	"$FABSIM" run -t topologies/small-800g.topo -w allreduce -f /dev/null -o ""
expect "-f then -w incast refused" 2 "-f/--flows applies to -w flows, not to the workload 'incast'" \
	"$FABSIM" run -t topologies/small-800g.topo -f /dev/null -w incast -o ""
expect "incast takes --incast-senders and --incast-dst" 0 "" \
	"$FABSIM" run -t topologies/small-800g.topo -w incast --incast-senders 4 --incast-dst 3 -s 64K -o ""
expect "all-to-all collective takes -n and --placement" 0 "" \
	"$FABSIM" run -t topologies/small-800g.topo -w all-to-all -n 16 --placement random -s 64K -o ""

# one thing, no plural s: "1 GPU per server", "1 NIC", "1 channel", "1 link down"
expect "collective header: 1 GPU per server" 0 "ring, 4 ranks \(contiguous, 1 GPU per server\)" \
	"$FABSIM" run -t topologies/small-800g.topo -w allreduce -n 4 -s 64K -o ""
expect "collective header: 1 NIC x" 0 "busbw / \(1 NIC x 100 GB/s\)" \
	"$FABSIM" run -t topologies/small-800g.topo -w allreduce -n 4 -s 64K -o ""
expect "sched header: 1 channel" 0 "4 ranks, 65536 bytes \(elem 4\), 1 channel, buffer" \
	"$FABSIM" sched -a ring -n 4 -s 64K
expect "failures line: 1 link down" 0 "failures     1 link down and 0 degraded at the start, 0 changes during" \
	"$FABSIM" run -t topologies/small-800g.topo -s 64K --fail leaf3:spine7 -o ""

expect "--incast-from without -w incast is refused" 2 "--incast-from applies to -w incast, not to the workload 'permutation'" \
	"$FABSIM" run -t topologies/small-800g.topo --incast-from remote -s 64K -o ""

finish
