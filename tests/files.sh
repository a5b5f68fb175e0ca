#!/usr/bin/env bash
# Bad input files through the real CLI: topology files (`topo`, `run`), the
# fabbench JSON and map files of `predict`, and the results folders of
# `report`. Each must end in a clear message naming the file (and line, or
# JSON path, or column), the value and the accepted range, with exit 1
# (exit 2 for a bad option value), never a crash, a hang or a wrong result.
# usage: tests/files.sh [BUILD/fabsim]
set -u
FABSIM=${1:-build/fabsim}
LABEL=files
EXPECT_GREP=-F
. "$(dirname "$0")/lib.sh"
# every command is bounded: a hang fails the case with exit 124
run() { timeout 60 "$FABSIM" "$@"; }

# ---- topology files -------------------------------------------------------
T=topologies/small-800g.topo
ONE='leaves = 1; hosts_per_leaf = 2; spines = 0;'
topo() { printf '%b' "$1" >"$tmp/$2"; }

expect "topo: a directory" 1 "$tmp: is a directory (expected a topology file" run topo "$tmp"
expect "run -t: a directory" 1 "$tmp: is a directory" run run -t "$tmp" -o ""
: >"$tmp/empty.topo"
expect "topo: an empty file" 1 "empty.topo: empty file" run topo "$tmp/empty.topo"
printf 'name = "x";\0\1\2' >"$tmp/bin.topo"
expect "topo: binary data" 1 "bin.topo: binary data (a NUL byte at offset 11)" run topo "$tmp/bin.topo"
expect "topo: /dev/zero is refused, not read forever" 1 "/dev/zero: larger than 16777216 bytes" run topo /dev/zero
expect "topo: a missing file" 1 "nope.topo: cannot open: No such file or directory" run topo "$tmp/nope.topo"
# unreadable: root reads anything, so read it as nobody
mkdir -m 755 "$tmp/pub" && cp "$T" "$tmp/pub/secret.topo" && chmod 000 "$tmp/pub/secret.topo"
chmod 755 "$tmp"
if [ "$(id -u)" -eq 0 ]; then
	expect "topo: an unreadable file" 1 "secret.topo: cannot open: Permission denied" \
		setpriv --reuid=65534 --regid=65534 --clear-groups timeout 60 "$FABSIM" topo "$tmp/pub/secret.topo"
else
	expect "topo: an unreadable file" 1 "secret.topo: cannot open: Permission denied" run topo "$tmp/pub/secret.topo"
fi
expect "topo: input through a pipe still works" 0 "128, 1 x 800G" run topo /dev/stdin <"$T"

topo 'switch = {\n  buffer_mb = 0;\n};\nfabric = { kind = "leafspine"; host_rate = "800G"; '"$ONE"' };\n' buf.topo
expect "buffer_mb = 0: line, value, range" 1 "buf.topo:2: 'buffer_mb' = 0 is out of range (expected 0.1..1e+06)" \
	run topo "$tmp/buf.topo"
expect "run: buffer_mb = 0 refused before running" 1 "buf.topo:2: 'buffer_mb' = 0" run run -t "$tmp/buf.topo" -o ""
topo 'fabric = {\n  kind = "leafspine";\n  host_rate = 1;\n  '"$ONE"'\n};\n' rate.topo
expect "a 1 b/s host rate: line, value, range" 1 \
	"rate.topo:3: bad rate for 'host_rate': 1 b/s is out of range (expected a whole number of b/s from 1M to 10T)" \
	run topo "$tmp/rate.topo"
topo 'mtu = 65536;\nfabric = { kind = "leafspine"; host_rate = "800G"; '"$ONE"' };\n' mtu.topo
expect "mtu beyond run --mtu's range" 1 "mtu.topo:1: 'mtu' = 65536 is out of range (expected 256..9000)" run topo "$tmp/mtu.topo"
topo 'fabric = { kind = "leafspine"; host_rate = "800G";\n  leaves = 65536; hosts_per_leaf = 65536; spines = 1; };\n' radix.topo
expect "65537 ports on one leaf" 1 "radix.topo:1: a leaf would have 65537 ports (hosts_per_leaf + spines x links_per_spine), more than 65535" \
	run topo "$tmp/radix.topo"
