#!/usr/bin/env bash
# Colossus at packet level: does a Spectrum-X style fabric keep its line
# rate on all three tiers of a 100,000-GPU fat-tree, where RoCE as
# deployed does not?
#
#   bash experiments/colossus.sh            # full: colossus-100k.topo, 100,000 GPUs
#   bash experiments/colossus.sh demo       # the same on a 2,048-GPU 3-tier fat-tree
#   bash experiments/colossus.sh gather     # tables and plots of what OUT holds
#
# Two workloads, each with two configurations:
#   allreduce    a 16 MiB-per-GPU all-reduce over every GPU, hierarchical:
#                NVLink reduce-scatter in each 8-GPU server, NCCL's double
#                binary tree across the servers on each rail (pipelined
#                chunks), NVLink all-gather (fabsim --algo hier-tree)
#   permutation  every host sends PERM_SIZE to another, a random permutation
#                across the whole fabric
#   roce         ECMP, DCQCN (ConnectX rules), go-back-N: RoCE as deployed
#   spcx         per-packet adaptive routing, telemetry CC, out-of-order
#                placement at the NIC: Spectrum-X style
#
# For each run the table gives the workload's figure (busbw per NIC for the
# all-reduce, the all-active throughput for the permutation) and, per tier
# of links (host-leaf, leaf-agg, agg-core, each direction), what its links
# carried: the mean utilization over the run, the busiest link, and the
# share of links busier than 90% (hot spots ECMP's collisions leave). Also
# the run time and peak memory of each simulation.
#
# Environment: AR_SIZE (default 16M), PERM_SIZE (default 2M), SEED (1),
# CONFIGS ("roce spcx"), WORKLOADS ("allreduce permutation"), JOBS
# (simulations at once, default 1: a full run takes several GiB), OUT
# (default results/colossus, demo results/colossus-demo), FABSIM,
# RESUME=1 (keep the runs that already have results).
#
# Writes OUT/<workload>-<config>/ (fabsim run folders), OUT/tiers.csv (one
# row per run, tier and direction), OUT/runs.csv (one row per run),
# OUT/tiers.png and OUT/links-cdf.png.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
FABSIM=${FABSIM:-build/fabsim}
mode=${1:-full}
case $mode in
full) topo=topologies/colossus-100k.topo out=${OUT:-results/colossus} ;;
demo) topo=results/colossus-demo.topo out=${OUT:-results/colossus-demo} ;;
gather) out=${OUT:-results/colossus} ;;
*) echo "colossus.sh: unknown mode '$mode' (full, demo or gather)" >&2; exit 2 ;;
esac
ar_size=${AR_SIZE:-16M}
perm_size=${PERM_SIZE:-2M}
seed=${SEED:-1}
configs=${CONFIGS:-roce spcx}
workloads=${WORKLOADS:-allreduce permutation}
jobs=${JOBS:-1}
mkdir -p "$out"

if [ "$mode" = demo ]; then
	# colossus-100k's shape, scaled down: 2 pods of 16 leaves x 64 GPUs
	cat >"$topo" <<'TOPO'
# 2,048 GPUs as colossus-100k builds them: 3 tiers, 400G hosts, 800G fabric.
name = "colossus-demo";
mtu = 4096;
switch = { latency_ns = 600; buffer_mb = 160; };
fabric = { kind = "fattree"; hosts = 2048; pods = 2; leaves_per_pod = 16; hosts_per_leaf = 64;
	aggs_per_pod = 32; links_per_agg = 1; cores_per_group = 16; links_per_core = 1;
	host_rate = "400G"; fabric_rate = "800G"; core_rate = "800G";
	host_cable_m = 3.0; fabric_cable_m = 30.0; core_cable_m = 100.0; };
TOPO
fi

config_opts() {
	case $1 in
	roce) echo "--lb ecmp --cc dcqcn --rx gbn" ;;
	spcx) echo "--lb ar --cc telemetry --rx ddp" ;;
	*) echo "colossus.sh: unknown configuration '$1' (roce or spcx)" >&2; return 2 ;;
	esac
}

