#!/usr/bin/env bash
# tests/readme.sh [--list] [--slow] [BUILD_DIR]: README.md says what the
# programs print. Every fenced block that shows output is run and its shown
# output compared with the program's, numbers included, so the README cannot
# drift from the code (issue 16). A block is one of:
#
#   ```sh ... ```          commands to copy; not run here (their output, when
#                          the README shows it, is the next block's)
#   ``` then "$ CMD" lines  each CMD is run; the lines up to the next "$ " are
#                          its output
#   ``` preceded by an HTML comment on the line just above the fence:
#     <!-- readme-test: run: CMD -->       the block is CMD's output
#     <!-- readme-test: slow: CMD -->      the same, run only with --slow
#                                          (README_SLOW=1): runs of minutes
#     <!-- readme-test: shape: CMD -->     CMD's output with every decimal
#                                          number masked: measured times
#     <!-- readme-test: file: PATH -->     the block is PATH's text (a
#                                          measurement recorded in the tree)
#     <!-- readme-test: skip: REASON -->   not output of a command (a layout,
#                                          a sample of messages from a VM)
# Any other ``` block fails the test: a new sample cannot go unchecked.
#
# Commands run with bash -c in a scratch folder holding links to build/,
# topologies/, experiments/, tests/ and the fixtures of tests/readme/ (the
# bad.topo, my.flows and my.jobs the README's examples name), with stdout and
# stderr together. Shown and actual output are compared after masking what
# legitimately changes between runs (wall-clock times, rates of the host,
# memory, scratch paths: the sed script below). A shown line "..." stands for
# any number of lines, so a block may show an excerpt. Exit status: 0 when
# every block matches. --update rewrites, in README.md, every block that
# differs and shows no "...", with what the programs print now (review the
# diff: a number that moved needs its reason).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
slow=${README_SLOW:-0}
list=0
update=0
while [ $# -gt 0 ]; do
	case $1 in
	--slow) slow=1 ;;
	--list) list=1 ;;
	--update) update=1 ;;
	-h | --help)
		sed -n '2,28s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	-*)
		echo "tests/readme.sh: unknown option '$1' (see --help)" >&2
		exit 2
		;;
	*) build=$1 ;;
	esac
	shift
done
build=$(cd "${build:-$here/build}" && pwd) || exit 2
LABEL=readme
source "$here/tests/lib.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1

# The scratch folder the commands run in: README paths (build/fabsim,
# topologies/x.topo, results/...) mean what they mean in a checkout.
box=$tmp/box
mkdir -p "$box"
ln -s "$build" "$box/build"
for d in topologies experiments tests docs collectives verbs; do
	ln -s "$here/$d" "$box/$d"
done
cp "$here"/tests/readme/* "$box/"

# Masks, applied to shown and actual text alike: what a rerun may change.
cat >"$tmp/mask.sed" <<'EOF'
s/ in [0-9.]+ s: [0-9.]+ [kMG]? ?events\/s, peak RSS [0-9.]+ [KMG]iB/ in <s> s: <rate> events\/s, peak RSS <mem>/
s/wall [0-9.]+ s/wall <s> s/g
s/\/tmp\/[^ ]*/<tmp>/g
s/[[:space:]]+$//
EOF

# Splits README.md into blocks: N.kind (sh|dollar|run|slow|file|skip|none),
# N.arg, N.line and N.text (the block's lines).
split_blocks() {
	awk -v dir="$tmp/blocks" '
	BEGIN { n = 0; inb = 0 }
	/^```/ {
		if (!inb) {
			inb = 1; n++; f = dir "/" n
			kind = "none"; arg = ""
			if ($0 ~ /^```sh/) kind = "sh"
			else if (prev ~ /^<!-- readme-test: [a-z]+: .* -->$/) {
				s = prev
				sub(/^<!-- readme-test: /, "", s); sub(/ -->$/, "", s)
				kind = s; sub(/:.*/, "", kind)
				arg = s; sub(/^[a-z]+: /, "", arg)
			}
			first = 1
			print NR > (f ".line")
			printf "" > (f ".text")
			next
		}
		inb = 0
		print kind > (f ".kind"); print arg > (f ".arg")
		close(f ".kind"); close(f ".arg"); close(f ".line"); close(f ".text")
		next
	}
	inb {
		if (first && kind == "none" && $0 ~ /^\$ /) kind = "dollar"
		first = 0
		print > (f ".text")
	}
	{ prev = $0 }' "$here/README.md"
}

# match EXPECTED ACTUAL: ACTUAL's lines equal EXPECTED's, where a line "..."
# in EXPECTED stands for any run of lines. Segments between "..." are found
# leftmost in order; the first is anchored at the top and the last at the
# bottom unless a "..." stands there.
match() {
	awk '
	FNR == NR { e[++ne] = $0; next }
	{ a[++na] = $0 }
	END {
		i = 1; pos = 1; lead = 0
		while (i <= ne) {
			if (e[i] == "...") { lead = 1; i++; continue }
			j = i; while (j <= ne && e[j] != "...") j++
			len = j - i; last = (j > ne)
			found = 0
			for (p = pos; p + len - 1 <= na; p++) {
				if (!lead && p != pos) break
				if (last && p + len - 1 != na) continue
				ok = 1
				for (k = 0; k < len; k++) if (a[p + k] != e[i + k]) { ok = 0; break }
				if (ok) { found = 1; break }
			}
			if (!found) { printf "no match for README lines from: %s\n", e[i]; exit 1 }
			pos = p + len; i = j; lead = 0
		}
		if (!lead && ne > 0 && e[ne] != "..." && pos != na + 1) {
			printf "the program prints more lines from: %s\n", a[pos]; exit 1
		}
	}' "$1" "$2"
}

