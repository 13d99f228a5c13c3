"""One training stage: the training data of some mixture members -> a trained model on disk.

The intermediate stage (one task, the nine-task mixture, or a mixture with translated and MLM
members) and every target stage are the same code: read and encode each member's training split,
build one stream per member and a sampler over them (`sampling.loader.build_mixture`), run the
loop with English-dev model selection, save with the method. Only the inputs differ.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stiltx import atomic, run_files, saved_model
from stiltx.errors import DataError, StiltxError
from stiltx.evaluation.shard import is_main_process
from stiltx.layout import DONE_FILE, MODEL_DIR
from stiltx.plan import TRAIN_LANGUAGE, IntermediateStage, Member, TargetStage
from stiltx.recipe.schema import DataConfig, MLMConfig
from stiltx.tasks.spec import TaskKind, TaskSpec
from stiltx.terminal import steps_progress
from stiltx.train.progress import Report


@dataclass(frozen=True)
class StageResult:
    directory: Path
    model_dir: Path  # Method.save output (adapters format or safetensors)
    steps: int
    seconds: float
    best_scores: dict[str, float]
    mixture: dict[str, Any]
    examples: int | None = None  # training examples seen (None: a run from before it was recorded)


def is_done(stage_dir: Path) -> bool:
    return (stage_dir / DONE_FILE).is_file() and (stage_dir / MODEL_DIR).is_dir()


def read_done(stage_dir: Path) -> StageResult:
    """The finished stage's result; DamagedStageError when done.json or model/ is damaged."""
    import json

    path = stage_dir / DONE_FILE
    try:
        info = json.loads(run_files.read_text(path))
        result = StageResult(
            directory=stage_dir,
            model_dir=stage_dir / MODEL_DIR,
            steps=int(info["steps"]),
            seconds=float(info["seconds"]),
            best_scores=dict(info.get("best_scores", {})),
            mixture=dict(info.get("mixture", {})),
            examples=info.get("examples"),
        )
    except run_files.OutsideLinkError:
        raise  # refused, not damaged: training the stage again would write through the link
    except (OSError, ValueError, KeyError, TypeError, AttributeError, StiltxError) as error:
        raise DamagedStageError(f"{path}: damaged ({error.__class__.__name__}: {error})") from None
    files = info.get("model_files", {})  # absent in runs written before it was recorded
    try:
        saved_model.verify(stage_dir / MODEL_DIR, files, where=str(path))
    except saved_model.DamagedModelError as error:
        raise DamagedStageError(str(error)) from None
    return result


class DamagedStageError(DataError):
    """A finished stage's done.json or saved model is damaged: the stage is trained again."""


def encode_member(
    member: Member,
    spec: TaskSpec,
    split: str,
    tokenizer: Any,
    data: DataConfig,
    max_length: int,
    *,
    training: bool,
    limit: int | None = None,
    mlm: MLMConfig | None = None,
):
    """Read one member's split and encode it (cached on disk by the encoder's fingerprint)."""
    from stiltx.data.members import load_member, token_counter
    from stiltx.encoding import encode_split

    examples = load_member(
        member, spec, split, data, mlm=mlm, count_tokens=token_counter(tokenizer)
    )
    if limit is not None:
        examples = examples[:limit]
    return encode_split(
        spec, examples, tokenizer, max_length, cache_dir=data.cache_dir, training=training
    )