workload_opts() {
	case $1 in
	allreduce) echo "--workload allreduce --algo hier-tree --gpus-per-server 8 --size $ar_size" ;;
	permutation) echo "--workload permutation --size $perm_size" ;;
	*) echo "colossus.sh: unknown workload '$1' (allreduce or permutation)" >&2; return 2 ;;
	esac
}

run_one() {
	local w=$1 c=$2 dir="$out/$1-$2" wo co
	wo=$(workload_opts "$w") && co=$(config_opts "$c") || return 2
	if [ -n "${RESUME:-}" ] && [ -s "$dir/summary.json" ]; then
		return 0
	fi
	mkdir -p "$dir"
	echo "colossus.sh: $w $c: $FABSIM run --topo $topo $wo $co --seed $seed" >&2
	# shellcheck disable=SC2086 # the options are words
	/usr/bin/time -f '%e %M' -o "$dir/time.txt" \
		"$FABSIM" run --topo "$topo" $wo $co --seed "$seed" --quiet --out "$dir" >"$dir/stdout.txt"
}

[ "$mode" = gather ] || for w in $workloads; do
	for c in $configs; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
			wait -n || true
		done
		run_one "$w" "$c" &
	done
done
wait

# runs.csv: the workload's figure, run time and memory
echo "workload,config,figure,value,sim_time_us,events,wall_s,peak_rss_mib" >"$out/runs.csv"
# tiers.csv: per tier and direction, what the links carried over the run
echo "workload,config,tier,direction,links,mean_utilization,max_utilization,hot_links" >"$out/tiers.csv"
for w in $workloads; do
	for c in $configs; do
		dir="$out/$w-$c"
		[ -s "$dir/summary.json" ] || continue
		read -r wall rss <"$dir/time.txt" || { wall=0 rss=0; }
		links="$dir/links.csv"
		if [ "$w" = allreduce ]; then
			# a collective's run folder keeps the largest size's files in largest/
			links="$dir/largest/links.csv"
			awk -F, -v w="$w" -v c="$c" -v wall="$wall" -v rss="$rss" "$CSV_AWK"'NR == 1 { csv_header(); next }
				{ line = sprintf("%s,%s,busbw_per_nic,%s,%s,%s,%s,%s", w, c, col("busbw_per_nic"), col("time_us"),
					col("events"), wall, rss / 1024) }
				END { print line }' "$dir/collective.csv" >>"$out/runs.csv"
		else
			jq -r --arg w "$w" --arg c "$c" --arg wall "$wall" --arg rss "$rss" \
				'"\($w),\($c),all_active_throughput,\(.all_active_throughput // "nan"),\(.sim_time_us),\(.events),\($wall),\(($rss | tonumber) / 1024)"' \
				"$dir/summary.json" >>"$out/runs.csv"
		fi
		awk -F, -v w="$w" -v c="$c" "$CSV_AWK"'
			NR == 1 { csv_header(); next }
			{
				a = col("from_tier"); b = col("to_tier"); lo = a < b ? a : b
				k = (lo == 0 ? "host-leaf" : lo == 1 ? "leaf-agg" : "agg-core") "," col("direction")
				u = col("utilization"); n[k]++; s[k] += u; if (u > m[k]) m[k] = u; if (u > 0.9) hot[k]++
				o[k] = lo
			}
			END { for (k in n) printf "%d,%s,%s,%s,%d,%.4f,%.4f,%.4f\n", o[k], w, c, k, n[k], s[k] / n[k], m[k], hot[k] / n[k] }' \
			"$links" | sort -t, -k1,1n -k5,5r | cut -d, -f2- >>"$out/tiers.csv"
	done
done

echo
echo "| workload | configuration | figure | sim time | run time | peak memory |"
echo "|---|---|---:|---:|---:|---:|"
awk -F, "$CSV_AWK"'NR == 1 { csv_header(); next }
	{ printf "| %s | %s | %s %.1f%% | %.0f us | %.0f s | %.1f GiB |\n", col("workload"), col("config"),
		col("figure") == "busbw_per_nic" ? "bw/NIC" : "all-active", 100 * col("value"), col("sim_time_us"),
		col("wall_s"), col("peak_rss_mib") / 1024 }' "$out/runs.csv"
