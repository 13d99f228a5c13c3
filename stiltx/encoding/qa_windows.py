"""Doc-stride windows over a QA context and the max-context rule, as the references make them.

XTREME's `third_party/run_squad.py` (google-research/xtreme, `scripts/train_qa.sh:67`
`--doc_stride 128`) builds its features with `third_party/processors/squad.py`, a copy of
transformers' legacy `squad_convert_example_to_features`; jiant has the same code in
`jiant/tasks/lib/templates/squad_style/core.py`. In both, `doc_stride` is the STEP between the
starts of consecutive windows, not their overlap:
- window k starts at context token k * doc_stride (xtreme processors/squad.py:166,173; jiant
  core.py:217,226) and holds min(remaining, room) tokens, room = max_seq_length - question tokens
  - the pair's special tokens (xtreme :151-154; jiant :187-190);
- windows are added while k * doc_stride < n (xtreme :138; jiant :161) and stop after the first
  that reaches the end of the context (no overflowing tokens left: xtreme :178-179; jiant
  :231-235). The overflow `stride` they pass is room - doc_stride (xtreme :146; jiant :180-183).
- a token seen by several windows is scored only in the window where it has the most context:
  score = min(left, right) + 0.01 * window length, the first window winning a tie (`score >
  best_score`; `_new_check_is_max_context`, xtreme processors/squad.py:60-79, jiant
  core.py:528-546), stored per window as `token_is_max_context` (xtreme :182-190; jiant :238-248).

Our clamps, where the reference has none: a step larger than the room would leave context tokens
in no window (the legacy code's negative overflow stride), so a step above the room becomes
ceil(room / 2) (every token in about two windows, as the old overlap clamp gave tiny presets); a
step below 1 is an error. An empty context still gets one (empty) window, where the reference
makes no feature at all, so the question gets the prediction "".
"""

from __future__ import annotations

import numpy as np


def window_step(doc_stride: int, room: int) -> int:
    """Context tokens between window starts: doc_stride, or ceil(room / 2) when it exceeds room."""
    if doc_stride < 1 or room < 1:
        raise ValueError(f"doc_stride {doc_stride} and context room {room} must both be >= 1")
    return doc_stride if doc_stride <= room else room - room // 2


def doc_spans(num_tokens: int, room: int, step: int) -> list[tuple[int, int]]:
    """(start, length) in context tokens of each window over `num_tokens` context tokens."""
    spans = [(0, min(num_tokens, room))]
    while spans[-1][0] + room < num_tokens:
        start = spans[-1][0] + step
        spans.append((start, min(num_tokens - start, room)))
    return spans


def max_context_masks(spans: list[tuple[int, int]]) -> list[np.ndarray]:
    """Per window, one bool per context token: is this the token's max-context window?

    The reference's score, computed the same way in float64 so ties break identically: among the
    windows holding position p, the first with the highest min(p - start, end - p) + 0.01 * length.
    """
    starts = np.array([s for s, _ in spans], dtype=np.int64)[:, None]
    lengths = np.array([n for _, n in spans], dtype=np.int64)[:, None]
    ends = starts + lengths - 1
    num_tokens = int((starts + lengths).max()) if spans else 0
    position = np.arange(num_tokens, dtype=np.int64)[None, :]
    inside = (position >= starts) & (position <= ends)
    score = np.minimum(position - starts, ends - position) + 0.01 * lengths
    best = np.where(inside, score, -np.inf).argmax(axis=0)  # first maximum = earliest window
    return [best[s : s + n] == k for k, (s, n) in enumerate(spans)]
