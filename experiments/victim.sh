#!/usr/bin/env bash
# PFC victim flow (issue 11): on topologies/victim-800g.topo a 16-to-1
# incast of 16 MiB per sender into h0 (15 senders on leaf1, h34 on leaf2)
# and a victim h35 -> h33 from 20 us that shares only leaf2's uplink with
# the incast (experiments/flows/victim.flows). Max-min fair, the victim
# could have 750 of 800 Gb/s (93.75 %). Two victims: 16 MiB (it lives in the
# incast's first ~200 us, while queues fill and PFC spreads congestion) and
# 64 MiB (~700 us: what it keeps once the congestion control has reacted).
# Prints a markdown table (victim throughput, incast makespan, PFC pauses)
# per CC and victim size and keeps every run's results under
# results/victim/. Extra arguments go to every run (e.g. --dcqcn-params paper).
set -euo pipefail
FABSIM=${FABSIM:-build/fabsim}
T=${TOPO:-topologies/victim-800g.topo}
F=${FLOWS:-experiments/flows/victim.flows}
out=results/victim
mkdir -p "$out"
echo "| victim | cc | victim (Gb/s) | victim (% of line) | incast makespan (us) | PFC pauses | drops |"
echo "|---|---|---:|---:|---:|---:|---:|"
for size in 16M 64M; do
	# the victim is the last line of the flow file: its size replaced
	flows=$out/victim-$size.flows
	sed '$ s/^\([0-9]* [0-9]*\) [^ ]*/\1 '"$size"'/' "$F" >"$flows"
	for cc in none dcqcn telemetry; do
		d=$out/$size-$cc
		"$FABSIM" run -t "$T" -w flows -f "$flows" -c $cc -S 1 --quiet -o "$d" "$@"
		v=$(tail -n 1 "$d/flows.csv" | awk -F, '{ printf "%.1f | %.1f%%", $7, 100 * $8 }')
		jq -r --arg s "$size" --arg c $cc --arg v "$v" \
			'"| \($s)iB | \($c) | \($v) | \(.makespan_us | round) | \(.pfc_pauses) | \(.drops) |"' "$d/summary.json"
	done
done
