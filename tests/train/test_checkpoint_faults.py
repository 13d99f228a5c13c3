"""Damaged and hostile checkpoints: every case resumes (or restarts) to the same result as an
uninterrupted run, names the damaged file, and a checkpoint file can never run code."""

from __future__ import annotations

import json
import pathlib
import shutil

import pytest
import torch
from engine_fixtures import Crash, CrashAfter, PoolStream, train_cfg
from test_loop import METHODS, MIXTURE, _eval_fn, log_rows, setup

from stiltx.train import checkpoint
from stiltx.train.loop import train

CFG = train_cfg(max_steps=6, save_every=2, eval_every=3, log_every=1, keep_checkpoints=3)
TASKS = MIXTURE[:2]


def _run(model_cfg, out_dir, *, crash_after=None, resume=False):
    torch.manual_seed(0)  # dropout draws from the global RNG; the checkpoint restores it
    method = METHODS["full"]()
    model = setup(model_cfg, method, TASKS)
    stream = PoolStream(TASKS, model.config.vocab_size, seed=3)
    if crash_after is not None:
        stream = CrashAfter(stream, crash_after)
    result = train(model, method, stream, CFG, out_dir, eval_fn=_eval_fn(model.config.vocab_size),
                   resume=resume, progress=False)  # fmt: skip
    return model, result


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_model_dir):
    """An uninterrupted run, and a run killed during step 6 (checkpoints 2, 3 (best), 4)."""
    from stiltx.recipe.schema import ModelConfig

    model_cfg = ModelConfig(name_or_path=str(tiny_model_dir), max_length=32)
    root = tmp_path_factory.mktemp("faults")
    reference, expected = _run(model_cfg, root / "reference")
    with pytest.raises(Crash):
        _run(model_cfg, root / "killed", crash_after=5)
    steps = [step for step, _ in checkpoint.complete_checkpoints(root / "killed")]
    assert steps == [2, 3, 4]
    weights = {n: p.detach().clone() for n, p in reference.named_parameters()}
    return model_cfg, root, weights, expected


def truncate(name):
    def damage(newest):
        path = newest / name
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    return damage


def empty(name):
    return lambda newest: (newest / name).write_bytes(b"")


def delete(name):
    return lambda newest: (newest / name).unlink()


class Payload:
    """Unpickling this creates a file: what an attacker's checkpoint would do."""

    def __init__(self, marker: pathlib.Path):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


def plant_payload(name):
    """Replace `name` with a pickle that runs code, and update the manifest to match (an attacker
    controls the whole folder)."""

    def damage(newest):
        marker = newest.parent / "PWNED"
        content = {"optimizer": Payload(marker), "python": Payload(marker)}
        torch.save(content, newest / name)
        manifest = json.loads((newest / checkpoint.MANIFEST).read_text())
        manifest[name] = checkpoint.describe_file(newest / name)
        (newest / checkpoint.MANIFEST).write_text(json.dumps(manifest))

    return damage


DAMAGES = {
    "truncated trainable.safetensors": (truncate("trainable.safetensors"), "trainable.safetensors"),
    "truncated optimizer.pt": (truncate("optimizer.pt"), "optimizer.pt"),
    "truncated state.json": (truncate("state.json"), "state.json"),
    "empty rng.pt": (empty("rng.pt"), "rng.pt"),
    "marker without weights (killed mid-delete)": (delete("trainable.safetensors"), "trainable"),
    "no manifest": (delete("manifest.json"), "manifest.json"),
    "pickle payload in optimizer.pt": (plant_payload("optimizer.pt"), "optimizer.pt"),
    "pickle payload in rng.pt": (plant_payload("rng.pt"), "rng.pt"),
}


@pytest.mark.parametrize("case", list(DAMAGES))
def test_damaged_newest_checkpoint_falls_back_to_an_intact_one(runs, tmp_path, case):
    model_cfg, root, weights, expected = runs
    damage, named = DAMAGES[case]
    out = tmp_path / "run"
    shutil.copytree(root / "killed", out)
    damage(out / "checkpoint-4")

    with pytest.warns(
        checkpoint.CheckpointWarning,
        match=rf"checkpoint-4/{named}.*removed checkpoint-4 and falling back",
    ):
        model, result = _run(model_cfg, out, resume=True)

    assert not (out / "PWNED").exists()  # the pickle never ran
    assert result.resumed_from == 3
    assert (result.steps, result.best_step, result.best_scores) == (
        expected.steps,
        expected.best_step,
        expected.best_scores,
    )
    for name, p in model.named_parameters():
        assert torch.equal(p, weights[name]), name
    assert log_rows(out / "train_log.jsonl") == log_rows(root / "reference" / "train_log.jsonl")


