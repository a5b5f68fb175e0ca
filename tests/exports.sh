#!/usr/bin/env bash
# Every function a library exports is called from another file (issue 10:
# "exported functions that nobody calls go"). For each archive of BUILD
# (lib/libsim-*.a, lib/libcoll.a, libvb.a) and for fabbench's own objects,
# nm lists the global functions (T) each object defines and the symbols
# every other object leaves undefined (U): the archives, fabsim's main.o
# and fabbench's objects. A function no other object of the programs
# references is
#   dead       referenced by no test either: delete it, or make it static
#              when its own file uses it;
#   test API   referenced only by tests/ and tests/fuzz/ (compiled here to
#              objects): allowed only when listed in TEST_API below with
#              the reason a test calls it directly; otherwise static too.
# One ok/bad line per archive; a bad one lists OBJECT: FUNCTION.
#
#   bash tests/exports.sh [BUILD]   (default build; needs fabsim and
#                                    fabbench built there)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
LABEL=exports
. "$root/tests/lib.sh"
build=${1:-build}

# Functions only tests call, on purpose: the reason is the contract they
# check directly. A name here that a program calls, or that no longer
# exists, is reported too, so the list cannot go stale.
declare -A TEST_API=(
	[coll_sched_check_oop]="the out-of-place checker: the tests prove coll_sched_oop with it for every algorithm; fabbench runs the proven annotation"
	[coll_bf16_to_float]="reduce.c's kernels inline the conversions; their rounding is checked alone"
	[coll_float_to_bf16]="as coll_bf16_to_float"
	[coll_f16_to_float]="as coll_bf16_to_float"
	[coll_float_to_f16]="as coll_bf16_to_float"
	[coll_reduce_ref]="the naive reference the vector kernels are compared with"
	[coll_tree_rank_parents]="a channel's tree over ranks on servers, checked by hand against NCCL's construction"
	[coll_tree_parents]="the double binary tree's shape, checked against NCCL's"
	[coll_gen_from_sched]="a built schedule seen through gen.h, checked against the schedule it wraps"
	[coll_gen_materialize]="a generator laid out as a schedule, for the round trip and the checker"
	[sim_evq_count_type]="pending events of a type, checked against the heap on random schedules"
	[vb_report_p2p_matrix]="the --p2p all matrices of a hand-made 3-rank report, checked by hand"
	[sim_bound_flows]="the fluid bound of hand-made flow lists (staggered starts, degraded links), checked by hand"
	[sim_add_local_flow]="an NVLink-class transfer alone, against its rate and latency by hand"
	[sim_flow_set_conn_tag]="flows made messages of one connection by hand, as a collective's are"
	[sim_flow_set_conn_dup]="a message spread over duplicated connections by hand"
	[sim_bench_parse]="sim_bench_load on text in memory: tests need no files"
	[sim_bench_map_parse]="sim_bench_map_load on text in memory"
	[sim_coll_xfers_max]="the bound the memory check uses, against real schedules"
	[sim_qp_sport]="a QP's UDP source port from its connection, checked for stability and spread"
	[sim_port_mean_queue]="the links.csv mean queue, on a hand-computed run"
	[sim_pfc_xoff_now]="the dynamic XOFF (alpha x free shared buffer) at a given fill, checked by hand"
	[sim_route_candidates]="the ECMP candidate set that every lb mode picks from"
	[sim_schema_all]="every result table, to check them all"
	[sim_schema_header]="a CSV header as a string, against the headers before the schema"
	[sim_topo_load_string]="a topology from text: every test builds its fabric so"
	[vb_count]="the element count of each collective"
	[vb_report_json]="fabbench's JSON as a tree, without a file"
	[vb_opts_default]="the defaults a report is filled from"
	[vb_mem_avail_bytes]="what the start-up check reads from /proc"
	[vb_exec_begin]="stepping several ranks in one thread"
	[vb_exec_step]="as vb_exec_begin"
	[vb_exec_done]="as vb_exec_begin"
	[vb_exec_end]="as vb_exec_begin"
)

