#!/usr/bin/env bash
# tests/run-tests.sh LABEL BINARY... - runs cmocka test binaries and counts
# their test cases: one line per binary, its output when it failed, and the
# closing tally "LABEL: N passed, M failed" (make check adds these up).
#
# Counts come from cmocka's "[  PASSED  ] N test(s)." and "[  FAILED  ] N
# test(s)" lines (summed over a binary's groups). A binary that exits
# non-zero without a FAILED line (a crash, a sanitizer report, a failed
# group setup) counts one failure more, so it can never pass silently.
#
# TEST_FILTER=PATTERN (make check T=PATTERN): a binary whose name contains PATTERN
# runs whole; the others run only their cases matching *PATTERN* (cmocka's
# filter, tests/filter.c) and are left out of the table when none matched.
set -u
label=$1
shift
pass=0
fail=0
skip=0

# sum PATTERN TEXT: the sum of the numbers following PATTERN in TEXT.
sum() {
	sed -n "s/^\[ *$1 *\] \([0-9][0-9]*\) test.*/\1/p" <<<"$2" |
		awk '{ n += $1 } END { print n + 0 }'
}

for t in "$@"; do
	rc=0
	filter=
	if [ -n "${TEST_FILTER:-}" ] && [[ $(basename "$t") != *$TEST_FILTER* ]]; then
		filter="*$TEST_FILTER*"
	fi
	t0=$(date +%s%N)
	out=$(FAB_TEST_FILTER=$filter "$t" 2>&1) || rc=$?
	secs=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	p=$(sum PASSED "$out")
	f=$(sum FAILED "$out")
	s=$(sum SKIPPED "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	if [ -n "$filter" ] && [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		continue # no case of this binary matches T
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1 # ran nothing: not a pass
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	if [ "$f" -eq 0 ]; then
		printf '%s: %-28s %4d passed %6s s\n' "$label" "$(basename "$t")" "$p" "$secs"
	else
		printf '%s\n' "$out"
		printf '%s: %-28s %4d passed, %d FAILED (exit %d, %s s)\n' "$label" \
			"$(basename "$t")" "$p" "$f" "$rc" "$secs"
	fi
done
if [ "$skip" -gt 0 ]; then
	echo "$label: $pass passed, $fail failed, $skip skipped"
else
	echo "$label: $pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
