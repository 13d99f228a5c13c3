"""A merge / fusion job of a sweep takes the models of the single-task jobs of its seed when they
are the very models it would train (resolved settings compared, not names), runs after them,
and says so in --dry-run. Planning only: torch-free and fast (the end-to-end check, scores equal
to the merge training its own, is in test_sweep_run.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.errors import StiltxError
from stiltx.sweep import jobs as J
from stiltx.sweep import state as S
from stiltx.sweep.execute import run_job
from stiltx.sweep.slurm import waves

SETS = ("toy.size=smoke", "intermediate.train.max_steps=4", "target.tasks=[xnli]")
MERGE = "# two-task merge\nextends: {base}\nname: {name}\nintermediate:\n  tasks: [mnli, qqp]\n"


def recipe_file(tmp_path, name, base="merge/average", inter="", top=""):
    path = tmp_path / f"{name}.yaml"
    path.write_text(MERGE.format(base=base, name=name) + inter + top)
    return str(path)


def plan(*recipes, seeds=(1, 2), sets=SETS):
    return J.plan_jobs(J.SweepSpec((",".join(recipes),), seeds, "tiny", sets))


def test_a_merge_takes_the_single_jobs_of_its_seed_and_runs_after_them(tmp_path):
    merge = recipe_file(tmp_path, "m2")
    jobs = plan(merge, "single/mnli", "single/qqp", "direct")
    assert [j.id for j in jobs][-2:] == ["m2/seed-1", "m2/seed-2"]  # after what they take
    by_id = {j.id: j for j in jobs}
    assert by_id["m2/seed-2"].reuse == ("single-mnli/seed-2", "single-qqp/seed-2")
    assert by_id["m2/seed-1"].stages.startswith(
        "intermediate mnli, qqp from single-mnli/seed-1, single-qqp/seed-1 (not trained again) "
        "-> average -> targets xnli"
    )
    assert not by_id["single-mnli/seed-1"].reuse and not by_id["direct/seed-1"].reuse
    args = by_id["m2/seed-1"].train_args(tmp_path / "sweep", resume=False)
    root = (tmp_path / "sweep").resolve()
    taken = json.dumps([str(root / "single-mnli/seed-1"), str(root / "single-qqp/seed-1")])
    assert args[args.index("--out") - 1] == f"intermediate.combine.from={taken}"


@pytest.mark.parametrize(
    ("inter", "top", "linked"),
    [
        ("  train:\n    weight_decay: 0.0\n", "", False),  # its per-task models train otherwise
        ("", "method:\n  freeze: ['*embeddings*']\n", False),  # another method
        ("  sampling:\n    with_replacement: false\n", "", False),  # another data order
        # a policy weighs streams: with one stream per model, every policy is the same
        ("  sampling:\n    policy: temperature\n    temperature: 2.0\n", "", True),
        ("", "target:\n  warm_start_heads: true\n", True),  # the targets do not matter
    ],
)
def test_a_merge_trains_its_own_models_when_the_settings_differ(tmp_path, inter, top, linked):
    merge = recipe_file(tmp_path, "m2", inter=inter, top=top)
    jobs = {j.id: j for j in plan(merge, "single/mnli", "single/qqp", seeds=(1,))}
    assert bool(jobs["m2/seed-1"].reuse) is linked
    assert ("(4 steps each) -> average" in jobs["m2/seed-1"].stages) is not linked


def test_only_a_full_set_of_same_seed_models_is_taken(tmp_path):
    merge = recipe_file(tmp_path, "m2")
    jobs = plan(merge, "single/mnli")  # no qqp job: the merge trains both itself
    assert not any(j.reuse for j in jobs)
    # a budgeted sweep that drops a single job relinks: the merge trains its own again
    kept = [j for j in plan(merge, "single/mnli", "single/qqp") if j.recipe != "single-qqp"]
    assert not any(j.reuse for j in J.relink(kept))


def test_fusion_takes_adapter_singles_only(tmp_path):
    fusion = recipe_file(tmp_path, "f2", base="fusion/fusion9")
    full = {j.id: j for j in plan(fusion, "single/mnli", "single/qqp", seeds=(1,))}
    assert not full["f2/seed-1"].reuse  # full fine-tuned singles: not the adapters fusion needs
    sets = (*SETS, "method.kind=adapter", "method.adapter=seq_bn")
    adapters = {j.id: j for j in plan(fusion, "single/mnli", "single/qqp", seeds=(1,), sets=sets)}
    assert adapters["f2/seed-1"].reuse == ("single-mnli/seed-1", "single-qqp/seed-1")


def test_the_manifest_keeps_the_links_and_refuses_one_out_of_the_sweep(tmp_path):
    merge = recipe_file(tmp_path, "m2")
    spec = J.SweepSpec((f"{merge},single/mnli,single/qqp",), (1,), "tiny", SETS)
    jobs = J.plan_jobs(spec)
    J.write_manifest(tmp_path / "s", spec, jobs)
    assert J.read_manifest(tmp_path / "s")[1] == jobs
    raw = json.loads((tmp_path / "s" / J.MANIFEST).read_text())
    raw["jobs"][-1]["reuse"] = ["../../elsewhere/seed-1"]
    (tmp_path / "s" / J.MANIFEST).write_text(json.dumps(raw))
    with pytest.raises(StiltxError, match="not a valid sweep manifest"):
        J.read_manifest(tmp_path / "s")


def test_a_job_whose_inputs_did_not_finish_fails_untried_naming_them(tmp_path):
    merge = recipe_file(tmp_path, "m2")
    job = next(j for j in plan(merge, "single/mnli", "single/qqp", seeds=(1,)) if j.reuse)
    assert run_job(job, tmp_path / "s") == S.FAILED
    state = S.read_state(S.state_path(tmp_path / "s", job))
    assert state["error"].startswith(
        "not started: it takes the models of single-mnli/seed-1, single-qqp/seed-1, which did "
        "not finish"
    )
    assert not job.run_dir(tmp_path / "s").exists() and not S.log_path(tmp_path / "s", job).exists()
    assert S.job_status(tmp_path / "s", job).detail == state["error"]  # what --status shows


def test_dry_runs_show_the_reuse_and_slurm_submits_it_second(tmp_path):
    merge = recipe_file(tmp_path, "m2")
    jobs = plan(merge, "single/mnli", "single/qqp", seeds=(1,))
    assert [[j.id for j in wave] for wave in waves(jobs)] == [
        ["single-mnli/seed-1", "single-qqp/seed-1"], ["m2/seed-1"],
    ]  # fmt: skip
    assert [[j.id for j in wave] for wave in waves(jobs[-1:])] == [["m2/seed-1"]]  # theirs done
    args = ["sweep", "--recipes", f"{merge},single/mnli,single/qqp", "--preset", "tiny",
            "--seeds", "1", *(x for s in SETS for x in ("--set", s)), "--out", str(tmp_path / "s"),
            "--dry-run"]  # fmt: skip
    local = CliRunner().invoke(app, args)
    assert local.exit_code == 0, local.output
    text = " ".join(local.output.split())
    assert "from single-mnli/seed-1, single-qqp/seed-1 (not trained again)" in text
    assert "intermediate.combine.from=" in text
    slurm = CliRunner().invoke(app, [*args, "--executor", "slurm"])
    assert slurm.exit_code == 0, slurm.output
    text = " ".join(slurm.output.split())
    assert "2 jobs as Slurm array 1 of 2, at most 64" in text
    assert "1 jobs as Slurm array 2 of 2 after the first has ended (they take its models)" in text
    assert not (tmp_path / "s").exists()