topo 'fabric = { kind = "leafspine"; host_rate = "800G";\n  leaves = 32768; hosts_per_leaf = 65534; spines = 1; };\n' ids.topo
expect "2^31 hosts: past the 32-bit ids" 1 "ids.topo:1: fabric too large: 2147450881 nodes, 2147450880 links" run topo "$tmp/ids.topo"
topo 'fabric = { kind = "railopt"; host_rate = "800G";\n  servers = 16777216; gpus_per_server = 1024; leaves_per_rail = 16777216; spines = 1; };\n' rail.topo
expect "railopt counts that overflow 32 bits" 1 "rail.topo:1: a spine would have 17179869184 ports" run topo "$tmp/rail.topo"
# 1.04e9 hosts and links: about 136 GiB to build (tests/test_topo.c works it out)
topo 'fabric = { kind = "leafspine"; host_rate = "800G";\n  leaves = 16000; hosts_per_leaf = 65000; spines = 1; };\n' mem.topo
avail_gib=$(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo)
if [ "${avail_gib:-0}" -lt 130 ]; then
	expect "a fabric larger than memory: said before allocating" 1 "mem.topo:1: fabric too large: 1040016001 nodes, 1040016000 links: building it needs 135.6 GiB, more than the" \
		run topo "$tmp/mem.topo"
fi
topo 'name = "x";\n@include "/dev/zero"\n' inc.topo
expect "@include refused with its line" 1 "inc.topo:2: @include is not supported" run topo "$tmp/inc.topo"
# a chain of 200000 switches with given tiers: `topo` overflowed its stack in
# the max-flow search; hop counts are 8-bit, so it is refused at load
awk 'BEGIN { n = 200000
	printf "fabric = { kind = \"explicit\"; host_rate = \"1G\"; nodes = ( { name = \"a\"; kind = \"host\"; },"
	printf " { name = \"b\"; kind = \"host\"; }"
	for (i = 0; i < n; i++) printf ",\n { name = \"s%d\"; kind = \"switch\"; tier = 1; }", i
	printf " );\n links = ( (\"a\", \"s0\"), (\"b\", \"s%d\")", n - 1
	for (i = 0; i < n - 1; i++) printf ", (\"s%d\", \"s%d\", \"1G\")", i, i + 1
	printf " ); };\n" }' >"$tmp/chain.topo"
expect "a 200000-switch chain: no crash, the hop limit" 1 \
	"chain.topo:257: switch \"s255\" is more than 254 hops from a host or a host's switch (expected at most 254" \
	run topo "$tmp/chain.topo"
topo 'fabric = { kind = "leafspine"; host_rate = "800G"; leaves = 1; hosts_per_leaf = 1; spines = 0; };\n' one.topo
expect "one host: topo says so" 0 "only one host: nothing can be sent between hosts" run topo "$tmp/one.topo"
expect "one host: no bisection figure" 0 "bisection      - (one host: no host pair to split)" run topo "$tmp/one.topo"
expect "one host: JSON bisection null" 0 '"bisection_bps": null' run topo --json "$tmp/one.topo"
expect "presets still load" 0 "2048" run topo topologies/sn5600-2tier.topo

# ---- fabsim predict: bench JSON and map files ------------------------------
C=topologies/railopt-demo.topo
run run -t $C -w allreduce -a ring -n 8 -s 1M:4M:x4 --bench-json "$tmp/sim.json" --quiet -o "$tmp/simrun" >/dev/null 2>&1
bench() { jq "$1" "$tmp/sim.json" >"$tmp/b.json"; }
predict() { run predict --bench "$tmp/b.json" --topo $C -o "$tmp/pred" "$@"; }

bench '.p2p_bw_GBps = 1e-15'
expect "p2p_bw_GBps 1e-15: no SIGFPE, path and range" 1 \
	"b.json: key 'p2p_bw_GBps' = 1e-15 is out of range (expected null or a number 0.000125..1250 GB/s (1M..10T b/s))" predict
