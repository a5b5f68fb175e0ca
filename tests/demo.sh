#!/usr/bin/env bash
# `make demo`: the flagship comparison, reduced to run in seconds.
#  1. A permutation on small-800g (128 x 800G hosts, non-blocking leaf-spine)
#     with ECMP and with adaptive routing: the flow-collision effect.
#  2. The flagship experiment on railopt-demo (256 GPUs, rail-optimized):
#     ordinary RoCE (ECMP + DCQCN + go-back-N) against Spectrum-X style
#     (adaptive routing + telemetry CC + direct placement), hierarchical and
#     ring all-reduce from 1 MiB to 64 MiB.
#  3. `fabsim report`: plots and a markdown summary under results/demo/.
set -euo pipefail
FABSIM=${1:-build/fabsim}
out=results/demo
rm -rf "$out"
mkdir -p "$out"
for lb in ecmp ar; do
	echo "== permutation on small-800g, 8 MiB per host, --lb $lb"
	"$FABSIM" run --topo topologies/small-800g.topo --workload permutation --size 8M --lb "$lb" --seed 1 \
		--out "$out/perm-$lb"
	echo
done
ecmp=$(jq .effective_throughput "$out/perm-ecmp/summary.json")
ar=$(jq .effective_throughput "$out/perm-ar/summary.json")
printf 'Permutation: ECMP delivers %.1f%% of line rate, adaptive routing %.1f%%.\n\n' \
	"$(echo "$ecmp * 100" | bc -l)" "$(echo "$ar * 100" | bc -l)"

echo "== flagship (reduced): all-reduce on railopt-demo, 256 GPUs at 400G, random placement"
FABSIM=$FABSIM OUT=$out/flagship bash experiments/flagship.sh demo
echo
"$FABSIM" report -o "$out" "$out/perm-ecmp" "$out/perm-ar" "$out/flagship" >"$out/report-files.txt"
echo "Plots: $(grep -c "\.png$" "$out/report-files.txt") PNG (and SVG) in $out/"
echo "Summary with plots: $out/report.md"
