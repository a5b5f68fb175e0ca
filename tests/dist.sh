#!/usr/bin/env bash
# A run split over processes (mpirun -np N fabsim run) gives the serial
# run's results byte for byte: summary.json (wall-clock and process fields
# aside), flows.csv, links.csv and trace.csv, for N = 1..4 (3 and 4
# oversubscribed on a 2-core machine), on permutations with ECMP and AR,
# an incast under PFC whose pauses cross the cuts, DCQCN and telemetry CC,
# and --stop; and for collectives (collective.csv and largest/ too): ring,
# tree and hierarchical all-reduce, two jobs with background traffic, a
# fat-tree split by pod, and a lossy all-to-all whose retransmissions reach
# transfers already finished. Also: the parts printed, what is refused,
# and a killed process ending the job with its name.
# usage: tests/dist.sh [BUILD/fabsim]
set -u
FABSIM=$(realpath "${1:-build/fabsim}")
LABEL=dist
. "$(dirname "$0")/lib.sh"
T=topologies/small-800g.topo
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# up to 4 processes on 2 cores: a rank that waits yields its core to one that works
export OMPI_MCA_mpi_yield_when_idle=1

if ! command -v mpirun >/dev/null; then
	echo "dist: no mpirun (install openmpi-bin: make deps)" >&2
	echo "$LABEL: 0 passed, 0 failed, 1 skipped"
	exit 1
fi

mpi() { local np=$1; shift; timeout 300 mpirun -np "$np" "$FABSIM" "$@"; }

. "$(dirname "$0")/dist_same.sh"

# same NAME ARGS...: serial, then -np 2, 3, 4: every output file identical
# (a collective's too: collective.csv, largest/), NPS overrides the counts
same() {
	local name=$1 np f d rc
	shift
	tmatch "$name" || return 0
	rm -rf "$tmp/s" "$tmp"/p?
	timeout 300 "$FABSIM" run "$@" -o "$tmp/s" --quiet >"$tmp/err" 2>&1
	rc=$?
	for np in ${NPS:-2 3 4}; do
		d="$tmp/p$np"
		mpi "$np" run "$@" -o "$d" --quiet >>"$tmp/err" 2>&1
		if [ $? -ne "$rc" ]; then
			echo "    -np $np: exit status differs from the serial run's $rc" >>"$tmp/err"
			bad "$name"
			return
		fi
		if ! dist_same "$tmp/s" "$d" "$tmp/err"; then
			echo "    (-np $np)" >>"$tmp/err"
			bad "$name"
			return
		fi
	done
	ok "$name"
}

# 16 senders on other leaves into host 0: PFC pauses travel back across the cuts
for i in $(seq 16 2 47); do echo "$i 0 256K"; done >"$tmp/incast.flows"

same "permutation, ECMP" -t "$T" -w permutation -s 1M
same "permutation, AR" -t "$T" -w permutation -s 1M -l ar
same "incast across leaves, PFC" -t "$T" -w flows -f "$tmp/incast.flows"
same "incast across leaves, DCQCN" -t "$T" -w flows -f "$tmp/incast.flows" --cc dcqcn
same "permutation, telemetry CC, AR, go-back-N" -t "$T" -w permutation -s 1M -l ar --cc telemetry --rx gbn
same "permutation, spray, 2 QPs" -t "$T" -w permutation -s 512K -l spray --qps 2
same "--trace-port of a port in the last part" -t "$T" -w permutation -s 1M -l ar --trace-port leaf7:spine3 \
	--trace-interval 500ns
same "--trace-port of a port in part 0, DCQCN" -t "$T" -w flows -f "$tmp/incast.flows" --cc dcqcn --trace-port leaf0:h0
# 10 ns samples: about 12 per window, and the default trace halves itself 4 times
same "default trace halving, windows of 12 samples" -t "$T" -w permutation -s 1M -l ar --trace-interval 10ns
same "--stop in mid-run (exit 3, partial results)" -t "$T" -w permutation -s 4M --stop 20us
# 4 pods of 4 leaves x 4 hosts, 4 aggregation switches each, 4 core groups of 2
cat >"$tmp/ft.topo" <<'EOF'
name = "ft-64";
fabric = { kind = "fattree"; pods = 4; leaves_per_pod = 4; hosts_per_leaf = 4; aggs_per_pod = 4;
	cores_per_group = 2; host_rate = "400G"; fabric_rate = "800G"; };
EOF
same "all-to-all, 3-tier fat-tree split by pod" -t "$tmp/ft.topo" -w alltoall -s 16K -l ar

# collectives: transfers start where their rank is, dependencies cross the cuts as notes
R=topologies/railopt-demo.topo
same "ring all-reduce, 128 ranks, a size sweep" -t "$T" -w allreduce -a ring -s 256K:4M:x4
same "tree all-reduce under DCQCN, AR" -t "$T" -w allreduce -a tree -s 2M --cc dcqcn -l ar
same "hierarchical all-reduce, servers of 8 GPUs" -t "$R" -w allreduce -a hier-tree -s 8M
same "two jobs and background traffic sharing the fabric" -t "$R" --jobs tests/golden/input/two.jobs -s 128K \
	--background 256K
same "ring all-reduce on a 3-tier fat-tree split by pod" -t "$tmp/ft.topo" -w allreduce -a ring -s 1M
# links failed from the start: every part routes around them with the same table
same "permutation, AR, 10% of leaf-spine links failed" -t "$T" -w permutation -s 1M -l ar --fail 10%@leaf-spine \
	--fail-seed 2
