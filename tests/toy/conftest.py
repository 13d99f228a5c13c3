"""A toy world at test size (every file written, a few examples each), built once per session."""

from __future__ import annotations

import pytest

from stiltx.toy.build import write_data
from stiltx.toy.languages import DEFAULT_LANGUAGES
from stiltx.toy.sizes import TEST_SIZES


@pytest.fixture(scope="session")
def toy_data_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("toy-data")
    write_data(out, seed=0, sizes=TEST_SIZES, languages=DEFAULT_LANGUAGES)
    return out
