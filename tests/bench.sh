#!/usr/bin/env bash
# `make bench`: simulator speed. A fixed permutation on a 1,024-host 800G
# leaf-spine (packet-hop events per second, peak memory), and the time and
# memory to build the Colossus-scale topology. Never part of `make check`:
# timings depend on the machine.
set -euo pipefail
FABSIM=${1:-build/fabsim}
out=results/bench
mkdir -p "$out"
topo=$out/leafspine-1024.topo
cat >"$topo" <<'TOPO'
# 1,024 hosts at 800G: 32 leaves x 32 hosts, 32 spines, non-blocking.
name = "bench-1024";
switch = { latency_ns = 600; buffer_mb = 160; };
fabric = { kind = "leafspine"; leaves = 32; hosts_per_leaf = 32; spines = 32;
	host_rate = "800G"; fabric_rate = "800G"; host_cable_m = 3.0; fabric_cable_m = 20.0; };
TOPO

echo "# fabsim bench: $(nproc) cores, $(uname -m), fabsim $("$FABSIM" --version | cut -d' ' -f2)"
# ev/pkt: events per delivered data packet (payload / MTU: the flows are
# whole MTU multiples), the engine's cost per unit of useful work.
printf '%-34s %10s %12s %8s %11s %11s %7s %9s\n' scenario events "packet hops" wall_s "M events/s" "M hops/s" ev/pkt "peak MiB"
for lb in ecmp ar; do
	"$FABSIM" run -t "$topo" -w permutation -s 8M -l "$lb" -S 1 --json -o "$out/perm-$lb" >"$out/perm-$lb.json"
	jq -r --arg n "permutation 1024x8MiB lb=$lb" \
		'"\($n)|\(.events)|\(.packet_hops)|\(.wall_s)|\(.events_per_s/1e6)|\(.packet_hops/.wall_s/1e6)|\(.events/(.payload_bytes/.mtu_bytes))|\(.peak_rss_kb/1024)"' \
		"$out/perm-$lb.json" |
		awk -F'|' '{ printf "%-34s %10d %12d %8.2f %11.2f %11.2f %7.2f %9.1f\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
done
read -r wall rss < <({ /usr/bin/time -f '%e %M' "$FABSIM" topo topologies/colossus-100k.topo >/dev/null; } 2>&1 | tail -1)
printf '%-34s %10s %12s %8.2f %11s %11s %7s %9.1f\n' "build colossus-100k topology" - - "$wall" - - - "$(echo "$rss / 1024" | bc -l)"