bench '.p2p_bw_GBps = 1e300'
expect "p2p_bw_GBps 1e300: no SIGFPE" 1 "key 'p2p_bw_GBps' = 1e+300 is out of range" predict
# a file written before issue 16 spelt GB/s _gbps: read, and range-checked, the same
bench '.p2p_bw_GBps = 12.5'
run predict --bench "$tmp/b.json" --topo $C -o "$tmp/pred-new" >/dev/null 2>&1
bench '.p2p_bw_gbps = 12.5 | del(.p2p_bw_GBps) | .results |= map(.busbw_gbps = .busbw_GBps | .algbw_gbps = .algbw_GBps | del(.busbw_GBps, .algbw_GBps))'
expect "predict reads an old bench file (_gbps keys)" 0 "measured p2p bandwidth" predict
if cmp -s "$tmp/pred-new/prediction.csv" "$tmp/pred/prediction.csv" && grep -q 'nic_rate_bps": 100000000000,' "$tmp/pred/summary.json"; then
	ok "predict: an old bench file predicts as the same file with _GBps keys (12.5 GB/s = 100 Gb/s)"
else
	bad "predict: an old bench file predicts as the same file with _GBps keys (12.5 GB/s = 100 Gb/s)"
fi
bench 'del(.p2p_bw_GBps) | .p2p_bw_gbps = 1e300'
expect "old key p2p_bw_gbps 1e300: range-checked" 1 "key 'p2p_bw_GBps' = 1e+300 is out of range" predict
bench '.qps = 100000'
expect "qps 100000: held to run's 1..256" 1 "key 'qps' = 100000 is out of range (expected null or an integer 1..256)" predict
bench '.nchannels = 1000000'
expect "nchannels 1000000: held to 1..64" 1 "key 'nchannels' = 1000000 is out of range (expected null or an integer 1..64)" predict
bench '.results[1].bytes = 0'
expect "a zero size: its JSON path" 1 "key 'results[1].bytes' = 0 is out of range (expected an integer 1..1099511627776)" predict
bench '.results[0].time_us = -2.5'
expect "a negative time" 1 "key 'results[0].time_us' = -2.5 is out of range (expected a number > 0 and <= 1e+12 us)" predict
bench '.results[0].bytes = 1001'
expect "a size the schedule cannot take" 1 "key 'results[0].bytes' = 1001: allreduce ring with 8 ranks cannot run it" predict
bench '.p2p_latency_us = 0'
expect "a zero latency" 1 "key 'p2p_latency_us' = 0 is out of range (expected null or a number > 0 and <= 1e+06 us)" predict
bench '.line_rate_bps = 1'
expect "a 1 b/s line rate" 1 "key 'line_rate_bps' = 1 is out of range (expected null or 0 (unknown) or an integer 1000000..10000000000000)" predict
bench '.mtu_bytes = 65536'
expect "an MTU beyond 9000" 1 "key 'mtu_bytes' = 65536 is out of range" predict
bench '.gpus_per_server = 3 | .algorithm = "hier"'
expect "hier with 8 ranks in servers of 3" 1 "hier needs nranks to be a multiple of gpus_per_server" predict
sed 's/"time_us": [0-9.]*/"time_us": NaN/' "$tmp/sim.json" >"$tmp/b.json"
expect "NaN in the JSON: file and line" 1 "b.json:$(grep -n NaN "$tmp/b.json" | head -1 | cut -d: -f1): invalid token" predict
printf '{ "tool": "fabbench", "tool": "x" }\n' >"$tmp/b.json"
expect "a key given twice" 1 "b.json:1: duplicate object key" predict
expect "bench: a directory" 1 "$tmp: is a directory (expected a fabbench --json results file)" \
	run predict --bench "$tmp" --topo $C -o "$tmp/pred"
expect "--rate 1: exit 2, range" 2 "fabsim predict: --rate 1 b/s is out of range (1 Mb/s to 10 Tb/s)" \
	run predict --bench "$tmp/sim.json" --topo $C --rate 1 -o "$tmp/pred"
expect "--overhead 2s: exit 2, range" 2 "--overhead 2 s is out of range (0 ps to 1 s)" \
	run predict --bench "$tmp/sim.json" --topo $C --overhead 2s -o "$tmp/pred"
expect "a valid bench file still predicts" 0 "# results:" run predict --bench "$tmp/sim.json" --topo $C -o "$tmp/pred"

