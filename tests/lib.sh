# Helpers shared by the shell test scripts (cli.sh, report.sh): a scratch
# folder, pass/fail counters, and `expect`, which checks a command's exit
# status and a pattern in its output. Set LABEL before sourcing; patterns
# are extended regular expressions unless EXPECT_GREP=-F (fixed strings).
#
# TEST_FILTER=PATTERN (make check T=PATTERN, or in the environment of a
# suite run by hand): only cases whose "LABEL: NAME" contains PATTERN (a shell glob) are
# run by expect and counted; checks written with ok/bad still run but only
# matching ones are counted. A case that uses files an earlier case made
# needs a pattern matching both.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
: "${EXPECT_GREP:=-E}"

tmatch() { [ -z "${TEST_FILTER:-}" ] || [[ "$LABEL: $1" == *$TEST_FILTER* ]]; }
ok() {
	tmatch "$1" || return 0
	pass=$((pass + 1))
	printf '%s: %-60s ok\n' "$LABEL" "$1"
}
bad() {
	tmatch "$1" || return 0
	fail=$((fail + 1))
	printf '%s: %-60s FAILED\n' "$LABEL" "$1"
	[ -f "$tmp/err" ] && sed 's/^/    /' "$tmp/err" | head -5
}

# expect NAME STATUS PATTERN CMD...: exit status and a pattern in stdout+stderr
expect() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	tmatch "$name" || return 0
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "    exit $rc, expected $want" >>"$tmp/err"
		bad "$name"
	elif [ -n "$pat" ] && ! grep "$EXPECT_GREP" -q -- "$pat" "$tmp/out" "$tmp/err"; then
		echo "    no match for '$pat'" >>"$tmp/err"
		bad "$name"
	else
		ok "$name"
	fi
}

# The closing tally the CI reads; the exit status of the script.
finish() {
	echo "$LABEL: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# wait_for PATTERN FILE SECONDS: until FILE holds PATTERN (grep -E), checked
# every 0.1 s; status 1 when SECONDS pass first. For a log that shows a
# background process has got somewhere (fabbench's table header).
wait_for() {
	local t
	for ((t = 0; t < $3 * 10; t++)); do
		grep -qE -- "$1" "$2" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
