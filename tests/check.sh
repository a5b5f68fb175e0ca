#!/usr/bin/env bash
# tests/check.sh SUITE:TARGET... - the suite driver behind `make check`.
#
# Runs `$CHECK_MAKE TARGET` for every suite in turn (all of them, whatever
# fails), shows each one's output as it comes, reads its closing tally
# "SUITE: N passed, M failed[, K skipped]" and ends with a table and, as
# the very last line, the grand total over all suites:
#
#   N passed, M failed, K skipped
#
# A suite that prints no tally counts as one test: passed if its exit
# status is 0, failed otherwise; one whose status is non-zero although its
# tally shows no failure or skip counts one failure more.
#
# Exit status 0 only if nothing failed and nothing was skipped; skipping the
# Soft-RoCE suite (fabbench-rdma) is allowed with SKIP_VM=1.
#
# With T=PATTERN (make check T=PATTERN) the suites run only their cases
# matching PATTERN (a shell glob on "SUITE: case name", or on cmocka's
# binary and case names): "SUITE: …" runs that suite alone, test_* only
# the cmocka suites (unit, asan), anything else every suite except the
# Soft-RoCE and fuzz ones unless PATTERN names them (T=fabbench-rdma). A
# PATTERN that matches nothing fails.
#
# Env: CHECK_MAKE (default "make --no-print-directory"), SKIP_VM,
# TEST_FILTER (the Makefile sets it from T).
set -uo pipefail

CHECK_MAKE=${CHECK_MAKE:-make --no-print-directory}
VM_SUITE=fabbench-rdma
LOG=$(mktemp "${TMPDIR:-/tmp}/check.XXXXXX")
trap 'rm -f "$LOG"' EXIT

total_p=0
total_f=0
total_s=0
rows=()
notes=()

# tally SUITE FILE: "P F S" from the suite's last tally line, if any.
tally() {
	local re='^([A-Za-z0-9_.-]+): ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?'
	local line last='' own=''
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		last="${BASH_REMATCH[2]} ${BASH_REMATCH[3]} ${BASH_REMATCH[5]:-0}"
		[ "${BASH_REMATCH[1]}" = "$1" ] && own=$last
	done <"$2"
	# The suite's own label wins over a tally some inner tool printed.
	echo "${own:-$last}"
}

run_suite() { # SUITE TARGET
	local suite=$1 target=$2 rc t0 secs p f s counts
	echo
	echo "==== $suite (make $target)"
	t0=$SECONDS
	# shellcheck disable=SC2086 # CHECK_MAKE is a command line
	$CHECK_MAKE "$target" 2>&1 | tee "$LOG"
	rc=${PIPESTATUS[0]}
	secs=$((SECONDS - t0))
	counts=$(tally "$suite" "$LOG")
	if [ -z "$counts" ]; then
		if [ "$rc" -eq 0 ]; then counts="1 0 0"; else counts="0 1 0"; fi
	fi
	read -r p f s <<<"$counts"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
		f=1
		notes+=("$suite: exit status $rc although its tally shows no failure")
	fi
	if [ "$s" -gt 0 ]; then
		if [ "$suite" = "$VM_SUITE" ] && [ "${SKIP_VM:-0}" = 1 ]; then
			notes+=("$suite: $s skipped, allowed by SKIP_VM=1")
		else
			notes+=("$suite: $s skipped: make check fails (SKIP_VM=1 allows skipping $VM_SUITE)")
			FAILED_BY_SKIP=1
		fi
	fi
	[ "$f" -eq 0 ] || notes+=("$suite: $f failed")
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	total_s=$((total_s + s))
	rows+=("$(printf '%-16s %7d %7d %8d %6ds' "$suite" "$p" "$f" "$s" "$secs")")
}

# wanted SUITE: whether SUITE runs under TEST_FILTER. "SUITE: case" runs
# that suite alone; test_* (a cmocka binary or case) the unit and asan
# suites; anything else every suite but the slow VM and fuzz ones, which
# run only when the pattern names them.
wanted() {
	local suite=$1 f=${TEST_FILTER:-}
	[ -n "$f" ] || return 0
	if [[ $f =~ ^([A-Za-z0-9_.-]+):\  ]]; then
		[ "${BASH_REMATCH[1]}" = "$suite" ]
		return
	fi
	case $f in
	test_*) [ "$suite" = unit ] || [ "$suite" = asan ] ;;
	*) [[ $suite == *$f* ]] || { [ "$suite" != "$VM_SUITE" ] && [ "$suite" != fuzz-regress ]; } ;;
	esac
}

main() {
	local arg t0=$SECONDS note row
	FAILED_BY_SKIP=0
	[ $# -gt 0 ] || { echo "usage: $0 SUITE:TARGET..." >&2; exit 2; }
	for arg in "$@"; do
		wanted "${arg%%:*}" || continue
		run_suite "${arg%%:*}" "${arg#*:}"
	done
	echo
	echo "==== make check: ${#rows[@]} suites in $((SECONDS - t0)) s"
	printf '%-16s %7s %7s %8s %7s\n' suite passed failed skipped time
	for row in "${rows[@]}"; do echo "$row"; done
	for note in "${notes[@]}"; do echo "check: $note"; done
	if [ -n "${TEST_FILTER:-}" ] && [ $((total_p + total_f + total_s)) -eq 0 ]; then
		echo "check: no test matches T='$TEST_FILTER' (a test binary, a case name or a suite's case label)"
		total_f=1
	fi
	echo "$total_p passed, $total_f failed, $total_s skipped"
	[ "$total_f" -eq 0 ] && [ "$FAILED_BY_SKIP" -eq 0 ]
}

main "$@"
