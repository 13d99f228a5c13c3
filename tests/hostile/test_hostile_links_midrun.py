"""Links made inside a run or sweep folder while a command runs there, after its folder was
checked (`run_files.check_tree` at the claim): a stage, checkpoint or predictions folder, a
predictions file, results.json, a train log or the intermediate model replaced by a link
leading outside between two stages. The next read, write or removal there is refused in one
line naming the link (`run_files.guard`), and nothing is written, changed or removed where
the link points."""

from __future__ import annotations

import os
import shutil

import pytest

from stiltx import pipeline, run_files
from stiltx.errors import StiltxError
from stiltx.pipeline import run
from stiltx.recipe.load import load_recipe
from stiltx.sweep import jobs as J
from stiltx.sweep import state as S
from stiltx.train import checkpoint

SMALL = [
    "toy.size=smoke",
    "intermediate.train.max_steps=2",
    "intermediate.train.batch_size=4",
    "target.tasks=[pawsx]",
    "target.train.max_steps=3",
    "target.train.batch_size=4",
    "target.train.save_every=1",
    "target.parallel=1",
    "retrieval.tasks=[]",
    "eval.languages=[en, de]",
]


def snapshot(folder):
    """Every path under `folder` with its size and modification time."""
    return sorted(
        (str(p.relative_to(folder)), p.lstat().st_size, p.lstat().st_mtime_ns)
        for p in folder.rglob("*")
    )


def move_out(run_dir, name, away):
    """`run_dir/name` (a folder or file) moved to `away/<its name>`, a link to it left in its
    place; a missing one becomes a link to a fresh folder there."""
    source, dest = run_dir / name, away / name.replace("/", "-")
    if source.exists():
        shutil.move(str(source), dest)
    else:
        dest.mkdir()
        source.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(dest, source)


def link_file(run_dir, name, away):
    path = run_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.symlink(away / "keep.txt", path)


def after(owner, attribute, where=""):
    """Plant the link after the first call of `owner.attribute` whose first argument's path
    contains `where` (the call itself left alone)."""

    def arrange(monkeypatch, plant):
        real = getattr(owner, attribute)

        def patched(*args, **kwargs):
            out = real(*args, **kwargs)
            if where in str(args[0] if args else ""):
                monkeypatch.setattr(owner, attribute, real)
                plant()
            return out

        monkeypatch.setattr(owner, attribute, patched)

    return arrange


def before(owner, attribute):
    def arrange(monkeypatch, plant):
        real = getattr(owner, attribute)

        def patched(*args, **kwargs):
            monkeypatch.setattr(owner, attribute, real)
            plant()
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, attribute, patched)

    return arrange


MOMENTS = {  # case: (recipe, when, what becomes a link, how, the link named in the error)
    "a target stage's folder, mid stage": (
        "direct", after(checkpoint, "save", "target"), "target/pawsx", move_out, "target/pawsx"),
    "a checkpoint folder, before it is removed": (
        "direct", after(checkpoint, "save", "target"), "target/pawsx/checkpoint-1", move_out,
        "target/pawsx/checkpoint-1"),
    "the train log, mid stage": (
        "direct", after(checkpoint, "save", "target"), "target/pawsx/train_log.jsonl", link_file,
        "target/pawsx/train_log.jsonl"),
    "predictions/, before evaluation": (
        "direct", after(checkpoint, "remove_all", "target"), "predictions", move_out,
        "predictions"),
    "a predictions file, before evaluation": (
        "direct", after(checkpoint, "remove_all", "target"), "predictions/pawsx/en.jsonl",
        link_file, "predictions/pawsx/en.jsonl"),
    "results.json, before it is written": (
        "direct", before(pipeline, "results_dict"), "results.json", link_file, "results.json"),
    "the intermediate model, before a target stage loads it": (
        "single/mnli", before(pipeline, "run_stages"), "intermediate/model", move_out,
        "intermediate/model"),
}  # fmt: skip


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_link_made_while_the_run_runs_is_refused(tmp_path, toy_cache, monkeypatch, moment):
    recipe_name, arrange, name, plant, named = MOMENTS[moment]
    out, away = tmp_path / "run", tmp_path / "away"
    away.mkdir()
    (away / "keep.txt").write_text("keep")
    planted = []

    def plant_once():
        plant(out, name, away)
        planted.append(snapshot(away))

    arrange(monkeypatch, plant_once)
    overrides = [*SMALL, f"toy.cache_dir={toy_cache}"]
    if recipe_name == "direct":
        overrides = [o for o in overrides if not o.startswith("intermediate.")]
    recipe = load_recipe(recipe_name, preset="tiny", overrides=overrides)
    with pytest.raises(run_files.OutsideLinkError) as error:
        run(recipe, out_dir=out)
    message = str(error.value)
    assert message.startswith(f"{out / named}: is a symbolic link leading outside the run folder")
    assert "\n" not in message
    assert planted and snapshot(away) == planted[0]  # nothing written, changed or removed there
    assert (away / "keep.txt").read_text() == "keep"


