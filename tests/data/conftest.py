"""Tiny native-format files for the datasets that have no real sample in ../shared/data
(HellaSwag, ANLI, MNLI, CCG, SQuAD train / v2, MLM, Mewsli-X candidates)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


HELLASWAG = [
    {"ind": 4, "activity_label": "Removing ice", "ctx_a": "A man is standing on a car.", "ctx_b": "he",
     "ctx": "A man is standing on a car. he", "split": "val", "split_type": "indomain",
     "endings": ["sings.", "scrapes ice.", "jumps.", "sleeps."], "label": 1, "source_id": "x"},
    {"ind": 5, "activity_label": "Cooking", "ctx_a": "A woman cuts onions.", "ctx_b": "she",
     "ctx": "A woman cuts onions. she", "split": "val", "split_type": "zeroshot",
     "endings": ["cries.", "flies.", "runs.", "reads."], "label": "0", "source_id": "y"},
]  # fmt: skip
HELLASWAG_TEST = [dict(HELLASWAG[0], label="")]
ANLI = [
    {
        "uid": "a1",
        "context": "A dog runs.",
        "hypothesis": "An animal moves.",
        "label": "e",
        "reason": "",
    },
    {
        "uid": "a2",
        "context": "A dog runs.",
        "hypothesis": "A cat sleeps.",
        "label": "n",
        "reason": "",
    },
]
ANLI_R2 = [
    {"uid": "b1", "context": "It rains.", "hypothesis": "It is dry.", "label": "c", "reason": ""}
]
MNLI_HEADER = (
    "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\t"
    "sentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label"
)
MNLI_ROWS = [
    "0\t1\t1e\tgov\t( a )\t( b )\t(ROOT a)\t(ROOT b)\tThe cat sat.\tA cat sat.\tentailment\tentailment",
    '1\t2\t2c\tfiction\t( a )\t( b )\t(ROOT a)\t(ROOT b)\tHe said "no".\tHe agreed.\tcontradiction\tcontradiction',
]
SQUAD_TRAIN = {
    "version": "1.1",
    "data": [
        {
            "title": "T",
            "paragraphs": [
                {
                    "context": "Paris is the capital of France. Berlin is in Germany.",
                    "qas": [
                        {
                            "id": "q1",
                            "question": "Capital?",
                            "answers": [{"text": "Paris", "answer_start": 0}],
                        },
                        {
                            "id": "q2",
                            "question": "Where is Berlin?",
                            "answers": [{"text": "Germany", "answer_start": 45}],
                        },
                    ],
                }
            ],
        }
    ],
}
SQUAD_V2_DEV = {
    "version": "v2.0",
    "data": [
        {
            "title": "T",
            "paragraphs": [
                {
                    "context": "Paris is the capital of France.",
                    "qas": [
                        {"id": "v1", "question": "Capital?", "answers": [{"text": "Paris", "answer_start": 0}],
                         "is_impossible": False},
                        {"id": "v2", "question": "Moon?", "answers": [], "is_impossible": True},
                    ],
                }
            ],
        }
    ],
}  # fmt: skip
CANDIDATES = [
    {"entity_id": "Q1757", "title": "Helsinki", "description": "capital of Finland", "description_url": "",
     "description_language": "en", "sentence_spans": []},
    {"entity_id": "Q33", "title": "Finland", "description": "country in Europe", "description_url": "",
     "description_language": "en", "sentence_spans": []},
]  # fmt: skip


WIKIPEDIA_PAIRS = [
    {
        "contextual_mention": {
            "context": {"language": "en", "text": f"{name} is old. It rains.",
                        "sentence_spans": [{"start": 0, "end": len(name) + 8},
                                           {"start": len(name) + 9, "end": len(name) + 18}]},
            "mention": {"example_id": f"m{i}", "entity_id": entity["entity_id"],
                        "mention_span": {"start": 0, "end": len(name), "text": name}},
        },
        "entity": {**entity, "sentence_spans": [{"start": 0, "end": len(entity["description"])}]},
    }
    for i, (name, entity) in enumerate(zip(("Helsinki", "Finland"), CANDIDATES, strict=True))
]  # fmt: skip


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory, shared_data) -> Path:
    """A data_dir with tiny native files for the datasets without a real sample."""
    root = tmp_path_factory.mktemp("tiny-data")
    write_jsonl(root / "hellaswag/hellaswag_val.jsonl", HELLASWAG)
    write_jsonl(root / "hellaswag/hellaswag_test.jsonl", HELLASWAG_TEST)
    write_jsonl(root / "anli/R1/dev.jsonl", ANLI)
    write_jsonl(root / "anli/R2/dev.jsonl", ANLI_R2)
    (root / "mnli").mkdir()
    (root / "mnli/dev_matched.tsv").write_text(
        "\n".join([MNLI_HEADER, *MNLI_ROWS]) + "\n", encoding="utf-8"
    )
    (root / "ccg").mkdir()
    (root / "ccg/ccg.dev.tsv").write_text(
        "The cat sat .\tNP[nb]/N N S[dcl]\\NP .\nHi\tN\n", encoding="utf-8"
    )
    (root / "ccg/tags.txt").write_text("NP[nb]/N\nN\nS[dcl]\\NP\n.\n", encoding="utf-8")
    (root / "squad").mkdir()
    (root / "squad/train-v1.1.json").write_text(json.dumps(SQUAD_TRAIN), encoding="utf-8")
    (root / "squad/dev-v2.0.json").write_text(json.dumps(SQUAD_V2_DEV), encoding="utf-8")
    (root / "mlm").mkdir()
    (root / "mlm/sw.txt").write_text("Paka aliketi.\n\nMbwa alikimbia.\r\n", encoding="utf-8")
    (root / "mewsli_x").mkdir()
    shutil.copy(
        shared_data / "mewsli_x/wikinews_mentions-sample.en.jsonl",
        root / "mewsli_x/wikinews_mentions-dev.jsonl",
    )
    write_jsonl(root / "mewsli_x/candidate_set_entities.jsonl", CANDIDATES)
    write_jsonl(root / "mewsli_x/wikipedia_pairs-train.jsonl", WIKIPEDIA_PAIRS)
    return root


@pytest.fixture(scope="session")
def tiny_rows() -> dict:
    """The rows written by `tiny_dir`, for tests that rebuild them in another schema."""
    return {"anli": ANLI + ANLI_R2, "hellaswag": HELLASWAG, "mnli": MNLI_ROWS}
