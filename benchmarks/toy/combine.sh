#!/usr/bin/env bash
# direct, multitask9, fusion9 and the three merges on the smoke toy world, one seed, at the
# settings of benchmarks/README.md "Combining intermediate tasks". merge/average trains the nine
# single-task models; task arithmetic and TIES merge those same models (intermediate.combine.from),
# so their budgets count them once each (results.json budget: from:<task>).
# Usage: bash benchmarks/toy/combine.sh OUT_DIR [SEED]
set -euo pipefail
out=${1:?usage: combine.sh OUT_DIR [SEED]}
seed=${2:-1}
stiltx=(nice -n 19 python -m stiltx train --preset tiny)
sets=(
  --set toy.size=smoke --set seed="$seed"
  --set intermediate.train.max_steps=150 --set intermediate.train.eval_every=75
  --set intermediate.train.save_every=150
  --set target.train.max_steps=100 --set target.train.eval_every=50 --set target.train.save_every=100
  --set 'target.overrides={xquad: {max_length: 128}, mlqa: {max_length: 128}, tydiqa: {max_length: 128}}'
  --set 'retrieval.tasks=[]'
)
for recipe in direct multitask9 merge/average fusion/fusion9; do
  "${stiltx[@]}" --recipe "$recipe" "${sets[@]}" --out "$out/${recipe//\//-}"
done
tasks=(anli mnli qqp squad hellaswag cosmosqa commonsenseqa socialiqa ccg)
models=$(printf "$out/merge-average/intermediate/single/%s/model," "${tasks[@]}")
for recipe in merge/task-arithmetic merge/ties; do
  "${stiltx[@]}" --recipe "$recipe" "${sets[@]}" --set "intermediate.combine.from=[${models%,}]" \
    --out "$out/${recipe//\//-}"
done
nice -n 19 python -m stiltx report "$out" --baseline direct
