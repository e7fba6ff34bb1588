#!/usr/bin/env bash
# The RL runs of issue 15 in the reasoning regime (docs/results.md "The reasoning regime"): GRPO and Dr.GRPO at the
# piloted learning rate 1e-5, three seeds each, GRPO at 3x that rate (dose-response), and GRPO on the control base
# (three seeds) when models/reasoning-control exists; 120 steps with a checkpoint
# every 2 steps (all kept) for the offline AlphaRL sweep (bench.jar sweep RUN 12,24,48: windows of 10, 20, 40%). Each run resumes exactly where it stopped: run the script
# again after an interruption and finished runs are skipped. ~12 minutes per run on 2 cores.
#   bench/reasoning-runs.sh [JAR]    (default trainer/target/trainer.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=${1:-trainer/target/trainer.jar}
run() { # name, then overrides
  local name=$1; shift
  if [ -d "runs/$name/final" ]; then echo "$name: done"; return; fi
  echo "$name: $(date +%T)"
  java -jar "$jar" train --config configs/reasoning-grpo.yaml --run.name="$name" "$@" > "runs/$name.log" 2>&1
}
mkdir -p runs
for seed in 1 2 3; do
  run "reasoning-grpo-s$seed" --run.seed=$seed
done
for seed in 1 2 3; do
  run "reasoning-drgrpo-s$seed" --run.seed=$seed --algorithm.name=dr_grpo
done
run reasoning-grpo-lr3e-5-s1 --run.seed=1 --optim.lr=3e-5
# the control base (configs/reasoning-control-sft.yaml: correct chains only, under-trained), once it has been made
if [ -d models/reasoning-control ]; then
  for seed in 1 2 3; do
    run "reasoning-control-grpo-s$seed" --run.seed=$seed --model.path=models/reasoning-control
  done
fi
