#!/usr/bin/env bash
# Failed links: how much of its line rate does a fabric keep when a share
# of its leaf-to-spine links is down, and how close does each mechanism
# come to what a perfect fluid load balancer would reach on the same
# damaged fabric?
#
#   bash experiments/failures.sh            # the sweep and the mid-run failure
#   bash experiments/failures.sh sweep      # the sweep only
#   bash experiments/failures.sh midrun     # the mid-run failure only
#   bash experiments/failures.sh gather     # tables and plots of what OUT holds
#
# The sweep: FRACTIONS (default "0 1 5 10 20") percent of the leaf-spine
# (leaf-agg on the fat-tree) links fail before the run, drawn with
# --fail-seed; for each
#   fabric   railopt-8gpu (1,024 GPUs, 2 tiers, rail-optimized) and a
#            1,024-host 3-tier fat-tree of the same NICs (ft1k, below)
#   planes   1: one 400G NIC port per GPU; 2: the same 400G as two 200G
#            ports on two independent planes, each a copy of the fabric at
#            half its link rate (so both have the same bandwidth)
#   config   roce: ECMP, DCQCN, go-back-N, and with two planes two QPs per
#            connection, one on each; spcx: per-packet adaptive routing,
#            telemetry CC, out-of-order placement, packets sprayed over the
#            planes
#   workload permutation (PERM_SIZE per host, the all-active throughput)
#            and all-reduce (AR_SIZE per GPU, hier-tree: NVLink inside the
#            8-GPU servers, NCCL's double binary tree across them; the
#            bus bandwidth per NIC)
# Each run also prints the ideal: the same figure under perfect fluid load
# balancing on the damaged fabric (fabsim's bound, sim/traffic/bound.c).
#
# The mid-run failure: on railopt-8gpu a 32 MiB permutation runs; at
# MIDRUN_AT (default 300us, once DCQCN has settled) every link between rail0-leaf0 and spine0 (4
# parallel 800G links, an eighth of that leaf's uplinks) fails; timeline.csv
# (--timeline) shows what hosts received per 4 us around it, for roce and
# spcx, with the reroute delay (MIDRUN_DELAYS, default "0 100us 50ms": at
# once, hardware fast reroute, the default control plane). Each run stops
# at 2 ms of simulated time, so that 500 samples of 4 us cover it.
#
# Environment: FRACTIONS, MIDRUN_AT, MIDRUN_DELAYS, SEEDS (failure draws, default "1 2 3"), PERM_SIZE
# (2M), AR_SIZE (16M), FABRICS ("railopt ft1k"), PLANES ("1 2"), CONFIGS
# ("roce spcx"), WORKLOADS ("permutation allreduce"), JOBS (runs at once,
# default 2), OUT (results/failures), FABSIM, RESUME=1 (keep finished runs).
#
# Writes OUT/runs.csv (one row per run), OUT/sweep.csv (means over the
# seeds), OUT/midrun.csv (what hosts received in the 150 us before the
# failure, the 100 us after it and the 300 us after those), OUT/sweep-FABRIC-WORKLOAD.png, OUT/midrun.png, and
# every run's fabsim folder under OUT/runs/ and OUT/midrun/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
FABSIM=${FABSIM:-build/fabsim}
mode=${1:-all}
out=${OUT:-results/failures}
fractions=${FRACTIONS:-0 1 5 10 20}
seeds=${SEEDS:-1 2 3}
perm_size=${PERM_SIZE:-2M}
ar_size=${AR_SIZE:-16M}
fabrics=${FABRICS:-railopt ft1k}
planes_list=${PLANES:-1 2}
configs=${CONFIGS:-roce spcx}
workloads=${WORKLOADS:-permutation allreduce}
jobs=${JOBS:-2}
midrun_at=${MIDRUN_AT:-300us}
midrun_delays=${MIDRUN_DELAYS:-0 100us 50ms}
case $mode in
all | sweep | midrun | gather) ;;
*) echo "failures.sh: unknown mode '$mode' (sweep, midrun, gather or nothing for both)" >&2; exit 2 ;;
esac
mkdir -p "$out/topo"

