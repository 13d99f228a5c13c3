"""One module per `stiltx` command: each parses typed options and calls one library function.

`stiltx.cli` registers them; `options.py` holds what they share (--recipe / --preset / --set, typed
choices, the consoles, clean errors).
"""
