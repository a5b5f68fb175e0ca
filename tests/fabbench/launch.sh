#!/usr/bin/env bash
# tests/fabbench/launch.sh [FABBENCH-RUN] - fabbench-run, the ssh launcher
# (make check-launch), with tests/fabbench/local-ssh standing in for ssh:
# it ignores the host and runs the command here through a shell, as sshd
# would, so every host name is this machine. End to end over --transport
# tcp at 2 and 3 ranks (data checked, results alone on stdout, -p 0 and 1,
# --hostfile, slots); an argument with spaces and quotes arriving intact; a
# rank that fails at once (bad option on one host: exit 2 naming host and
# rank, the others stopped); a rank killed mid-run (non-zero, named, the
# others gone); Ctrl-C; and the launcher's own usage errors (exit 2).
set -u
LABEL=fabbench-launch
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUN=${1:-build/fabbench-run}
[ -x "$RUN" ] || { echo "$LABEL: $RUN not built" >&2; exit 1; }
RUN=$(cd "$(dirname "$RUN")" && pwd)/$(basename "$RUN")
BIN=$(dirname "$RUN")/fabbench
[ -x "$BIN" ] || { echo "$LABEL: $BIN not built" >&2; exit 1; }
SSH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/local-ssh
# shellcheck disable=SC2154 # tmp comes from lib.sh
DIR=$tmp
# Ports apart from tcp.sh's (10000 + 200 per pid slot) and the kernel's
# ephemeral ones (32768 up).
PORT=$((30000 + $$ % 100 * 20))
SMALL=(--transport tcp -b 1M -e 1M -n 2 -T 20)

failed() {
	rm -f "$tmp/err"
	bad "$1"
	echo "    $2"
	[ -n "${3:-}" ] && [ -f "$3" ] && tail -n 30 "$3" | sed 's/^/    /'
	return 0
}

# launch ARGS...: fabbench-run ARGS with the stand-in ssh and a fresh port;
# stdout in $DIR/out, stderr in $DIR/err.log, status in RC.
launch() {
	PORT=$((PORT + 1))
	RC=0
	timeout 120 "$RUN" --ssh "$SSH" --master-port "$PORT" "$@" \
		>"$DIR/out" 2>"$DIR/err.log" || RC=$?
}

# NAME NRANKS ARGS...: a job that must exit 0 with right data, its results
# (and nothing else) on stdout, every stderr line prefixed [host:rank].
good_job() {
	local name=$1 n=$2
	shift 2
	tmatch "$name" || return 0
	launch "$@"
	cat "$DIR/out" "$DIR/err.log" >"$DIR/both"
	if [ "$RC" -ne 0 ] || ! rows_ok "$DIR/out"; then
		failed "$name" "exit $RC or wrong data" "$DIR/both"
	elif ! grep -q "^# fabbench .*, $n ranks" "$DIR/out" ||
		[ "$(grep -c '^#  Rank' "$DIR/out")" -ne "$n" ] ||
		grep -qv '^#\|^ *[0-9]' "$DIR/out"; then
		failed "$name" "not $n ranks' results alone on stdout" "$DIR/both"
	elif grep -qvE '^\[[^]:]+:[0-9]+\] ' "$DIR/err.log"; then
		failed "$name" "a stderr line without [host:rank]" "$DIR/both"
	else
		ok "$name"
	fi
}

end_to_end() {
	good_job "2 ranks -H localhost,127.0.0.1" 2 -H localhost,127.0.0.1 -- "${SMALL[@]}"
	good_job "3 ranks -H localhost,127.0.0.1:2 -p 1" 3 -H localhost,127.0.0.1:2 -- \
		"${SMALL[@]}" -p 1
	good_job "3 ranks --oversubscribe -np 3 on 2 slots, --coll alltoall" 3 \
		-H localhost,127.0.0.1 -np 3 --oversubscribe -- "${SMALL[@]}" --coll alltoall
	printf '# two hosts\nlocalhost slots=2  # rank 0 and 1\n\n127.0.0.1\n' >"$DIR/hosts"
	good_job "--hostfile with slots=2 and a comment: 3 ranks" 3 --hostfile "$DIR/hosts" -- \
		"${SMALL[@]}"
	# the hosts as fabbench-run placed them: rank 0 and 1 on the first
	launch --hostfile "$DIR/hosts" -n -- -b 1M
	if [ "$RC" -eq 0 ] && [ "$(grep -c '^\[localhost:[01]\] ' "$DIR/out")" -eq 2 ] &&
		grep -q "^\[127.0.0.1:2\] $BIN -b 1M --rank 2 --nranks 3 --master localhost:$PORT\$" "$DIR/out"; then
		ok "-n: each rank's host and command; ranks fill slots in order"
	else
		failed "-n: each rank's host and command" "exit $RC" "$DIR/out"
	fi
}

