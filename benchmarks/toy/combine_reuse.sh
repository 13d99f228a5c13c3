#!/usr/bin/env bash
# The 4-step functional sweep of benchmarks/README.md "Combining intermediate tasks" with the
# single-task jobs in it: single/mnli, single/qqp and two-task merges (average; TIES with a
# 2-point density grid) on the smoke world, one seed. The merge jobs take the single jobs' models
# (stiltx/sweep/reuse.py) instead of training them again; prints the sweep's CPU seconds and the
# budget table. Usage: [STEPS=4] bash benchmarks/toy/combine_reuse.sh OUT_DIR
# (STEPS: each intermediate model's steps; the target stages keep 4.)
set -euo pipefail
out=${1:?usage: combine_reuse.sh OUT_DIR}
python=${PYTHON:-python}
steps=${STEPS:-4}
mkdir -p "$out/recipes"
for merge in average ties; do
  printf '# Two-task %s merge\nextends: merge/%s\nname: merge2-%s\nintermediate:\n  tasks: [mnli, qqp]\n' \
    "$merge" "$merge" "$merge" > "$out/recipes/merge2-$merge.yaml"
done
sets=()
for item in toy.size=smoke 'target.tasks=[xnli, udpos]' 'retrieval.tasks=[]' \
  'intermediate.combine.densities=[0.2, 1.0]'; do
  sets+=(--set "$item")
done
for key in max_steps eval_every save_every; do
  sets+=(--set "intermediate.train.$key=$steps" --set "target.train.$key=4")
done
sets+=(--set intermediate.train.batch_size=4 --set target.train.batch_size=4)
recipes="single/mnli,single/qqp,$out/recipes/merge2-average.yaml,$out/recipes/merge2-ties.yaml"
/usr/bin/time -f "sweep CPU: %U s user + %S s sys, %e s wall" \
  nice -n 19 "$python" -m stiltx sweep --recipes "$recipes" --preset tiny --seeds 1 "${sets[@]}" \
  --out "$out/sweep"
nice -n 19 "$python" -m stiltx report "$out/sweep"