# The fabrics, single- and dual-plane. Dual plane keeps each host's 400G
# and each tier's bandwidth: two planes of 200G host ports and 400G fabric
# links (each switch uses its ports at half speed, as an SN5600 runs its
# 64 800G ports as 128 400G ones).
write_topos() {
	sed -e 's/^name = "railopt-8gpu";/name = "railopt-8gpu-2plane";/' \
		-e 's/host_rate = "400G";/host_rate = "200G"; planes = 2;/' \
		-e 's/fabric_rate = "800G";/fabric_rate = "400G";/' \
		topologies/railopt-8gpu.topo >"$out/topo/railopt-2.topo"
	cp topologies/railopt-8gpu.topo "$out/topo/railopt-1.topo"
	# 1,024 hosts in 4 pods of 8 leaves x 32 hosts at 400G: a leaf has 32 x 400G
	# down and 16 x 800G up (one link to each of the pod's 16 aggs), an agg 8 x
	# 800G down and 8 x 800G up (one to each core of its group): 1:1 throughout
	local p
	for p in 1 2; do
		local hr=400G fr=800G pl=""
		[ "$p" = 2 ] && hr=200G fr=400G pl="planes = 2;"
		cat >"$out/topo/ft1k-$p.topo" <<TOPO
# 1,024 hosts of 8-GPU servers, 3 tiers, 1:1 ($p plane(s)).
name = "ft1k-${p}plane";
mtu = 4096;
switch = { latency_ns = 600; buffer_mb = 160; };
fabric = { kind = "fattree"; hosts = 1024; pods = 4; leaves_per_pod = 8; hosts_per_leaf = 32;
	aggs_per_pod = 16; links_per_agg = 1; cores_per_group = 8; links_per_core = 1;
	$pl
	host_rate = "$hr"; fabric_rate = "$fr"; core_rate = "$fr";
	host_cable_m = 3.0; fabric_cable_m = 30.0; core_cable_m = 100.0; };
TOPO
	done
}

# The tier whose links fail: leaf to tier 2.
fail_tier() {
	case $1 in
	railopt) echo leaf-spine ;;
	ft1k) echo leaf-agg ;;
	esac
}

config_opts() {
	local spread=qp
	[ "$1" = spcx ] && spread=packet
	case $1 in
	roce) echo "--lb ecmp --cc dcqcn --rx gbn" ;;
	spcx) echo "--lb ar --cc telemetry --rx ddp" ;;
	*) echo "failures.sh: unknown configuration '$1' (roce or spcx)" >&2; return 2 ;;
	esac
	# dual plane: spcx sprays a QP's packets over the planes; RoCE spreads a
	# connection's QPs, so it gets two (one per plane), as NCCL would open
	# one per NIC port (NCCL_IB_QPS_PER_CONNECTION, net_ib.cc)
	if [ "$2" -gt 1 ]; then
		echo "--plane-spread $spread"
		[ "$1" = roce ] && echo "--qps $2"
	fi
	return 0
}

workload_opts() {
	case $1 in
	permutation) echo "--workload permutation --size $perm_size" ;;
	allreduce) echo "--workload allreduce --algo hier-tree --gpus-per-server 8 --size $ar_size" ;;
	*) echo "failures.sh: unknown workload '$1' (permutation or allreduce)" >&2; return 2 ;;
	esac
}

sweep_one() {
	local f=$1 p=$2 c=$3 w=$4 pct=$5 seed=$6
	local dir="$out/runs/$f-$p-$c-$w-$pct-$seed" fo="" co wo
	co=$(config_opts "$c" "$p" | tr '\n' ' ') && wo=$(workload_opts "$w") || return 2
	if [ -n "${RESUME:-}" ] && [ -s "$dir/summary.json" ]; then
		return 0
	fi
	[ "$pct" = 0 ] || fo="--fail $pct%@$(fail_tier "$f") --fail-seed $seed"
	mkdir -p "$dir"
	# shellcheck disable=SC2086 # the options are words
	"$FABSIM" run --topo "$out/topo/$f-$p.topo" $wo $co $fo --quiet --out "$dir" >"$dir/stdout.txt" 2>"$dir/stderr.txt" ||
		echo "failures.sh: $f $p-plane $c $w $pct% seed $seed failed, see $dir/stderr.txt" >&2
}

run_sweep() {
	local f p c w pct seed
	for f in $fabrics; do
		for p in $planes_list; do
			for c in $configs; do
				for w in $workloads; do
					for pct in $fractions; do
						for seed in $seeds; do
							# no failure: one draw is all there is
							[ "$pct" = 0 ] && [ "$seed" != "${seeds%% *}" ] && continue
							while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
								wait -n || true
							done
							sweep_one "$f" "$p" "$c" "$w" "$pct" "$seed" &
						done
					done
				done
			done
		done
	done
	wait
}

