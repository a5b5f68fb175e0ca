#!/usr/bin/env bash
# Golden outputs: about 20 cases that run every fabsim subcommand, workload,
# load balancer, congestion control, receive mode, PFC/ECN/buffer option and
# collective algorithm on small presets with fixed seeds, and compare what
# they print and write byte for byte with tests/golden/CASE/. A change of the
# source tree that is meant to change nothing (issue 10) must pass unchanged;
# an intended change of output is regenerated with --update and explained in
# its commit.
#
# usage: tests/golden.sh [--update] [FABSIM] [FILTER]
#   FABSIM  the binary, default build/fabsim (relative to where you run it)
#   FILTER  an extended regex: only the cases whose name matches
#
# Each case is a few fabsim commands run from the repository root, with their
# output folders under a scratch folder W. tests/golden/CASE/ holds:
#   transcript.txt  each command, its exit status, stdout and stderr
#   files.txt       every file the case wrote under W (images by name only)
#   W/...           each text file it wrote (CSV, JSON, report.md, .gp, .dot)
# Inputs the cases read are in tests/golden/input/.
#
# Normalised, so that the same binary gives the same bytes on any machine:
# the scratch path becomes @W@ (and the repository root @ROOT@); wall-clock
# time, events per second and peak RSS (JSON keys wall_s, events_per_s,
# peak_rss_kb, CSV columns of those names, the "engine" line of the summary
# table) become @. PNG and SVG plots depend on the gnuplot version: only
# their names are kept.
set -u
# The locale of a fresh Debian root (C): gnuplot and sort behave there as
# in CI's fresh-root run, not as under this machine's C.UTF-8.
export LC_ALL=C
update=0
if [ "${1-}" = --update ]; then
	update=1
	shift
fi
FABSIM=${1:-build/fabsim}
FILTER=${2:-}
case $FABSIM in
/*) ;;
*) [ -n "${1-}" ] && FABSIM=$PWD/$FABSIM ;;
esac
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
LABEL=golden
. tests/lib.sh
GOLD=tests/golden
IN=$GOLD/input
if [ ! -x "$FABSIM" ]; then
	echo "golden: no fabsim at $FABSIM (build it, or give its path)" >&2
	exit 2
fi

# ---- running and recording -------------------------------------------------

# fs ARGS...: run fabsim with ARGS from the repository root; the transcript
# gets the command, its exit status, then stdout and stderr if not empty.
fs() {
	local rc
	timeout 120 "$FABSIM" "$@" >"$tmp/step.out" 2>"$tmp/step.err" </dev/null
	rc=$?
	{
		printf '$ fabsim'
		[ $# -gt 0 ] && printf ' %q' "$@"
		echo
		printf 'exit %d\n' "$rc"
		if [ -s "$tmp/step.out" ]; then
			echo '--- stdout'
			cat "$tmp/step.out"
		fi
		if [ -s "$tmp/step.err" ]; then
			echo '--- stderr'
			cat "$tmp/step.err"
		fi
		echo
	} >>"$log"
}

# a literal string as a sed regex (paths of mktemp and the checkout)
sedesc() { printf '%s' "$1" | sed 's/[][\.*^$|/]/\\&/g'; }

# norm FILE: the machine-dependent parts of one output file, rewritten in place
norm() {
	local f=$1
	case $f in
	*.csv)
		# columns measured on the wall clock, by their header name
		awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^(wall_s|events_per_s|peak_rss_kb)$/) w[i] = 1 }
			NR > 1 { for (i in w) if (i <= NF) $i = "@" } { print }' "$f" >"$f.n" && mv "$f.n" "$f"
		;;
	esac
	sed -i -e "s/$(sedesc "$W")/@W@/g" -e "s/$(sedesc "$ROOT")/@ROOT@/g" -e "s/$(sedesc "$tmp")/@TMP@/g" \
		-e 's/"\(wall_s\|events_per_s\|peak_rss_kb\)": *[-+0-9.eE]*/"\1": "@"/g' \
		-e 's/\( packet hops) in \)[0-9.]* s: [0-9.]* M events\/s, peak RSS [0-9]* MiB/\1@ s: @ M events\/s, peak RSS @ MiB/' \
		"$f"
}

