# Sourced by tests/dist.sh and tests/bench-mpi.sh: whether a run split
# over processes wrote what the serial run wrote. Every CSV and JSON file
# of the serial run's folder, in the split run's too, equal but for the
# wall clock (summary.json's wall_s at any depth, collective.csv's wall_s
# column) and what says how the run was split.

# summary.json without what may differ: wall clock, memory, how it was split
dist_mask() {
	jq -S 'del(.. | .wall_s?) | del(.events_per_s, .peak_rss_kb, .processes, .partition, .lookahead_ps,
		.windows, .exchanged_frames, .exchanged_bytes, .wait_s, .command)' "$1"
}

# a CSV without its wall-clock column (collective.csv's wall_s)
dist_maskcsv() {
	awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_s") w = i }
		{ if (w) $w = "@"; print }' "$1"
}

# dist_same SERIAL SPLIT [LOG]: 0 when every file matches; the first difference goes to LOG
dist_same() {
	local f log=${3:-/dev/null}

	for f in $(cd "$1" && find . -name '*.csv' -o -name '*.json' | sort); do
		case $f in
		*.json) diff <(dist_mask "$1/$f") <(dist_mask "$2/$f") >/dev/null ;;
		*) cmp -s <(dist_maskcsv "$1/$f") <(dist_maskcsv "$2/$f") ;;
		esac
		if [ $? -ne 0 ]; then
			echo "    $f differs" >>"$log"
			diff "$1/$f" "$2/$f" 2>&1 | head -6 >>"$log"
			return 1
		fi
	done
	return 0
}
