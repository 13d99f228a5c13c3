"""`stiltx validate` catches what would fail or spoil a run later, every problem at once, with
exit code 2, the key path and no traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.errors import RecipeError, StiltxError
from stiltx.recipe.checks import ADAPTER_IDS
from stiltx.recipe.load import load_recipe

runner = CliRunner()

BAD = {
    "override max_steps": (
        ["target.overrides.xnli.max_steps=-5"],
        "target.overrides.xnli.max_steps: got -5, expected a positive integer",
    ),
    "override lr type": (
        ["target.overrides.xnli.lr=abc"],
        "target.overrides.xnli.lr: got 'abc', expected a number",
    ),
    "override nan": (
        ["target.overrides.panx.lr=.nan"],
        "target.overrides.panx.lr: got nan, expected a finite number",
    ),
    "eval split": (["eval.split=bogus"], "eval.split: got 'bogus', expected one of test, dev"),
    "retrieval layer": (
        ["retrieval.layer=999"],
        "retrieval.layer: got 999, expected 0..24 or -25..-1 "
        "(FacebookAI/xlm-roberta-large has 24 layers",
    ),
    "lr nan": (["intermediate.train.lr=.nan"], "intermediate.train.lr: got nan, expected a finite"),
    "lr inf": (["target.train.lr=.inf"], "target.train.lr: got inf, expected a finite number"),
    "adapter id": (
        ["method.kind=adapter", "method.adapter=lorra"],
        "method.adapter: got 'lorra', expected an adapters config id",
    ),
    "freeze with adapters": (
        ["method.kind=adapter", "method.freeze=[roberta.embeddings.*]"],
        "method.freeze: got ['roberta.embeddings.*'], expected [] with method.kind 'adapter'",
    ),
    "empty freeze glob": (["method.freeze=['']"], "method.freeze[0]: got '', expected a parameter"),
    "batch size": (
        ["intermediate.train.batch_size=1.0e+30"],
        "intermediate.train.batch_size: got 1000000000000000019884624838656, expected at most",
    ),
    "max length": (
        ["model.max_length=1.0e+9"],
        "model.max_length: got 1000000000, expected a number",
    ),
    "seed": (["seed=-1"], "seed: got -1, expected a number in 0..4,294,967,295"),
    "name with NUL": (["name=a\x00b"], "name: got 'a\\x00b', expected printable text"),
    "target.parallel zero": (
        ["target.parallel=0"],
        "target.parallel: got 0, expected 'auto' or a whole number of target stages at a time",
    ),
    "target.parallel word": (
        ["target.parallel=many"],
        "target.parallel: got 'many', expected an integer or one of 'auto'",
    ),
    "retrieval task as target": (
        ["target.tasks=[tatoeba]"],
        "target.tasks[0]: 'tatoeba' is a retrieval task; expected it under retrieval.tasks",
    ),
    "dual-encoder task twice": (
        ["target.tasks=[lareqa]", "retrieval.tasks=[lareqa]"],
        "target.tasks[0]: 'lareqa' is under retrieval.tasks too; expected one of the two",
    ),
    "temperature inf": (
        ["intermediate.sampling.temperature=.inf"],
        "intermediate.sampling.temperature: got inf, expected a finite number",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_validate_rejects(case):
    overrides, message = BAD[case]
    argv = ["validate", "-r", "multitask9"]
    for item in overrides:
        argv += ["--set", item]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_retrieval_layer_is_checked_against_the_toy_models_depth():
    with pytest.raises(RecipeError, match=r"retrieval.layer: got 5, expected 0..4 or -5..-1"):
        load_recipe("multitask9", preset="tiny", overrides=["retrieval.layer=5"])
    with pytest.raises(RecipeError, match=r"retrieval.layer: got -6, expected 0..4 or -5..-1"):
        load_recipe("multitask9", preset="tiny", overrides=["retrieval.layer=-6"])
    load_recipe("multitask9", preset="tiny", overrides=["retrieval.layer=4"])
    # -1 (the last layer) is valid whatever the depth: the smoke-size toy model has 2 layers
    load_recipe("multitask9", preset="tiny", overrides=["retrieval.layer=-1", "toy.size=smoke"])


def test_a_type_error_hides_no_other_problem():
    with pytest.raises(RecipeError) as error:
        load_recipe(
            "multitask9",
            overrides=[
                "intermediate.train.lr=abc",
                "intermediate.train.batch_size=-3",
                "target.train.max_steps=-1",
                "eval.split=bogus",
                "method.adapter=nope",
            ],
        )
    problems = error.value.problems
    assert len(problems) == 5, problems
    assert problems[0] == "intermediate.train.lr: got 'abc', expected a number"


def test_duplicate_yaml_keys_are_errors_with_their_lines(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(
        "extends: multitask9\n"
        "intermediate:\n"
        "  train:\n"
        "    lr: 1.0e-5\n"
        "    lr: 3.0e-5\n"
        "eval:\n"
        "  split: test\n"
        "eval:\n"
        "  split: dev\n"
        "seed: -4\n"
    )
    with pytest.raises(RecipeError) as error:
        load_recipe(path)
    assert sorted(error.value.problems) == [
        f"{path}:5: duplicate key 'lr' (first at line 4); expected each key once",
        f"{path}:8: duplicate key 'eval' (first at line 6); expected each key once",
        "seed: got -4, expected a number in 0..4,294,967,295",
    ]


def test_yaml_merge_keys_are_not_duplicates(tmp_path):
    path = tmp_path / "merge.yaml"
    path.write_text(
        "extends: multitask9\n"
        "common: &common {lr: 2.0e-5, batch_size: 8}\n"
        "target:\n"
        "  train:\n"
        "    <<: *common\n"
        "    lr: 1.0e-5\n"
    )
    with pytest.raises(RecipeError) as error:  # only the helper key is unknown
        load_recipe(path)
    assert [p.split(":")[0] for p in error.value.problems] == ["common"]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"name: caf\xe9\n", "not UTF-8 text (byte 9"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text (byte 0"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "invalid YAML"),
    ],
    ids=["latin-1", "binary", "binary-utf8"],
)
def test_unreadable_recipe_files_are_clean_errors(tmp_path, content, message):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    result = runner.invoke(app, ["validate", "-r", str(path)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and message in result.output
    assert "Traceback" not in result.output
    with pytest.raises(StiltxError):
        load_recipe(path)


def test_adapter_ids_match_the_adapters_library():
    adapters = pytest.importorskip("adapters")
    assert set(ADAPTER_IDS) == set(adapters.ADAPTER_CONFIG_MAP)


def test_adapter_config_strings_and_files_are_accepted(tmp_path):
    load_recipe("multitask9", overrides=["method.kind=adapter", "method.adapter=lora[r=8]"])
    config = tmp_path / "my_adapter.json"
    config.write_text("{}")
    load_recipe("multitask9", overrides=["method.kind=adapter", f"method.adapter={config}"])


def test_the_toy_model_is_valid_beside_a_folder_named_toy(tmp_path, monkeypatch):
    # `model.name_or_path: toy` names the toy world's model, even where ./toy exists
    # (e.g. running from $STILTX_CACHE, which holds a toy/ folder).
    (tmp_path / "toy").mkdir()
    monkeypatch.chdir(tmp_path)
    recipe = load_recipe("multitask9", preset="tiny")
    assert recipe.model.name_or_path == "toy"


def test_a_tracker_that_is_not_installed_is_an_error_naming_the_pip_package(monkeypatch, tmp_path):
    # accelerate skips an unavailable tracker without a word: the run would log nothing
    result = runner.invoke(
        app,
        ["validate", "-r", "direct", "-p", "tiny", "--set", "target.train.log_with=[tensorboard]"],
    )
    assert result.exit_code == 2, result.output
    assert (
        "  - target.train.log_with: tracker 'tensorboard' is not installed; pip install tensorboard"
        in result.output.splitlines()
    )
    with pytest.raises(RecipeError, match=r"expected an accelerate tracker \(did you mean 'wandb'"):
        load_recipe("direct", overrides=["target.train.log_with=[wandbb]"])
    (tmp_path / "tensorboardX").mkdir()  # either module makes accelerate's tracker available
    (tmp_path / "tensorboardX" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    load_recipe("direct", overrides=["target.train.log_with=[tensorboard]"])


def test_a_set_on_directs_missing_stage_names_the_recipe():
    result = runner.invoke(
        app, ["validate", "-r", "direct", "--set", "intermediate.tasks=[mnli,qqp]"]
    )
    assert result.exit_code == 2
    assert "--set intermediate.tasks=[mnli,qqp]: direct has no intermediate stage" in result.output
    assert "is null" not in result.output


def test_lareqa_and_mewsli_x_are_targets_trained_through_a_dual_encoder():
    from stiltx.plan import target_stages

    recipe = load_recipe("xtreme-r")  # validates
    stages = {stage.train_task: stage for stage in target_stages(recipe)}
    assert [t.name for t in stages["lareqa_squad"].targets] == ["lareqa"]
    assert [t.name for t in stages["mewsli_x_wikipedia"].targets] == ["mewsli_x"]
    lareqa = stages["lareqa_squad"]
    # train_lareqa.sh:27-34,67,69: the reference hyper-parameters, the final weights
    assert (lareqa.train.lr, lareqa.train.epochs, lareqa.train.batch_size) == (2e-5, 3, 4)
    assert (lareqa.train.grad_accum, lareqa.train.warmup_ratio, lareqa.max_length) == (4, 0.0, 256)
    assert lareqa.select == "last" and lareqa.dev_tasks == ()
    mewsli = stages["mewsli_x_wikipedia"]
    assert (mewsli.train.lr, mewsli.train.epochs, mewsli.train.batch_size) == (1e-5, 2, 8)
    assert mewsli.max_length == 64 and recipe.retrieval.tasks == ("tatoeba",)
