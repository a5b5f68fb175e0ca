#!/bin/bash
# The layer rule of docs/ARCHITECTURE.md, checked on the #include lines:
# a file in sim/LAYER may include headers of its own layer, of the layers
# below it and of collectives/; collectives/ includes only itself; verbs/
# includes collectives/ and verbs/ but nothing of the simulator. Prints one
# line per upward arrow, then the tally.
#
#   bash tests/layers.sh [--graph]   (--graph: the folder dependency edges)
cd "$(dirname "$0")/.." || exit 2
LABEL=layers
. tests/lib.sh

# Bottom to top; fabric/cc belongs to fabric.
LAYERS=(engine topo fabric traffic results report cli)

rank_of() {
	local d=$1 i
	case $d in
	collectives) echo -1; return ;;
	verbs) echo 100; return ;;
	esac
	for i in "${!LAYERS[@]}"; do
		[ "${LAYERS[$i]}" = "$d" ] && { echo "$i"; return; }
	done
	echo 99
}

# Folder (layer) a path belongs to: sim/fabric/cc/x.c -> fabric.
layer_of() {
	case $1 in
	sim/*) local r=${1#sim/}; echo "${r%%/*}" ;;
	collectives/*) echo collectives ;;
	verbs/*) echo verbs ;;
	*) echo other ;;
	esac
}

edges() {
	git ls-files --cached --others --exclude-standard 'sim/*.[ch]' 'collectives/*.[ch]' 'verbs/*.[ch]' |
	sort -u | while read -r f; do
		[ -f "$f" ] || continue # deleted, not yet committed
		sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r h; do
			printf '%s %s %s\n' "$f" "$(layer_of "$f")" "$(layer_of "$h")"
		done
	done
}

if [ "${1:-}" = --graph ]; then
	edges | awk '$2 != $3 { print $2 " -> " $3 }' | sort -u
	exit 0
fi

bad=$(edges | while read -r f from to; do
	[ "$from" = "$to" ] && continue
	rf=$(rank_of "$from")
	rt=$(rank_of "$to")
	if [ "$from" = verbs ]; then
		[ "$to" = collectives ] || echo "$f ($from) includes $to"
	elif [ "$from" = collectives ] || [ "$rt" -ge "$rf" ]; then
		echo "$f ($from) includes a header of $to, a layer above or beside it"
	fi
done)
for l in "${LAYERS[@]}" collectives verbs; do
	v=$(printf '%s\n' "$bad" | grep " ($l) " || true)
	if [ -z "$v" ]; then
		ok "$l includes only what is below it"
	else
		printf '%s\n' "$v" | sed 's/^/    /'
		bad "$l includes only what is below it"
	fi
done
finish
