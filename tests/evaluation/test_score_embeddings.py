"""`stiltx score tatoeba --embeddings XX.npy --english-embeddings EN.npy`: LaBSE / LASER vectors
scored under the XTREME protocol with the run's own code."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from stiltx.cli import app

runner = CliRunner()


def _basis(i: int, dim: int = 6) -> np.ndarray:
    v = np.zeros(dim, dtype=np.float32)
    v[i] = 1.0
    return v


def _write(tmp_path):
    # Row i of the two arrays are translations. en -> xx finds every xx row (100%), but xx-3 sits
    # nearest en-0, so the other direction gets 3 of 4 (75%).
    en = np.stack([_basis(i) for i in range(4)])
    xx = np.stack([_basis(i) + 0.3 * _basis(5) for i in range(3)] + [_basis(0) + 0.5 * _basis(3)])
    np.save(tmp_path / "xx.npy", 3.0 * xx)  # unnormalised: scoring normalises
    np.save(tmp_path / "en.npy", en)
    return str(tmp_path / "xx.npy"), str(tmp_path / "en.npy")


def test_scores_precomputed_embeddings_in_xtremes_direction(tmp_path):
    xx, en = _write(tmp_path)
    args = ["score", "tatoeba", "--language", "de", "--embeddings", xx]
    result = runner.invoke(app, [*args, "--english-embeddings", en, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "task": "tatoeba",
        "language": "de",
        "metrics": {"accuracy": 100.0, "accuracy_xx_en": 75.0},
    }


def test_bad_embeddings_are_clean_errors(tmp_path):
    xx, en = _write(tmp_path)
    np.save(tmp_path / "short.npy", np.zeros((3, 6), dtype=np.float32))
    cases = [
        (["--embeddings", xx, "--english-embeddings", str(tmp_path / "short.npy")], "shape"),
        (["--embeddings", xx, "--english-embeddings", str(tmp_path / "nope.npy")], "not found"),
        (["--embeddings", xx], "together"),
    ]
    for extra, message in cases:
        result = runner.invoke(app, ["score", "tatoeba", "--language", "de", *extra])
        assert result.exit_code == 2 and message in result.output, result.output
    result = runner.invoke(
        app, ["score", "xnli", "--language", "de", "--embeddings", xx, "--english-embeddings", en]
    )
    assert result.exit_code == 2 and "tatoeba only" in result.output
