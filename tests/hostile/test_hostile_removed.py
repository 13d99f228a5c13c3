"""The run folder removed (rm -rf) under a running run: the run stops with one line naming the
folder, and nothing comes back. Before, the atomic writes recreated the folders they needed and
the run 'finished' into a partial folder without its recipe, which looked like a finished run."""

from __future__ import annotations

import shutil

import pytest

from stiltx import pipeline
from stiltx.errors import StiltxError
from stiltx.pipeline import run
from stiltx.recipe.load import load_recipe
from stiltx.train import checkpoint

SMALL = [
    "toy.size=smoke",
    "target.tasks=[pawsx]",
    "target.train.max_steps=2",
    "target.train.batch_size=4",
    "target.train.save_every=1",
    "target.parallel=1",
    "retrieval.tasks=[]",
    "eval.languages=[en, de]",
]


def remove_after(monkeypatch, run_dir, owner, name, where):
    """After the first call of `owner.name` whose first argument's path contains `where`, remove
    the whole run folder (the call's argument lies inside it)."""
    real = getattr(owner, name)

    def patched(path, *args, **kwargs):
        out = real(path, *args, **kwargs)
        if where in str(path):
            monkeypatch.setattr(owner, name, real)
            shutil.rmtree(run_dir)
        return out

    monkeypatch.setattr(owner, name, patched)


def before_results(monkeypatch, run_dir):
    real = pipeline.results_dict

    def patched(*args, **kwargs):
        shutil.rmtree(run_dir)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "results_dict", patched)


MOMENTS = {  # moment: (how the removal is arranged, words of the error)
    "mid stage": (lambda mp, out: remove_after(mp, out, checkpoint, "save", "target"),
                  "target/pawsx"),
    "before a target's evaluation": (
        lambda mp, out: remove_after(mp, out, checkpoint, "remove_all", "target"),
        "run folder was removed while the run was running (its recipe.resolved.yaml is gone)"),
    "before results.json": (before_results, "run folder was removed"),
}  # fmt: skip


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_a_removed_run_folder_stops_the_run(tmp_path, toy_cache, monkeypatch, moment):
    out = tmp_path / "run"
    arrange, words = MOMENTS[moment]
    recipe = load_recipe("direct", preset="tiny", overrides=[*SMALL, f"toy.cache_dir={toy_cache}"])
    arrange(monkeypatch, out)
    with pytest.raises(StiltxError, match=str(out)) as error:
        run(recipe, out_dir=out)
    message = str(error.value)
    assert words in message and "removed while the run was running" in message
    assert "\n" not in message
    assert not out.exists()  # nothing recreated
