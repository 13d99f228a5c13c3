#!/usr/bin/env bash
# The short version of benchmarks/gpu.sh (one repeat, no memory or evaluation runs), for a device
# lease with little time left:  OUT=gpu-results bash benchmarks/gpu_quick.sh
source "$(dirname "$0")/gpu_env.sh"
timeout 75 $PY benchmarks/vs_trainer.py --device cuda --steps 40 --warmup 10 --batch-size 32 \
  --repeats 1 --json "$OUT/vs_trainer.json" 2>&1 | grep -vE "Warning|adapters available" | tee "$OUT/vs_trainer.txt"
timeout 45 $PY benchmarks/train_throughput.py --device cuda --steps 60 --warmup 10 \
  --batch-size 32 --repeats 1 --skip-memory 2>&1 | grep -v Warning | tee "$OUT/train_throughput.txt"