# collect CASE: transcript, file list and normalised text files into $tmp/got/CASE
collect() {
	local c=$1 dst=$tmp/got/$1 f
	mkdir -p "$dst"
	mv "$log" "$dst/transcript.txt"
	norm "$dst/transcript.txt"
	(cd "$W" && find . -type f | sed 's|^\./||' | LC_ALL=C sort) >"$dst/files.txt"
	while read -r f; do
		case $f in
		*.png | *.svg) continue ;;
		esac
		mkdir -p "$dst/W/$(dirname "$f")"
		cp "$W/$f" "$dst/W/$f"
		norm "$dst/W/$f"
	done <"$dst/files.txt"
}

# ---- the cases ---------------------------------------------------------------
# One function each, case_NAME; W is its scratch folder. Small presets and
# sizes keep the whole script to seconds.

S=topologies/small-800g.topo
R=topologies/railopt-demo.topo
X=topologies/tiny-explicit.topo
V=topologies/softroce-vm.topo
O=topologies/leafspine-oversub.topo

case_help() {
	local c
	fs --help
	fs --version
	fs
	for c in topo run report sched predict; do fs $c --help; done
}

# bad usage (exit 2) and bad input (exit 1): the message names the option or FILE:LINE
case_errors() {
	fs frobnicate
	fs run
	fs run -t $S --lb magic
	fs run -t $S --window 8T -o ""
	fs run -t $S --ecn-kmin 800G=x
	fs run -t $S --pfc-xoff 1M --pfc-xon 2M -o ""
	fs run -t $R -w allreduce -a magic
	fs run -t $R -w allreduce -a hier -n 12 -s 1M -o "$W/x"
	fs run -t $IN/nope.topo
	fs run -t $S -f $IN/bad.flows -o "$W/x"
	fs topo $IN/bad-rate.topo
	fs sched -a spiral
	fs sched -a hier -n 6 --gpus-per-server 4
	fs report -o "$W/x" "$W/nope"
	fs predict --topo $R
	fs predict --bench $IN/truncated.json --topo $R -o "$W/x"
}

case_topo_tiny() {
	fs topo $X
	fs topo --json $X
	fs topo --dot - $X
	fs topo --dot "$W/tiny.dot" $X
}

case_topo_presets() {
	local t
	for t in small-800g leafspine-oversub railopt-demo railopt-8gpu sn5600-2tier softroce-vm colossus-100k colossus-2plane; do
		fs topo topologies/$t.topo
	done
	fs topo -j $R
}

# permutation, default ECMP, PFC on, no CC, DDP receive
case_run_ecmp() {
	fs run -t $S -s 256K -o "$W/out"
}

case_run_flowlet() {
	fs run -t $S -s 256K -l flowlet --flowlet-gap 500ns -S 7 -o "$W/out"
}

case_run_spray() {
	fs run -t $S -s 256K -l spray -q 4 --mtu 1024 -S 3 -o "$W/out"
}

# adaptive routing with a sampled uplink: trace.csv
case_run_ar_trace() {
	fs run -t $S -s 256K -l ar --trace-port leaf0:spine0 --trace-interval 500ns -o "$W/out"
}

# ECMP polarization: every switch hashes with one seed, on an oversubscribed fabric
case_run_same_seed() {
	fs run -t $O -s 128K --same-seed -S 5 -o "$W/out"
}

case_run_alltoall_gbn() {
	fs run -t $X -w alltoall -s 64K -r gbn --ack-every 1 -o "$W/out"
}

