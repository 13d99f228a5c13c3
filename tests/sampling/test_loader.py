"""TaskStream and MixtureStream: coverage per epoch, length grouping, exact resume, one task."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import torch

from stiltx.errors import DataError, RecipeError
from stiltx.recipe.schema import SamplingConfig
from stiltx.sampling.loader import MixtureStream, TaskBatch, TaskStream, build_mixture
from stiltx.sampling.sampler import TaskSampler
from stiltx.tasks.spec import TaskKind


def rows_of(batches: list[TaskBatch]) -> list[int]:
    return [int(i) for b in batches for i in b.tensors["labels"]]  # labels hold the row number


def take(iterator, n: int) -> list[TaskBatch]:
    return [next(iterator) for _ in range(n)]


def same_batches(left: list[TaskBatch], right: list[TaskBatch]) -> bool:
    return len(left) == len(right) and all(
        a.task == b.task
        and a.size == b.size
        and a.tensors.keys() == b.tensors.keys()
        and all(torch.equal(a.tensors[k], b.tensors[k]) for k in a.tensors)
        for a, b in zip(left, right, strict=True)
    )


@pytest.mark.parametrize("group_by_length", [True, False])
def test_every_row_once_per_epoch_and_reshuffled(encoded_factory, collate, group_by_length):
    encoded = encoded_factory("mnli", 103)
    stream = TaskStream(
        "mnli", "nli", encoded, 8, collate, seed=0, group_by_length=group_by_length, window=3
    )
    assert stream.batches_per_epoch == 13  # ceil(103 / 8)
    epochs = [take(stream, 13) for _ in range(3)]
    for batches in epochs:
        assert sorted(rows_of(batches)) == list(range(103))
        assert sum(b.size for b in batches) == 103
    assert len({tuple(rows_of(b)) for b in epochs}) == 3
    first = epochs[0][0]
    assert (first.task, first.head, first.kind) == ("mnli", "nli", TaskKind.CLASSIFICATION)
    assert stream.state_dict() == {"epoch": 3, "position": 0}


def padded_tokens(batches: list[TaskBatch]) -> int:
    return sum(b.tensors["input_ids"].numel() for b in batches)


def test_length_grouping_reduces_padding(encoded_factory, collate):
    encoded = encoded_factory("squad", 2000, min_len=4, max_len=128, seed=1)
    real = sum(encoded.features["length"])
    grouped = TaskStream("squad", "squad", encoded, 32, collate, seed=0, window=10)
    plain = TaskStream("squad", "squad", encoded, 32, collate, seed=0, group_by_length=False)
    n = grouped.batches_per_epoch
    grouped_tokens, plain_tokens = padded_tokens(take(grouped, n)), padded_tokens(take(plain, n))
    # random batches of 32 pad to ~the max of 32 uniform lengths (~125 vs a mean of 66)
    assert plain_tokens > 1.6 * real
    assert real <= grouped_tokens < 1.1 * real
    # ...yet batches are not served in length order
    maxima = [int(b.tensors["attention_mask"].sum(1).max()) for b in take(grouped, n)]
    assert maxima != sorted(maxima) and maxima != sorted(maxima, reverse=True)


def test_stream_state_dict_resumes_exactly(encoded_factory, collate):
    encoded = encoded_factory("pos", 50)

    def make():
        return TaskStream("pos", "pos", encoded, 8, collate, seed=7, window=2)

    stream = make()
    take(stream, 10)  # crosses the epoch boundary (7 batches per epoch)
    state = json.loads(json.dumps(stream.state_dict()))
    assert state == {"epoch": 1, "position": 3}
    expected = take(stream, 12)
    fresh = make()
    fresh.load_state_dict(state)
    assert same_batches(take(fresh, 12), expected)
    with pytest.raises(DataError, match="out of range"):
        fresh.load_state_dict({"epoch": 0, "position": 7})


def test_streams_of_different_tasks_differ_under_one_seed(encoded_factory, collate):
    a = TaskStream("a", "a", encoded_factory("a", 40), 8, collate, seed=0)
    b = TaskStream("b", "b", encoded_factory("b", 40), 8, collate, seed=0)
    assert rows_of(take(a, 5)) != rows_of(take(b, 5))


def test_columns_restricts_what_is_fetched(encoded_factory):
    seen = []

    def record(rows):
        seen.append(set(rows[0]))
        return {"labels": torch.tensor([r["labels"] for r in rows])}

    encoded = encoded_factory("x", 10)
    next(TaskStream("x", "x", encoded, 4, record, seed=0, columns=("input_ids", "labels")))
    next(TaskStream("x", "x", encoded, 4, record, seed=0))
    assert seen == [
        {"input_ids", "labels"},
        {"input_ids", "attention_mask", "labels", "length", "example_index"},
    ]


def test_stream_errors(encoded_factory, collate):
    with pytest.raises(DataError, match="'x': the encoded training split has no rows"):
        TaskStream("x", "x", encoded_factory("x", 0), 4, collate, seed=0)
    with pytest.raises(RecipeError, match="batch_size and window must be positive"):
        TaskStream("x", "x", encoded_factory("x", 3), 0, collate, seed=0)


def make_mixture(encoded_factory, collate, config, grad_accum=1, seed=5):
    sizes = {"mnli": 60, "squad": 90, "pos": 30}
    kinds = {
        "mnli": TaskKind.CLASSIFICATION,
        "squad": TaskKind.EXTRACTIVE_QA,
        "pos": TaskKind.TAGGING,
    }
    streams = {
        task: TaskStream(
            task, task, encoded_factory(task, n, seed=i, kind=kinds[task]), 8, collate, seed=seed
        )
        for i, (task, n) in enumerate(sizes.items())
    }
    batches = {task: s.batches_per_epoch for task, s in streams.items()}
    sampler = TaskSampler(sizes, config, seed=seed, batches_per_epoch=batches)
    return MixtureStream(streams, sampler, grad_accum=grad_accum)


@pytest.mark.parametrize(
    ("config", "grad_accum"),
    [
        (SamplingConfig(policy="temperature", temperature=2.0), 1),
        (SamplingConfig(policy="uniform"), 3),
        (SamplingConfig(with_replacement=False), 1),
    ],
)
def test_mixture_state_dict_resumes_exactly(encoded_factory, collate, config, grad_accum):
    mixture = make_mixture(encoded_factory, collate, config, grad_accum)
    take(mixture, 25)  # with grad_accum 3: in the middle of an accumulated step
    state = json.loads(json.dumps(mixture.state_dict()))
    expected = take(mixture, 30)

    fresh = make_mixture(encoded_factory, collate, config, grad_accum)
    fresh.load_state_dict(state)
    assert same_batches(take(fresh, 30), expected)
    assert fresh.sampler.realized == mixture.sampler.realized


def test_mixture_keeps_one_task_per_accumulated_step(encoded_factory, collate):
    mixture = make_mixture(encoded_factory, collate, SamplingConfig(policy="uniform"), grad_accum=4)
    tasks = [b.task for b in take(mixture, 40)]
    groups = [tasks[i : i + 4] for i in range(0, 40, 4)]
    assert all(len(set(g)) == 1 for g in groups)
    assert len({g[0] for g in groups}) > 1
    assert mixture.step == 10 and sum(mixture.sampler.realized.values()) == 10


def test_mixture_without_replacement_sees_every_row_once_per_epoch(encoded_factory, collate):
    mixture = make_mixture(encoded_factory, collate, SamplingConfig(with_replacement=False))
    per_epoch = 8 + 12 + 4  # ceil(60/8) + ceil(90/8) + ceil(30/8)
    batches = take(mixture, per_epoch)
    for task, n in {"mnli": 60, "squad": 90, "pos": 30}.items():
        assert sorted(rows_of([b for b in batches if b.task == task])) == list(range(n))
    assert {b.kind for b in batches} == {
        TaskKind.CLASSIFICATION,
        TaskKind.EXTRACTIVE_QA,
        TaskKind.TAGGING,
    }


def test_single_task_mixture_is_the_stream(encoded_factory, collate):
    encoded = encoded_factory("mnli", 40)
    alone = TaskStream("mnli", "nli", encoded, 8, collate, seed=2)
    stream = TaskStream("mnli", "nli", encoded, 8, collate, seed=2)
    mixture = MixtureStream({"mnli": stream}, TaskSampler({"mnli": 40}, SamplingConfig(), seed=2))
    assert same_batches(take(mixture, 12), take(alone, 12))
    assert mixture.sampler.mixture_report(12)["tasks"]["mnli"]["realized_steps"] == 12


def test_mixture_rejects_mismatched_tasks(encoded_factory, collate):
    stream = TaskStream("a", "a", encoded_factory("a", 4), 2, collate, seed=0)
    with pytest.raises(RecipeError, match="streams for"):
        MixtureStream({"a": stream}, TaskSampler({"a": 4, "b": 4}, SamplingConfig(), seed=0))


def test_build_mixture_sizes_are_encoded_rows(encoded_factory, collate):
    encoded = {"mnli": encoded_factory("mnli", 30), "anli": encoded_factory("anli", 10)}
    mixture = build_mixture(
        encoded,
        heads={"mnli": "nli", "anli": "nli"},
        batch_sizes={"mnli": 4, "anli": 3},
        collate_fns={"mnli": collate, "anli": collate},
        config=SamplingConfig(with_replacement=False),
        seed=0,
    )
    assert mixture.sampler.sizes == {"mnli": 30, "anli": 10}
    assert mixture.sampler.batches_per_epoch == {"mnli": 8, "anli": 4}
    batches = take(mixture, 12)
    assert {b.head for b in batches} == {"nli"}
    assert Counter(b.task for b in batches) == {"mnli": 8, "anli": 4}


def test_build_mixture_stream_seed_changes_batches_not_tasks(encoded_factory, collate):
    """DDP: every process draws the same task sequence but its own batches of it."""
    encoded = {"mnli": encoded_factory("mnli", 40), "anli": encoded_factory("anli", 40)}

    def mixture(stream_seed):
        return build_mixture(
            encoded,
            heads={"mnli": "nli", "anli": "nli"},
            batch_sizes={"mnli": 4, "anli": 4},
            collate_fns={"mnli": collate, "anli": collate},
            config=SamplingConfig(policy="uniform"),
            seed=3,
            stream_seed=stream_seed,
        )

    rank0, rank1 = take(mixture(None), 10), take(mixture(3 + 1_000_003), 10)
    assert [b.task for b in rank0] == [b.task for b in rank1]
    assert rows_of(rank0) != rows_of(rank1)
    assert same_batches(rank0, take(mixture(3), 10))  # default: the streams use `seed`
