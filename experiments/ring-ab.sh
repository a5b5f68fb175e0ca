#!/usr/bin/env bash
# Ring all-reduce on an idle fabric against the alpha-beta model: one
# 800G switch, n hosts, one rank per host (no NVLink), 1 MiB chunks,
# every CC without a window (none, dcqcn) runs the same NIC. Prints a
# markdown table of simulated and alpha-beta time and their ratio.
#
#   bash experiments/ring-ab.sh                 # n = 4 16 64 256, S = 1M 16M 256M 1G
#   NS="4 64" SIZES="1M 64M" bash experiments/ring-ab.sh
#
# alpha-beta (the model NCCL's tuner uses), as tests/test_envelope.c:
#   k = ceil(ceil(S / 1 MiB) / n) chunks, block b = S / (k n) payload bytes
#   in ceil(b / 4096) packets of 4096 + 82 wire bytes;
#   T = 2(n-1) k b_wire / line + 2(n-1) alpha, alpha = cable 100 ns +
#   switch 600 ns + one 4178 B frame at 800G + cable 100 ns = 841.78 ns.
set -euo pipefail
FABSIM=${FABSIM:-build/fabsim}
ns=${NS:-4 16 64 256}
sizes=${SIZES:-1M 16M 256M 1G}
cc=${CC:-none}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "| ranks | size | simulated (us) | alpha-beta (us) | simulated / alpha-beta | %line |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in $ns; do
	printf 'name = "ring-ab-%s";\nmtu = 4096;\nswitch = { latency_ns = 600; buffer_mb = 160; };\n' "$n" >"$tmp/t.topo"
	printf 'fabric = { kind = "leafspine"; leaves = 1; hosts_per_leaf = %s; spines = 1;\n' "$n" >>"$tmp/t.topo"
	printf '  host_rate = "800G"; fabric_rate = "800G"; cable_m = 20.0; };\n' >>"$tmp/t.topo"
	for s in $sizes; do
		"$FABSIM" run --topo "$tmp/t.topo" --workload allreduce --algo ring --size "$s" \
			--gpus-per-server 1 --cc "$cc" --quiet --out "$tmp/o" >/dev/null
		awk -F, -v n="$n" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{
			S = $c["size_bytes"]; T = $c["time_us"];
			k = int((S + 1048575) / 1048576); k = int((k + n - 1) / n); if (k < 1) k = 1;
			b = S / (k * n); p = int(b / 4096); if (p * 4096 < b) p++;
			line = 800e9 / 8; alpha = 800e-9 + 4178 / line;
			ab = (2 * (n - 1) * k * (b + 82 * p) / line + 2 * (n - 1) * alpha) * 1e6;
			u = "MiB"; sz = S / 1048576; if (sz >= 1024) { sz /= 1024; u = "GiB" }
			printf "| %d | %g %s | %.1f | %.1f | %.3f | %.1f%% |\n", n, sz, u, T, ab, T / ab,
				100 * $c["effective_throughput"] }' "$tmp/o/collective.csv"
	done
done