map() { printf '%b' "$1" >"$tmp/m.map"; }
mapped() { run predict --bench "$tmp/sim.json" --topo $C --map "$tmp/m.map" -o "$tmp/pred"; }
long=$(printf 'x%.0s' $(seq 300))
map "rank0 h0\nrank1 h1\nrank2 h2\nrank3 h3\nrank4 h4\nrank5 h5\nrank6 h6\nrank7 h7\n"
expect "map: a full map" 0 "# results:" mapped
# the tail of a long comment once became an entry
map "# $long rank1 h9\nrank0 h0\n"
expect "map: a long comment's tail is no entry" 1 "rank 1 (host h1, device -) is not in the map: add 'h1 NODE'" mapped
map "rank0 h$long\n"
expect "map: a long name, whole line read" 1 "m.map:1: NODE 'hxxxxxxxxxxxxxxxxxxx...' is 301 characters long (expected 1..63)" mapped
map "rank0 h0\n\nrank0 h1\n"
expect "map: a key given twice" 1 "m.map:3: key 'rank0' is already mapped on line 1" mapped
map "rank0 h0 h1\n"
expect "map: three words" 1 "m.map:1: expected 'KEY NODE'" mapped
map "# nothing\n"
expect "map: no entry" 1 "m.map: no 'KEY NODE' line" mapped
map "rank0 h0\nrank1 h0\nrank2 h2\nrank3 h3\nrank4 h4\nrank5 h5\nrank6 h6\nrank7 h7\n"
expect "map: two ranks on one host" 1 "ranks 0 and 1 both map to host 'h0'" mapped
map "rank0 h08\n"
expect "map: h08 is no host name" 1 "rank 0 maps to 'h08', which is not a host" mapped
expect "map: /dev/zero" 1 "/dev/zero: larger than 16777216 bytes" \
	run predict --bench "$tmp/sim.json" --topo $C --map /dev/zero -o "$tmp/pred"

# ---- fabsim report: results folders ----------------------------------------
HDR=job,collective,algorithm,ranks,placement,size_bytes,time_us,algbw_GBps,busbw_GBps,effective_throughput,nic_busy,line_gbps
coll() { mkdir -p "$tmp/r/$1" && printf '%s\n%s\n' "$HDR" "$2" >"$tmp/r/$1/collective.csv"; }
report() { run report -o "$tmp/rout" "$tmp/r/$1"; }

coll ok 'main,allreduce,ring,8,contiguous,1048576,10.0,1,1,0.5,0.5,400'
expect "report: a valid collective.csv" 0 "report.md" report ok
coll nan 'main,allreduce,ring,8,contiguous,nan,10.0,1,1,0.5,0.5,400'
expect "report: NaN size" 1 "collective.csv:2: column 'size_bytes': nan is out of range (expected a whole number 1..9007199254740992)" report nan
coll zero 'main,allreduce,ring,8,contiguous,0,10.0,1,1,0.5,0.5,400'
expect "report: zero size" 1 "collective.csv:2: column 'size_bytes': 0 is out of range" report zero
coll inf 'main,allreduce,ring,inf,contiguous,1024,10.0,1,1,0.5,0.5,400'
expect "report: infinite rank count" 1 "collective.csv:2: column 'ranks': inf is out of range (expected a whole number 2..4294967295)" report inf
coll big 'main,allreduce,ring,1e300,contiguous,1024,10.0,1,1,0.5,0.5,400'
expect "report: rank count beyond 32 bits" 1 "column 'ranks': 1e300 is out of range" report big
coll frac 'main,allreduce,ring,2.5,contiguous,1024,10.0,1,1,0.5,0.5,400'
expect "report: a fractional rank count" 1 "column 'ranks': 2.5 is out of range" report frac
coll time 'main,allreduce,ring,8,contiguous,1024,0,1,1,0.5,0.5,400'
expect "report: zero time" 1 "column 'time_us': 0 is out of range (expected a number above 0, up to 1e+12)" report time
coll blank 'main,allreduce,ring,8,contiguous,1024,10.0,1,1,,,'
expect "report: blank ratios are allowed" 0 "report.md" report blank
coll text 'main,allreduce,ring,8,contiguous,1M,10.0,1,1,0.5,0.5,400'
expect "report: text for a number" 1 "collective.csv:2: column 'size_bytes': expected a whole number 1..9007199254740992, got '1M'" report text
# columns are found by name: reordered columns read the same
mkdir -p "$tmp/r/order" && printf 'line_gbps,size_bytes,job,ranks,collective,algorithm,time_us,busbw_GBps,effective_throughput,nic_busy\n400,2048,main,4,allreduce,ring,5.0,1.5,0.25,0.3\n' \
	>"$tmp/r/order/collective.csv"
