#!/usr/bin/env bash
# The tiny-task AlphaRL/RELEX experiment (docs: ALPHARL.md §11): for each seed, a full GRPO run of STEPS steps and
# accelerated runs that observe 10%, 20% and 40% of it with each method, then jump to the predicted final weights.
# Prints one line per run (steps, final held-out accuracy, gain retained vs the same seed's full run) and writes
# the compare reports. Usage: bench/alpharl-experiment.sh [STEPS] [SEEDS...]   (default: 250, seeds 1 2 3)
# CPU time: about (1 + 6 x 0.3) x STEPS x 0.35 s per seed on 2 cores. Run it alone: two trainer JVMs on 2 cores are
# ten times slower, not two.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-250}
shift || true
seeds=("${@:-1 2 3}")
[ $# -eq 0 ] && seeds=(1 2 3)
jar=trainer/target/trainer.jar
out=runs/alpharl-experiment
common=(--config tiny-grpo --run.output-dir=$out --trainer.total-steps=$steps --trainer.save-every=0
        --trainer.eval-every=$((steps / 10)) --metrics.log-every=50
        "--data.eval.size=500")
acc() { sed -n 's/.*"final_eval" : {[^}]*"accuracy" : \([0-9.]*\).*/\1/p' "$1" | head -1; }
base() { sed -n 's/.*"base_eval" : {[^}]*"accuracy" : \([0-9.]*\).*/\1/p' "$1" | head -1; }
for seed in "${seeds[@]}"; do
  java -jar $jar "${common[@]}" --run.seed=$seed --run.name=full-s$seed 2>/dev/null
  for method in alpharl relex; do
    for pct in 10 20 40; do
      w=$((steps * pct / 100))
      java -jar $jar "${common[@]}" --run.seed=$seed --run.name=$method-w$w-s$seed \
          --alpharl.window=$w --alpharl.method=$method 2>/dev/null
      java -jar $jar compare $out/$method-w$w-s$seed $out/full-s$seed >/dev/null 2>&1 || true
    done
  done
done
printf "%-22s %6s %8s %8s %8s\n" run steps base final retained
for f in $out/*/summary.json; do
  run=$(basename "$(dirname "$f")"); seed=${run##*-s}
  b=$(tr -d '\n' < "$f" | base /dev/stdin); a=$(tr -d '\n' < "$f" | acc /dev/stdin)
  full=$(tr -d '\n' < $out/full-s$seed/summary.json | acc /dev/stdin)
  n=$(sed -n 's/.*"steps" : \([0-9]*\).*/\1/p' "$f" | head -1)
  printf "%-22s %6s %8s %8s %8s\n" "$run" "$n" "$b" "$a" \
      "$(awk -v a="$a" -v b="$b" -v f="$full" 'BEGIN { if (f - b == 0) print "undef"; else printf "%.3f", (a - b) / (f - b) }')"
done
