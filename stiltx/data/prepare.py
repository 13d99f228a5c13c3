"""`stiltx data prepare`: read and encode every split a recipe needs, into the encoding cache.

A run then starts training at once (and a cluster job does not spend GPU time tokenizing). The
plan reads the same stage records as `stiltx.pipeline` (`stiltx.plan`), with the same lengths and
flags, so the cache keys match:

- intermediate: each task's English train split (training=True) and English dev (training=False,
  the first `intermediate.train.eval_examples`, as model selection reads it);
- target: each English training task's train and dev the same way, at `target.train.max_length`
  (after `target.overrides.<task>`) or `model.max_length`;
- evaluation: every evaluation language of every target task, split `eval.split` (as the
  task names it: `plan.eval_split`; labelled examples only), at the target's length.

Retrieval tasks are embedded straight from raw text and need no encoding. A split that cannot be
read (no file for a language, stripped test labels) is reported as missing, never a crash.
Features go to `data.cache_dir`, or `$STILTX_CACHE/features`, or `$XDG_CACHE_HOME/stiltx/features`,
or `~/.cache/stiltx/features`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stiltx.data.labels import task_with_labels
from stiltx.data.offline import model_kwargs
from stiltx.errors import StiltxError
from stiltx.plan import TRAIN_LANGUAGE, Member, intermediate_stage, target_stages
from stiltx.recipe.schema import DataConfig, MLMConfig, Recipe
from stiltx.tasks.examples import is_labelled
from stiltx.tasks.registry import get_task


@dataclass(frozen=True)
class SplitJob:
    """One (task, language, split) to encode, with the settings the pipeline will use for it."""

    task: str
    language: str
    split: str
    purpose: str  # "intermediate", "target", "eval" (shown in the table)
    max_length: int
    training: bool
    limit: int | None = None  # English dev: only the first eval_examples are read
    labelled_only: bool = False  # evaluation keeps labelled examples only
    source: str = "native"  # a mixture member's source: "native" or "translated"
    mlm: MLMConfig | None = None  # MLM members: the Hub corpus budget, as training reads it
    whole_split: bool = False  # no held-out slice removed (a stage that keeps its last weights)


@dataclass(frozen=True)
class Prepared:
    """What happened to one job: counts and whether the cache already had it, or why it is missing."""

    job: SplitJob
    examples: int = 0
    features: int = 0
    cached: bool = False
    missing: str | None = None  # the reason, when the split could not be read or encoded


def feature_cache_dir(data: DataConfig) -> Path:
    """Where encoded features live: data.cache_dir, else <stiltx.cache.cache_root()>/features."""
    if data.cache_dir:
        return Path(data.cache_dir).expanduser()
    from stiltx.cache import cache_root

    return cache_root() / "features"


def _english_jobs(
    names: Iterable[str],
    dev_tasks: tuple[str, ...],
    purpose: str,
    max_length: int,
    eval_examples: int,
) -> list[SplitJob]:
    """Each English task's train split, and its dev split where model selection reads one."""
    jobs = []
    for name in names:
        spec = get_task(name)
        jobs.append(
            SplitJob(name, TRAIN_LANGUAGE, spec.train_split, purpose, max_length, training=True)
        )
        if name in dev_tasks:
            jobs.append(
                SplitJob(
                    name,
                    TRAIN_LANGUAGE,
                    spec.dev_split,
                    purpose,
                    max_length,
                    training=False,
                    limit=eval_examples,
                )
            )
    return jobs


