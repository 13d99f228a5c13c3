#!/usr/bin/env bash
# Every GPU number in benchmarks/README.md, in one command (repo root, one CUDA GPU, stiltx's
# dependencies importable):
#
#     OUT=gpu-results bash benchmarks/gpu.sh
#
# XLM-R-base-shaped model (random init), bf16 autocast, SDPA attention. Each step has its own
# time limit so one failure does not eat the others' time; outputs land in $OUT.
source "$(dirname "$0")/gpu_env.sh"

{
  date -u
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  $PY -c "import torch, transformers, adapters, datasets, accelerate; print('torch', torch.__version__, '| transformers', transformers.__version__, '| adapters', adapters.__version__, '| datasets', datasets.__version__, '| accelerate', accelerate.__version__)"
} 2>&1 | tee "$OUT/device.txt"

# 1. stiltx loop vs Trainer / AdapterTrainer (full, seq_bn, lora): examples/s, tokens/s, MFU
timeout 160 $PY benchmarks/vs_trainer.py --device cuda --steps 40 --warmup 10 --batch-size 32 \
  --repeats 3 --json "$OUT/vs_trainer.json" 2>&1 | grep -v Warning | tee "$OUT/vs_trainer.txt"

# 2. the loop (with its prefetching data path) vs the bare floor, and fixed padding; memory
timeout 110 $PY benchmarks/train_throughput.py --device cuda --steps 60 --warmup 10 \
  --batch-size 32 --repeats 3 2>&1 | grep -v Warning | tee "$OUT/train_throughput.txt"

# 3. zero-shot prediction vs Trainer.predict (classification, tagging, QA windows)
timeout 100 $PY benchmarks/eval_throughput.py --device cuda --examples 4000 --batch-size 64 \
  --repeats 3 --json "$OUT/eval_throughput.json" 2>&1 | grep -v Warning | tee "$OUT/eval_throughput.txt"
