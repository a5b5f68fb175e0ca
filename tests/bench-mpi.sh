#!/usr/bin/env bash
# `make bench-mpi`: a run split over processes against the same run in one.
# Never part of `make check`: timings depend on the machine. For each
# scenario: the serial run (plain fabsim run, which -np 1 is), then
# mpirun -np 2 (NP=LIST for others, e.g. NP="2 4"); whole-process wall time
# and peak memory of each process, the speedup, the windows, frames and
# bytes exchanged per window and the longest time a process waited, and
# whether the split run's outputs equal the serial run's (they must).
# Table on stdout, every figure in results/bench/bench-mpi.json.
#
# Scenarios, as in make bench: the 8 MiB permutation on 8,192 hosts of
# 128-port switches (ECMP and AR), and the 1 MiB hierarchical all-reduce
# (NCCL's double binary tree across servers) on the 100,000 GPUs of
# colossus-100k. BENCH_ONLY=REGEX selects.
set -euo pipefail
FABSIM=$(realpath "${1:-build/fabsim}")
out=results/bench-mpi
mkdir -p "$out"
only=${BENCH_ONLY:-.}
nps=${NP:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

scen=()
for lb in ecmp ar; do
	scen+=("perm-ls128-8192-$lb|-t tests/bench/ls128-8192.topo -w permutation -s 8M -l $lb")
done
scen+=("allreduce-100k-hier-tree-1M|-t topologies/colossus-100k.topo -w allreduce -a hier-tree -s 1M --gpus-per-server 8 -l ar")
. "$(dirname "$0")/dist_same.sh"

echo "# fabsim bench-mpi: $(nproc) cores, $("$FABSIM" --version), $(mpirun --version | head -1)"
fmt='%-26s %3s %8s %8s %9s %9s %10s %7s %9s %s\n'
printf "$fmt" scenario np wall_s speedup windows frames/win bytes/win wait_s "peak MiB" same
rows=()
for s in "${scen[@]}"; do
	name=${s%%|*}
	args=${s#*|}
	[[ $name =~ $only ]] || continue
	# shellcheck disable=SC2086
	/usr/bin/time -f '%e %M' -o "$out/$name-1.time" "$FABSIM" run $args -S 1 --quiet -o "$out/$name-1"
	read -r w1 rss1 <"$out/$name-1.time"
	printf "$fmt" "$name" 1 "$w1" 1.00 - - - - "$(echo "$rss1 / 1024" | bc)" -
	rows+=("$(jq -n --arg n "$name" --argjson w "$w1" --argjson r "$rss1" \
		'{scenario: $n, np: 1, wall_s: $w, speedup: 1, peak_mib: ($r / 1024)}')")
	for np in $nps; do
		# every process's peak: time wraps each rank
		/usr/bin/time -f '%e' -o "$out/$name-$np.time" mpirun -np "$np" \
			/usr/bin/time -f '%M' -a -o "$out/$name-$np.rss" "$FABSIM" run $args -S 1 --quiet -o "$out/$name-$np"
		wn=$(tail -1 "$out/$name-$np.time")
		rss=$(sort -n "$out/$name-$np.rss" | tail -1)
		rm -f "$out/$name-$np.rss"
		same=no
		dist_same "$out/$name-1" "$out/$name-$np" && same=yes
		# a collective's summary.json has the windows and exchanges summed over its sizes
		sum="$out/$name-$np/summary.json"
		row=$(jq -c --arg n "$name" --argjson np "$np" --argjson w "$wn" --argjson w1 "$w1" \
			--argjson r "$rss" --arg same "$same" '{scenario: $n, np: $np, wall_s: $w,
			speedup: ($w1 / $w), windows, lookahead_ps, frames_per_window: (.exchanged_frames / .windows),
			bytes_per_window: (.exchanged_bytes / .windows), exchanged_frames, exchanged_bytes,
			wait_s, peak_mib_per_process: ($r / 1024), identical: ($same == "yes")}' "$sum")
		rows+=("$row")
		jq -r '[.scenario, .np, .wall_s, .speedup, .windows, .frames_per_window, .bytes_per_window,
			.wait_s, .peak_mib_per_process, (if .identical then "yes" else "NO" end)] | @tsv' <<<"$row" |
			awk -F'\t' '{ printf "%-26s %3d %8.2f %8.2f %9d %9.1f %10.0f %7.2f %9.0f %s\n",
				$1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
	done
done
printf '%s\n' "${rows[@]}" | jq -s --arg v "$("$FABSIM" --version)" --argjson cores "$(nproc)" \
	'{fabsim: $v, cores: $cores, runs: .}' >"$out/bench-mpi.json"
echo "# every figure: $out/bench-mpi.json"
