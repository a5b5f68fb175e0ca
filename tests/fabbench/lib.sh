# shellcheck shell=bash
# Helpers of the fabbench suites (tcp.sh, rdma-vm.sh). Each suite defines
# ok NAME and failed NAME WHY [LOG] before it calls them.

# rows_ok FILE: fabbench's table rows all report 0 wrong elements in every
# #wrong column the header names (out of place, in place or both).
rows_ok() {
	awk '/^# .*#wrong/ { k = 0; for (i = 2; i <= NF; i++) if ($i == "#wrong") col[++k] = i - 1; next }
	     !/^#/ && NF >= 11 && k { n++; for (i = 1; i <= k; i++) if ($(col[i]) != "0") bad++ }
	     END { exit !(n > 0 && !bad) }' "$1"
}

# judge_rows NAME RC LOG: a job that had to exit 0 (its status RC) and print
# a table of right data (LOG).
judge_rows() {
	if [ "$2" -ne 0 ]; then
		failed "$1" "exit $2" "$3"
	elif ! rows_ok "$3"; then
		failed "$1" "wrong data or no results" "$3"
	else
		ok "$1"
	fi
}
