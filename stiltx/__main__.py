"""`python -m stiltx ...` (and `accelerate launch -m stiltx train ...` for several GPUs)."""

from stiltx.cli import main
from stiltx.sweep.tether import tether_to_parent

tether_to_parent()  # a sweep job's per-GPU processes die with the job (stiltx.sweep.tether)
main()
