"""Planning a sweep without running it: recipe globs, seeds, overrides per recipe, dry runs,
`intermediate.from` validation. Torch-free and fast."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.errors import RecipeError, StiltxError
from stiltx.recipe.load import load_recipe
from stiltx.sweep import jobs as J


def test_globs_expand_over_bundled_recipes():
    refs = J.expand_recipes(["direct,single/*", "multitask9"])
    assert refs[0] == "direct" and refs[-1] == "multitask9"
    assert {r for r in refs if r.startswith("single/")} == {
        f"single/{t}" for t in ("anli", "ccg", "commonsenseqa", "cosmosqa", "hellaswag", "mnli",
                                "qqp", "socialiqa", "squad")
    }  # fmt: skip
    with pytest.raises(StiltxError, match="matches no bundled recipe"):
        J.expand_recipes(["nothing/*"])


def test_jobs_are_recipe_times_seed_with_applicable_overrides():
    spec = J.SweepSpec(
        recipes=("direct,single/mnli",), seeds=(1, 2), preset="tiny",
        overrides=("intermediate.train.max_steps=5",),
    )  # fmt: skip
    jobs = J.plan_jobs(spec)
    assert [(j.id, j.role) for j in jobs] == [
        ("direct/seed-1", "control"), ("direct/seed-2", "control"),
        ("single-mnli/seed-1", "intermediate"), ("single-mnli/seed-2", "intermediate"),
    ]  # fmt: skip
    # direct has no intermediate stage: that override does not apply to it
    assert jobs[0].overrides == ("seed=1", "seeds=[]")
    assert jobs[3].overrides == ("intermediate.train.max_steps=5", "seed=2", "seeds=[]")
    assert "intermediate mnli (5 steps)" in jobs[2].stages


def test_bad_recipes_are_reported_together():
    spec = J.SweepSpec(
        recipes=("direct,single/mnli",), seeds=(1,), overrides=("target.train.lr=-1",)
    )
    with pytest.raises(StiltxError) as error:
        J.plan_jobs(spec)
    assert str(error.value).count("target.train.lr") == 2


@pytest.mark.parametrize(("text", "seeds"), [("1,2,3", (1, 2, 3)), ("1-3", (1, 2, 3)), ("7", (7,))])
def test_parse_seeds(text, seeds):
    assert J.parse_seeds(text) == seeds


def test_slurm_dry_run_prints_the_submitit_plan(tmp_path):
    result = CliRunner().invoke(
        app,
        ["sweep", "--recipes", "direct,multitask9", "--preset", "tiny", "--seeds", "1,2",
         "--out", str(tmp_path / "s"), "--executor", "slurm", "--dry-run", "--partition", "gpu",
         "--gpus-per-job", "2", "--time-limit", "90", "--sbatch", "account=lab"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "4 jobs as one Slurm array" in out
    assert "#SBATCH --partition=gpu" in out and "#SBATCH --account=lab" in out
    assert "#SBATCH --gpus-per-node=2" in out and "#SBATCH --time=90" in out
    assert "accelerate.commands.launch --num_processes 2 -m stiltx train --recipe multitask9" in out
    assert not (tmp_path / "s").exists()  # a dry run writes nothing


def test_intermediate_from_is_validated(tmp_path):
    run = tmp_path / "run"
    (run / "intermediate").mkdir(parents=True)
    (run / "recipe.resolved.yaml").write_text("method:\n  kind: full\n")
    with pytest.raises(RecipeError, match="did not finish"):
        load_recipe("single/mnli", overrides=[f"intermediate.from={run}"])
    (run / "intermediate/model").mkdir()
    (run / "intermediate/done.json").write_text("{}")
    with pytest.raises(RecipeError, match="method.kind=full"):
        load_recipe("single/mnli", overrides=[f"intermediate.from={run}", "method.kind=adapter"])
    recipe = load_recipe("single/mnli", overrides=[f"intermediate.from={run}"])
    assert recipe.intermediate.from_ == str(run)
    with pytest.raises(RecipeError, match="no such directory"):
        load_recipe("single/mnli", overrides=["intermediate.from=./missing"])
    hub = load_recipe("single/mnli", overrides=["intermediate.from=someone/xlmr-stilts-mnli"])
    assert hub.intermediate.from_ == "someone/xlmr-stilts-mnli"


def test_readme_sweep_examples_dry_run(tmp_path, monkeypatch):
    import re
    import shlex
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    examples = [c for c in lines if c.startswith("stiltx sweep --recipes")]
    assert examples
    monkeypatch.chdir(tmp_path)
    for command in examples:
        args = [a for a in shlex.split(command)[1:] if a != "--dry-run"]
        result = CliRunner().invoke(app, [*args, "--dry-run"])
        assert result.exit_code == 0, f"{command}\n{result.output}"
        assert "sweep plan" in result.output