for need in "$build/fabsim" "$build/fabbench" "$build/libvb.a" "$build/lib/libcoll.a"; do
	if [ ! -e "$need" ]; then
		echo "exports: $need is missing: make BUILD=$build $build/fabsim $build/fabbench" >&2
		bad "build present"
		finish
		exit
	fi
done

archives=$(ls "$build"/lib/libsim-*.a "$build/lib/libcoll.a" "$build/libvb.a" | grep -v -- '-asan\.a$')
# fabbench's objects outside libvb.a (its sources still in verbs/).
vb_members=$(ar t "$build/libvb.a")
prog_objs="$build/obj/sim/cli/main.o"
for o in "$build"/obj/verbs/*.o; do
	b=$(basename "$o")
	[ -f "$root/verbs/${b%.o}.c" ] && ! grep -qx "$b" <<<"$vb_members" && prog_objs+=" $o"
done

# "OBJECT SYMBOL" for each global function defined; the U symbols.
defs() { nm -A --defined-only "$@" 2>/dev/null | awk '$(NF-1) == "T" { n = split($1, p, ":"); print p[n - 1], $NF }'; }
uses() { nm -u "$@" 2>/dev/null | awk 'NF >= 2 && $(NF-1) == "U" { print $NF }'; }

used_prog=$(uses $archives $prog_objs | sort -u)

# The tests, as objects: which library functions they call.
mkdir -p "$tmp/t"
cflags="-std=c11 -D_GNU_SOURCE -I$root -DFAB_VERSION=\"0\" $(pkg-config --cflags libconfig jansson 2>/dev/null) -O0 -w"
tests_ok=1
for f in "$root"/tests/test_*.c "$root"/tests/filter.c "$root"/tests/fuzz/*.c; do
	o="$tmp/t/$(basename "${f%.c}").o"
	# shellcheck disable=SC2086
	if ! ${CC:-cc} $cflags -c "$f" -o "$o" 2>"$tmp/err"; then
		tests_ok=0
		bad "compile ${f#"$root"/}"
	fi
	rm -f "$tmp/err"
done
[ "$tests_ok" = 1 ] && ok "the tests compile to objects"
used_test=$(uses "$tmp"/t/*.o | sort -u)

# check NAME DEFS: DEFS is "OBJECT SYMBOL" lines of one archive or group.
check() {
	local name=$1 defs=$2 obj sym dead= untested= api=
	while read -r obj sym; do
		[ -n "$sym" ] && [ "$sym" != main ] || continue
		grep -qxF "$sym" <<<"$used_prog" && continue
		if ! grep -qxF "$sym" <<<"$used_test"; then
			dead+="    $obj: $sym (called by no other file)"$'\n'
		elif [ -z "${TEST_API[$sym]+x}" ]; then
			untested+="    $obj: $sym (only tests call it, and it is not in TEST_API)"$'\n'
		else
			api+=" $sym"
		fi
	done <<<"$defs"
	if [ -z "$dead$untested" ]; then
		ok "$name"
		[ -n "$api" ] && tmatch "$name" && echo "    test API:$api"
	else
		bad "$name"
		tmatch "$name" && printf '%s' "$dead$untested"
	fi
	return 0
}

all_defs=
for a in $archives; do
	d=$(defs "$a")
	all_defs+="$d"$'\n'
	check "$(basename "$a")" "$d"
done
check "fabbench objects" "$(defs $prog_objs)"

# TEST_API stays current: each entry defined and called by tests only.
stale=
for sym in "${!TEST_API[@]}"; do
	if ! awk -v s="$sym" '$2 == s { f = 1 } END { exit !f }' <<<"$all_defs"; then
		stale+="    $sym: no archive defines it"$'\n'
	elif grep -qxF "$sym" <<<"$used_prog"; then
		stale+="    $sym: a program calls it now"$'\n'
	elif ! grep -qxF "$sym" <<<"$used_test"; then
		stale+="    $sym: no test calls it"$'\n'
	fi
done
if [ -z "$stale" ]; then
	ok "TEST_API lists only test-only functions"
else
	bad "TEST_API lists only test-only functions"
	tmatch "TEST_API lists only test-only functions" && sort <<<"$stale" | sed '/^$/d'
fi
finish
