#!/usr/bin/env bash
# Guest side of experiments/softroce-predict.sh: fabbench over verbs on the
# VM's rxe0/rxe1 with 2 and 4 ranks, with --p2p so that fabsim can
# calibrate (in place only, the figures fabsim predict compares), results
# as JSON under results/softroce/.
set -euo pipefail
BIN=${1:-build/fabbench}
out=results/softroce
mkdir -p "$out"
port=29600
for n in 2 4; do
	port=$((port + 1))
	pids=()
	for ((r = 0; r < n; r++)); do
		"$BIN" --transport verbs --device rxe0,rxe1 --rank "$r" --nranks "$n" --master "127.0.0.1:$port" \
			-T 120 -b 64K -e 1M -f 4 -n 5 -w 1 -c 1 --inplace 1 --p2p --json "$out/fabbench-$n.json" \
			>"$out/fabbench-$n.rank$r.txt" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	cat "$out/fabbench-$n.rank0.txt"
done