case_run_incast_dcqcn() {
	fs run -t $S -w incast --incast-senders 8 --incast-dst 5 -s 512K -c dcqcn --cnp-interval 10us \
		--trace-port leaf0:h5 -o "$W/out"
	fs run -t $S -w incast --incast-senders 8 -s 512K -c dcqcn --dcqcn-params paper --quiet -o "$W/paper"
}

case_run_incast_telemetry() {
	fs run -t $S -w incast --incast-senders 8 -s 512K -c telemetry --eta 0.9 -o "$W/out"
}

# lossy: drops, go-back-N retransmits and timeouts, static buffer thresholds
case_run_lossy() {
	fs run -t $S -w incast --incast-senders 12 -s 256K --no-pfc -r gbn --buffer 1M --alpha 0 --rto 20us \
		--window unlimited -o "$W/gbn"
	fs run -t $S -w incast --incast-senders 12 -s 256K --no-pfc --no-ecn --buffer 1M --rto 20us \
		--window unlimited -o "$W/ddp"
}

# PFC with explicit thresholds, ECN per link speed
case_run_pfc_ecn() {
	fs run -t $S -w incast --incast-senders 12 -s 256K --window unlimited --pfc-xoff 64K --pfc-xon 48K \
		--pfc-headroom 96K --ecn-kmin 800G=50K --ecn-kmax 800G=200K --ecn-pmax 0.5 \
		--trace-port leaf0:h0 -o "$W/out"
}

# a flow file with start times; --json; --stop before the end (exit 3)
case_run_flows() {
	fs run -t $X -w flows -f $IN/mixed.flows --json -o "$W/out"
	fs run -t $X -w flows -f $IN/mixed.flows --stop 2us -o "$W/stop"
}

case_coll_ring() {
	fs run -t $R -w allreduce -a ring -n 16 -s 64K:256K:x4 --channels 2 --chunk 64K -o "$W/out"
}

case_coll_tree() {
	fs run -t $R -w allreduce -a tree -n 16 --placement random --dtype bfloat16 -s 256K -l spray -S 9 -o "$W/out"
}

# recursive halving-doubling; allgather (ring: rhd and tree are allreduce only)
case_coll_rhd() {
	fs run -t $R -w allreduce -a rhd -n 16 -s 128K -o "$W/out"
	fs run -t $R -w allgather -a ring -n 8 -s 128K -l ar -o "$W/ag"
}

case_coll_hier() {
	fs run -t $R -w allreduce -a hier -n 32 --gpus-per-server 8 --nvlink-rate 1800G --nvlink-latency 2us \
		-s 256K:1M:+768K -c dcqcn --dcqcn-params paper -o "$W/out"
}

case_coll_alltoall() {
	fs run -t $R -w all-to-all -n 16 -s 64K --dtype int32 -o "$W/out"
	fs run -t $X -w reducescatter -a ring -s 64K --dtype half -r gbn -o "$W/rs"
}

# two jobs at once plus background traffic on the hosts they leave free
case_coll_jobs() {
	fs run -t $R --jobs $IN/two.jobs -s 128K --background 256K -o "$W/out"
}

case_sched() {
	fs sched
	fs sched -w allgather -n 4 -s 8K
	fs sched -a rhd -n 8 -s 8K
	fs sched -w reducescatter -a ring -n 3 -s 1000 --dtype half
	fs sched -w alltoall -n 4 -s 4K
	fs sched -a tree -n 7 -s 1M --chunk 64K -q
	fs sched -a hier -n 8 --gpus-per-server 4 --channels 2 -s 1M -q
	fs sched -a rhd -n 6 -s 96K -q
}

# a fabbench run on Soft-RoCE, placed by the topology's hostmap, calibrated from p2p
case_predict_softroce() {
	fs predict --bench $IN/softroce-4ranks.json --topo $V -o "$W/out"
}

