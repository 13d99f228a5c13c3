"""Shared fixtures: the real data samples in ../shared/data and tiny models built in code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# A small multilingual corpus for the tiny tokenizer: English, German, Chinese, Hindi, Swahili.
_CORPUS = [
    "The cat sat on the mat and looked at the old house near the river.",
    "Paris is the capital of France and has many museums, parks and cafés.",
    "In 1998, Maria bought 3 apples and 12 oranges at the market in Berlin.",
    "Die Katze saß auf der Matte und sah das alte Haus am Fluss an.",
    "Berlin ist die Hauptstadt von Deutschland und hat viele Museen.",
    "猫坐在垫子上，看着河边的老房子。北京是中国的首都。",
    "बिल्ली चटाई पर बैठी और नदी के पास पुराने घर को देखा।",
    "Paka aliketi juu ya mkeka na kuangalia nyumba ya zamani karibu na mto.",
    "Who wrote the book? John Smith wrote it in 2004 while living in London.",
    "A man is playing a guitar. A person plays music. Nobody is playing.",
]


def tiny_corpus() -> list[str]:
    return [line for _ in range(20) for line in _CORPUS]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data samples not found at {SHARED_DATA} (expected beside the checkout)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_tokenizer():
    from stiltx.toy.tokenizer import train_tokenizer

    # 192 pieces (191 + <mask>): the size the earlier Unigram trainer stopped at here (BPE reaches
    # whatever it is asked for), which keeps the random tiny model and the engine tests as before.
    return train_tokenizer(tiny_corpus(), vocab_size=191)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_tokenizer) -> Path:
    """A randomly initialised tiny XLM-R (hidden 32, 2 layers) with its tokenizer, on disk."""
    from stiltx.toy.tiny_model import build_random_encoder

    directory = tmp_path_factory.mktemp("tiny-xlmr")
    build_random_encoder(
        directory, tiny_tokenizer, hidden_size=32, num_layers=2, num_heads=2, intermediate_size=64
    )
    return directory


@pytest.fixture(scope="session")
def toy_cache(tmp_path_factory):
    """One smoke-size toy world (data + tiny pretrained model) for every end-to-end test."""
    return tmp_path_factory.mktemp("toy-cache")
