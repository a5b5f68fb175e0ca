#!/usr/bin/env bash
# `make demo`: the flagship comparison, reduced to run in seconds.
#  1. A permutation on small-800g (128 x 800G hosts, non-blocking leaf-spine)
#     with ECMP and with adaptive routing: the flow-collision effect.
#     Five seeds each: ECMP's figure is a draw of hashes.
#  2. The flagship ladder on railopt-demo (256 GPUs, rail-optimized), in
#     reduced form: RoCE as deployed (ECMP + DCQCN + go-back-N, NCCL
#     defaults), with 4 QPs per connection, with adaptive routing and
#     out-of-order placement, Spectrum-X style (adding telemetry CC) and
#     Spectrum-X style without AR; hierarchical and ring all-reduce at
#     64 MiB over seeds 1 to 5.
#  3. `fabsim report`: plots and a markdown summary under results/demo/.
set -euo pipefail
FABSIM=${1:-build/fabsim}
out=results/demo
rm -rf "$out"
mkdir -p "$out"
for lb in ecmp ar; do
	echo "== permutation on small-800g, 8 MiB per host, --lb $lb, seeds 1 to 5"
	"$FABSIM" run --topo topologies/small-800g.topo --workload permutation --size 8M --lb "$lb" --seeds 1:5 \
		--out "$out/perm-$lb"
	echo
done
# mean [min..max] over the seeds of one figure of seeds.csv, in %
fig() {
	awk -F, -v want="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == want) c = i; next }
		{ v = 100 * $c; s += v; n++; if (n == 1 || v < lo) lo = v; if (n == 1 || v > hi) hi = v }
		END { printf "%.1f%% [%.1f..%.1f]", s / n, lo, hi }' "$1/seeds.csv"
}
echo "Permutation, % of line rate, mean [min..max] over 5 seeds:"
for lb in ecmp ar; do
	printf '  %-4s  all-active %s   mean per flow %s   effective (FCT-based) %s\n' "$lb" \
		"$(fig "$out/perm-$lb" all_active_throughput)" "$(fig "$out/perm-$lb" mean_flow_throughput)" \
		"$(fig "$out/perm-$lb" effective_throughput)"
done
echo

echo "== flagship ladder (reduced): all-reduce on railopt-demo, 256 GPUs at 400G, random placement"
echo "(rows are rungs of the full ladder, each with the mechanisms of the rungs above it: '+ out-of-order'"
echo " is ECMP -> AR and go-back-N -> out-of-order placement with 4 QPs and DCQCN; experiments/flagship.sh)"
FABSIM=$FABSIM OUT=$out/flagship CONFIGS="roce qps4 ooo spcx spcx-ar" bash experiments/flagship.sh demo
echo
"$FABSIM" report -o "$out" "$out/perm-ecmp" "$out/perm-ar" "$out/flagship" >"$out/report-files.txt"
echo "Plots: $(grep -c "\.png$" "$out/report-files.txt") PNG (and SVG) in $out/"
echo "Summary with plots: $out/report.md"
