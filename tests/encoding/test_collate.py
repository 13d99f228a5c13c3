"""collate: dynamic padding, -100 label padding, MODEL_INPUTS only, MLM masking."""

from __future__ import annotations

import torch

from stiltx.encoding import MODEL_INPUTS, collate, encode_split
from stiltx.encoding.collate import bucket_lengths
from stiltx.tasks.examples import MLMExample, MultipleChoiceExample, RetrievalPair, TaggingExample
from stiltx.tasks.spec import TaskKind


def test_pads_to_the_longest_row_not_max_length(tiny_tokenizer, make_spec):
    spec = make_spec(TaskKind.TAGGING, labels=("O", "X"))
    examples = [
        TaggingExample("a", ("cat",), ("X",)),
        TaggingExample(
            "b", ("the", "cat", "sat", "on", "the", "mat"), ("O", "X", "O", "O", "O", "O")
        ),
    ]
    rows = list(encode_split(spec, examples, tiny_tokenizer, 256).features)
    batch = collate(TaskKind.TAGGING, rows, tiny_tokenizer.pad_token_id)
    assert (
        set(batch)
        == set(MODEL_INPUTS[TaskKind.TAGGING])
        == {"input_ids", "attention_mask", "labels"}
    )
    longest = max(r["length"] for r in rows)
    assert batch["input_ids"].shape == (2, longest) < (2, 256)
    short = rows[0]["length"]
    assert batch["input_ids"][0, short:].eq(tiny_tokenizer.pad_token_id).all()
    assert batch["attention_mask"][0, short:].eq(0).all() and batch["attention_mask"][1].eq(1).all()
    assert batch["labels"][0, short:].eq(-100).all()
    assert batch["labels"][0, :short].tolist() == rows[0]["labels"]
    assert batch["input_ids"].dtype == torch.long


def test_multiple_choice_pads_every_choice(tiny_tokenizer, make_spec):
    spec = make_spec(TaskKind.MULTIPLE_CHOICE, num_choices=2)
    examples = [
        MultipleChoiceExample("0", "It rained.", ("Yes.", "The river rose near the old house."), 1),
        MultipleChoiceExample("1", "Hi", ("a", "b"), 0),
    ]
    rows = list(encode_split(spec, examples, tiny_tokenizer, 64).features)
    batch = collate("multiple_choice", rows, pad_token_id=1)
    longest = max(r["length"] for r in rows)
    assert batch["input_ids"].shape == batch["attention_mask"].shape == (2, 2, longest)
    assert batch["labels"].tolist() == [1, 0]
    for i, row in enumerate(rows):
        for j, ids in enumerate(row["input_ids"]):
            assert batch["input_ids"][i, j, : len(ids)].tolist() == ids
            assert batch["attention_mask"][i, j].sum() == len(ids)


def test_mlm_masks_with_the_global_rng(tiny_tokenizer, make_spec):
    spec = make_spec(TaskKind.MLM, name="mlm")
    lines = [
        MLMExample(str(i), "The cat sat on the mat and looked at the river.") for i in range(8)
    ]
    rows = list(encode_split(spec, lines, tiny_tokenizer, 64, training=False).features)
    rows[0] = {**rows[0], "input_ids": rows[0]["input_ids"][:5], "attention_mask": [1] * 5}

    def masked():
        return collate("mlm", rows, 1, mlm_tokenizer=tiny_tokenizer, mlm_probability=0.3)

    torch.manual_seed(0)
    first = masked()
    torch.manual_seed(0)
    again = masked()
    other = masked()
    assert torch.equal(first["input_ids"], again["input_ids"])
    assert torch.equal(first["labels"], again["labels"])
    assert not torch.equal(first["labels"], other["labels"])
    original = collate("retrieval", rows, 1)["input_ids"]
    chosen = first["labels"] != -100
    assert chosen.any()
    assert torch.equal(first["labels"][chosen], original[chosen])
    special = torch.isin(original, torch.tensor(tiny_tokenizer.all_special_ids))
    assert not (chosen & special).any()  # never <s>, </s> or padding
    assert torch.equal(first["input_ids"][~chosen], original[~chosen])
    assert (first["input_ids"][chosen] == tiny_tokenizer.mask_token_id).float().mean() > 0.5