def test_damaged_best_checkpoint_falls_back_past_it(runs, tmp_path):
    """checkpoint-4 is intact but ends by loading the best (checkpoint-3) weights: with those
    damaged, the run resumes from checkpoint-2 (before that best) and still ends identically."""
    model_cfg, root, weights, expected = runs
    out = tmp_path / "run"
    shutil.copytree(root / "killed", out)
    truncate("trainable.safetensors")(out / "checkpoint-3")
    with pytest.warns(checkpoint.CheckpointWarning, match=r"checkpoint-3/trainable.safetensors"):
        model, result = _run(model_cfg, out, resume=True)
    assert result.resumed_from == 2
    assert (result.best_step, result.best_scores) == (expected.best_step, expected.best_scores)
    for name, p in model.named_parameters():
        assert torch.equal(p, weights[name]), name


def test_pickle_payload_is_refused_by_load_itself(runs, tmp_path):
    """Even a caller that skips the fallback (checkpoint.load) never unpickles objects."""
    model_cfg, root, *_ = runs
    out = tmp_path / "run"
    shutil.copytree(root / "killed", out)
    plant_payload("rng.pt")(out / "checkpoint-4")
    method = METHODS["full"]()
    model = setup(model_cfg, method, TASKS)
    optimizer = torch.optim.AdamW(model.parameters())
    with pytest.raises(checkpoint.DamagedCheckpointError, match=r"rng.pt: holds pickled objects"):
        checkpoint.load(out / "checkpoint-4", model=model, optimizer=optimizer)
    assert not (out / "PWNED").exists()


def test_no_intact_checkpoint_starts_the_stage_over(runs, tmp_path):
    model_cfg, root, weights, expected = runs
    out = tmp_path / "run"
    shutil.copytree(root / "killed", out)
    for path in out.glob("checkpoint-*"):
        truncate("optimizer.pt")(path)
    with pytest.warns(checkpoint.CheckpointWarning) as record:
        model, result = _run(model_cfg, out, resume=True)
    messages = [str(w.message) for w in record]
    assert [m.split("/")[-2] for m in messages[:3]] == [
        "checkpoint-4",
        "checkpoint-3",
        "checkpoint-2",
    ]
    assert "starts over from step 0" in messages[-1]
    assert result.resumed_from is None
    assert (result.steps, result.best_scores) == (expected.steps, expected.best_scores)
    for name, p in model.named_parameters():
        assert torch.equal(p, weights[name]), name


def test_half_written_log_line_is_dropped_on_resume(runs, tmp_path):
    model_cfg, root, weights, _ = runs
    out = tmp_path / "run"
    shutil.copytree(root / "killed", out)
    log = out / "train_log.jsonl"
    log.write_text(log.read_text() + '{"step": 6, "lo')  # the kill hit mid-line
    with pytest.warns(checkpoint.CheckpointWarning, match=r"train_log.jsonl:\d+: unreadable"):
        model, _ = _run(model_cfg, out, resume=True)
    assert log_rows(log) == log_rows(root / "reference" / "train_log.jsonl")


def test_full_disk_keeps_the_previous_checkpoint(runs, tmp_path, monkeypatch):
    import errno

    model_cfg, root, *_ = runs
    out = tmp_path / "run"
    shutil.copytree(root / "killed", out)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", disk_full)
    with pytest.raises(checkpoint.StiltxError, match=r"disk is full.*checkpoint-4 is kept"):
        _run(model_cfg, out, resume=True)
    assert [s for s, _ in checkpoint.complete_checkpoints(out)] == [2, 3, 4]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_deleting_a_checkpoint_removes_its_marker_first(runs, tmp_path, monkeypatch):
    """A kill in the middle of a deletion leaves no `complete` checkpoint with files missing."""
    _, root, *_ = runs
    out = tmp_path / "run"
    shutil.copytree(root / "killed", out)

    def killed(path, *args, **kwargs):
        raise Crash("killed while deleting")

    monkeypatch.setattr(checkpoint.shutil, "rmtree", killed)
    with pytest.raises(Crash):
        checkpoint.remove(out / "checkpoint-4")
    assert [s for s, _ in checkpoint.complete_checkpoints(out)] == [2, 3]
