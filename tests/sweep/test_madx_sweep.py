"""MAD-X recipes in a sweep like any other: planned, their overrides applied where they fit."""

from __future__ import annotations

from stiltx.sweep import jobs as J


def test_a_sweep_plans_madx_beside_direct_with_the_overrides_that_apply():
    sets = ("madx.train.max_steps=3", "intermediate.train.max_steps=2", "target.tasks=[xnli]")
    spec = J.SweepSpec(recipes=("madx/madx,madx/multitask9,direct",), seeds=(1, 2), preset="tiny",
                       overrides=sets)  # fmt: skip
    jobs = {job.id: job for job in J.plan_jobs(spec)}
    assert set(jobs) == {f"{name}/seed-{s}" for name in ("madx", "madx-multitask9", "direct")
                         for s in (1, 2)}  # fmt: skip
    madx, stacked, direct = (
        jobs["madx/seed-1"],
        jobs["madx-multitask9/seed-1"],
        jobs["direct/seed-1"],
    )
    assert madx.stages.startswith("language adapters en, de, ru, zh, sw (3 steps each) -> targets")
    assert "intermediate.train.max_steps=2" not in madx.overrides  # madx/madx has none
    assert " -> intermediate " in stacked.stages and "madx.train.max_steps=3" in stacked.overrides
    assert not any(item.startswith("madx.") for item in direct.overrides)  # no madx section
    assert "language adapters" not in direct.stages
    # roles: direct is the control; MAD-X (no intermediate task) a baseline beside it, so the
    # transfer view has exactly one control
    assert (direct.role, madx.role, stacked.role) == (J.CONTROL, J.BASELINE, J.INTERMEDIATE)
