#!/usr/bin/env bash
# The tiny-task AlphaRL/RELEX experiment (docs: ALPHARL.md §11). For each seed: one full GRPO run of STEPS steps
# (64 prompts x 8 samples per step, lr 5e-6, held-out accuracy on 1000 prompts) that saves a checkpoint every 5
# steps, then `bench.jar sweep` (dev.alpharl.bench.AlphaRlSweep) scores, for windows of 10%, 20% and 40% of the run,
# what an accelerated run with that window would end with: W_k (stop, no jump), AlphaRL (assemblies replace and add,
# y = reward and y = accuracy, and the oracle y* = the final accuracy) and RELEX jumping 0.25 / 0.5 / 1 of the way to
# step STEPS, the raw-delta extrapolation (RELEX and raw each on all tensors and on the matrices only), and the
# alpharl.validate choice on 1000 validation prompts (train split, disjoint from the eval set). A run seeded like the
# full run is the full run up to its window's end, so this equals the online runs (checked: see docs/results.md).
# Finally `alpharl analyze` of the first seed gives the diagnostics (rank-k recovery with its random control, Law 2 on
# both directions, coherence of increments, y = accuracy and reward).
# Usage: bench/alpharl-experiment.sh [STEPS] [SEEDS...]   (default: 200, seeds 1 2 3); about 10 min per seed on
# 2 cores. Runs with one libtorch thread (the figures in docs/results.md were made so; other thread counts change the
# floating-point order and so the exact trajectories). Run it alone: two trainer JVMs on 2 cores slow each other.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-200}
shift || true
seeds=("$@")
[ ${#seeds[@]} -eq 0 ] && seeds=(1 2 3)
jar=trainer/target/trainer.jar
bench_jar=bench/target/bench.jar   # thin: runs with $jar on its class path
[ -f $jar ] && [ -f $bench_jar ] || mvn -B -o -q -DskipTests package
out=runs/alpharl-experiment
java=(env OMP_WAIT_POLICY=PASSIVE java -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1)
windows="$((steps / 10)),$((steps / 5)),$((steps * 2 / 5))"
validation=(--data.validation.kind=synthetic --data.validation.task=arithmetic --data.validation.size=1000
            --data.validation.seed=7 --data.validation.split=train --data.validation.min-digits=1
            --data.validation.max-digits=2 --data.validation.operands=2 --data.validation.ops=+-)
for seed in "${seeds[@]}"; do
  run=$out/full-s$seed
  if [ ! -f $run/summary.json ]; then
    "${java[@]}" -jar $jar --config tiny-grpo --run.output-dir=$out --run.name=full-s$seed --run.seed=$seed \
        --rollout.prompts-per-step=64 --optim.lr=5e-6 --trainer.total-steps=$steps --trainer.eval-every=25 \
        --data.eval.size=1000 --trainer.save-every=5 --trainer.keep-checkpoints=0 --metrics.log-every=25
  fi
  "${java[@]}" -jar $bench_jar sweep $run $windows "${validation[@]}" 2>/dev/null
done
cks=$(ls -d $out/full-s${seeds[0]}/checkpoints/step-* | paste -sd,)
"${java[@]}" -jar $jar alpharl analyze --base models/tiny-qwen --checkpoints "$cks" \
    --eval-config $out/full-s${seeds[0]}/config.yaml --metrics $out/full-s${seeds[0]}/metrics.jsonl \
    --out $out/analysis-s${seeds[0]} 2>/dev/null
# gain retained (a − base)/(full − base) per seed, then its mean and range over the seeds
printf "%-5s %-36s %-22s %s\n" k variant "accuracy per seed" "gain retained: mean [min, max]"
cat $out/full-s*/sweep.tsv | awk -F'\t' '
  $3 == "base" { base[$1] = $4 } $3 == "full" { full[$1] = $4 }
  $3 != "base" && $3 != "full" { acc[$2 "\t" $3, $1] = $4; key[$2 "\t" $3] = ++order }
  !($1 in seeds) { seeds[$1] = 1; seed[++ns] = $1 }
  END {
    for (k in key) {
      split(k, kv, "\t"); s = ""; sum = 0; c = 0; lo = 1e9; hi = -1e9
      for (i = 1; i <= ns; i++) { sd = seed[i]; a = acc[k, sd]; r = (a - base[sd]) / (full[sd] - base[sd])
        s = s sprintf("%.3f ", a); sum += r; c++; if (r < lo) lo = r; if (r > hi) hi = r }
      printf "%d\t%-5s %-36s %-22s %6.2f [%.2f, %.2f]\n", key[k], kv[1], kv[2], s, sum / c, lo, hi
    }
    for (i = 1; i <= ns; i++) printf "999999\tseed %s: base %.3f, full run %.3f\n", seed[i], base[seed[i]], full[seed[i]]
  }' | sort -n | cut -f2-
