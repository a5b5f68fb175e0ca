#!/usr/bin/env bash
# Runs cmocka test binaries, prints each one's result and a closing tally.
set -u
label=$1; shift
pass=0; fail=0
for t in "$@"; do
	if out=$("$t" 2>&1); then
		pass=$((pass + 1))
		printf '%s: %-28s ok\n' "$label" "$(basename "$t")"
	else
		fail=$((fail + 1))
		printf '%s\n' "$out"
		printf '%s: %-28s FAILED\n' "$label" "$(basename "$t")"
	fi
done
echo "$label: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