# An argument with spaces and a quote reaches fabbench as one word: here a
# --json path, which rank 0 must write where it says.
spaces() {
	local d="$DIR/a dir/it's here"
	mkdir -p "$d"
	good_job "an argument with spaces and a quote arrives intact" 2 -H localhost,127.0.0.1 -- \
		"${SMALL[@]}" --json "$d/r.json"
	if tmatch "--json in a folder with spaces"; then
		if grep -q '"init_ms": [0-9]' "$d/r.json" 2>/dev/null; then
			ok "--json in a folder with spaces: written there"
		else
			failed "--json in a folder with spaces: written there" "no file" "$DIR/err.log"
		fi
	fi
}

# fabbench of this build, but with a bad option on rank 1 (another build
# on one host): rank 1 exits 2 at once, rank 0 would wait at the
# rendezvous for -T; fabbench-run stops it after its grace and exits 2.
bad_rank() {
	local fake=$DIR/fabbench-bad1 t0 secs
	tmatch "a bad option on one host" || return 0
	# shellcheck disable=SC2016 # for the fake's shell
	printf '#!/bin/sh\ncase " $* " in *" --rank 1 "*) exec %s --bogus "$@" ;; esac\nexec %s "$@"\n' \
		"$BIN" "$BIN" >"$fake"
	chmod +x "$fake"
	t0=$SECONDS
	launch -H localhost,127.0.0.1 --fabbench "$fake" -- "${SMALL[@]}"
	secs=$((SECONDS - t0))
	if [ "$RC" -eq 2 ] &&
		grep -q '^\[127.0.0.1:1\] fabbench: unknown option --bogus' "$DIR/err.log" &&
		grep -q '^fabbench-run: rank 1 on 127.0.0.1 failed first: usage error (exit 2); the other ranks were stopped$' "$DIR/err.log" &&
		[ "$secs" -lt 10 ]; then
		ok "a bad option on one host: exit 2 naming host and rank ($secs s)"
	else
		failed "a bad option on one host: exit 2 naming host and rank" "exit $RC in $secs s" "$DIR/err.log"
	fi
}

# PATTERN: pids of this suite's fabbench processes whose command line ends
# so (the port makes it this job's).
job_pids() { pgrep -f -- "^$BIN .*$1\$"; }

# Rank 1 of 3 killed mid-run: fabbench-run exits 137 naming it, the
# others fail on their own (naming the peer they lost) and none is left.
killed_rank() {
	local victim lp name="a rank killed mid-run: exit 137 naming it, the others gone"
	tmatch "$name" || return 0
	PORT=$((PORT + 1))
	timeout 120 "$RUN" --ssh "$SSH" --master-port "$PORT" -H localhost,127.0.0.1,localhost -- \
		--transport tcp -b 256K -e 256K -n 1000000 -q >"$DIR/out" 2>"$DIR/err.log" &
	lp=$!
	wait_for size "$DIR/out" 20
	victim=$(job_pids "--rank 1 --nranks 3 --master localhost:$PORT")
	[ -n "$victim" ] && kill -KILL "$victim"
	RC=0
	wait "$lp" || RC=$?
	if [ "$RC" -eq 137 ] &&
		grep -q '^fabbench-run: rank 1 on 127.0.0.1 failed first: killed by signal 9 (SIGKILL) (exit 137)' "$DIR/err.log" &&
		grep -q '^\[localhost:0\] fabbench: rank 0 .*peer rank 1 .*closed the connection' "$DIR/err.log" &&
		[ -z "$(job_pids "--master localhost:$PORT")" ]; then
		ok "$name"
	else
		failed "$name" "exit $RC (victim '$victim')" "$DIR/err.log"
	fi
}

