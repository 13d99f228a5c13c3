"""`python -m stiltx ...` (and `accelerate launch -m stiltx train ...` for several GPUs)."""

from stiltx.cli import main

main()