expect "report: columns by header name" 0 "report.md" report order
if grep -Fq "| order | main | allreduce ring | 4 | 2K | 1 | 5.0 | 1.50 | – | 25.0% | 30.0% |" "$tmp/rout/report.md"; then
	ok "report: reordered columns land in the right table cells"
else
	bad "report: reordered columns land in the right table cells"
fi
# a collective.csv written before issue 16 (busbw_gbps for GB/s) reads the same
mkdir -p "$tmp/r/old" && printf 'line_gbps,size_bytes,job,ranks,collective,algorithm,time_us,busbw_gbps,effective_throughput,nic_busy\n400,2048,main,4,allreduce,ring,5.0,1.5,0.25,0.3\n' \
	>"$tmp/r/old/collective.csv"
expect "report: an old collective.csv (busbw_gbps)" 0 "report.md" report old
if grep -Fq "| old | main | allreduce ring | 4 | 2K | 1 | 5.0 | 1.50 | – | 25.0% | 30.0% |" "$tmp/rout/report.md"; then
	ok "report: an old collective.csv's busbw_gbps is the busbw"
else
	bad "report: an old collective.csv's busbw_gbps is the busbw"
fi
mkdir -p "$tmp/r/pred" && printf 'collective,algorithm,nranks,size_bytes,measured_time_us,measured_algbw_GBps,measured_busbw_GBps,predicted_time_us,predicted_algbw_GBps,predicted_busbw_GBps,line_gbps,rel_error\nallreduce,ring,1e10,1024,1,1,1,1,1,1,100,0\n' \
	>"$tmp/r/pred/prediction.csv"
expect "report: prediction.csv nranks 1e10" 1 "prediction.csv:2: column 'nranks': 1e10 is out of range" report pred

# flow runs: summary.json with flows.csv, links.csv, trace.csv
run run -t $T -s 256K --trace-port leaf0:spine0 -o "$tmp/r/flow" >/dev/null 2>&1
flowcase() {
	rm -rf "$tmp/r/$1" && cp -r "$tmp/r/flow" "$tmp/r/$1"
}
flowcase fct && sed -i '2s/^\([^,]*,[^,]*,[^,]*,[^,]*,[^,]*,\)[^,]*/\1nan/' "$tmp/r/fct/flows.csv"
expect "report: NaN FCT" 1 "flows.csv:2: column 'fct_us': nan is out of range (expected -1 or a number 0..1e+12)" report fct
flowcase tier && sed -i '2s/^\([^,]*,[^,]*,[^,]*,\)[^,]*/\11e300/' "$tmp/r/tier/links.csv"
expect "report: tier 1e300, no int cast" 1 "links.csv:2: column 'from_tier': 1e300 is out of range (expected a whole number 0..255)" report tier
flowcase paused && sed -i '2s/^\([^,]*,[^,]*,[^,]*,\)[^,]*/\12/' "$tmp/r/paused/trace.csv"
expect "report: paused 2 in trace.csv" 1 "trace.csv:2: column 'paused': 2 is out of range (expected a whole number 0..1)" report paused
flowcase drops && jq '.drops = -1' "$tmp/r/flow/summary.json" >"$tmp/r/drops/summary.json"
expect "report: negative drops in summary.json" 1 "summary.json: key 'drops' = -1 is out of range (expected null or a whole number 0..9.2e+18)" report drops
flowcase unfinished && jq '.effective_throughput = null | .fct_p99_us = null' "$tmp/r/flow/summary.json" >"$tmp/r/unfinished/summary.json"
expect "report: null figures show as a dash" 0 "report.md" report unfinished
flowcase nul && printf 'fct_us\n1.0\0\n' >"$tmp/r/nul/flows.csv"
expect "report: a NUL byte in a CSV" 1 "flows.csv:2: binary data (a NUL byte)" report nul
flowcase long && { echo fct_us; head -c 70000 /dev/zero | tr '\0' 1; echo; } >"$tmp/r/long/flows.csv"
expect "report: a 70000-byte line" 1 "flows.csv:2: line too long" report long
expect "report: a valid flow run" 0 "report.md" report flow

finish
