"""The few-step proxy (Poth et al. 2021's few-shot fine-tuning, FSFT): start the target stage
from each candidate's intermediate encoder, train `setting.proxy_steps` steps on the target's
English training data, read English dev. It runs the real training path
(`train.stage.run_stage`, with the target head set up by `model.methods.prepare_target`, as
the pipeline's target stage does) with the candidate run's own target settings, only
`max_steps` cut (and evaluation once, at the end). The proxies are trained in a temporary folder
and thrown away. Cost: training steps (and their seconds).
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from stiltx.data.labels import task_with_labels
from stiltx.errors import StiltxError
from stiltx.layout import RunLayout
from stiltx.plan import Member, TargetStage
from stiltx.recipe.convert import target_train_config
from stiltx.recipe.load import load_recipe
from stiltx.recipe.schema import MethodConfig, TrainConfig
from stiltx.select.estimate import Candidate, Cost, Estimate, Setting, Target, require_runs
from stiltx.select.text import train_task


def proxy_config(candidate: Candidate, target: str, steps: int) -> tuple[TrainConfig, MethodConfig]:
    """The candidate run's target TrainConfig for `target`, cut to `steps` steps; and its method."""
    recipe = load_recipe(str(RunLayout(candidate.run_dir).resolved_recipe))
    train = target_train_config(recipe.target, target) if recipe.target else TrainConfig()
    cut = dataclasses.replace(
        train, max_steps=steps, epochs=None, eval_every=steps, save_every=steps, patience=None
    )
    return cut, recipe.method


def proxy_one(
    candidate: Candidate, model_dir: Path, target: str, setting: Setting, work_dir: Path
) -> float:
    """English dev score after `setting.proxy_steps` target steps from the candidate's encoder."""
    # torch / adapters: only when a proxy is trained
    from accelerate.utils import set_seed

    from stiltx.model.build import build_model, head_specs
    from stiltx.model.methods import prepare_target
    from stiltx.train.stage import run_stage

    spec = task_with_labels(train_task(target).name, setting.data)
    train_cfg, method_cfg = proxy_config(candidate, target, setting.proxy_steps)
    train_cfg = dataclasses.replace(train_cfg, eval_examples=setting.sample)
    set_seed(setting.seed)  # the new head's init: the same whatever ran before in this process
    model, tokenizer = build_model(setting.model, {})
    method = prepare_target(model, method_cfg, model_dir, head_specs([spec]))
    stage = TargetStage(
        train_task=spec.name,
        targets=(spec,),
        train=train_cfg,
        max_length=train_cfg.max_length or setting.model.max_length,
        dev_tasks=(spec.name,),
        evaluations=(),
        members=(Member(spec.name),),
    )
    result = run_stage(
        stage,
        {spec.name: spec},
        model,
        method,
        tokenizer,
        stage_dir=work_dir,
        data=setting.data,
        seed=setting.seed,
        resume=False,
        eval_batch_size=setting.batch_size,
        progress=False,
    )
    if spec.name not in result.best_scores:
        raise StiltxError(
            f"select proxy: {spec.name} has no English dev split to score the proxy on"
        )
    return float(result.best_scores[spec.name])


def proxy(target: Target, candidates: Sequence[Candidate], setting: Setting) -> Estimate:
    model_dirs = require_runs(candidates, "proxy")
    train_task(target.task)
    start = time.perf_counter()
    scores = {}
    with tempfile.TemporaryDirectory(prefix="stiltx-proxy-") as tmp:
        for i, (candidate, model_dir) in enumerate(zip(candidates, model_dirs, strict=True)):
            work = Path(tmp) / f"candidate-{i}"
            scores[candidate.name] = proxy_one(candidate, model_dir, target.task, setting, work)
    steps = setting.proxy_steps * len(candidates)
    cost = Cost(seconds=time.perf_counter() - start, train_steps=steps)
    return Estimate("proxy", {"proxy": scores}, cost)
