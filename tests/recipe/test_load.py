"""Recipe loading: every bundled recipe validates; presets, --set and extends merge correctly;
broken recipes report every problem with its key path; the resolved recipe re-loads equal."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stiltx.errors import RecipeError, StiltxError, UnknownNameError
from stiltx.recipe.find import find_recipe, list_recipes
from stiltx.recipe.load import (
    build_recipe,
    load_recipe,
    parse_override,
    recipe_hash,
    recipe_to_yaml,
)

BUNDLED = [r.name for r in list_recipes()]
NINE = (
    "anli",
    "mnli",
    "qqp",
    "squad",
    "hellaswag",
    "cosmosqa",
    "commonsenseqa",
    "socialiqa",
    "ccg",
)


def test_bundled_recipes_are_all_there():
    assert {"multitask9", "direct"} <= set(BUNDLED)
    assert {f"single/{t}" for t in NINE} <= set(BUNDLED)
    presets = [r.name for r in list_recipes(include_presets=True) if r.name.startswith("presets/")]
    assert presets == ["presets/tiny"]


@pytest.mark.parametrize("name", BUNDLED)
@pytest.mark.parametrize("preset", [None, "tiny"])
def test_every_bundled_recipe_validates(name, preset):
    recipe = load_recipe(name, preset=preset)
    assert recipe.name
    text = find_recipe(name).read_text()
    assert text.startswith("#"), "each recipe begins with a comment saying what it reproduces"
    assert "stiltx train --recipe" in text.split("\n\n")[0] or "stiltx train" in text


def test_multitask9_is_the_nine_task_mixture_and_direct_has_no_intermediate_stage():
    assert load_recipe("multitask9").intermediate.tasks == NINE
    direct = load_recipe("direct")
    assert direct.intermediate is None
    assert direct.target == load_recipe("multitask9").target
    for task in NINE:
        assert load_recipe(f"single/{task}").intermediate.tasks == (task,)


def test_preset_and_set_merge_over_the_recipe():
    recipe = load_recipe(
        "multitask9",
        preset="tiny",
        overrides=["intermediate.train.max_steps=7", "method.kind=adapter", "method.adapter=lora"],
    )
    assert recipe.model.name_or_path == "toy"  # from the preset
    assert recipe.target.benchmark == "toy"  # toy runs never claim XTREME's language lists
    assert recipe.intermediate.train.max_steps == 7  # --set wins over the preset
    assert recipe.intermediate.train.grad_accum == 1  # preset wins over the recipe
    assert recipe.intermediate.sampling.policy == "proportional"  # untouched recipe value survives
    assert (recipe.method.kind, recipe.method.adapter) == ("adapter", "lora")
    # A preset does not resurrect a stage the recipe switched off.
    assert load_recipe("direct", preset="tiny").intermediate is None


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("intermediate.train.lr=2e-5", ("intermediate.train.lr", "2e-5")),  # coerced later
        ("seed=7", ("seed", 7)),
        ("method.kind=adapter", ("method.kind", "adapter")),
        ("intermediate.tasks=[mnli, qqp]", ("intermediate.tasks", ["mnli", "qqp"])),
        (
            "intermediate.sampling.with_replacement=false",
            ("intermediate.sampling.with_replacement", False),
        ),
    ],
)
def test_parse_override_is_yaml_typed(item, expected):
    assert parse_override(item) == expected


def test_float_strings_are_coerced_for_float_fields():
    recipe = load_recipe("multitask9", overrides=["intermediate.train.lr=2e-5"])
    assert recipe.intermediate.train.lr == pytest.approx(2e-5)


def test_resolved_recipe_reloads_to_an_equal_object(tmp_path):
    recipe = load_recipe("single/mnli", preset="tiny", overrides=["method.kind=adapter"])
    path = tmp_path / "recipe.resolved.yaml"
    path.write_text(recipe_to_yaml(recipe))
    again = load_recipe(str(path))
    assert again == recipe
    assert recipe_hash(again) == recipe_hash(recipe)


def test_extends_inherits_and_overrides(tmp_path):
    (tmp_path / "base.yaml").write_text(
        "seed: 1\nmodel: {max_length: 99}\nintermediate: {tasks: [mnli]}\n"
    )
    (tmp_path / "child.yaml").write_text("extends: base.yaml\nseed: 2\n")
    recipe = load_recipe(str(tmp_path / "child.yaml"))
    assert (recipe.seed, recipe.model.max_length, recipe.intermediate.tasks) == (2, 99, ("mnli",))
    (tmp_path / "bundled.yaml").write_text("extends: multitask9\nseed: 3\n")
    assert load_recipe(str(tmp_path / "bundled.yaml")).intermediate.tasks == NINE


BROKEN = [
    # (label, yaml tree or overrides, key path expected in the message)
    (
        "unknown key",
        ["intermediate.train.learning_rate=1"],
        "intermediate.train.learning_rate: unknown key (did you mean 'lr'?)",
    ),
    (
        "wrong type",
        ["intermediate.train.batch_size=big"],
        "intermediate.train.batch_size: got 'big', expected an integer",
    ),
    (
        "unknown task",
        ["intermediate.tasks=[mnli, sqaud]"],
        "intermediate.tasks[1]: unknown task 'sqaud' (did you mean 'squad'?)",
    ),
    (
        "retrieval task in mixture",
        ["intermediate.tasks=[mnli, tatoeba]"],
        "intermediate.tasks[1]: 'tatoeba' is a retrieval task",
    ),
    (
        "negative lr",
        ["target.train.lr=-0.1"],
        "target.train.lr: got -0.1, expected a positive number",
    ),
    (
        "temperature <= 0",
        ["intermediate.sampling.temperature=0"],
        "intermediate.sampling.temperature: got 0.0, expected > 0",
    ),
    (
        "missing data dir",
        ["data.source=local", "data.data_dir=/no/such/folder"],
        "data.data_dir: got '/no/such/folder', expected an existing folder",
    ),
    (
        "missing model folder",
        ["model.name_or_path=./no-such-model"],
        "model.name_or_path: got './no-such-model'",
    ),
    (
        "bad literal",
        ["method.kind=adaptor"],
        "method.kind: got 'adaptor', expected one of 'full', 'adapter' (did you mean 'adapter'?)",
    ),
]


@pytest.mark.parametrize(("label", "overrides", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_recipes_name_the_key_path(label, overrides, message):
    with pytest.raises(RecipeError) as info:
        load_recipe("multitask9", overrides=overrides)
    assert message in str(info.value)


def test_every_problem_is_reported_at_once():
    chosen = [
        b for b in BROKEN if b[0] != "unknown task"
    ]  # both it and the next set intermediate.tasks
    with pytest.raises(RecipeError) as info:
        load_recipe("multitask9", overrides=[item for _, items, _ in chosen for item in items])
    assert len(info.value.problems) == len(chosen)
    for _, _, message in chosen:
        assert message in str(info.value)


def test_unknown_recipe_and_preset_have_did_you_mean():
    with pytest.raises(UnknownNameError, match="did you mean 'multitask9'"):
        load_recipe("multitsk9")
    with pytest.raises(UnknownNameError, match="did you mean 'tiny'"):
        load_recipe("direct", preset="tyni")


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("seed: 1\nmodel: [unclosed\n")
    with pytest.raises(StiltxError, match=r"bad.yaml:\d+:\d+: invalid YAML"):
        load_recipe(str(path))


def test_build_recipe_requires_a_name():
    with pytest.raises(RecipeError, match="name: required key is missing"):
        build_recipe(yaml.safe_load("seed: 1"), source="inline")


def test_recipes_ship_inside_the_package():
    """The wheel carries recipes through the stiltx/recipes link to the top-level folder."""
    link = Path(__file__).resolve().parents[2] / "stiltx" / "recipes"
    assert (link / "multitask9.yaml").is_file()


def test_overrides_for_unknown_tasks_are_typos_but_unused_real_tasks_are_fine():
    recipe = load_recipe("multitask9", overrides=["target.tasks=[xnli]"])  # inherits udpos etc.
    assert recipe.target.tasks == ("xnli",)
    with pytest.raises(
        RecipeError, match=r"target.overrides.xnl: unknown task \(did you mean 'xnli'\?\)"
    ):
        load_recipe("multitask9", overrides=["target.overrides.xnl.epochs=1"])


def test_multitask9_target_hyper_parameters_follow_jiant():
    # jiant/scripts/benchmarks/xtreme/subscripts: d_write_configs.sh (batch 4 x accum 8, QA 4 x 4)
    # and e_run_models.sh:13-15 (eval every 1000 steps, 30 evaluations of patience).
    from stiltx.recipe.convert import target_train_config

    recipe = load_recipe("multitask9")
    for task in ("xnli", "pawsx", "udpos", "panx"):
        cfg = target_train_config(recipe.target, task)
        assert cfg.batch_size * cfg.grad_accum == 32
    for task in ("xquad", "mlqa", "tydiqa"):
        cfg = target_train_config(recipe.target, task)
        assert cfg.batch_size * cfg.grad_accum == 16
        assert cfg.eval_every == 1000 and cfg.patience == 30
    assert recipe.target.warm_start_heads is False
    assert load_recipe("direct").target == recipe.target


def test_target_overrides_are_typed_and_written_as_given():
    from stiltx.recipe.convert import target_train_config
    from stiltx.recipe.schema import TrainOverride

    recipe = load_recipe("multitask9", preset="tiny", overrides=["target.overrides.xnli.lr=1e-4"])
    xnli = recipe.target.overrides["xnli"]
    assert isinstance(xnli, TrainOverride)
    assert xnli.as_dict() == {"epochs": 2, "lr": 1e-4, "max_steps": 1200}  # "1e-4" typed
    assert target_train_config(recipe.target, "xnli").max_steps == 1200
    written = yaml.safe_load(recipe_to_yaml(recipe))["target"]["overrides"]
    assert written["xnli"] == {"epochs": 2, "lr": 1e-4, "max_steps": 1200}
    assert written["udpos"] == {"epochs": 10, "max_steps": 200}
    with pytest.raises(RecipeError, match=r"target.overrides.xnli.lrr: unknown key \(did you mean"):
        load_recipe("multitask9", overrides=["target.overrides.xnli.lrr=1"])


def test_set_on_target_train_applies_to_every_task_override():
    """--set target.train.K wins over each target.overrides.<task>.K (never silently ignored);
    a later per-task --set still wins for its task."""
    from stiltx.recipe.convert import target_train_config

    recipe = load_recipe(
        "multitask9",
        preset="tiny",
        overrides=["target.train.max_steps=20", "target.overrides.panx.max_steps=7"],
    )
    steps = {t: target_train_config(recipe.target, t).max_steps for t in recipe.target.tasks}
    assert steps == {t: 7 if t == "panx" else 20 for t in recipe.target.tasks}
    assert target_train_config(recipe.target, "xnli").lr == 5.0e-4  # other keys stay per task