midrun_one() {
	local c=$1 delay=$2 dir="$out/midrun/$1-$2" co
	co=$(config_opts "$c" 1)
	if [ -n "${RESUME:-}" ] && [ -s "$dir/timeline.csv" ]; then
		return 0
	fi
	mkdir -p "$dir"
	# shellcheck disable=SC2086 # the options are words
	"$FABSIM" run --topo topologies/railopt-8gpu.topo --workload permutation --size 32M $co \
		--reroute-delay "$delay" --fail-at "$midrun_at" rail0-leaf0:spine0 --stop 2ms \
		--timeline --trace-interval 4us --quiet \
		--out "$dir" >"$dir/stdout.txt" 2>"$dir/stderr.txt" ||
		echo "failures.sh: mid-run $c $delay failed, see $dir/stderr.txt" >&2
}

run_midrun() {
	local c d
	for c in $configs; do
		for d in $midrun_delays; do
			while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
				wait -n || true
			done
			midrun_one "$c" "$d" &
		done
	done
	wait
}

write_topos
case $mode in
all) run_sweep; run_midrun ;;
sweep) run_sweep ;;
midrun) run_midrun ;;
esac

# runs.csv: one row per run: its figure and the ideal of that figure
echo "fabric,planes,config,workload,failed_pct,seed,figure,value,ideal,drops,retransmits,timeouts" >"$out/runs.csv"
for dir in "$out"/runs/*/; do
	[ -s "$dir/summary.json" ] || continue
	IFS=- read -r f p c w pct seed <<<"$(basename "$dir")"
	if [ "$w" = allreduce ]; then
		awk -F, -v key="$f,$p,$c,$w,$pct,$seed" "$CSV_AWK"'NR == 1 { csv_header(); next }
			{ b = col("busbw_GBps"); i = col("ideal_busbw_GBps")
			  # the ideal per NIC as busbw_per_nic is per NIC: the same scale
			  line = sprintf("%s,busbw_per_nic,%s,%s", key, col("busbw_per_nic"),
				  (b > 0 && i != "") ? i * col("busbw_per_nic") / b : "nan") }
			END { print line }' "$dir/collective.csv" | tr -d '\n' >>"$out/runs.csv"
		jq -r '",\([.jobs[0].results[-1].drops, .jobs[0].results[-1].retransmits, .jobs[0].results[-1].timeouts] | map(. // 0) | join(","))"' \
			"$dir/summary.json" >>"$out/runs.csv"
	else
		jq -r --arg k "$f,$p,$c,$w,$pct,$seed" \
			'"\($k),all_active_throughput,\(.all_active_throughput // "nan"),\(.ideal_all_active_throughput // "nan"),\(.drops),\(.retransmits),\(.timeouts)"' \
			"$dir/summary.json" >>"$out/runs.csv"
	fi
done

# sweep.csv: the mean over the failure draws of each point
awk -F, "$CSV_AWK"'NR == 1 { csv_header(); next }
	{ k = col("fabric") "," col("planes") "," col("config") "," col("workload") "," col("failed_pct")
	  if (!(k in n)) order[++nk] = k
	  n[k]++; v[k] += col("value"); i[k] += col("ideal")
	  if (!(k in lo) || col("value") < lo[k]) lo[k] = col("value")
	  if (!(k in hi) || col("value") > hi[k]) hi[k] = col("value") }
	END { print "fabric,planes,config,workload,failed_pct,draws,mean,min,max,ideal"
	      for (j = 1; j <= nk; j++) { k = order[j]
		printf "%s,%d,%.4f,%.4f,%.4f,%.4f\n", k, n[k], v[k] / n[k], lo[k], hi[k], i[k] / n[k] } }' \
	"$out/runs.csv" | { read -r h; echo "$h"; sort -t, -k1,1 -k2,2n -k3,3 -k4,4 -k5,5n; } >"$out/sweep.csv"

echo
echo "| fabric | planes | config | workload | failed | figure (mean of draws) | min..max | ideal | of ideal |"
echo "|---|---:|---|---|---:|---:|---|---:|---:|"
awk -F, "$CSV_AWK"'NR == 1 { csv_header(); next }
	{ printf "| %s | %d | %s | %s | %g%% | %.1f%% | %.1f..%.1f | %.1f%% | %.0f%% |\n", col("fabric"), col("planes"),
		col("config"), col("workload"), col("failed_pct"), 100 * col("mean"), 100 * col("min"), 100 * col("max"),
		100 * col("ideal"), (col("ideal") > 0 ? 100 * col("mean") / col("ideal") : 0) }' "$out/sweep.csv"

# midrun: the delivered share per interval, and its mean before the
# failure, in the 100 us after it and from then to the stop
at_us=$(awk -v t="$midrun_at" 'BEGIN { v = t + 0; if (t ~ /ms$/) v *= 1000; else if (t ~ /ns$/) v /= 1000; print v }')
echo "run,before,first_100us,after,link_drops,drops_no_route,timeouts,flows_done" >"$out/midrun.csv"
for dir in "$out"/midrun/*/; do
	[ -s "$dir/timeline.csv" ] || continue
	awk -F, "$CSV_AWK"'NR == 1 { csv_header(); next } { print col("time_us"), 100 * col("delivered_of_line") }' \
		"$dir/timeline.csv" >"$dir/delivered.dat"
	awk -v at="$at_us" -v run="$(basename "$dir")" '
		$1 > at - 150 && $1 <= at { b += $2; nb++ } $1 > at && $1 <= at + 100 { f += $2; nf++ }
		$1 > at + 100 && $1 <= at + 400 { a += $2; na++ }
		END { printf "%s,%.1f,%.1f,%.1f", run, nb ? b / nb : 0, nf ? f / nf : 0, na ? a / na : 0 }' \
		"$dir/delivered.dat" >>"$out/midrun.csv"
	jq -r '",\(.link_drops // 0),\(.drops_no_route // 0),\(.timeouts),\(.flows_done)"' "$dir/summary.json" >>"$out/midrun.csv"
