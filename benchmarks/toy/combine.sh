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
inter=(
  --set intermediate.train.max_steps=100 --set intermediate.train.eval_every=50
  --set intermediate.train.save_every=100
)
sets=(
  --set toy.size=smoke --set seed="$seed"
  --set 'target.tasks=[xnli, udpos]' --set target.train.max_steps=60
  --set target.train.eval_every=30 --set target.train.save_every=60
  --set 'retrieval.tasks=[]'
)
"${stiltx[@]}" --recipe direct "${sets[@]}" --out "$out/direct"
for recipe in multitask9 merge/average fusion/fusion9; do
  "${stiltx[@]}" --recipe "$recipe" "${sets[@]}" "${inter[@]}" --out "$out/${recipe//\//-}"
done
tasks=(anli mnli qqp squad hellaswag cosmosqa commonsenseqa socialiqa ccg)
models=$(printf "$out/merge-average/intermediate/single/%s/model," "${tasks[@]}")
for recipe in merge/task-arithmetic merge/ties; do
  "${stiltx[@]}" --recipe "$recipe" "${sets[@]}" "${inter[@]}" \
    --set "intermediate.combine.from=[${models%,}]" \
    --out "$out/${recipe//\//-}"
done
nice -n 19 python -m stiltx report "$out" --baseline direct