# check NAME EXPECTED ACTUAL [MASK]: masks both (MASK: a sed script more),
# compares, reports; status 1 when they differ.
check() {
	sed -E -f "$tmp/mask.sed" ${4:+-e "$4"} "$2" >"$tmp/exp"
	sed -E -f "$tmp/mask.sed" ${4:+-e "$4"} "$3" >"$tmp/act"
	if match "$tmp/exp" "$tmp/act" >"$tmp/err" 2>&1; then
		ok "$1"
		return 0
	fi
	diff -u "$tmp/exp" "$tmp/act" | sed -n '3,40p' >>"$tmp/err"
	bad "$1"
	return 1
}

# propose BLOCK NEWTEXT: with --update, NEWTEXT replaces the block's lines
# unless the block shows an excerpt.
propose() {
	[ "$update" = 1 ] && ! grep -qx '\.\.\.' "$1.text" && cp "$2" "$1.new"
	return 0
}

# rewrite: README.md with every proposed block's new lines.
rewrite() {
	local n ls=()
	for n in "$tmp"/blocks/*.new; do
		[ -e "$n" ] && ls+=("$(cat "${n%.new}.line")" "$n")
	done
	[ ${#ls[@]} -eq 0 ] && return 0
	awk -v spec="${ls[*]}" '
		BEGIN { k = split(spec, v, " "); for (i = 1; i < k; i += 2) nf[v[i]] = v[i + 1] }
		skip && /^```/ { skip = 0 }
		skip { next }
		{ print }
		(FNR in nf) { while ((getline l < nf[FNR]) > 0) print l; skip = 1 }
	' "$here/README.md" >"$tmp/README.new" && cp "$tmp/README.new" "$here/README.md"
	echo "readme: rewrote $((${#ls[@]} / 2)) block(s) of README.md; review git diff README.md"
}

run_in_box() {
	(cd "$box" && timeout 900 bash -c "$1") </dev/null 2>&1
}

# A "$ CMD" block: each command and the lines after it.
check_dollar() {
	local name=$1 text=$2.text i=0 cmd same=1
	: >"$tmp/dollar.new"
	awk -v dir="$tmp/dollar" '
		/^\$ / { n++; f = dir "/" n; sub(/^\$ /, ""); print > (f ".cmd"); close(f ".cmd"); printf "" > (f ".out"); next }
		{ print > (f ".out") }' "$text"
	for cmd in "$tmp"/dollar/*.cmd; do
		i=$((i + 1))
		tmatch "$name \$ $(cat "$cmd")" || continue
		run_in_box "$(cat "$cmd")" >"$tmp/actual"
		check "$name \$ $(cat "$cmd")" "${cmd%.cmd}.out" "$tmp/actual" || same=0
		{ echo "\$ $(cat "$cmd")"; cat "$tmp/actual"; } >>"$tmp/dollar.new"
	done
	[ "$same" = 1 ] || propose "$2" "$tmp/dollar.new"
	rm -f "$tmp"/dollar/*
}

mkdir -p "$tmp/blocks" "$tmp/dollar"
split_blocks
nb=$(ls "$tmp/blocks" | grep -c '\.kind$')
for ((n = 1; n <= nb; n++)); do
	b=$tmp/blocks/$n
	kind=$(cat "$b.kind") arg=$(cat "$b.arg") line=$(cat "$b.line")
	name="README.md:$line"
	if [ "$list" = 1 ]; then
		printf '%-16s %-7s %s\n' "$name" "$kind" "$arg"
		continue
	fi
	case $kind in
	sh | skip) ;;
	dollar) check_dollar "$name" "$b" ;;
	run | slow | shape)
		if [ "$kind" = slow ] && [ "$slow" != 1 ]; then
			continue
		fi
		tmatch "$name $arg" || continue
		mask=
		# measured figures: every decimal number, and the column widths they set
		[ "$kind" = shape ] && mask='s/[0-9]+\.[0-9]+/<x>/g; s/ +/ /g'
		run_in_box "$arg" >"$tmp/actual"
		check "$name $arg" "$b.text" "$tmp/actual" "$mask" || propose "$b" "$tmp/actual"
		;;
	file)
		tmatch "$name $arg" || continue
		if [ -f "$here/$arg" ]; then
			check "$name = $arg" "$b.text" "$here/$arg"
		else
			echo "    $arg: no such file" >"$tmp/err"
			bad "$name = $arg"
		fi
		;;
	*)
		echo "    an output block without '<!-- readme-test: run|slow|shape|file|skip: ... -->' above it" >"$tmp/err"
		echo "    (kind '$kind'; see tests/readme.sh)" >>"$tmp/err"
		bad "$name: $(head -1 "$b.text")"
		;;
	esac
done
[ "$list" = 1 ] && exit 0

# Every preset is in both preset tables (README.md, topologies/FORMAT.md).
for doc in README.md topologies/FORMAT.md; do
	for t in "$here"/topologies/*.topo; do
		name="$doc presets: $(basename "$t")"
		tmatch "$name" || continue
		if grep -q "^| \`$(basename "$t")\` |" "$here/$doc"; then
			ok "$name"
		else
			echo "    no table row '| \`$(basename "$t")\` | ...' in $doc" >"$tmp/err"
			bad "$name"
		fi
	done
done
[ "$update" = 1 ] && rewrite
if [ "$slow" != 1 ] && grep -qx slow "$tmp"/blocks/*.kind; then
	echo "readme: blocks marked slow not run (tests/readme.sh --slow runs them)"
fi
finish
