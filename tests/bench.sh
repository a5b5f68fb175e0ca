#!/usr/bin/env bash
# `make bench`: simulator speed at growing scale. Never part of `make
# check`: timings depend on the machine. For every scenario: events, data
# packets delivered, wall time of the run loop, events per second, cost
# per event and per delivered data packet (ns), events per data packet and
# peak memory; the table on stdout and every figure in
# results/bench/bench.json.
#
# Scenarios: an 8 MiB permutation (ECMP and AR) on 128 hosts
# (small-800g), on 1,024 hosts (the historic 32 x 32 leaf-spine of earlier
# closing notes) and on 1,024 and 8,192 hosts of a 2-tier fabric of
# 128-port switches (64 down, 64 up per leaf); a hierarchical all-reduce
# with NCCL's double binary tree across servers on all 100,000 GPUs of
# colossus-100k; building the Colossus topology.
#
# BENCH_ONLY=REGEX runs the scenarios whose name matches.
set -euo pipefail
FABSIM=${1:-build/fabsim}
out=results/bench
mkdir -p "$out"
only=${BENCH_ONLY:-.}

# the fabrics (tests/bench/*.topo), shared with bench-mpi.sh
B=tests/bench
scen=()	# name|fabsim arguments
for lb in ecmp ar; do
	scen+=("perm-128-$lb|-t topologies/small-800g.topo -w permutation -s 8M -l $lb")
	scen+=("perm-1024-$lb|-t $B/leafspine-1024.topo -w permutation -s 8M -l $lb")
	scen+=("perm-ls128-1024-$lb|-t $B/ls128-1024.topo -w permutation -s 8M -l $lb")
	scen+=("perm-ls128-8192-$lb|-t $B/ls128-8192.topo -w permutation -s 8M -l $lb")
done
if "$FABSIM" run --help | grep -c hier-tree >/dev/null; then
	scen+=("allreduce-100k-hier-tree-1M|-t topologies/colossus-100k.topo -w allreduce -a hier-tree -s 1M --gpus-per-server 8 -l ar")
fi

echo "# fabsim bench: $(nproc) cores, $(uname -m), $("$FABSIM" --version)"
fmt='%-30s %11s %10s %8s %9s %8s %9s %7s %9s\n'
printf "$fmt" scenario events "data pkts" wall_s "M ev/s" "ns/ev" "ns/pkt" ev/pkt "peak MiB"
rows=()
for s in "${scen[@]}"; do
	name=${s%%|*}
	args=${s#*|}
	[[ $name =~ $only ]] || continue
	# shellcheck disable=SC2086
	/usr/bin/time -f '%M' -o "$out/$name.rss" "$FABSIM" run $args -S 1 --json -o "$out/$name" >"$out/$name.json"
	rss=$(tail -1 "$out/$name.rss")
	# a flow workload's summary, or a collective's result of its one size;
	# data packets: the counter when the build has it, else payload / MTU
	# (the permutation's flows are whole MTU multiples)
	row=$(jq -c --arg n "$name" --arg a "$args" --argjson rss "$rss" '
		(if .jobs then .jobs[0].results[0] + {mtu_bytes} else . end) as $r |
		($r.data_packets // $r.data_packets_delivered // ($r.payload_bytes / $r.mtu_bytes)) as $pk |
		{scenario: $n, args: $a, events: $r.events, data_packets: $pk, wall_s: $r.wall_s,
		 events_per_s: ($r.events / $r.wall_s), ns_per_event: ($r.wall_s * 1e9 / $r.events),
		 ns_per_data_packet: ($r.wall_s * 1e9 / $pk),
		 events_per_data_packet: ($r.events / $pk),
		 peak_mib: ($rss / 1024)}' "$out/$name.json")
	rows+=("$row")
	jq -r '[.scenario, .events, .data_packets, .wall_s, .events_per_s / 1e6, .ns_per_event,
		.ns_per_data_packet, .events_per_data_packet, .peak_mib] | @tsv' <<<"$row" |
		awk -F'\t' '{ printf "%-30s %11d %10d %8.2f %9.2f %8.1f %9.1f %7.2f %9.1f\n",
			$1, $2, $3, $4, $5, $6, $7, $8, $9 }'
done
topo_row=null
if [[ topo-colossus =~ $only ]]; then
	read -r wall rss < <({ /usr/bin/time -f '%e %M' "$FABSIM" topo topologies/colossus-100k.topo >/dev/null; } 2>&1 | tail -1)
	printf '%-30s %11s %10s %8.2f %9s %8s %9s %7s %9.1f\n' "build colossus-100k topology" - - "$wall" - - - - \
		"$(echo "$rss / 1024" | bc -l)"
	topo_row=$(jq -n --argjson w "$wall" --argjson r "$rss" '{wall_s: $w, peak_mib: ($r / 1024)}')
fi
printf '%s\n' "${rows[@]}" | jq -s --arg v "$("$FABSIM" --version)" --argjson cores "$(nproc)" \
	--argjson topo "$topo_row" '{fabsim: $v, cores: $cores, scenarios: ., colossus_topology: $topo}' \
	>"$out/bench.json"
echo "# every figure: $out/bench.json"
