#!/usr/bin/env bash
# The flagship experiment: the ablation ladder from RoCE as deployed to
# Spectrum-X style on a rail-optimized SN5600-class fabric, one mechanism at
# a time, for ring and hierarchical all-reduce and all-to-all, every
# configuration over several seeds (ECMP's result is a draw of hashes).
#
#   bash experiments/flagship.sh            # full: railopt-8gpu, 1,024 GPUs
#   bash experiments/flagship.sh demo       # reduced: railopt-demo, 256 GPUs
#   bash experiments/flagship.sh table [FILE]   # the tables of a ladder.csv again
#   bash experiments/flagship.sh gather     # ladder.csv, tables and plots of what OUT holds
#
# Collectives run as NCCL runs them (fabsim's defaults): one ring per NIC
# of a server, PXN on, one QP per connection, messages round-robin over a
# connection's QPs. Ranks are placed on servers in random order (a
# scheduler's view of a shared cluster).
#
# The ladder (bar order in the plot):
#   0 RoCE as deployed   ECMP, DCQCN (ConnectX rules), go-back-N, NCCL defaults
#   1 + 4 QPs            NCCL_IB_QPS_PER_CONNECTION=4, as production RoCE
#                        clusters tune for ECMP entropy
#   2 + flowlet          flowlet switching instead of ECMP
#   3 + AR               per-packet adaptive routing (still go-back-N)
#   4 + out-of-order     direct data placement at the NIC
#   5 + telemetry CC     everything: Spectrum-X style with 4 QPs
#   6 Spectrum-X style   AR, telemetry CC, out-of-order, NCCL defaults
#   7..9                 Spectrum-X style minus one mechanism each
#
# Environment: SIZES (a fabsim --size sweep, default 64M:1G:x4 full, 64M
# demo), SEEDS (a --seeds range, default 1:5), WORKLOADS (default "ring
# hier all-to-all" full, "ring hier" demo), CONFIGS (names below, default
# all), JOBS (simulations at once, default the cores), OUT, FABSIM,
# RESUME=1 (keep the configurations that already have results: finish an
# interrupted run, or gather runs made separately into one ladder.csv).
#
# Writes OUT/<workload>/<config>/ (each a fabsim run folder whose
# collective.csv keeps every seed), OUT/ladder.csv (one row per workload,
# size, configuration and seed: what `fabsim report` draws as the
# contribution chart) and prints a markdown table per workload: busbw per
# NIC of the server (busbw / (8 NICs x NIC rate)), mean [min..max] over
# the seeds.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
FABSIM=${FABSIM:-build/fabsim}
mode=${1:-full}
if [ "$mode" = gather ]; then
	out=${OUT:-results/flagship}
	workloads=${WORKLOADS:-ring hier all-to-all}
elif [ "$mode" = demo ]; then
	topo=topologies/railopt-demo.topo sizes=${SIZES:-64M} out=${OUT:-results/demo}
	workloads=${WORKLOADS:-ring hier}
else
	topo=topologies/railopt-8gpu.topo sizes=${SIZES:-64M:1G:x4} out=${OUT:-results/flagship}
	workloads=${WORKLOADS:-ring hier all-to-all}
fi
seeds=${SEEDS:-1:5}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 1)}

# name|order|label|options
ladder=(
	"roce|0|RoCE as deployed|--lb ecmp --cc dcqcn --rx gbn"
	"qps4|1|+ 4 QPs/conn|--lb ecmp --cc dcqcn --rx gbn --qps 4"
	"flowlet|2|+ flowlet|--lb flowlet --cc dcqcn --rx gbn --qps 4"
	"ar|3|+ AR|--lb ar --cc dcqcn --rx gbn --qps 4"
	"ooo|4|+ out-of-order|--lb ar --cc dcqcn --rx ddp --qps 4"
	"tele|5|+ telemetry CC|--lb ar --cc telemetry --rx ddp --qps 4"
	"spcx|6|Spectrum-X style|--lb ar --cc telemetry --rx ddp"
	"spcx-tele|7|SpX - telemetry (DCQCN)|--lb ar --cc dcqcn --rx ddp"
	"spcx-ooo|8|SpX - out-of-order (GBN)|--lb ar --cc telemetry --rx gbn"
	"spcx-ar|9|SpX - AR (ECMP)|--lb ecmp --cc telemetry --rx ddp"
)
want=${CONFIGS:-}

selected() {
	[ -z "$want" ] && return 0
	case " $want " in *" $1 "*) return 0 ;; esac
	return 1
}

