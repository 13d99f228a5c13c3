#!/usr/bin/env bash
# Every GPU number in benchmarks/README.md, in one command that fits 10 minutes of GPU time (repo
# root, one CUDA GPU, stiltx's dependencies importable; installs nothing):
#
#     OUT=gpu-results bash benchmarks/gpu.sh       # -> $OUT/gpu.json (+ one .txt per step)
#     DRY_RUN=1 OUT=/tmp/g bash benchmarks/gpu.sh  # the same steps on CPU, tiny: checks the script
#
# XLM-R Large shape (random init), bf16 autocast, SDPA: stiltx vs Trainer / AdapterTrainer
# (group_by_length) on sentence pairs (batch 32, ~50 tokens) and QA windows (384 tokens), full /
# seq_bn / lora with MFU; then stiltx with length buckets + torch.compile; the loop vs the bare
# floor (XLM-R base, as before); prediction vs Trainer.predict. Each step has its own time limit,
# so one failure or hang does not eat the others' time; the compile step runs last.
source "$(dirname "$0")/gpu_env.sh"

DRY=${DRY_RUN:-0}
if [[ $DRY == 1 ]]; then  # CPU, small model, a step or two, one thread: the plumbing only
  export OMP_NUM_THREADS=1
  DEV="--device cpu --small" SHAPE="" TRAIN="--steps 2 --warmup 1 --repeats 1"
  EVAL="--examples 24 --repeats 1" DEVICE_INFO="echo cpu dry run"
  MEMORY="--skip-memory"  # the memory part builds XLM-R base models (7 GB on CPU)
else
  DEV="--device cuda" SHAPE="--shape large" TRAIN="--steps 30 --warmup 10 --repeats 2"
  EVAL="--examples 2000 --repeats 2" MEMORY=""
  DEVICE_INFO="nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader"
fi
step() {  # step NAME SECONDS command...: run it (a dry run has no time limit), keep its output
  local name=$1 seconds=$2; shift 2
  [[ $DRY == 1 ]] && seconds=0
  echo "== $name (limit ${seconds}s)"
  timeout "$seconds" "$@" 2>&1 | grep --line-buffered -vE "Warning|adapters available" | tee "$OUT/$name.txt"
  echo "${PIPESTATUS[0]}" > "$OUT/$name.rc"
}

{
  date -u
  $DEVICE_INFO
  $PY -c "import torch, transformers, adapters, datasets, accelerate; print('torch', torch.__version__, '| transformers', transformers.__version__, '| adapters', adapters.__version__, '| datasets', datasets.__version__, '| accelerate', accelerate.__version__)"
} 2>&1 | tee "$OUT/device.txt"

# 1. training, sentence pairs: stiltx loop vs Trainer / AdapterTrainer, examples/s, tokens/s, MFU
step vs_trainer_pairs 140 $PY benchmarks/vs_trainer.py $DEV $SHAPE $TRAIN --batch-size 32 \
  --json "$OUT/vs_trainer_pairs.json"
# 2. training, QA windows of 384 tokens (batch 16, the paper's QA batch)
step vs_trainer_qa 120 $PY benchmarks/vs_trainer.py $DEV $SHAPE $TRAIN --kind qa --batch-size 16 \
  --json "$OUT/vs_trainer_qa.json"
# 3. the loop (prefetching data path) vs the bare floor and fixed padding; memory (XLM-R base)
step train_throughput 70 $PY benchmarks/train_throughput.py $DEV $TRAIN $MEMORY --batch-size 32 \
  --json "$OUT/train_throughput.json"
# 4. zero-shot prediction vs Trainer.predict (classification, tagging, QA windows)
step eval_throughput 90 $PY benchmarks/eval_throughput.py $DEV $SHAPE $EVAL --batch-size 64 \
  --json "$OUT/eval_throughput.json"
# 5. pairs again, full fine-tuning, stiltx padded to 4 lengths and compiled (compile time untimed)
step vs_trainer_compiled 150 $PY benchmarks/vs_trainer.py $DEV $SHAPE $TRAIN --batch-size 32 \
  --methods full --buckets 4 --compile --json "$OUT/vs_trainer_compiled.json"

# One machine-readable file: the device, and each step's JSON (null where it failed) and exit code.
$PY - "$OUT" <<'EOF'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
steps = ["vs_trainer_pairs", "vs_trainer_qa", "train_throughput", "eval_throughput", "vs_trainer_compiled"]
result = {"device": (out / "device.txt").read_text().strip().splitlines(), "steps": {}}
for name in steps:
    path, rc = out / f"{name}.json", out / f"{name}.rc"
    result["steps"][name] = {
        "rc": int(rc.read_text()) if rc.exists() else None,
        "result": json.loads(path.read_text()) if path.exists() else None,
    }
(out / "gpu.json").write_text(json.dumps(result, indent=1))
print(f"wrote {out / 'gpu.json'}:", {k: v["rc"] for k, v in result["steps"].items()})
EOF
