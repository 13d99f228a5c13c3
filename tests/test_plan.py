"""stiltx.plan: torch-free planning; mixture members parsed, expanded and validated."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stiltx.errors import RecipeError, StiltxError
from stiltx.plan import Member, intermediate_members, parse_member
from stiltx.recipe.load import load_recipe


def test_plan_and_prepare_import_neither_torch_nor_the_pipeline():
    code = (
        "import sys, stiltx.plan, stiltx.layout, stiltx.data.prepare\n"
        "bad = [m for m in ('torch', 'transformers', 'stiltx.pipeline') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mnli", ("mnli", None)),
        ("mnli@de", ("mnli", "de")),
        ("mlm@sw", ("mlm", "sw")),
        ("mlm@xtreme", ("mlm", "xtreme")),
        (" squad@target ", ("squad", "target")),
    ],
)
def test_parse_member(text, expected):
    assert parse_member(text) == expected


@pytest.mark.parametrize("text", ["mnli@", "@de", "mnli@de@fr", "mnli @de"])
def test_unparsable_members_say_what_is_expected(text):
    with pytest.raises(StiltxError, match=r"expected TASK or TASK@LANGUAGE"):
        parse_member(text)


def members(*overrides, preset=None):
    recipe = load_recipe("multitask9", preset=preset, overrides=list(overrides))
    return intermediate_members(recipe)


def test_member_names_sources_and_group_expansion():
    found = members("intermediate.tasks=[mnli, mnli@en, mnli@de, mlm@sw, mlm@xtreme]")
    assert found[:3] == (Member("mnli"), Member("mnli", "de", "translated"), Member("mlm", "sw"))
    assert [m.name for m in found[:3]] == ["mnli", "mnli@de", "mlm@sw"]
    mlm = [m for m in found if m.task == "mlm"]
    assert len(mlm) == 40 and {m.source for m in mlm} == {"native"}  # sw listed once
    assert Member("mlm", "en").name == "mlm"


def test_target_means_the_evaluation_languages():
    found = members("intermediate.tasks=[squad@target, mlm@target]", preset="tiny")
    toy = {"de", "ru", "sw", "zh"}
    assert {m.name for m in found[:4]} == {f"squad@{lang}" for lang in toy}  # en: squad itself
    assert found[4] == Member("mlm")  # MLM keeps English text
    assert {m.name for m in found[5:]} == {f"mlm@{lang}" for lang in toy}


@pytest.mark.parametrize("english", [True, False])
def test_translate_key_adds_translated_members_and_chooses_english(english):
    found = members(
        "intermediate.tasks=[mnli, ccg, mlm@sw]",
        "intermediate.translate.languages=[de, sw]",
        f"intermediate.translate.english={str(english).lower()}",
    )
    translated = ["mnli@de", "mnli@sw"]
    # CCG cannot be translated word by word: it stays English in both modes
    expected = (["mnli"] if english else []) + translated + ["ccg", "mlm@sw"]
    assert [m.name for m in found] == expected


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ("[mnli@]", r"intermediate.tasks\[0\]: mixture member 'mnli@': expected TASK or"),
        ("[mnli, '@de']", r"intermediate.tasks\[1\]: mixture member '@de'"),
        ("[mnl@de]", r"intermediate.tasks\[0\]: unknown task 'mnl'.*did you mean 'mnli'"),
        ("[mnli@xx]", r"intermediate.tasks\[0\]: language 'xx': unknown language"),
        ("[ccg@de]", r"ccg \(tagging\) is offered in en only and cannot be machine-translated"),
        ("[tatoeba@de]", r"'tatoeba' is a retrieval task"),
    ],
)
def test_bad_members_fail_validation(tasks, message):
    with pytest.raises(RecipeError, match=message):
        members(f"intermediate.tasks={tasks}")


def test_weights_name_members_or_tasks():
    ok = ["intermediate.tasks=[mnli, mlm@de, mlm@sw]", "intermediate.sampling.weights={mlm: 0.2}"]
    assert len(members(*ok)) == 3
    with pytest.raises(RecipeError, match=r"sampling.weights.mlm@fr: not a member or task"):
        members(ok[0], "intermediate.sampling.weights={mlm@fr: 0.2}")


def _stage(recipe, task):
    from stiltx.plan import target_stages

    return next(s for s in target_stages(recipe) if s.train_task == task)


def test_tydiqa_trains_on_all_english_train_and_keeps_the_last_checkpoint():
    """XTREME scripts/train_qa.sh:50,68: the whole tydiqa.en.train.json, save_steps -1 (last)."""
    from stiltx.plan import stage_train_spec
    from stiltx.tasks.registry import get_task

    stage = _stage(load_recipe("multitask9"), "tydiqa")
    assert stage.select == "last" and stage.dev_tasks == ()
    assert stage_train_spec(stage, get_task("tydiqa")).held_out is None  # nothing held out
    squad = _stage(load_recipe("multitask9"), "squad")
    assert squad.select == "best" and squad.dev_tasks == ("squad",)


def test_held_out_selection_for_tydiqa_remains_a_recipe_key():
    from stiltx.plan import stage_train_spec
    from stiltx.tasks.registry import get_task

    recipe = load_recipe("multitask9", overrides=["target.overrides.tydiqa.select=best"])
    stage = _stage(recipe, "tydiqa")
    assert stage.select == "best" and stage.dev_tasks == ("tydiqa",)
    spec = stage_train_spec(stage, get_task("tydiqa"))
    assert spec.held_out is not None and spec.dev_split == "train_dev"  # 10% of train, seed 0


# Training examples of the nine intermediate tasks (GLUE, ANLI r1-3, SQuAD v1.1, ...; CCGbank 02-21).
NINE_SIZES = {
    "anli": 162865, "mnli": 392702, "qqp": 363846, "squad": 87599, "hellaswag": 39905,
    "cosmosqa": 25262, "commonsenseqa": 9741, "socialiqa": 33410, "ccg": 39604,
}  # fmt: skip


def test_multitask9_mixes_as_jiants_x_stilts_runs():
    """jiant configurator.py:400-404 (no cap: ProportionalMultiTaskSampler, task_sampler.py:40
    p = n / sum n) and :385-386 (steps = epochs x sum ceil(n / effective batch)); no early stop."""
    import math

    from stiltx.plan import intermediate_stage
    from stiltx.sampling.rates import rates
    from stiltx.train.schedule import total_steps

    stage = intermediate_stage(load_recipe("multitask9"))
    total = sum(NINE_SIZES.values())
    probabilities = rates(NINE_SIZES, stage.sampling)
    for task, n in NINE_SIZES.items():
        assert probabilities[task] == pytest.approx(n / total, rel=1e-12)
    assert probabilities["mnli"] + probabilities["qqp"] == pytest.approx(0.655, abs=1e-3)
    train = stage.train
    jiant = 3 * sum(
        math.ceil(n / (train.batch_size * train.grad_accum)) for n in NINE_SIZES.values()
    )
    ours = total_steps(train, sum(math.ceil(n / train.batch_size) for n in NINE_SIZES.values()))
    assert abs(ours - jiant) <= len(NINE_SIZES) * 3  # rounding per task only; ~108k steps
    assert train.patience is None and stage.dev_tasks == ()  # the final weights, no early stop


def test_the_capped_mixture_stays_a_recipe():
    from stiltx.plan import intermediate_stage
    from stiltx.sampling.rates import rates

    stage = intermediate_stage(load_recipe("multitask9-capped"))
    probabilities = rates(NINE_SIZES, stage.sampling)
    assert probabilities["mnli"] == pytest.approx(20000 / (8 * 20000 + 9741))  # ~11.8%
    assert stage.train.max_steps == 100000 and stage.train.patience == 5
    assert "mnli" in stage.dev_tasks


def test_translate_baseline_uses_the_translations_xtreme_releases():
    """XTREME README "Translations": MNLI in XNLI's languages, SQuAD v1.1 in XQuAD's (MLQA's are
    among them); the other intermediate tasks stay English-only; English members all kept."""
    from stiltx.tasks.registry import get_task

    members = intermediate_members(load_recipe("baselines/translate"))
    translated = {m.task: [] for m in members if m.source == "translated"}
    for m in members:
        if m.source == "translated":
            translated[m.task].append(m.language)
    assert set(translated) == {"mnli", "squad"}
    xnli = [c for c in get_task("xnli").languages if c != "en"]
    xquad = [c for c in get_task("xquad").languages if c not in ("en", "ro")]  # ro: after XTREME
    assert translated["mnli"] == xnli and len(xnli) == 14
    assert translated["squad"] == xquad and len(xquad) == 10
    assert set(get_task("mlqa").languages) - {"en"} <= set(xquad)
    assert {m.name for m in members if m.source == "native"} == set(NINE_SIZES)
    toy = intermediate_members(load_recipe("baselines/translate", preset="tiny"))
    assert {m.name for m in toy if m.source == "translated"} == {
        "mnli@de", "mnli@ru", "mnli@sw", "mnli@zh", "squad@de", "squad@ru", "squad@zh"
    }  # fmt: skip


def test_translate_mt_variant_translates_every_task_into_every_language():
    members = intermediate_members(load_recipe("baselines/translate-mt"))
    assert len(members) == 9 + 8 * 39
