#!/usr/bin/env bash
# FCT CDF of every run under a results folder (gnuplot), PNG and SVG.
set -euo pipefail
dir=$1
plots=()
for d in "$dir"/*/; do
	[ -f "$d/flows.csv" ] || continue
	name=$(basename "$d")
	awk -F, 'NR > 1 && $6 >= 0 { print $6 }' "$d/flows.csv" | sort -g |
		awk '{ v[NR] = $1 } END { for (i = 1; i <= NR; i++) print v[i], i / NR }' >"$d/fct.cdf"
	plots+=("'$d/fct.cdf' using 1:2 with lines lw 2 title '$name'")
done
for term in png svg; do
	gnuplot <<GP
set terminal ${term} size 900,540 $( [ "$term" = png ] && echo "font ',11'" )
set output '$dir/fct-cdf.$term'
set title 'Flow completion time CDF'
set xlabel 'flow completion time (us)'
set ylabel 'fraction of flows'
set key bottom right
set grid
plot $(IFS=,; echo "${plots[*]}")
GP
done
echo "plots        $dir/fct-cdf.png, $dir/fct-cdf.svg"
