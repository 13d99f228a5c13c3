"""A world built before Mewsli-X's toy files gets them, and nothing else of it changes."""

from __future__ import annotations

import shutil

from stiltx.toy.build import LATE_PARTS, ensure_toy_world
from stiltx.toy.sizes import TEST_SIZES


def _snapshot(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_world_without_a_late_part_gets_it_and_keeps_every_other_file(tmp_path):
    world = ensure_toy_world(
        sizes=TEST_SIZES, cache_dir=tmp_path, with_model=False, progress=False, translated=False
    )
    before = _snapshot(world.data_dir)
    for part in LATE_PARTS:
        shutil.rmtree(world.data_dir / part)  # as a world built before the part existed
    older = _snapshot(world.data_dir)
    again = ensure_toy_world(
        sizes=TEST_SIZES, cache_dir=tmp_path, with_model=False, progress=False, translated=False
    )
    after = _snapshot(again.data_dir)
    assert after == before  # the same bytes as a world built with the part from the start
    assert {k: v for k, v in after.items() if k.parts[0] not in LATE_PARTS} == older
