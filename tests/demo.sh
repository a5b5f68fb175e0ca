#!/usr/bin/env bash
# `make demo`: the flagship comparison on the built-in default fabric.
# A permutation on small-800g (128 x 800G hosts, non-blocking leaf-spine)
# with ECMP and with adaptive routing, then the plots of `fabsim report`.
set -euo pipefail
FABSIM=${1:-build/fabsim}
T=topologies/small-800g.topo
out=results/demo
mkdir -p "$out"
for lb in ecmp ar; do
	echo "== permutation, 8 MiB per host, --lb $lb"
	"$FABSIM" run --topo $T --workload permutation --size 8M --lb "$lb" --seed 1 --out "$out/perm-$lb"
	echo
done
ecmp=$(jq .effective_throughput "$out/perm-ecmp/summary.json")
ar=$(jq .effective_throughput "$out/perm-ar/summary.json")
printf 'ECMP delivers %.1f%% of line rate, adaptive routing %.1f%%.\n' \
	"$(echo "$ecmp * 100" | bc -l)" "$(echo "$ar * 100" | bc -l)"
"$FABSIM" report "$out" 2>/dev/null || bash tests/plot-fct.sh "$out"