def plan(recipe: Recipe) -> list[SplitJob]:
    """Every split the recipe's run will encode, in pipeline order, without duplicates."""
    jobs: list[SplitJob] = []
    inter = intermediate_stage(recipe)
    if inter is not None:
        length, members = inter.max_length, inter.members
        english = [m.task for m in members if m == Member(m.task)]
        jobs += _english_jobs(
            english, inter.dev_tasks, "intermediate", length, inter.train.eval_examples
        )
        jobs += [
            SplitJob(m.task, m.language, get_task(m.task).train_split, "intermediate", length,
                     training=True, source=m.source, mlm=inter.mlm)
            for m in members
            if m != Member(m.task)
        ]  # fmt: skip
    for stage in target_stages(recipe):
        length = stage.max_length
        for trained in (*stage.before, stage):  # XCOPA: socialiqa, then copa
            jobs += [
                replace(job, whole_split=trained.select == "last")
                for job in _english_jobs(
                    [trained.train_task], trained.dev_tasks, "target", trained.max_length,
                    trained.train.eval_examples,
                )
            ]  # fmt: skip
        for target in stage.evaluations:
            for language in target.languages:
                jobs.append(
                    SplitJob(
                        target.spec.name,
                        language,
                        target.split,
                        "eval",
                        length,
                        training=False,
                        labelled_only=True,
                    )
                )
    unique: dict[tuple, SplitJob] = {}
    for job in jobs:
        key = (job.task, job.language, job.source, job.split, job.max_length, job.training)
        key += (job.limit, job.whole_split)
        unique.setdefault(key, job)
    return list(unique.values())


def read_job(job: SplitJob, data: DataConfig, tokenizer: Any = None) -> tuple[Any, list[Any]]:
    """(spec, examples) of one job, exactly as the pipeline selects them. The spec carries a
    label set that lives in the data (CCG's tags.txt), as the pipeline's does: it is part of
    the cache key. Hub MLM text is counted against its budget with `tokenizer`, as in training."""
    from stiltx.data.members import load_member, token_counter, whitespace_tokens

    spec = task_with_labels(job.task, data)
    if job.whole_split:
        spec = replace(spec, held_out=None)
    member = Member(job.task, job.language, job.source)  # type: ignore[arg-type]
    count = token_counter(tokenizer) if tokenizer is not None else whitespace_tokens
    examples = load_member(member, spec, job.split, data, mlm=job.mlm, count_tokens=count)
    if job.labelled_only:
        examples = [e for e in examples if is_labelled(spec, e)]
    if job.limit is not None:
        examples = examples[: job.limit]
    return spec, examples


def prepare_job(job: SplitJob, tokenizer: Any, data: DataConfig, cache_dir: Path) -> Prepared:
    """Read and encode one job into `cache_dir`; a StiltxError becomes a `missing` entry."""
    from stiltx.encoding import encode_split

    try:
        spec, examples = read_job(job, data, tokenizer)
        task_dir = cache_dir / job.task
        before = {p.name for p in task_dir.iterdir()} if task_dir.is_dir() else set()
        encoded = encode_split(
            spec,
            examples,
            tokenizer,
            job.max_length,
            cache_dir=cache_dir,
            training=job.training,
        )
    except StiltxError as error:
        return Prepared(job, missing=str(error))
    return Prepared(
        job,
        examples=encoded.num_examples,
        features=len(encoded.features),
        cached=encoded.fingerprint in before,
    )


def prepare(
    jobs: list[SplitJob],
    tokenizer: Any,
    data: DataConfig,
    *,
    on_start: Callable[[SplitJob], None] | None = None,
    on_done: Callable[[Prepared], None] | None = None,
) -> list[Prepared]:
    """Run every job in order (callbacks drive the CLI's progress display)."""
    cache_dir = feature_cache_dir(data)
    cache_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for job in jobs:
        if on_start is not None:
            on_start(job)
        result = prepare_job(job, tokenizer, data, cache_dir)
        if on_done is not None:
            on_done(result)
        results.append(result)
    return results


def load_tokenizer(name_or_path: str) -> Any:
    """The model's tokenizer, as `model.build.build_model` loads it (same cache keys)."""
    from transformers import AutoTokenizer

    hub = model_kwargs(name_or_path, "the tokenizer of")  # no network: one line in seconds
    try:
        return AutoTokenizer.from_pretrained(name_or_path, **hub)
    except OSError as error:
        raise StiltxError(
            f"model.name_or_path: cannot load a tokenizer from '{name_or_path}' ({error}); "
            "expected a Hub model id or a local folder with tokenizer files"
        ) from None
