#!/usr/bin/env bash
# The flagship experiment: ordinary RoCE Ethernet (ECMP + DCQCN + go-back-N)
# against Spectrum-X style (adaptive routing + telemetry CC + out-of-order
# placement) on a rail-optimized SN5600-class fabric, hierarchical and
# flat ring all-reduce over a sweep of message sizes, ranks placed on
# servers in random order (a scheduler's view of a shared cluster).
#
#   bash experiments/flagship.sh            # full: railopt-8gpu, 1,024 GPUs, 1M..1G
#   bash experiments/flagship.sh demo       # reduced: railopt-demo, 256 GPUs, 1M..64M
#
# Writes results/flagship/<config>-<algo>/ (or results/demo/...), prints a
# markdown table of effective throughput (busbw / NIC line rate) per size,
# and draws the plots with `fabsim report`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
FABSIM=${FABSIM:-build/fabsim}
mode=${1:-full}
if [ "$mode" = demo ]; then
	topo=topologies/railopt-demo.topo sizes=${SIZES:-1M:64M:x4} out=${OUT:-results/demo}
	trace=rail0-leaf0:spine0
else
	topo=topologies/railopt-8gpu.topo sizes=${SIZES:-1M:1G:x4} out=${OUT:-results/flagship}
	trace=rail0-leaf0:spine0
fi
configs=("roce:--lb ecmp --cc dcqcn --rx gbn" "spcx:--lb ar --cc telemetry --rx ddp")
mkdir -p "$out"
for algo in hier ring; do
	for c in "${configs[@]}"; do
		name=${c%%:*}
		# shellcheck disable=SC2086 # the options are words
		"$FABSIM" run --topo "$topo" --workload allreduce --algo "$algo" --placement random \
			--size "$sizes" --seed 1 ${c#*:} --trace-port "$trace" --quiet --out "$out/$name-$algo"
	done
done

echo "| algorithm | size | RoCE (ECMP+DCQCN+GBN) busbw | %line | NIC busy | Spectrum-X style (AR+telemetry+DDP) busbw | %line | NIC busy |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for algo in hier ring; do
	# by column name (lib.sh): the two runs' columns side by side, prefixed
	paste -d, <(csv_prefix roce_ "$out/roce-$algo/collective.csv") \
		<(csv_prefix spcx_ "$out/spcx-$algo/collective.csv") |
		awk -F, -v a="$algo" "$CSV_AWK"'
		NR == 1 { csv_header(); next }
		{
			s = col("roce_size_bytes") + 0; u = "B";
			if (s >= 1073741824) { s /= 1073741824; u = "GiB" } else if (s >= 1048576) { s /= 1048576; u = "MiB" }
			printf "| %s | %g %s | %.1f GB/s | %.1f%% | %.1f%% | %.1f GB/s | %.1f%% | %.1f%% |\n", a, s, u,
				col("roce_busbw_gbps"), 100 * col("roce_effective_throughput"), 100 * col("roce_nic_busy"),
				col("spcx_busbw_gbps"), 100 * col("spcx_effective_throughput"), 100 * col("spcx_nic_busy") }'
done
"$FABSIM" report -o "$out" "$out" >/dev/null 2>&1 || true
