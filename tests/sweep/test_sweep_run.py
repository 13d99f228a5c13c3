"""`stiltx sweep` end to end at smoke size: 4 recipes x 2 seeds as real subprocess jobs.

One module fixture tells the whole story (and keeps CI time small): the sweep starts from the
command line, is killed (process group, SIGKILL) once its first job has finished, and is then
resumed through submitit's `local` executor, which runs the remaining jobs as subprocesses.
The tests check the finished sweep: every job done, the finished job not redone, the
interrupted one resumed, the transfer tables written, --status, and `intermediate.from`. The
two-task merge of the sweep takes the models of its single-task jobs (a second Slurm array),
and scores exactly as the same merge training its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.errors import StiltxError
from stiltx.sweep import jobs as J
from stiltx.sweep import state as S
from stiltx.sweep.driver import RunOptions, run_sweep
from stiltx.sweep.slurm import SlurmOptions

RECIPES = "direct,single/mnli,single/qqp"
MERGE = """# Two-task uniform merge (a test recipe)
extends: merge/average
name: merge2
intermediate:
  tasks: [mnli, qqp]
"""
FAST = (
    "toy.size=smoke",
    "target.tasks=[xnli]",
    "retrieval.tasks=[]",
    "eval.languages=[en,de]",
    "intermediate.train.max_steps=2",
    "intermediate.train.eval_every=2",
    "intermediate.train.save_every=2",
    "intermediate.train.batch_size=4",
    "target.train.max_steps=2",
    "target.train.eval_every=2",
    "target.train.save_every=2",
    "target.train.batch_size=4",
)
REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def sweep_args(out, toy_cache):
    sets = [x for item in (*FAST, f"toy.cache_dir={toy_cache}") for x in ("--set", item)]
    recipes = f"{RECIPES},{toy_cache.parent / 'merge2.yaml'}"
    return ["sweep", "--recipes", recipes, "--preset", "tiny", "--seeds", "1,2", *sets,
            "--out", str(out)]  # fmt: skip


def spec(toy_cache):
    return J.SweepSpec(
        recipes=(f"{RECIPES},{toy_cache.parent / 'merge2.yaml'}",), seeds=(1, 2), preset="tiny",
        overrides=(*FAST, f"toy.cache_dir={toy_cache}"),
    )  # fmt: skip


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    toy_cache, out = root / "toy", root / "toy-sweep"
    (root / "merge2.yaml").write_text(MERGE)
    env = {**os.environ, "PYTHONPATH": str(REPO), "STILTX_CACHE": str(root / "cache")}
    process = subprocess.Popen(
        [sys.executable, "-m", "stiltx", *sweep_args(out, toy_cache)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while not list(out.glob("*/seed-*/results.json")):
        assert process.poll() is None, "the sweep stopped before finishing a job"
        assert time.monotonic() < deadline, "no job finished in 10 minutes"
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)  # the sweep and the job it is running
    process.wait()
    first = list(out.glob("*/seed-*/results.json"))
    before = {p: p.stat().st_mtime_ns for p in first}
    _, jobs = J.read_manifest(out)
    killed = {s.job.id: s.state for s in S.sweep_status(out, jobs)}
    os.environ["STILTX_CACHE"] = str(root / "cache")
    try:
        options = RunOptions(executor="slurm", resume=True, slurm=SlurmOptions(cluster="local"))
        failed = run_sweep(spec(toy_cache), out, options, console=_quiet())
    finally:
        os.environ.pop("STILTX_CACHE", None)
    return {"out": out, "jobs": jobs, "killed": killed, "before": before, "failed": failed,
            "toy_cache": toy_cache}  # fmt: skip


def _quiet():
    from rich.console import Console

    return Console(quiet=True)


def test_killed_sweep_resumes_without_redoing_finished_jobs(sweep):
    assert sweep["failed"] == 0
    killed = sweep["killed"]
    assert list(killed.values()).count(S.DONE) >= 1
    assert S.PENDING in killed.values()  # the kill came before the end
    for path, mtime in sweep["before"].items():
        assert path.stat().st_mtime_ns == mtime, f"{path} was redone"
    for job in sweep["jobs"]:
        log = S.log_path(sweep["out"], job).read_text()
        commands = [line for line in log.splitlines() if " $ " in line]
        if killed[job.id] == S.DONE:
            assert len(commands) == 1  # run once, never again
        if killed[job.id] == S.INTERRUPTED:
            assert commands[-1].endswith("--resume")  # continued from its checkpoints


def test_every_job_is_an_ordinary_run_directory(sweep):
    out = sweep["out"]
    assert [j.id for j in sweep["jobs"]] == [
        "direct/seed-1", "direct/seed-2", "single-mnli/seed-1", "single-mnli/seed-2",
        "single-qqp/seed-1", "single-qqp/seed-2", "merge2/seed-1", "merge2/seed-2",
    ]  # fmt: skip
    for job in sweep["jobs"]:
        results = json.loads((out / job.id / "results.json").read_text())
        assert results["seed"] == job.seed and results["recipe"] == job.recipe
        assert (out / job.id / "recipe.resolved.yaml").is_file()
        # the English dev score the target stage selected on is recorded for the tables
        dev = [s for s in results["scores"] if s["split"] == "dev" and s["metric"] == "selection"]
        assert [(s["task"], s["language"]) for s in dev] == [("xnli", "en")]
    assert not (out / "direct/seed-1/intermediate").exists()


def test_transfer_tables_are_written(sweep):
    out = sweep["out"]
    for name in ("transfer.md", "transfer.csv", "transfer.tex", "transfer.html"):
        assert (out / name).is_file(), name
    assert (out / "transfer_heatmap.png").read_bytes()[:4] == b"\x89PNG"
    text = (out / "transfer.md").read_text()
    assert "| single-mnli |" in text and "| single-qqp |" in text
    assert "Best intermediate recipe per target" in text and "X-STILTs" in text


def test_status_shows_every_job_done(sweep):
    result = CliRunner().invoke(app, ["sweep", "--status", str(sweep["out"])])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    header = ["job", "role", "state", "phase", "step", "ETA", "time", "notes"]
    assert lines[0].split("\t") == header  # piped: raw text
    assert [line.split("\t")[2] for line in lines[1:-1]] == ["done"] * 8
    assert lines[-1] == "8 jobs: 8 done"


def test_rerun_without_resume_is_refused(sweep):
    with pytest.raises(StiltxError, match="--resume"):
        run_sweep(spec(sweep["toy_cache"]), sweep["out"], RunOptions(), console=_quiet())


def test_intermediate_from_reuses_a_finished_run(sweep, tmp_path, monkeypatch):
    from stiltx.pipeline import run
    from stiltx.recipe.load import load_recipe

    monkeypatch.setenv("STILTX_CACHE", str(sweep["toy_cache"].parent / "cache"))
    source = sweep["out"] / "single-mnli/seed-1"
    recipe = load_recipe(
        "single/qqp", preset="tiny",
        overrides=[*FAST, f"toy.cache_dir={sweep['toy_cache']}", f"intermediate.from={source}"],
    )  # fmt: skip
    [run_dir] = run(recipe, out_dir=tmp_path / "reuse", console=_quiet())
    assert not (run_dir / "intermediate").exists()  # nothing trained before the targets
    assert "from: " + str(source) in (run_dir / "recipe.resolved.yaml").read_text()
    results = json.loads((run_dir / "results.json").read_text())
    assert {s["task"] for s in results["scores"]} == {"xnli"}


def test_the_merge_takes_the_single_jobs_models_and_scores_as_if_it_trained_them(sweep, tmp_path):
    from stiltx.pipeline import run
    from stiltx.recipe.load import load_recipe

    out, toy_cache = sweep["out"], sweep["toy_cache"]
    merge = next(j for j in sweep["jobs"] if j.id == "merge2/seed-1")
    assert merge.reuse == ("single-mnli/seed-1", "single-qqp/seed-1")
    taken = json.loads((out / merge.id / "results.json").read_text())
    stages = taken["budget"]["stages"]
    for task in ("mnli", "qqp"):  # counted from the single jobs' own records, not trained again
        assert stages[f"from:{task}"] == {
            "steps": 2, "examples": 8,
            "from": str(out.resolve() / f"single-{task}/seed-1/intermediate/model"),
        }  # fmt: skip
    assert not (out / merge.id / "intermediate" / "single").exists()
    # the same merge alone trains both models itself: the same scores, to the last digit
    recipe = load_recipe(
        str(toy_cache.parent / "merge2.yaml"), preset="tiny",
        overrides=[*FAST, f"toy.cache_dir={toy_cache}", "seed=1", "seeds=[]"],
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STILTX_CACHE", str(toy_cache.parent / "cache"))
        [alone] = run(recipe, out_dir=tmp_path / "alone", console=_quiet())
    trained = json.loads((alone / "results.json").read_text())
    assert trained["budget"]["stages"]["intermediate/single/mnli"] == {"steps": 2, "examples": 8}
    assert trained["budget"]["steps"] == taken["budget"]["steps"] == 6
    assert trained["scores"] == taken["scores"] and len(taken["scores"]) >= 3
