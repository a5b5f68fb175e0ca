# Shared by the experiment scripts (sourced): read fabsim's CSV files by
# column name, never by position, so a column added to a file
# (sim/results/schema.h) cannot shift what a script reads.
#
#   csv_prefix PREFIX FILE   FILE with PREFIX before every header name, so
#                            that files pasted side by side keep their
#                            columns apart (roce_busbw_GBps, spcx_busbw_GBps)
#   awk -F, "$CSV_AWK"'NR == 1 { csv_header(); next } { print col("size_bytes") }'
#                            col(NAME) is the field under header NAME; a name
#                            the header lacks stops awk with exit status 2

# awk functions: csv_header() reads the names of the current line (the
# header), col(NAME) the field of the current line under NAME.
# shellcheck disable=SC2016 # awk's $, not the shell's
CSV_AWK='
function csv_header(   i, now) {
	for (i = 1; i <= NF; i++) {
		if ($i in csv_col) {
			printf "%s: column %s given twice\n", FILENAME, $i > "/dev/stderr"
			exit 2
		}
		csv_col[$i] = i
	}
	# files before issue 16 spelt GB/s _gbps: their busbw_gbps answers to busbw_GBps
	for (i = 1; i <= NF; i++) {
		now = $i
		if (sub(/^(algbw|busbw|ideal_busbw)_gbps$/, "&", now) && sub(/_gbps$/, "_GBps", now) && !(now in csv_col))
			csv_col[now] = i
	}
}
function col(name) {
	if (!(name in csv_col)) {
		printf "%s: no column %s in the header\n", FILENAME, name > "/dev/stderr"
		exit 2
	}
	return $(csv_col[name])
}
'

csv_prefix() {
	awk -F, -v p="$1" 'NR == 1 {
		s = ""
		for (i = 1; i <= NF; i++)
			s = s (i > 1 ? "," : "") p $i
		print s
		next
	}
	{ print }' "$2"
}
