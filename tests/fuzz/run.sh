#!/usr/bin/env bash
# tests/fuzz/run.sh regress FUZZDIR [NAME...]
#	Replays tests/fuzz/corpus/NAME/* (one test per harness) and every
#	tests/fuzz/regress/NAME/* (one test each: an input that once crashed)
#	through FUZZDIR/fuzz_NAME. Last line: "fuzz-regress: N passed, M failed".
# tests/fuzz/run.sh fuzz FUZZDIR SECONDS [NAME...]
#	Fuzzes each harness (all, or the NAMEs) SECONDS seconds, one after
#	another, from its seeds and regression inputs; new inputs go to
#	FUZZDIR/work/NAME (git stays clean), crashes to FUZZDIR/crashes/NAME/
#	and logs to FUZZDIR/logs/NAME.log. Last line: "fuzz: N passed, M failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
MODE=${1:?usage: run.sh regress FUZZDIR [NAME...] | fuzz FUZZDIR SECONDS [NAME...]}
FUZZ=$(cd "${2:?FUZZDIR}" && pwd)
# every harness fuzz.mk builds
NAMES=()
for b in "$FUZZ"/fuzz_*; do
	[ -x "$b" ] && NAMES+=("${b##*/fuzz_}")
done
# The limits of the campaign, for replays too: a malicious input may not
# make a parser allocate more or take longer than this.
LIMITS=(-rss_limit_mb=2048 -timeout=10)
pass=0
fail=0

# Scratch files on tmpfs where there is one: the report harness rewrites
# its folders on every run, and ext4 flushes rewritten files on close.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	export TMPDIR=/dev/shm
else
	export TMPDIR=$FUZZ/tmp
	mkdir -p "$TMPDIR"
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$HERE/lsan.supp:print_suppressions=0}
for s in llvm-symbolizer /usr/lib/llvm-14/bin/llvm-symbolizer; do
	if command -v "$s" >/dev/null 2>&1; then
		export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v "$s")}
		break
	fi
done

ok() { pass=$((pass + 1)); printf '%s: %-60s ok\n' "$LABEL" "$1"; }
bad() {
	fail=$((fail + 1))
	printf '%s: %-60s FAILED\n' "$LABEL" "$1"
	[ -n "${2:-}" ] && grep -E 'ERROR|runtime error|SUMMARY|Test unit written|^    #[0-9]' "$2" | head -20 | sed 's/^/    /'
}

# replay NAME LOG FILE...: 0 if the harness survives every FILE
replay() {
	local name=$1 log=$2
	shift 2
	mkdir -p "$FUZZ/crashes/$name"
	timeout 300 "$FUZZ/fuzz_$name" "${LIMITS[@]}" -artifact_prefix="$FUZZ/crashes/$name/" "$@" >"$log" 2>&1
}

regress() {
	local name files f log=$FUZZ/logs/regress.log
	LABEL=fuzz-regress
	[ $# -gt 0 ] && NAMES=("$@")
	mkdir -p "$FUZZ/logs"
	for name in "${NAMES[@]}"; do
		files=("$HERE/corpus/$name"/*)
		[ -e "${files[0]}" ] || files=()
		if [ ${#files[@]} -eq 0 ]; then
			bad "fuzz_$name: no seeds in tests/fuzz/corpus/$name"
		elif replay "$name" "$log" "${files[@]}"; then
			ok "fuzz_$name: ${#files[@]} seeds"
		else
			bad "fuzz_$name: seeds" "$log"
		fi
		for f in "$HERE/regress/$name"/*; do
			[ -e "$f" ] || continue
			if replay "$name" "$log" "$f"; then
				ok "fuzz_$name: regress/$name/$(basename "$f")"
			else
				bad "fuzz_$name: regress/$name/$(basename "$f")" "$log"
			fi
		done
	done
}

fuzz() {
	local secs=$1 name log work crashes dict dirs d runs rc
	shift
	LABEL=fuzz
	[ $# -gt 0 ] && NAMES=("$@")
	for name in "${NAMES[@]}"; do
		[ -x "$FUZZ/fuzz_$name" ] || { bad "fuzz_$name: no such harness"; continue; }
		work=$FUZZ/work/$name
		crashes=$FUZZ/crashes/$name
		log=$FUZZ/logs/$name.log
		mkdir -p "$work" "$crashes" "$FUZZ/logs"
		dict=()
		[ -f "$HERE/$name.dict" ] && dict=(-dict="$HERE/$name.dict")
		# the first folder receives new inputs; the seeds are only read
		dirs=("$work")
		for d in "$HERE/corpus/$name" "$HERE/regress/$name"; do
			[ -d "$d" ] && dirs+=("$d")
		done
		timeout $((secs + 120)) "$FUZZ/fuzz_$name" "${LIMITS[@]}" -max_total_time="$secs" \
			-print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" "${dirs[@]}" >"$log" 2>&1
		rc=$?
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		if [ "$rc" -eq 0 ]; then
			ok "fuzz_$name: ${secs} s, ${runs:-?} runs"
		else
			bad "fuzz_$name: exit $rc after ${runs:-?} runs (log: $log)" "$log"
			ls "$crashes"/* 2>/dev/null | sed 's/^/    saved: /'
		fi
	done
}

case $MODE in
regress) shift 2; regress "$@" ;;
fuzz) shift 2; fuzz "$@" ;;
*) echo "usage: run.sh regress FUZZDIR [NAME...] | fuzz FUZZDIR SECONDS [NAME...]" >&2; exit 2 ;;
esac
echo "$LABEL: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