JOB = J.Job(id="single-mnli/seed-1", recipe="single-mnli", ref="single/mnli", seed=1,
            role="candidate", preset=None, overrides=(), stages="")  # fmt: skip


@pytest.mark.parametrize("name", [".sweep", ".sweep/jobs", ".sweep/jobs/single-mnli__seed-1.json"])
def test_a_link_made_in_a_sweep_folder_is_refused(tmp_path, name):
    """The sweep's state files: written (merged) while the sweep holds its folder."""
    sweep, away = tmp_path / "sweep", tmp_path / "away"
    away.mkdir()
    (away / "keep.txt").write_text("keep")
    J.write_manifest(sweep, J.SweepSpec(recipes=("single/mnli",), seeds=(1,)), [JOB])
    S.record(sweep, JOB, state="pending")
    assert S.state_path(sweep, JOB).name == "single-mnli__seed-1.json"
    with run_files.guarded(sweep, "sweep folder"):
        if name.endswith(".json"):
            link_file(sweep, name, away)
        else:
            move_out(sweep, name, away)
        before = snapshot(away)
        with pytest.raises(StiltxError, match=rf"^{sweep / name}: is a symbolic link leading out"):
            S.record(sweep, JOB, state="running")
        assert snapshot(away) == before
    S.record(sweep, JOB, state="running")  # outside the command, nothing is held


def test_guard_leaves_paths_outside_held_folders_and_inside_links_alone(tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "intermediate" / "model").mkdir(parents=True)
    os.symlink(run_dir / "intermediate" / "model", run_dir / "alias")  # stays inside
    (tmp_path / "away").mkdir()
    os.symlink(tmp_path / "away", run_dir / "out")
    with run_files.guarded(run_dir):
        assert run_files.guard(run_dir / "alias" / "x") == run_dir / "alias" / "x"
        assert run_files.guard(tmp_path / "elsewhere") == tmp_path / "elsewhere"
        with pytest.raises(run_files.OutsideLinkError, match=rf"^{run_dir / 'out'}: "):
            run_files.guard(run_dir / "out" / "x")
    assert run_files.guard(run_dir / "out" / "x") == run_dir / "out" / "x"  # released


def test_a_link_made_before_fanned_out_workers_write_is_refused(tmp_path, toy_cache, monkeypatch):
    """target.parallel=2: the workers (spawned processes) hold the run folder as the run does."""
    out, away = tmp_path / "run", tmp_path / "away"
    away.mkdir()
    before(pipeline, "run_stages")(monkeypatch, lambda: move_out(out, "target/pawsx", away))
    sets = [o for o in SMALL if not o.startswith(("intermediate.", "target.parallel", "target.t"))]
    sets += ["target.tasks=[pawsx, xnli]", "target.train.max_steps=2", "target.parallel=2"]
    recipe = load_recipe("direct", preset="tiny", overrides=[*sets, f"toy.cache_dir={toy_cache}"])
    with pytest.raises(run_files.OutsideLinkError) as error:
        run(recipe, out_dir=out)
    assert f"{out / 'target/pawsx'}: is a symbolic link leading outside" in str(error.value)
    assert list((away / "target-pawsx").iterdir()) == []
