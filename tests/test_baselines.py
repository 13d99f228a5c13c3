"""The two baselines end to end on the smoke toy world (continued MLM, translated intermediate
data), exact member sampling rates, and exact resume with multilingual members."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from stiltx.data.translated import translated_root
from stiltx.pipeline import run
from stiltx.plan import intermediate_members
from stiltx.recipe.load import load_recipe
from stiltx.tasks.registry import get_task
from stiltx.toy.resolve import resolve

FAST = [
    "toy.size=smoke",
    "intermediate.train.max_steps=4",
    "intermediate.train.eval_every=2",
    "intermediate.train.save_every=2",
    "intermediate.train.batch_size=4",
    "target.tasks=[xnli]",
    "target.train.max_steps=2",
    "target.train.eval_every=2",
    "target.train.save_every=2",
    "target.train.batch_size=4",
    "retrieval.tasks=[]",
]


@pytest.fixture(scope="module")
def toy_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("toy-cache")


def smoke(name, toy_cache, *extra):
    fast = [o for o in FAST if name != "direct" or not o.startswith("intermediate.")]
    return load_recipe(name, preset="tiny", overrides=[*fast, f"toy.cache_dir={toy_cache}", *extra])


def mixture_of(run_dir: Path) -> dict:
    return json.loads((run_dir / "mixture.json").read_text())["tasks"]


def identity_translations(recipe) -> None:
    """Stand-in for an MT system where the toy world has none yet: each translated member's
    files are the English files under translated/<task>/<lang>/ (same names, same format)."""
    from rich.console import Console

    data = resolve(recipe, Console(quiet=True), with_model=False).data
    for member in intermediate_members(recipe):
        if member.source != "translated":
            continue
        target = translated_root(data) / member.task / member.language
        if target.exists():
            continue  # the toy world's own MT system wrote it
        spec = get_task(member.task)
        folder = spec.source.local_paths[spec.train_split][0].split("/")[0]
        shutil.copytree(Path(data.data_dir) / folder, target)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run folders of this module's end-to-end runs, for the report test."""
    return tmp_path_factory.mktemp("runs")


def test_mlm_baseline_end_to_end(runs, toy_cache):
    recipe = smoke("baselines/mlm", toy_cache)
    [run_dir] = run(recipe, out_dir=runs / "baselines-mlm")
    mixture = mixture_of(run_dir)
    mlm = {name: e for name, e in mixture.items() if e["task"] == "mlm"}
    assert set(mlm) == {"mlm", "mlm@de", "mlm@ru", "mlm@sw", "mlm@zh"}
    assert sum(e["probability"] for e in mlm.values()) == pytest.approx(0.1)  # weights: {mlm: 0.1}
    assert {e["language"] for e in mlm.values()} == {"en", "de", "ru", "sw", "zh"}
    assert sum(e["realized_steps"] for e in mixture.values()) == 4
    results = json.loads((run_dir / "results.json").read_text())
    assert {s["language"] for s in results["scores"]} == {"en", "de", "ru", "sw", "zh"}


def test_translate_baseline_end_to_end(runs, toy_cache):
    """English plus translated (translated-only: `translate.english: false`, tests/test_plan.py)."""
    recipe = smoke("baselines/translate-mt", toy_cache)
    identity_translations(recipe)
    [run_dir] = run(recipe, out_dir=runs / "baselines-translate")
    mixture = mixture_of(run_dir)
    translated = {n for n, e in mixture.items() if e["source"] == "translated"}
    assert {"mnli@de", "squad@sw", "hellaswag@zh", "socialiqa@ru"} <= translated
    assert len(translated) == 8 * 4  # 8 translatable tasks x 4 toy languages
    assert {"mnli", "squad", "ccg"} <= set(mixture)  # English kept; CCG is never translated
    assert sum(e["realized_steps"] for e in mixture.values()) == 4


def test_member_sampling_rates_are_exact(tmp_path, toy_cache):
    """Without replacement, one epoch draws every batch of every member exactly once."""
    recipe = smoke(
        "multitask9",
        toy_cache,
        "intermediate.tasks=[mnli, mnli@de, mlm@sw]",
        "intermediate.train.batch_size=32",
        "intermediate.sampling.policy=proportional",
        "intermediate.sampling.with_replacement=false",
        "intermediate.train.max_steps=null",
        "intermediate.train.epochs=1",
        "intermediate.train.eval_every=1000",
        "intermediate.train.save_every=1000",
    )
    identity_translations(recipe)
    [run_dir] = run(recipe, out_dir=tmp_path / "rates")
    mixture = mixture_of(run_dir)
    assert list(mixture) == ["mnli", "mnli@de", "mlm@sw"]
    for entry in mixture.values():
        assert entry["realized_steps"] == entry["batches_per_epoch"] == entry["intended_steps"]


def test_resume_with_multilingual_members_is_exact(tmp_path, toy_cache, monkeypatch):
    from stiltx.sampling.loader import MixtureStream

    recipe = smoke(
        "multitask9",
        toy_cache,
        "intermediate.tasks=[squad, mnli@de, mlm@sw, mlm@ru]",
        "intermediate.train.max_steps=6",
        "intermediate.train.save_every=3",
        "intermediate.train.eval_every=3",
    )
    identity_translations(recipe)
    [reference] = run(recipe, out_dir=tmp_path / "a")

    original = MixtureStream.__next__
    calls = {"n": 0}

    def killed_after_four(self):
        calls["n"] += 1
        if calls["n"] > 4:
            raise KeyboardInterrupt("killed")
        return original(self)

    monkeypatch.setattr(MixtureStream, "__next__", killed_after_four)
    with pytest.raises(KeyboardInterrupt):
        run(recipe, out_dir=tmp_path / "b")
    monkeypatch.setattr(MixtureStream, "__next__", original)
    [resumed] = run(recipe, out_dir=tmp_path / "b", resume=True)

    assert mixture_of(resumed) == mixture_of(reference)
    assert digest(resumed / "intermediate" / "model") == digest(
        reference / "intermediate" / "model"
    )


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".safetensors", ".bin")
    }


def test_validate_names_missing_member_data(toy_cache):
    from typer.testing import CliRunner

    from stiltx.cli import app

    args = ["validate", "-r", "baselines/mlm", "-p", "tiny", "--set", f"toy.cache_dir={toy_cache}"]
    args += [
        "--set",
        "toy.size=smoke",
        "--set",
        "intermediate.tasks=[mnli, mlm@sw, mlm@af, qqp@fr]",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "2 member(s) cannot be read" in text
    assert "mlm@af: no MLM text for language 'af': expected" in text and "mlm/af.txt" in text
    assert "qqp@fr: no translated data for qqp@fr (train): expected" in text
    assert "translated/qqp/fr/train.tsv" in text and "stiltx translate" in text


def test_report_shows_direct_multitask9_and_both_baselines(runs, toy_cache):
    """`stiltx report` over the four recipes of the comparison, deltas against direct."""
    from typer.testing import CliRunner

    from stiltx.cli import app

    for name in ("direct", "multitask9"):
        run(smoke(name, toy_cache), out_dir=runs / name)
    assert {p.name for p in runs.iterdir()} >= {"baselines-mlm", "baselines-translate"}
    result = CliRunner().invoke(
        app, ["report", str(runs), "--baseline", "direct", "--format", "md"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    text = result.output
    for recipe in ("direct", "multitask9", "baselines-mlm", "baselines-translate"):
        assert recipe in text
    assert "vs baseline direct" in text