same "ring all-reduce, ECMP, a degraded and a failed link" -t "$T" -w allreduce -a ring -s 1M \
	--fail leaf0:spine1=400G --fail leaf5:spine3
# drops, go-back-N, timeouts: packets of transfers whose halves a part has recycled
NPS="2 4" same "lossy all-to-all: retransmissions after a transfer finished" -t topologies/leafspine-oversub.topo \
	-w all-to-all -s 4M --no-pfc --no-ecn -r gbn --buffer 256K --rto 10us --window unlimited --alpha 0

# a ring of 5 switches, each host sending 2 hops clockwise: PFC pauses in a
# cycle stop everything, and the watchdog (over every part) says so at the
# same instant whatever the split
{
	printf 'switch = { latency_ns = 600; buffer_mb = 1; };\n'
	printf 'fabric = { kind = "explicit"; host_rate = "800G"; fabric_rate = "800G"; cable_m = 10.0;\n nodes = ('
	for i in 0 1 2 3 4; do
		[ $i -gt 0 ] && printf ', '
		printf '{ name = "h%d"; kind = "host"; }, { name = "s%d"; kind = "switch"; }' $i $i
	done
	printf ');\n links = ('
	for i in 0 1 2 3 4; do
		[ $i -gt 0 ] && printf ', '
		printf '("h%d", "s%d"), ("s%d", "s%d")' $i $i $i $(((i + 1) % 5))
	done
	printf ');\n};\n'
} >"$tmp/ring5.topo"
for i in 0 1 2 3 4; do echo "$i $(((i + 2) % 5)) 64M"; done >"$tmp/ring5.flows"
same "PFC deadlock on a ring: status, exit 3, same instant" -t "$tmp/ring5.topo" -w flows -f "$tmp/ring5.flows" --stop 1s
if tmatch "PFC deadlock on a ring: status, exit 3, same instant"; then
	mpi 3 run -t "$tmp/ring5.topo" -w flows -f "$tmp/ring5.flows" --stop 1s -o "" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	grep -q "PFC deadlock at" "$tmp/err" && [ $rc -eq 3 ] || { echo "    exit $rc" >>"$tmp/err"; bad "deadlock reported by -np 3"; }
fi

if tmatch "the parts and the lookahead are printed"; then
	mpi 2 run -t "$T" -s 64K -o "" >"$tmp/out" 2>"$tmp/err"
	if grep -q '^part 1: 76 nodes, 64 hosts, 12 switches, 256 ports, 64 cut links' "$tmp/out" &&
		grep -q '^lookahead: 100.840 ns' "$tmp/out" && [ "$(grep -c '^flows  ' "$tmp/out")" -eq 1 ]; then
		ok "the parts and the lookahead are printed"
	else
		bad "the parts and the lookahead are printed"
	fi
fi
expect "summary.json records processes, partition, lookahead" 0 '"lookahead_ps": 100840' \
	sh -c "mpirun -np 2 '$FABSIM' run -t $T -s 64K -o '$tmp/j' --quiet && cat '$tmp/j/summary.json'"
expect "--partition pod on a 2-tier fabric is refused" 1 "pod" mpi 2 run -t "$T" -s 64K -o "" --partition pod
expect "--partition: a bad mode" 2 "expected auto, pod or leaf" mpi 2 run -t "$T" -s 64K -o "" --partition x
# servers of 32 GPUs on a leaf-spine of 16 hosts a leaf: 3 parts of 3, 3 and 2 leaves cut one
expect "a job whose servers a split would cut is refused" 1 "a split run keeps servers whole" \
	mpi 3 run -t "$T" -w allreduce -a hier --gpus-per-server 32 -s 1M -o ""
expect "--trace-port: an unknown port, every part says so" 2 "expected a port index below" \
	mpi 2 run -t "$T" -s 64K -o "$tmp/tp" --trace-port leaf0:nowhere
# link changes during a run are not split yet: every part says so
expect "--fail-at under mpirun is refused" 1 "not supported in a run split over processes" \
	mpi 2 run -t "$T" -s 64K -o "" --fail-at 10us leaf0:spine0
expect "errors name the process" 2 '^\[part 1/2\] ' mpi 2 run -t "$T" --partition x

# what a split would be, without running it: 8 leaf groups of small-800g, 2 or 16 parts
expect "topo --parts 2: the parts and the lookahead" 0 "part 1: 76 nodes, 64 hosts, 12 switches, 256 ports, 64 cut links" \
	"$FABSIM" topo --parts 2 "$T"
expect "topo --parts 9: more parts than leaf groups is refused" 1 "--parts 9: " "$FABSIM" topo --parts 9 "$T"

# a process killed mid-run: mpirun ends the job and names it, in seconds
if tmatch "a killed process ends the job, named"; then
	mpirun -np 2 "$FABSIM" run -t "$T" -s 512M -o "" --quiet >"$tmp/out" 2>"$tmp/err" &
	job=$!
	sleep 3
	# the last rank started (no pgrep: procps is not in a minimal root)
	victim=
	for p in /proc/[0-9]*; do
		c=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
		[[ $c == "$FABSIM run -t $T -s 512M"* ]] && victim=${p#/proc/}
	done
	t0=$SECONDS
	[ -n "$victim" ] && kill -9 "$victim"
	wait "$job"
	rc=$?
	if [ -n "$victim" ] && [ "$rc" -ne 0 ] && [ $((SECONDS - t0)) -le 10 ] &&
		grep -qiE 'rank [01]|process name' "$tmp/err"; then
		ok "a killed process ends the job, named"
	else
		echo "    exit $rc after $((SECONDS - t0)) s" >>"$tmp/err"
		bad "a killed process ends the job, named"
	fi
fi

finish
