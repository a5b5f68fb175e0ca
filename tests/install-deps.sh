#!/usr/bin/env bash
# tests/install-deps.sh GROUP...        install what is missing of GROUPs
# tests/install-deps.sh --list GROUP... print GROUPs' packages, one a line
# tests/install-deps.sh --missing GROUP... print those not installed
#
# GROUPs are the first words of tests/packages.txt (sim, fabbench, vm, fuzz,
# ci). Installing is quiet and quick when everything is there already, and
# needs root (or sudo) otherwise.
set -euo pipefail

LIST=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/packages.txt

die() { echo "deps: $*" >&2; exit 1; }

# Packages of the groups named, in file order; an unknown group is an error
# (a typo would otherwise install nothing and pass).
check_groups() {
	local g
	[ $# -gt 0 ] || die "usage: $0 [--list | --missing] GROUP..."
	for g in "$@"; do
		grep -Eq "^${g}[[:space:]]" "$LIST" ||
			die "no group '$g' in $LIST (have: $(awk '/^[a-z]/ { print $1 }' "$LIST" | uniq | xargs))"
	done
}

list_pkgs() {
	awk -v groups=" $* " 'index(groups, " " $1 " ") && !/^#/ {
		for (i = 2; i <= NF; i++) print $i }' "$LIST"
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing_pkgs() {
	local p
	for p in $(list_pkgs "$@"); do
		installed "$p" || echo "$p"
	done
}

install() {
	local missing sudo='' log t=$SECONDS
	missing=$(missing_pkgs "$@" | xargs)
	[ -z "$missing" ] && return 0
	echo "deps: installing $missing" >&2
	command -v apt-get >/dev/null 2>&1 ||
		die "no apt-get: install the equivalents of: $missing"
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 ||
			die "not root and no sudo: as root, run: apt-get install $missing"
		sudo=sudo
	fi
	# apt's and dpkg's chatter is shown only if something goes wrong.
	log=$(mktemp "${TMPDIR:-/tmp}/deps.XXXXXX")
	# shellcheck disable=SC2064 # expand now: log is local
	trap "rm -f '$log'" EXIT
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # one word per package
	if ! { $sudo apt-get update -q && $sudo apt-get install -y -q \
		--no-install-recommends $missing; } >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "apt-get failed; as root: apt-get update && apt-get install $missing"
	fi
	echo "deps: installed in $((SECONDS - t)) s" >&2
}

main() {
	[ -r "$LIST" ] || die "cannot read $LIST"
	local mode=install
	case "${1:-}" in
	--list) mode=list_pkgs; shift ;;
	--missing) mode=missing_pkgs; shift ;;
	-*) die "usage: $0 [--list | --missing] GROUP..." ;;
	esac
	check_groups "$@"
	$mode "$@"
}

main "$@"
