# Shared set-up of benchmarks/gpu.sh and gpu_quick.sh (sourced, not run): output folder, offline
# Hugging Face, the repo on PYTHONPATH, a cache outside the repo, and the Python to use.
set -uo pipefail
OUT=${OUT:-gpu-results}
mkdir -p "$OUT"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 STILTX_CACHE=${STILTX_CACHE:-/tmp/stiltx-cache}
PY=${PYTHON:-python3}