# Ctrl-C (SIGINT; a background job ignores it unless told otherwise):
# every rank stopped at once, exit 130.
ctrl_c() {
	local lp t0 secs name="Ctrl-C stops every rank: exit 130"
	tmatch "$name" || return 0
	PORT=$((PORT + 1))
	env --default-signal=INT timeout 120 "$RUN" --ssh "$SSH" --master-port "$PORT" \
		-H localhost,127.0.0.1 -- --transport tcp -b 256K -e 256K -n 1000000 -q \
		>"$DIR/out" 2>"$DIR/err.log" &
	lp=$!
	wait_for size "$DIR/out" 20
	t0=$EPOCHREALTIME
	# timeout passes the signal on to fabbench-run
	kill -INT "$lp"
	RC=0
	wait "$lp" || RC=$?
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	if [ "$RC" -eq 130 ] && grep -q '^fabbench-run: interrupted (SIGINT): stopped all 2 ranks' "$DIR/err.log" &&
		[ -z "$(job_pids "--master localhost:$PORT")" ] &&
		awk -v s="$secs" 'BEGIN { exit !(s < 5) }'; then
		ok "$name ($secs s)"
	else
		failed "$name" "exit $RC after $secs s" "$DIR/err.log"
	fi
}

usage_errors() {
	local spec name pat
	printf 'localhost slots=2 bogus=1\n' >"$DIR/badhosts"
	: >"$DIR/nohosts"
	while IFS='|' read -r name pat spec; do
		# shellcheck disable=SC2086 # SPEC is a word list
		expect "usage: $name" 2 "$pat" "$RUN" --ssh "$SSH" $spec
	done <<EOF
no hosts|no hosts: give -H HOST,HOST... or --hostfile FILE|-- -b 1M
-np above the slots|-np 3 is more than the 2 slots of the hosts: add slots .* or --oversubscribe|-H localhost,127.0.0.1 -np 3
-np 0|bad value '0' for -np: want a whole number in 1..1024|-H localhost -np 0
bad port|bad value '70000' for --master-port: want a whole number in 1..65535|-H localhost --master-port 70000
port not a number|bad value 'http' for --master-port|-H localhost --master-port http
bad slots|bad value 'x' for the slots of localhost in -H: want a whole number in 1..1024|-H localhost:x
bad host name|bad host 'a/b' in -H|-H a/b
empty host|empty host name in -H 'localhost,,b'|-H localhost,,b
user@host|bad host 'me@node1' in -H: .* ~/.ssh/config|-H me@node1
-H and --hostfile|give -H or --hostfile, not both|-H localhost --hostfile $DIR/badhosts
unknown hostfile key|$DIR/badhosts:1: unknown 'bogus=1' \(want HOST \[slots=N\]\)|--hostfile $DIR/badhosts
empty hostfile|--hostfile '$DIR/nohosts' names no host|--hostfile $DIR/nohosts
missing hostfile|cannot read --hostfile '$DIR/none'|--hostfile $DIR/none
unknown option|unknown option '--frob' \(fabbench's own options go after --\)|-H localhost --frob
fabbench option before --|unknown option '-b'|-H localhost -b 1M
-n 4 for -np 4|unexpected argument '4': .*the rank count is -np \(-n is --dry-run\)|-H localhost -n 4
a value missing|option --master-port needs a value|-H localhost --master-port
--rank after --|fabbench option '--rank': fabbench-run sets --rank, --nranks and --master itself|-H localhost -- --rank 1
--master= after --|fabbench option '--master=h:1'|-H localhost -- --master=h:1
EOF
	# ssh itself failing (no key, host down) is exit 255, named as such
	# shellcheck disable=SC2016 # for the stand-in's shell
	printf '#!/bin/sh\necho "ssh: connect to host $1 port 22: Connection refused" >&2\nexit 255\n' \
		>"$DIR/nossh"
	chmod +x "$DIR/nossh"
	expect "ssh fails: exit 255 naming the host" 255 \
		"^fabbench-run: rank [01] on (localhost|127.0.0.1) failed first: ssh failed .*exit 255" \
		"$RUN" --ssh "$DIR/nossh" -H localhost,127.0.0.1 --master-port 1
	expect "--help names every option" 0 "--oversubscribe" "$RUN" --help
	expect "--version" 0 "^fabbench-run [0-9]" "$RUN" --version
	# -n prints without running: no port needed, and quotes shown as the remote shell gets them
	expect "-n: an argument with spaces, quoted" 0 "^\[localhost:0\] .* '--json' 'a b' --rank 0 |^\[localhost:0\] .* --json 'a b' --rank 0 " \
		"$RUN" --ssh "$SSH" -H localhost -n -- --json "a b"
	expect "FABBENCH_RUN_SSH is the default --ssh" 0 "^# run as: my-ssh -x HOST" \
		env FABBENCH_RUN_SSH="my-ssh -x" "$RUN" -H localhost -n
}

main() {
	local t0=$SECONDS
	end_to_end
	spaces
	bad_rank
	killed_rank
	ctrl_c
	usage_errors
	echo "$LABEL: took $((SECONDS - t0)) s"
	finish
}

main "$@"