echo
echo "| workload | configuration | tier | direction | links | mean utilization | busiest link | links > 90% |"
echo "|---|---|---|---|---:|---:|---:|---:|"
awk -F, "$CSV_AWK"'NR == 1 { csv_header(); next }
	{ printf "| %s | %s | %s | %s | %d | %.1f%% | %.1f%% | %.1f%% |\n", col("workload"), col("config"), col("tier"),
		col("direction"), col("links"), 100 * col("mean_utilization"), 100 * col("max_utilization"),
		100 * col("hot_links") }' "$out/tiers.csv"

# plots: mean utilization per tier (up links) for each run, and the
# distribution of link utilizations per tier (where the hot spots are)
command -v gnuplot >/dev/null || { echo "colossus.sh: no gnuplot, no plots" >&2; exit 0; }
# tiers.dat: a row per tier, a column per run (mean utilization of its up links, %)
awk -F, "$CSV_AWK"'NR == 1 { csv_header(); next } col("direction") == "up" {
	r = col("workload") "/" col("config"); if (!(r in seen)) { seen[r] = 1; runs[++nr] = r }
	t = col("tier"); if (!(t in tseen)) { tseen[t] = 1; tiers[++nt] = t }
	v[t, r] = 100 * col("mean_utilization") }
	END {
		printf "tier"; for (j = 1; j <= nr; j++) printf " %s", runs[j]; print ""
		for (i = 1; i <= nt; i++) {
			printf "%s", tiers[i]; for (j = 1; j <= nr; j++) printf " %.2f", v[tiers[i], runs[j]]; print ""
		}
	}' "$out/tiers.csv" >"$out/tiers.dat"
nruns=$(head -1 "$out/tiers.dat" | wc -w)
for w in $workloads; do
	for c in $configs; do
		links="$out/$w-$c/links.csv"
		[ -s "$links" ] || links="$out/$w-$c/largest/links.csv"
		[ -s "$links" ] || continue
		for t in 0 1 2; do
			awk -F, -v t="$t" "$CSV_AWK"'NR == 1 { csv_header(); next }
				col("direction") == "up" && col("from_tier") == t { print 100 * col("utilization") }' \
				"$links" | sort -g | awk '{ v[NR] = $1 } END { for (i = 1; i <= NR; i++) print v[i], 100 * i / NR }' \
				>"$out/cdf-$w-$c-$t.dat"
		done
	done
done
gnuplot <<GP 2>"$out/gnuplot.log" || echo "colossus.sh: gnuplot failed, see $out/gnuplot.log" >&2
set terminal pngcairo size 1100,500 noenhanced font 'Sans,11'
set output '$out/tiers.png'
set title "Mean utilization of each tier's up links over the run, by workload/configuration ($(jq -r .topology "$out"/*/summary.json | head -1))"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'mean utilization, %'
set yrange [0:100]
set key outside right
set grid ytics
plot for [i=2:$nruns] '$out/tiers.dat' using i:xtic(1) title columnheader(i)
set output '$out/links-cdf.png'
set title 'Up-link utilization over the run, per tier: share of links at or below'
set style data lines
set xlabel 'link utilization, %'
set ylabel 'links, %'
set xrange [0:100]
set yrange [0:100]
plot $(first=1; for w in $workloads; do for c in $configs; do for t in 0 1 2; do
	f="$out/cdf-$w-$c-$t.dat"; [ -s "$f" ] || continue
	[ $first = 1 ] || printf ', '; first=0
	printf "'%s' using 1:2 title '%s %s %s'" "$f" "$w" "$c" "$(case $t in 0) echo host-leaf ;; 1) echo leaf-agg ;; 2) echo agg-core ;; esac)"
done; done; done)
GP
echo
echo "plots: $out/tiers.png $out/links-cdf.png"
