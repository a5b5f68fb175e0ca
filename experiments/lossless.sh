#!/usr/bin/env bash
# Issue-3 comparison on the 2,048-endpoint SN5600 preset: permutation and
# incast for {ecmp, ar} x {none, dcqcn, telemetry} x {gbn, ddp}. Prints a
# markdown table (effective throughput, p99 FCT, PFC pauses, drops) and
# keeps every run's results under results/lossless/. Permutations stop at 300 us and
# incasts at 2 ms of simulated time (STOP=...): go-back-N under adaptive
# routing never finishes.
set -euo pipefail
FABSIM=${FABSIM:-build/fabsim}
T=${TOPO:-topologies/sn5600-2tier.topo}
SIZE=${SIZE:-2M}
out=results/lossless
mkdir -p "$out"
echo "| workload | lb | cc | rx | effective | p99 FCT (us) | PFC pauses | drops | retransmits | CNPs |"
echo "|---|---|---|---|---:|---:|---:|---:|---:|---:|"
for wl in permutation incast; do
	for lb in ecmp ar; do
		for cc in none dcqcn telemetry; do
			for rx in gbn ddp; do
				d=$out/$wl-$lb-$cc-$rx
				stop=${STOP:-300us}
				[ $wl = incast ] && stop=${STOP:-2ms}
				# exit 3: stopped with unfinished flows, whose figures are null
				fan=""
				[ $wl = incast ] && fan="--incast-senders 16"
				# shellcheck disable=SC2086 # $fan is words (--incast-senders applies to incast only)
				"$FABSIM" run -t "$T" -w $wl -s "$SIZE" $fan -l $lb -c $cc -r $rx \
					-S 1 --stop "$stop" --quiet -o "$d" || [ $? -eq 3 ]
				jq -r --arg w $wl --arg l $lb --arg c $cc --arg r $rx \
					'"| \($w) | \($l) | \($c) | \($r) | \(if .complete then "\(.effective_throughput * 1000 | round / 10)% | \(.fct_p99_us | round)" else "unfinished (\(.flows_done) of \(.flows)) | -" end) | \(.pfc_pauses) | \(.drops) | \(.retransmits) | \(.cnps) |"' \
					"$d/summary.json"
			done
		done
	done
done
