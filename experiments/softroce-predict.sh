#!/usr/bin/env bash
# Issue 6's demonstration: measure fabbench over Soft-RoCE in the qemu VM
# (2 and 4 ranks), predict the same jobs with fabsim on a model of that
# setup (topologies/softroce-vm.topo), and report predicted vs measured.
set -euo pipefail
cd "$(dirname "$0")/.."
make --no-print-directory all >/dev/null
bash tests/vm/run.sh experiments/softroce-guest.sh build/fabbench
for n in 2 4; do
	build/fabsim predict --bench results/softroce/fabbench-$n.json --topo topologies/softroce-vm.topo \
		--out results/softroce/predict-$n
done
build/fabsim report -o results/softroce results/softroce/predict-2 results/softroce/predict-4 || true