# one simulation: workload, config entry
run_one() {
	local w=$1 entry=$2 name opts wl
	IFS='|' read -r name _ _ opts <<<"$entry"
	case $w in
	ring) wl="--workload allreduce --algo ring" ;;
	hier) wl="--workload allreduce --algo hier" ;;
	all-to-all) wl="--workload all-to-all" ;;
	*) echo "flagship.sh: unknown workload '$w' (ring, hier or all-to-all)" >&2; return 2 ;;
	esac
	if [ -n "${RESUME:-}" ] && [ -s "$out/$w/$name/collective.csv" ]; then
		return 0
	fi
	# shellcheck disable=SC2086 # the options are words
	"$FABSIM" run --topo "$topo" $wl --placement random --size "$sizes" --seeds "$seeds" \
		$opts --quiet --out "$out/$w/$name"
}

# the tables: busbw per NIC of the server, mean [min..max] over the seeds,
# one per workload of ladder.csv $1
tables() {
	local w
	for w in $(awk -F, 'NR > 1 && !seen[$1]++ { print $1 }' "$1"); do
		echo
		echo "$w: busbw per NIC of the server, % (mean [min..max] over the seeds)"
		awk -F, -v w="$w" "$CSV_AWK"'
		NR == 1 { csv_header(); next }
		col("workload") != w { next }
		{
			k = col("order") SUBSEP col("size_bytes"); v = 100 * col("busbw_per_nic")
			if (!(k in n)) { lo[k] = v; hi[k] = v }
			n[k]++; sum[k] += v; if (v < lo[k]) lo[k] = v; if (v > hi[k]) hi[k] = v
			seeds[k] = seeds[k] " " col("seed")
			label[col("order")] = col("label"); sz[col("size_bytes")] = 1
			if (col("order") > maxo) maxo = col("order")
		}
		function human(b) {
			if (b >= 1073741824) return sprintf("%g GiB", b / 1073741824)
			if (b >= 1048576) return sprintf("%g MiB", b / 1048576)
			return sprintf("%g KiB", b / 1024)
		}
		END {
			ns = 0
			for (s in sz) list[++ns] = s + 0
			for (i = 1; i <= ns; i++) for (j = i + 1; j <= ns; j++) if (list[j] < list[i]) { t = list[i]; list[i] = list[j]; list[j] = t }
			h = "| configuration |"; d = "|---|"
			for (i = 1; i <= ns; i++) { h = h " " human(list[i]) " |"; d = d "---:|" }
			print h; print d
			for (o = 0; o <= maxo; o++) {
				if (!(o in label)) continue
				line = "| " label[o] " |"
				for (i = 1; i <= ns; i++) {
					k = o SUBSEP list[i]
					if (!(k in n)) line = line " |"
					else if (n[k] == 1) line = line sprintf(" %.1f |", sum[k])
					else line = line sprintf(" %.1f [%.1f..%.1f] |", sum[k] / n[k], lo[k], hi[k])
				}
				print line
			}
		}' "$1"
	done
}

if [ "$mode" = table ]; then
	tables "${2:-$out/ladder.csv}"
	exit 0
fi
mkdir -p "$out"
rm -f "$out/.failed"
[ "$mode" = gather ] || for w in $workloads; do
	for entry in "${ladder[@]}"; do
		selected "${entry%%|*}" || continue
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
			wait -n || true
		done
		{ run_one "$w" "$entry" || echo "$w ${entry%%|*}" >>"$out/.failed"; } &
	done
done
wait
if [ -s "$out/.failed" ]; then
	echo "flagship.sh: simulations failed (see above): $(tr '\n' ';' <"$out/.failed")" >&2
	exit 1
fi

# ladder.csv: every seed's row of every configuration, by column name (lib.sh)
echo "workload,size_bytes,order,config,label,seed,busbw_GBps,busbw_per_nic,nic_busy,time_us,topology,ranks" >"$out/ladder.csv"
for w in $workloads; do
	for entry in "${ladder[@]}"; do
		IFS='|' read -r name order label _ <<<"$entry"
		selected "$name" || continue
		# gather: what OUT holds
		[ -s "$out/$w/$name/collective.csv" ] || [ "$mode" != gather ] || continue
		awk -F, -v w="$w" -v n="$name" -v o="$order" -v l="$label" -v t="$(jq -r '.topology // ""' "$out/$w/$name/summary.json")" "$CSV_AWK"'
			NR == 1 { csv_header(); next }
			{ printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", w, col("size_bytes"), o, n, l, col("seed"),
				col("busbw_GBps"), col("busbw_per_nic"), col("nic_busy"), col("time_us"), t, col("ranks") }' \
			"$out/$w/$name/collective.csv" >>"$out/ladder.csv"
	done
done

tables "$out/ladder.csv"
# the ladder charts, then each workload's configurations side by side
"$FABSIM" report -o "$out" "$out" >/dev/null 2>&1 || true
for w in $workloads; do
	[ -d "$out/$w" ] && { "$FABSIM" report -o "$out/report-$w" "$out/$w" >/dev/null 2>&1 || true; }
done
