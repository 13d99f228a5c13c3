"""`stiltx data prepare`: a recipe's splits into the encoding cache; the second run is all cached."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.data.prepare import SplitJob, plan, prepare
from stiltx.recipe.load import load_recipe

runner = CliRunner()
pytestmark = pytest.mark.filterwarnings("ignore:.*answers are blank")
COPIED = [
    "qqp/train.tsv",
    "qqp/dev.tsv",
    "copa_en/train-en.jsonl",
    "copa_en/val-en.jsonl",
    "xcopa/data/sw/val.sw.jsonl",
    "xcopa/data/zh/val.zh.jsonl",
    "socialiqa/socialIQa_v1.4_dev.jsonl",
    "tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.en.train.json",
    "tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.en.dev.json",
    "tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.sw.dev.json",
]  # no xcopa "it" file, and TyDiQA dev answers are blanked: listed as missing


@pytest.fixture
def recipe_path(shared_data, tmp_path, tiny_model_dir) -> Path:
    data = tmp_path / "data"
    for relative in COPIED:
        (data / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared_data / relative, data / relative)
    path = tmp_path / "prep.yaml"
    path.write_text(
        f"""name: prep-test
data: {{source: local, data_dir: {data}, cache_dir: {tmp_path / "cache"}, max_examples: 30}}
model: {{name_or_path: {tiny_model_dir}, max_length: 64}}
intermediate: {{tasks: [qqp], train: {{eval_examples: 5}}}}
target: {{tasks: [xcopa, tydiqa], train: {{max_length: 96}}}}
retrieval: {{tasks: []}}
eval: {{languages: [sw, zh, it], split: dev}}
""",
        encoding="utf-8",
    )
    return path


def test_plan_mirrors_the_pipeline(recipe_path):
    jobs = plan(load_recipe(str(recipe_path)))
    assert [(j.task, j.language, j.split, j.max_length, j.training, j.limit) for j in jobs] == [
        ("qqp", "en", "train", 64, True, None),
        ("qqp", "en", "dev", 64, False, 5),
        ("socialiqa", "en", "train", 96, True, None),  # XCOPA's stage trains it first
        ("socialiqa", "en", "dev", 96, False, 500),
        ("copa", "en", "train", 96, True, None),
        ("copa", "en", "dev", 96, False, 500),
        ("xcopa", "it", "dev", 96, False, None),  # in the task's language order
        ("xcopa", "sw", "dev", 96, False, None),
        ("xcopa", "zh", "dev", 96, False, None),
        ("tydiqa", "en", "train", 96, True, None),  # all of it, last checkpoint (train_qa.sh)
        ("tydiqa", "sw", "train_dev", 96, False, None),  # eval "dev" never reads the test set
    ]
    assert [j.whole_split for j in jobs if j.task == "tydiqa"] == [True, False]


def test_prepare_fills_the_cache_the_pipeline_reads(recipe_path, tiny_model_dir):
    from transformers import AutoTokenizer

    from stiltx.data.load import load_split
    from stiltx.plan import Member
    from stiltx.tasks.registry import get_task
    from stiltx.train.stage import encode_member

    recipe = load_recipe(str(recipe_path))
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    started: list[SplitJob] = []
    results = prepare(plan(recipe), tokenizer, recipe.data, on_start=started.append)
    assert len(started) == len(results) == 11
    missing = [r for r in results if r.missing]
    assert [(r.job.task, r.job.language, r.job.split) for r in missing] == [
        ("socialiqa", "en", "train"),  # the samples hold SocialIQA's dev split only
        ("xcopa", "it", "dev"),  # no file
        ("tydiqa", "sw", "train_dev"),  # held out of English train only: sw has only test data
    ]  # tydiqa en keeps its last checkpoint: no dev read, never XTREME's blanked dev
    assert "val.it.jsonl" in missing[1].missing
    for r in results:
        if r.missing:
            continue
        spec = get_task(r.job.task)
        if r.job.whole_split:
            spec = replace(spec, held_out=None)
        expected = load_split(spec, r.job.language, r.job.split, recipe.data)[: r.job.limit]
        assert r.examples == len(expected) and not r.cached
        assert r.features >= r.examples > 0
    # The pipeline's own read+encode of the target's training split finds the prepared entry.
    copa = get_task("copa")
    encoded = encode_member(
        Member("copa"), copa, "train", tokenizer, recipe.data, 96, training=True
    )
    assert (Path(recipe.data.cache_dir) / "copa" / encoded.fingerprint / "meta.json").is_file()
    again = prepare(plan(recipe), tokenizer, recipe.data)
    assert all(r.cached for r in again if not r.missing)


def test_cli_reports_new_then_cached(recipe_path):
    args = ["data", "prepare", "--recipe", str(recipe_path)]
    first = runner.invoke(app, args, env={"COLUMNS": "250"})
    assert first.exit_code == 0, first.output
    assert "8 splits ready (0 cached, 8 new), 3 missing" in first.output
    assert re.search(r"missing xcopa it/dev: no data file", first.output)
    assert re.search(r"xcopa\s.*\ssw\s.*\sdev\s.*\seval\s.*\snew", first.output)
    second = runner.invoke(app, args, env={"COLUMNS": "250"})
    assert second.exit_code == 0, second.output
    assert "8 splits ready (8 cached, 0 new), 3 missing" in second.output
    assert " new" not in second.output.split("8 splits ready")[0]


def test_cli_bad_recipe_is_a_clean_error(recipe_path):
    out = runner.invoke(
        app, ["data", "prepare", "--recipe", str(recipe_path), "--set", "target.tasks=[xcopaa]"]
    )
    assert out.exit_code == 2 and "xcopa" in out.output and "Traceback" not in out.output


def test_task_whose_labels_live_in_the_data_is_missing_not_a_crash(tmp_path, tiny_tokenizer):
    from stiltx.recipe.schema import DataConfig

    data = DataConfig(source="local", data_dir=str(tmp_path), cache_dir=str(tmp_path / "cache"))
    job = SplitJob("ccg", "en", "train", "intermediate", 64, training=True)
    [result] = prepare([job], tiny_tokenizer, data)
    assert result.missing and "tags.txt" in result.missing and result.examples == 0