def encode_train_sets(
    stage: IntermediateStage | TargetStage,
    specs: Mapping[str, TaskSpec],
    tokenizer: Any,
    data: DataConfig,
    on_member: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """member name -> its encoded training split, as the stage's sampler streams it
    (`on_member(name)` after each one, for a progress display)."""
    train_sets = {}
    for m in stage.members:
        train_sets[m.name] = encode_member(
            m,
            specs[m.task],
            specs[m.task].train_split,
            tokenizer,
            data,
            stage.max_length,
            training=True,
            mlm=stage.mlm,
        )
        if on_member is not None:
            on_member(m.name)
    return train_sets


def train_sizes(train_sets: Mapping[str, Any]) -> dict[str, int]:
    """member name -> encoded training rows (QA windows, MLM blocks): the sizes the sampler's rates
    are computed from (`sampling.loader.build_mixture` counts the same rows)."""
    return {name: len(encoded.features) for name, encoded in train_sets.items()}


def dev_eval_fn(specs: Sequence[TaskSpec], dev_sets: dict[str, Any], batch_size: int):
    """model -> {task: main English-dev score}: what model selection and early stopping use."""
    from stiltx.encoding.split import select_examples
    from stiltx.evaluation.metrics import compute, selection_score
    from stiltx.evaluation.predict import predict
    from stiltx.evaluation.shard import shard_predict
    from stiltx.evaluation.zero_shot import references

    shares: dict[str, Any] = {}  # task -> this process's share of its dev set (several processes)

    def evaluate(model: Any) -> dict[str, float]:
        device = next(model.parameters()).device
        scores = {}
        for spec in specs:
            encoded = dev_sets.get(spec.name)
            if encoded is None:
                continue

            def predict_share(indices, spec=spec, encoded=encoded) -> list:
                share = encoded
                if len(indices) != encoded.num_examples:
                    share = shares.get(spec.name) or select_examples(encoded, indices)
                    shares[spec.name] = share
                return predict(model, spec.head_name, share, batch_size=batch_size, device=device)

            # Under `accelerate launch` each process predicts every n-th dev example and all get
            # every prediction back (stiltx.evaluation.shard); alone, the whole set at once.
            predictions = shard_predict(predict_share, range(encoded.num_examples))
            refs = references(spec, encoded.examples)
            scores[spec.name] = selection_score(
                compute(spec.metrics, predictions, refs, language=TRAIN_LANGUAGE)
            )
        return scores

    return evaluate


def _finished(stage_dir: Path) -> StageResult | None:
    """A finished stage's result, or None (with a warning) when it must be trained again."""
    from stiltx.train import checkpoint

    try:
        result = read_done(stage_dir)
    except DamagedStageError as error:
        warnings.warn(
            f"{error}; training this stage again", checkpoint.CheckpointWarning, stacklevel=3
        )
        run_files.guard(stage_dir / DONE_FILE).unlink(missing_ok=True)
        return None
    checkpoint.remove_all(stage_dir)  # left over when a kill hit between done.json and cleanup
    return result


def _encode_dev_sets(
    dev_specs: Sequence[TaskSpec],
    tokenizer: Any,
    data: DataConfig,
    stage: IntermediateStage | TargetStage,
    on_task: Callable[[str], None],
) -> dict[str, Any]:
    """task -> its encoded English dev split (the first `eval_examples`), for model selection."""
    dev_sets = {}
    for s in dev_specs:
        try:
            dev_sets[s.name] = encode_member(
                Member(s.name),
                s,
                s.dev_split,
                tokenizer,
                data,
                stage.max_length,
                training=False,
                limit=stage.train.eval_examples,
            )
        except DataError as error:  # e.g. XTREME's TyDiQA dev has blanked answers
            warnings.warn(
                f"{s.name}: no English dev evaluation during training ({error})", stacklevel=3
            )
        on_task(f"{s.name} dev")
    return dev_sets


def run_stage(
    stage: IntermediateStage | TargetStage,
    specs: Mapping[str, TaskSpec],
    model: Any,
    method: Any,
    tokenizer: Any,
    *,
    stage_dir: Path,
    data: DataConfig,
    seed: int,
    resume: bool,
    eval_batch_size: int,
    progress: bool | Report = True,
) -> StageResult:
    """Train `model` (already carrying its heads) on the training data of the stage's members
    (`specs`: task -> spec, labels filled). Model selection reads the English dev split of each of
    the stage's `dev_tasks`; translated and MLM members have none."""
    # torch and accelerate: only when a stage trains
    from stiltx.encoding.collate import MODEL_INPUTS, bucket_lengths
    from stiltx.sampling.loader import batches_per_epoch, build_mixture
    from stiltx.train import checkpoint, schedule
    from stiltx.train.loop import train

    members, train_cfg, mlm = stage.members, stage.train, stage.mlm
    heads = sorted({specs[m.task].head_name for m in members})
    if resume and is_done(stage_dir):  # a finished stage is never redone: load its result
        finished = _finished(stage_dir)
        if finished is not None:
            method.prepare(model, heads)
            method.load(model, stage_dir / MODEL_DIR)
            method.activate(model, TRAIN_LANGUAGE)
            return finished
    dev_specs = [specs[task] for task in stage.dev_tasks]
    # Encoding (or loading the cached features of) every member and dev set: a progress bar.
    shown = progress is True and is_main_process()  # a worker reports through its callback
    with steps_progress("encoding", len(members) + len(dev_specs), shown) as advance:
        train_sets = encode_train_sets(stage, specs, tokenizer, data, on_member=advance)
        dev_sets = _encode_dev_sets(dev_specs, tokenizer, data, stage, on_task=advance)
    # Every process draws the same member each step (same sampler seed: DDP needs one head per
    # step) but its own batches of it (stream seed offset by the process rank).
    from accelerate import PartialState

    by_name = {m.name: specs[m.task] for m in members}
    sizes = train_sizes(train_sets)
    batches = sum(batches_per_epoch(sizes[name], train_cfg.batch_size) for name in by_name)
    total = schedule.total_steps(train_cfg, batches)
    probability = (mlm or MLMConfig()).probability
    buckets = bucket_lengths(stage.max_length, train_cfg.length_buckets)
    mixture_stream = build_mixture(
        train_sets,
        heads={name: s.head_name for name, s in by_name.items()},
        batch_sizes=dict.fromkeys(by_name, train_cfg.batch_size),
        collate_fns={
            name: _collate_fn(s, tokenizer, probability, buckets) for name, s in by_name.items()
        },
        config=stage.sampling,
        seed=seed,
        stream_seed=seed + 1_000_003 * PartialState().process_index,
        total_steps=total,
        grad_accum=train_cfg.grad_accum,
        columns={name: MODEL_INPUTS[s.kind] + ("length",) for name, s in by_name.items()},
    )
    method.prepare(model, heads)
    result = train(
        model,
        method,
        mixture_stream,
        train_cfg,
        stage_dir,
        eval_fn=dev_eval_fn(dev_specs, dev_sets, eval_batch_size) if dev_sets else None,
        resume=resume,
        total_steps=total,
        progress=progress,
    )
    mixture = mixture_stream.sampler.mixture_report(total)
    for m in members:  # what each stream is, beside its intended and realized steps
        mixture["tasks"][m.name].update(task=m.task, language=m.language, source=m.source)
    # Completion order survives a kill at any point: model/ (written by the loop), then done.json,
    # then the checkpoints go (they only served a resume; for XLM-R Large gigabytes each).
    # The main process writes model/, so it alone finishes the stage, and the others wait for it.
    from accelerate import PartialState

    processes = PartialState()
    processes.wait_for_everyone()
    if processes.is_main_process:
        atomic.write_json(
            run_files.still_there(stage_dir, "stage folder") / DONE_FILE,
            {
                "steps": result.steps,
                "examples": result.examples,
                "seconds": result.seconds,
                "best_step": result.best_step,
                "best_scores": result.best_scores,
                "stopped_early": result.stopped_early,
                "mixture": mixture,
                "model_files": saved_model.record(stage_dir / MODEL_DIR),
            },
        )
        checkpoint.remove_all(stage_dir)
    processes.wait_for_everyone()
    return StageResult(
        directory=stage_dir,
        model_dir=stage_dir / MODEL_DIR,
        steps=result.steps,
        seconds=result.seconds,
        best_scores=result.best_scores,
        mixture=mixture,
        examples=result.examples,
    )


def _collate_fn(spec: TaskSpec, tokenizer: Any, mlm_probability: float, buckets=()):
    """Rows of `spec`'s encoded split -> a padded batch (MLM masks here, at batch time), padded
    to one of `buckets` when given (stiltx.encoding.collate.bucket_lengths)."""
    from stiltx.encoding.collate import collate

    return functools.partial(
        collate,
        spec.kind,
        pad_token_id=tokenizer.pad_token_id,
        mlm_tokenizer=tokenizer if spec.kind is TaskKind.MLM else None,
        mlm_probability=mlm_probability,
        buckets=tuple(buckets),
    )
