#!/usr/bin/env bash
# Issue 6's demonstration: measure fabbench over Soft-RoCE in the qemu VM
# (2 and 4 ranks), predict the same jobs with fabsim on a model of that
# setup (topologies/softroce-vm.topo), and report predicted vs measured.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory all >/dev/null
bash tests/vm/run.sh experiments/softroce-guest.sh build/fabbench
# The measurement is recorded in the tree (the README shows it, and
# tests/readme.sh checks the README against it and re-runs the prediction).
data=experiments/data/softroce
mkdir -p "$data"
for n in 2 4; do
	cp results/softroce/fabbench-$n.json "$data/"
	cat results/softroce/fabbench-$n.rank0.txt
done >"$data/measured.txt"
for n in 2 4; do
	build/fabsim predict --bench "$data/fabbench-$n.json" --topo topologies/softroce-vm.topo \
		--out results/softroce/predict-$n
done
build/fabsim report -o results/softroce results/softroce/predict-2 results/softroce/predict-4 || true
