"""The training loop on a real tiny adapters model: real steps, real checkpoints, real resume."""

from __future__ import annotations

import json

import pytest
import torch
from engine_fixtures import HEADS, TASK_HEAD, Crash, CrashAfter, PoolStream, make_batch, train_cfg

from stiltx.model.build import build_model
from stiltx.model.methods import AdapterTuning, FullFinetune
from stiltx.tasks.spec import TaskKind
from stiltx.train import checkpoint
from stiltx.train.loop import NonFiniteLossError, train

METHODS = {
    "full": lambda: FullFinetune(),
    "seq_bn": lambda: AdapterTuning("seq_bn", {"reduction_factor": 4}),
    "lora": lambda: AdapterTuning("lora", {"r": 4, "alpha": 8}),
}
MIXTURE = ["mnli", "hellaswag", "squad", "udpos"]


def setup(model_cfg, method, tasks):
    """A fresh model with all four heads; only the heads of `tasks` are marked as used."""
    model, _ = build_model(model_cfg, HEADS)
    method.prepare(model, {TASK_HEAD[t] for t in tasks})
    return model


def snapshot(model) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in model.named_parameters()}


def log_rows(path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows:
        row.pop("elapsed_s", None)  # wall time: the one field that may differ
    return rows


@pytest.mark.parametrize("method_name", ["full", "seq_bn"])
@pytest.mark.parametrize("tasks", [["mnli"], MIXTURE], ids=["single", "mixture4"])
def test_loss_decreases(model_cfg, tmp_path, method_name, tasks):
    method = METHODS[method_name]()
    model = setup(model_cfg, method, tasks)
    lr = 1e-2 if method_name == "full" else 3e-2
    cfg = train_cfg(lr=lr, max_steps=48 if len(tasks) > 1 else 24, log_every=8)
    stream = PoolStream(tasks, model.config.vocab_size, seed=1)
    result = train(model, method, stream, cfg, tmp_path, progress=False)
    rows = log_rows(tmp_path / "train_log.jsonl")
    for task in tasks:
        curve = [row["loss"][task] for row in rows if task in row["loss"]]
        # Few batches per log window make single points noisy: compare the later half's mean.
        later = curve[len(curve) // 2 :]
        assert sum(later) / len(later) < 0.8 * curve[0], (task, curve)
    assert result.steps == cfg.max_steps
    assert result.examples == cfg.max_steps * 4


@pytest.mark.parametrize("method_name", ["seq_bn", "lora"])
def test_adapter_training_changes_only_adapter_and_used_heads(model_cfg, tmp_path, method_name):
    method = METHODS[method_name]()
    model = setup(model_cfg, method, ["mnli", "squad"])
    before = snapshot(model)
    cfg = train_cfg(max_steps=6, lr=1e-2, weight_decay=0.1)
    train(model, method, PoolStream(["mnli", "squad"], model.config.vocab_size), cfg, tmp_path,
          progress=False)  # fmt: skip
    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert changed, "nothing trained"
    for name in changed:
        assert ".stilt." in name or name.startswith(("heads.nli.", "heads.qa.")), name
    assert any(n.startswith("heads.nli.") for n in changed)
    assert any(n.startswith("heads.qa.") for n in changed)
    assert any(".stilt." in n for n in changed)
    backbone = [n for n in before if n.startswith("roberta.") and ".stilt." not in n]
    assert backbone and all(torch.equal(dict(model.named_parameters())[n], before[n])
                            for n in backbone)  # fmt: skip


def _eval_fn(vocab: int):
    """Score = -loss on one fixed batch per head (deterministic, higher is better)."""
    gen = torch.Generator().manual_seed(123)
    fixed = {t: make_batch(HEADS[TASK_HEAD[t]].kind, vocab, gen) for t in MIXTURE}

    def evaluate(model) -> dict[str, float]:
        with torch.no_grad():
            return {t: -float(model(**b, head=TASK_HEAD[t]).loss) for t, b in fixed.items()}

    return evaluate


@pytest.mark.parametrize("method_name", ["full", "lora"])
def test_killed_and_resumed_run_is_bit_identical(model_cfg, tmp_path, method_name):
    cfg = train_cfg(max_steps=12, save_every=4, eval_every=3, log_every=2, keep_checkpoints=1)
    tasks = MIXTURE

    def run(out_dir, *, crash_after=None, resume=False):
        torch.manual_seed(0)  # dropout draws from the global RNG; the checkpoint restores it
        method = METHODS[method_name]()
        model = setup(model_cfg, method, tasks)
        stream = PoolStream(tasks, model.config.vocab_size, seed=3)
        if crash_after is not None:
            stream = CrashAfter(stream, crash_after)
        result = train(model, method, stream, cfg, out_dir, eval_fn=_eval_fn(model.config.vocab_size),
                       resume=resume, progress=False)  # fmt: skip
        return model, result

    reference, expected = run(tmp_path / "a")
    with pytest.raises(Crash):
        run(tmp_path / "b", crash_after=10)  # killed during step 11, after checkpoint-8
    assert checkpoint.latest(tmp_path / "b").name == "checkpoint-9"  # best at the eval of step 9
    resumed, result = run(tmp_path / "b", resume=True)

    assert result.resumed_from == 9
    assert (result.steps, result.best_step, result.best_metric, result.best_scores) == (
        expected.steps,
        expected.best_step,
        expected.best_metric,
        expected.best_scores,
    )
    ref = dict(reference.named_parameters())
    for name, p in resumed.named_parameters():
        if p.requires_grad:
            assert torch.equal(p, ref[name]), name
    assert log_rows(tmp_path / "b" / "train_log.jsonl") == log_rows(
        tmp_path / "a" / "train_log.jsonl"
    )


def test_nan_loss_stops_and_keeps_last_good_checkpoint(model_cfg, tmp_path):
    method = FullFinetune()
    model = setup(model_cfg, method, ["mnli"])

    class Poison(PoolStream):
        def __next__(self):
            if self.position == 5:  # the model diverges: a weight becomes NaN
                with torch.no_grad():
                    model.heads["nli"][1].weight.fill_(float("nan"))
            return super().__next__()

    cfg = train_cfg(max_steps=20, save_every=2, log_every=4)
    with pytest.raises(NonFiniteLossError, match=r"mnli.*step 6.*checkpoint-4"):
        train(model, method, Poison(["mnli"], model.config.vocab_size), cfg, tmp_path,
              progress=False)  # fmt: skip
    assert [s for s, _ in checkpoint.complete_checkpoints(tmp_path)] == [2, 4]
    fresh = setup(model_cfg, FullFinetune(), ["mnli"])
    checkpoint.load_trainable_file(tmp_path / "checkpoint-4", fresh)
    assert all(torch.isfinite(p).all() for p in fresh.parameters())


def test_early_stopping_keeps_best_and_rotates(model_cfg, tmp_path):
    method = AdapterTuning("seq_bn")
    model = setup(model_cfg, method, ["mnli"])
    scores = iter([50.0, 60.0, 55.0, 58.0, 59.0, 70.0])
    seen = {}

    def eval_fn(m):
        seen[len(seen)] = snapshot(m)
        return {"mnli": next(scores), "other": 0.0}

    cfg = train_cfg(max_steps=40, eval_every=2, save_every=3, patience=3, keep_checkpoints=1)
    result = train(model, method, PoolStream(["mnli"], model.config.vocab_size), cfg, tmp_path,
                   eval_fn=eval_fn, progress=False)  # fmt: skip
    assert result.stopped_early and result.steps == 10
    assert (result.best_step, result.best_metric) == (4, 30.0)
    # newest one kept, plus the best
    assert [s for s, _ in checkpoint.complete_checkpoints(tmp_path)] == [4, 10]
    # the model ends with the weights of the best evaluation (the second one, at step 4)
    for name, p in model.named_parameters():
        if p.requires_grad:
            assert torch.equal(p, seen[1][name]), name
    assert (tmp_path / "model" / "adapter" / "adapter_config.json").exists()


def test_fresh_run_refuses_a_folder_with_checkpoints(model_cfg, tmp_path):
    from stiltx.errors import StiltxError

    method = FullFinetune()
    model = setup(model_cfg, method, ["mnli"])
    cfg = train_cfg(max_steps=2)
    train(model, method, PoolStream(["mnli"], model.config.vocab_size), cfg, tmp_path,
          progress=False)  # fmt: skip
    with pytest.raises(StiltxError, match="--resume"):
        train(model, method, PoolStream(["mnli"], model.config.vocab_size), cfg, tmp_path,
              progress=False)  # fmt: skip


def test_kind_of_every_head_matches():
    assert {h.kind for h in HEADS.values()} == {
        TaskKind.CLASSIFICATION,
        TaskKind.MULTIPLE_CHOICE,
        TaskKind.EXTRACTIVE_QA,
        TaskKind.TAGGING,
    }