def test_model_inputs_are_feature_columns_of_every_kind(tiny_tokenizer, make_spec):
    """Every MODEL_INPUTS name exists in the features, so loaders may select_columns by it."""
    from stiltx.tasks.examples import ClassificationExample, QAExample, Text

    samples = {
        TaskKind.CLASSIFICATION: (ClassificationExample("c", "a", "b", 0), {}),
        TaskKind.MULTIPLE_CHOICE: (
            MultipleChoiceExample("m", "c", ("a", "b"), 1),
            {"num_choices": 2},
        ),
        TaskKind.EXTRACTIVE_QA: (QAExample("q", "Who?", "John sat."), {}),
        TaskKind.TAGGING: (TaggingExample("t", ("a",), ("O",)), {"labels": ("O",)}),
        TaskKind.RETRIEVAL: (Text("r", "a"), {}),
        TaskKind.MLM: (MLMExample("l", "the cat"), {}),
        TaskKind.DUAL_ENCODER: (RetrievalPair("p", "Who sat?", "John sat. The cat sat."), {}),
    }
    assert set(samples) == set(TaskKind) == set(MODEL_INPUTS)
    for kind, (example, extra) in samples.items():
        features = encode_split(make_spec(kind, **extra), [example], tiny_tokenizer, 32).features
        assert set(MODEL_INPUTS[kind]) <= set(features.column_names), kind
        dual = kind is TaskKind.DUAL_ENCODER  # query and candidate ids, stacked by collate
        assert (
            {"length", "example_index"} | (set() if dual else {"input_ids", "attention_mask"})
        ) <= set(features.column_names)
        assert "token_type_ids" not in features.column_names
        rows = list(features.select_columns(list(MODEL_INPUTS[kind])))
        mlm = {"mlm_tokenizer": tiny_tokenizer} if kind is TaskKind.MLM else {}
        batch = collate(kind, rows, tiny_tokenizer.pad_token_id, **mlm)
        if dual:
            assert set(batch) == {"input_ids", "attention_mask"}
            continue
        assert set(batch) == set(MODEL_INPUTS[kind]) | (
            {"labels"} if kind is TaskKind.MLM else set()
        )


def test_a_dual_encoder_batch_stacks_the_queries_above_their_candidates():
    rows = [
        {"query_input_ids": [0, 5, 2], "candidate_input_ids": [0, 6, 7, 8, 2]},
        {"query_input_ids": [0, 9, 9, 2], "candidate_input_ids": [0, 3, 2]},
    ]
    batch = collate("dual_encoder", rows, pad_token_id=1)
    assert batch["input_ids"].tolist() == [
        [0, 5, 2, 1, 1], [0, 9, 9, 2, 1], [0, 6, 7, 8, 2], [0, 3, 2, 1, 1],
    ]  # fmt: skip
    assert batch["attention_mask"].sum(1).tolist() == [3, 4, 5, 3]


def test_buckets_pad_to_the_smallest_bucket_that_holds_the_longest_row():
    assert bucket_lengths(256, 4) == (64, 128, 192, 256)
    assert bucket_lengths(384, 4) == (96, 192, 288, 384)
    assert bucket_lengths(100, 3) == (40, 72, 100)  # ceil(100/3)=34 -> 40, ceil(200/3)=67 -> 72
    assert bucket_lengths(256, 0) == ()
    rows = [{"input_ids": [0, 5, 2], "attention_mask": [1, 1, 1], "labels": [-100, 3, -100]}]
    batch = collate(TaskKind.TAGGING, rows, pad_token_id=1, buckets=(4, 8))
    assert batch["input_ids"].tolist() == [[0, 5, 2, 1]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 0]]
    assert batch["labels"].tolist() == [[-100, 3, -100, -100]]
    longer = rows + [
        {"input_ids": [0] + [5] * 4 + [2], "attention_mask": [1] * 6, "labels": [0] * 6}
    ]
    assert collate(TaskKind.TAGGING, longer, 1, buckets=(4, 8))["input_ids"].shape == (2, 8)
    # above every bucket: its own length (max_length bounds the rows, so only a misconfiguration)
    assert collate(TaskKind.TAGGING, longer, 1, buckets=(4,))["input_ids"].shape == (2, 6)
    choices = [{"input_ids": [[0, 2], [0, 5, 5, 2]], "attention_mask": [[1, 1], [1] * 4],
                "labels": 1}]  # fmt: skip
    assert collate(TaskKind.MULTIPLE_CHOICE, choices, 1, buckets=(8,))["input_ids"].shape == (
        1, 2, 8,
    )  # fmt: skip
