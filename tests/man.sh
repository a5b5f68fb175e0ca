#!/usr/bin/env bash
# The manual pages and make install: fabsim(1) and fabbench(1) name every
# option their --help lists (they are printed from the same tables, so this
# catches a generator that drops some), so does the hand-written
# fabbench-run(1) (verbs/fabbench-run.1.in), all render without groff warnings, and
# make install puts the programs, the pages and the presets where they
# belong, so that the installed fabsim finds -t small-800g by name.
# Usage: tests/man.sh [BUILD_DIR] (default build; needs fabsim, fabbench and fabbench-run).
set -u
BUILD=${1:-build}
LABEL=man
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$(dirname "$0")/.." && pwd)

# roff to plain words: \- to -, font changes and \& dropped
plain() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\&//g' -e 's/\\e/\\/g' "$1"; }

# every --long and -x option of HELP_FILE in MAN_FILE (as plain words)
names_in_page() {
	local help=$1 page=$2 missing=
	plain "$page" >"$tmp/page.txt"
	for o in $(grep -oE -- '(^|[ ,[|(/])--?[A-Za-z0-9][A-Za-z0-9_-]*' "$help" | sed 's|^[ ,[\|(/]||' | sort -u); do
		grep -qE -- "(^|[^A-Za-z0-9_-])$o([^A-Za-z0-9_-]|$)" "$tmp/page.txt" || missing="$missing $o"
	done
	[ -z "$missing" ] || { echo "    not in the page:$missing" >"$tmp/err"; return 1; }
}

check_names() {
	local name=$1 help=$2 page=$3
	tmatch "$name" || return 0
	if names_in_page "$help" "$page"; then ok "$name"; else bad "$name"; fi
}

if tmatch "fabsim man" || tmatch "fabbench --man" || tmatch "fabbench-run.1" || tmatch "groff"; then
	"$BUILD/fabsim" man >"$tmp/fabsim.1" 2>"$tmp/err" && ok "fabsim man: exit 0" || bad "fabsim man: exit 0"
	"$BUILD/fabbench" --man >"$tmp/fabbench.1" 2>"$tmp/err" && ok "fabbench --man: exit 0" ||
		bad "fabbench --man: exit 0"
	"$BUILD/fabsim" --help >"$tmp/help-main"
	check_names "fabsim man: fabsim --help's options" "$tmp/help-main" "$tmp/fabsim.1"
	for c in topo run report sched predict; do
		"$BUILD/fabsim" "$c" --help >"$tmp/help-$c"
		check_names "fabsim man: fabsim $c --help's options" "$tmp/help-$c" "$tmp/fabsim.1"
		grep -q "^\.SS \"fabsim $c\"" "$tmp/fabsim.1" && ok "fabsim man: a section for $c" ||
			bad "fabsim man: a section for $c"
	done
	"$BUILD/fabsim" man run >"$tmp/fabsim-run.1"
	grep -q '^\.SS "fabsim run"' "$tmp/fabsim-run.1" && ! grep -q '^\.SS "fabsim topo"' "$tmp/fabsim-run.1" &&
		ok "fabsim man run: that section alone" || bad "fabsim man run: that section alone"
	expect "fabsim man: an unknown command" 2 "fabsim man: unknown command 'frob'" "$BUILD/fabsim" man frob
	"$BUILD/fabbench" --help >"$tmp/help-fabbench"
	check_names "fabbench --man: --help's options" "$tmp/help-fabbench" "$tmp/fabbench.1"
	# and every long option fabbench's getopt table accepts (verbs/opts.c)
	sed -nE 's/^[[:space:]]*\{ "([A-Za-z0-9_-]+)", (no|required|optional)_argument.*/  --\1/p' \
		"$REPO/verbs/opts.c" >"$tmp/vb-long"
	if tmatch "fabbench --man: every option of its getopt table"; then
		[ "$(wc -l <"$tmp/vb-long")" -gt 20 ] && names_in_page "$tmp/vb-long" "$tmp/fabbench.1" &&
			ok "fabbench --man: every option of its getopt table" ||
			bad "fabbench --man: every option of its getopt table"
	fi
	# fabbench-run is a script: its page is written by hand, and must keep up
	sed 's/@VERSION@/0/' "$REPO/verbs/fabbench-run.1.in" >"$tmp/fabbench-run.1"
	"$BUILD/fabbench-run" --help >"$tmp/help-fabbench-run"
	check_names "fabbench-run.1: fabbench-run --help's options" "$tmp/help-fabbench-run" \
		"$tmp/fabbench-run.1"
	# the generator itself: an option --help does not list is not found in the page
	printf '  --no-such-option   x\n' >"$tmp/help-fake"
	if tmatch "fabsim man: the check finds a missing option"; then
		names_in_page "$tmp/help-fake" "$tmp/fabsim.1" && bad "fabsim man: the check finds a missing option" ||
			ok "fabsim man: the check finds a missing option"
	fi
	if command -v groff >/dev/null; then
		for p in fabsim fabbench fabbench-run; do
			groff -man -Tutf8 -ww -z "$tmp/$p.1" >"$tmp/err" 2>&1
			[ $? -eq 0 ] && [ ! -s "$tmp/err" ] && ok "groff: $p.1 without warnings" ||
				bad "groff: $p.1 without warnings"
		done
	else
		echo "man: groff not installed: rendering not checked (apt-get install groff-base)"
	fi