# a simulated run fed back with every option; a map file instead of a hostmap
case_predict_sim() {
	fs run -t $R -w allreduce -a ring -n 16 --placement random -s 64K:256K:x4 -l ar \
		--bench-json "$W/bench.json" --quiet -o "$W/run"
	fs predict --bench "$W/bench.json" --topo $R -l ar -c telemetry -r gbn -S 3 -o "$W/pred"
	fs predict --bench "$W/bench.json" --topo $R --rate 350G --overhead 2us --reduce-rate 2000G -c dcqcn -o "$W/fixed"
	fs predict --bench $IN/softroce-4ranks.json --topo $X --map $IN/tiny.map -o "$W/map"
}

# report over flow runs with traced ports, a collective sweep and a prediction
case_report() {
	fs run -t $S -s 256K -l ecmp --trace-port leaf0:spine0 --quiet -o "$W/res/ecmp"
	fs run -t $S -s 256K -l ar --trace-port leaf0:spine0 --quiet -o "$W/res/ar"
	fs run -t $R -w allreduce -a ring -n 16 -s 64K:256K:x4 -l ar -c telemetry \
		--trace-port rail0-leaf0:spine0 --quiet -o "$W/res/coll"
	fs predict --bench $IN/softroce-4ranks.json --topo $V -o "$W/res/pred"
	fs report -o "$W/rep" "$W/res"
	fs report --port leaf0:spine1 -o "$W/rep-port" "$W/res/ecmp"
}

# ---- run, compare or update ----------------------------------------------------

cases=$(declare -F | sed -n 's/^declare -f case_//p' | tr _ - | LC_ALL=C sort)
ran=0
for c in $cases; do
	[ -n "$FILTER" ] && ! printf '%s\n' "$c" | grep -Eq -- "$FILTER" && continue
	# make check T=PATTERN, when tests/lib.sh has it (tmatch)
	declare -F tmatch >/dev/null && ! tmatch "$c" && continue
	ran=$((ran + 1))
	W=$tmp/w/$c
	log=$tmp/log
	mkdir -p "$W"
	: >"$log"
	"case_${c//-/_}"
	collect "$c"
	want=$GOLD/$c
	if [ "$update" -eq 1 ]; then
		if [ ! -d "$want" ]; then
			echo "golden: $c: new"
		elif ! diff -r "$want" "$tmp/got/$c" >/dev/null; then
			echo "golden: $c: changed:"
			diff -rq "$want" "$tmp/got/$c" | sed "s|$tmp/got/|new/|; s/^/    /"
		fi
		rm -rf "$want"
		cp -r "$tmp/got/$c" "$want"
		ok "$c (updated)"
	elif diff -ru "$want" "$tmp/got/$c" >"$tmp/diff" 2>&1; then
		ok "$c"
	else
		rm -f "$tmp/err"
		bad "$c"
		sed -e "s|$tmp/got/|new/|g" -e 's/^\(\(---\|+++\) [^\t]*\)\t.*/\1/' "$tmp/diff" | head -40 | sed 's/^/    /'
		n=$(wc -l <"$tmp/diff")
		[ "$n" -gt 40 ] && echo "    ... ($n lines of diff in all)"
	fi
done
# a full update drops the folders of cases that no longer exist
if [ "$update" -eq 1 ] && [ -z "$FILTER" ]; then
	for d in "$GOLD"/*/; do
		d=${d%/}
		n=${d##*/}
		[ "$n" = input ] && continue
		printf '%s\n' "$cases" | grep -qx -- "$n" || { echo "golden: $n: removed"; rm -rf "$d"; }
	done
fi
[ "$ran" -eq 0 ] && [ -n "$FILTER" ] && echo "golden: no case matches '$FILTER'" >&2 && fail=$((fail + 1))
[ "$fail" -gt 0 ] && [ "$ran" -gt 0 ] &&
	echo "golden: if a change is intended, 'bash tests/golden.sh --update FABSIM CASE' rewrites tests/golden/CASE"
finish