done
echo
echo "| run (config-reroute delay) | 150 us before | 100 us after | 300 us after that | lost on the link | no route | timeouts | flows done by 2 ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
awk -F, "$CSV_AWK"'NR == 1 { csv_header(); next }
	{ printf "| %s | %.1f%% | %.1f%% | %.1f%% | %d | %d | %d | %d of 1024 |\n", col("run"), col("before"),
		col("first_100us"), col("after"), col("link_drops"), col("drops_no_route"), col("timeouts"),
		col("flows_done") }' "$out/midrun.csv"

command -v gnuplot >/dev/null || { echo "failures.sh: no gnuplot, no plots" >&2; exit 0; }
for f in $fabrics; do
	for w in $workloads; do
		dat="$out/sweep-$f-$w.dat"
		awk -F, -v f="$f" -v w="$w" "$CSV_AWK"'NR == 1 { csv_header(); next }
			col("fabric") == f && col("workload") == w {
				print col("planes") "-" col("config"), col("failed_pct"), 100 * col("mean"), 100 * col("min"),
					100 * col("max"), 100 * col("ideal") }' "$out/sweep.csv" >"$dat"
		[ -s "$dat" ] || continue
		fig="all-active throughput, % of line"
		[ "$w" = allreduce ] && fig="all-reduce bus bandwidth per NIC, % of line"
		gnuplot <<GP 2>>"$out/gnuplot.log" || echo "failures.sh: gnuplot failed, see $out/gnuplot.log" >&2
set terminal pngcairo size 900,520 noenhanced font 'Sans,11'
set output '$out/sweep-$f-$w.png'
set title "$f, $w (mean and range of the failure draws; dashed: the ideal)"
set xlabel 'failed leaf-to-spine links, %'
set ylabel '$fig'
set yrange [0:105]
set key outside right
set grid
plot for [k in "1-roce 1-spcx 2-roce 2-spcx"] '$dat' using (stringcolumn(1) eq k ? \$2 : 1/0):3:4:5 \
	with yerrorlines title (k[3:]).', '.(k[1:1]).' plane'.(k[1:1] eq '1' ? '' : 's'), \
     for [k in "1-roce 1-spcx 2-roce 2-spcx"] '$dat' using (stringcolumn(1) eq k ? \$2 : 1/0):6 \
	with lines dt 2 lc 'gray' notitle
GP
	done
done
if ls "$out"/midrun/*/delivered.dat >/dev/null 2>&1; then
	gnuplot <<GP 2>>"$out/gnuplot.log" || echo "failures.sh: gnuplot failed, see $out/gnuplot.log" >&2
set terminal pngcairo size 900,480 noenhanced font 'Sans,11'
set output '$out/midrun.png'
set title "railopt-8gpu, 32 MiB permutation: rail0-leaf0:spine0 (4 x 800G) fails at $midrun_at"
set xlabel 'simulated time, us'
set ylabel 'delivered to hosts, % of their line rate'
set arrow from $at_us,0 to $at_us,105 nohead dt 3
set yrange [0:105]
set key outside right
set grid
plot for [d in "$(cd "$out/midrun" && ls -d -- */ | tr -d / | tr '\n' ' ')"] '$out/midrun/'.d.'/delivered.dat' \
	using 1:2 with lines title d.' reroute'
GP
fi
