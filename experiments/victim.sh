#!/usr/bin/env bash
# PFC victim flow (issue 11): on topologies/victim-800g.topo a 16-to-1
# incast into h0 (15 senders on leaf1, h34 on leaf2) and a victim h35 -> h33
# that shares only leaf2's uplink with the incast (experiments/flows/
# victim.flows). Max-min fair, the victim could have 750 of 800 Gb/s
# (93.75 %); PFC without CC spreads the congestion to leaf2's uplink.
# Prints a markdown table (victim throughput, incast FCT, PFC pauses) per
# CC and keeps every run's results under results/victim/. Extra arguments
# go to every run (e.g. --dcqcn-params connectx).
set -euo pipefail
FABSIM=${FABSIM:-build/fabsim}
T=${TOPO:-topologies/victim-800g.topo}
F=${FLOWS:-experiments/flows/victim.flows}
out=results/victim
mkdir -p "$out"
echo "| cc | victim (Gb/s) | victim (% of line) | incast makespan (us) | PFC pauses | drops |"
echo "|---|---:|---:|---:|---:|---:|"
for cc in none dcqcn telemetry; do
	d=$out/$cc
	win=()
	[ $cc = none ] && win=(--window unlimited)
	"$FABSIM" run -t "$T" -w flows -f "$F" -c $cc "${win[@]}" -S 1 --quiet -o "$d" "$@"
	# the victim is the last flow of the file
	v=$(tail -n 1 "$d/flows.csv" | awk -F, '{ printf "%.1f | %.1f%%", $7, 100 * $8 }')
	jq -r --arg c $cc --arg v "$v" '"| \($c) | \($v) | \(.makespan_us | round) | \(.pfc_pauses) | \(.drops) |"' \
		"$d/summary.json"
done