fi

# make install into a scratch root, from a build of its own (PREFIX is
# compiled into fabsim: the suite's build dir stays as it was)
if tmatch "install"; then
	root=$tmp/root
	if make -C "$REPO" --no-print-directory BUILD="$tmp/build" PREFIX=/usr DESTDIR="$root" install \
		>"$tmp/err" 2>&1; then
		ok "install: make install DESTDIR PREFIX=/usr"
	else
		bad "install: make install DESTDIR PREFIX=/usr"
	fi
	for f in bin/fabsim bin/fabbench bin/fabbench-run share/man/man1/fabsim.1 \
		share/man/man1/fabbench.1 share/man/man1/fabbench-run.1 \
		share/fabsim/topologies/FORMAT.md share/fabsim/topologies/small-800g.topo; do
		[ -f "$root/usr/$f" ] && ok "install: /usr/$f" || bad "install: /usr/$f"
	done
	n_src=$(ls "$REPO"/topologies/*.topo | wc -l)
	n_dst=$(ls "$root"/usr/share/fabsim/topologies/*.topo 2>/dev/null | wc -l)
	[ "$n_src" -eq "$n_dst" ] && ok "install: every preset ($n_src)" ||
		{ echo "    $n_dst of $n_src" >"$tmp/err"; bad "install: every preset ($n_src)"; }
	cmp -s "$root/usr/share/man/man1/fabsim.1" <("$root/usr/bin/fabsim" man) &&
		ok "install: fabsim.1 is what the installed fabsim prints" ||
		bad "install: fabsim.1 is what the installed fabsim prints"
	# the installed launcher runs the fabbench installed beside it
	expect "install: fabbench-run runs the fabbench beside it" 0 "^\[h:0\] $root/usr/bin/fabbench --rank 0 " \
		"$root/usr/bin/fabbench-run" -H h -n
	# the installed binary looks in /usr/share/fabsim/topologies; the scratch
	# root stands in for it through FABSIM_TOPOLOGIES, and the compiled-in
	# folder is named in the message of a miss
	mkdir -p "$tmp/empty"
	expect "install: a miss names /usr/share/fabsim/topologies" 1 "in /usr/share/fabsim/topologies, topologies" \
		env -C "$tmp/empty" -u FABSIM_TOPOLOGIES "$root/usr/bin/fabsim" topo no-such-preset
	# installed for real under a scratch PREFIX (only load.c is rebuilt): the
	# presets come from PREFIX/share/fabsim/topologies itself
	prefix=$tmp/prefix
	make -C "$REPO" --no-print-directory BUILD="$tmp/build" PREFIX="$prefix" install >"$tmp/err" 2>&1 &&
		ok "install: make install PREFIX=scratch" || bad "install: make install PREFIX=scratch"
	expect "install: run -t small-800g from PREFIX/share, no ./topologies" 0 "small-800g" \
		env -C "$tmp/empty" -u FABSIM_TOPOLOGIES "$prefix/bin/fabsim" run -t small-800g -s 64K -o ""
	expect "install: topo small-800g.topo from PREFIX/share" 0 "128, 1 x 800G" \
		env -C "$tmp/empty" -u FABSIM_TOPOLOGIES "$prefix/bin/fabsim" topo small-800g.topo
fi
finish
