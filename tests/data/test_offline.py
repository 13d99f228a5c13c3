"""Without a network the first Hub call stops in seconds with one line: what, and the fix."""

from __future__ import annotations

import socket
import time

import pytest

from stiltx.data import offline
from stiltx.data.hub import load_hub
from stiltx.errors import DataError
from stiltx.tasks.registry import get_task


def _closed_port() -> int:
    with socket.socket() as s:  # bound then released: nothing listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_offline_hub_call_fails_fast_with_the_fix(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    offline._reachable.cache_clear()
    started = time.perf_counter()
    with pytest.raises(DataError) as error:
        load_hub(get_task("xnli"), "sw", "test")
    assert time.perf_counter() - started < 5
    message = str(error.value)
    assert "google/xtreme" in message and "no network" in message
    assert "--data-dir" in message and "HF_HUB_OFFLINE=1" in message
    assert "\n" not in message
    offline._reachable.cache_clear()


def test_hub_offline_mode_skips_the_probe(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    offline.require_hub("dataset x")  # no probe, no error: the local cache answers


# ---- models, tokenizers and MT models: the same fast failure, naming the model and the fix ----

from typer.testing import CliRunner  # noqa: E402

from stiltx.cli import app  # noqa: E402


@pytest.fixture
def no_network(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    offline._reachable.cache_clear()
    yield
    offline._reachable.cache_clear()


def _fails_fast(call) -> str:
    started = time.perf_counter()
    with pytest.raises(DataError) as error:
        call()
    assert time.perf_counter() - started < 5
    assert "\n" not in str(error.value)
    return str(error.value)


def test_a_hub_model_without_network_fails_fast_naming_it(no_network):
    import adapters  # noqa: F401  # imported before the clock starts: only the call is timed
    import transformers  # noqa: F401

    from stiltx.data.prepare import load_tokenizer
    from stiltx.model.build import build_model
    from stiltx.recipe.schema import ModelConfig

    name = "FacebookAI/xlm-roberta-large"
    message = _fails_fast(lambda: build_model(ModelConfig(name_or_path=name), {}))
    assert message.startswith(f"cannot load model {name} from the Hub (http://127.0.0.1:")
    assert "no network" in message and "HF_HUB_OFFLINE=1" in message
    assert "model.name_or_path=DIR" in message
    message = _fails_fast(lambda: load_tokenizer(name))
    assert message.startswith(f"cannot load the tokenizer of {name} from the Hub")


def test_an_mt_model_without_network_fails_fast_naming_it(no_network):
    import transformers  # noqa: F401  # imported before the clock starts

    from stiltx.translate.engine import Translator

    message = _fails_fast(
        lambda: Translator("Helsinki-NLP/opus-mt-en-de", "de", batch_size=2, max_length=16)
    )
    assert "MT model for en->de Helsinki-NLP/opus-mt-en-de" in message and "--model=DIR" in message


def test_a_local_model_folder_needs_no_probe(no_network, tiny_model_dir):
    assert offline.model_kwargs(str(tiny_model_dir)) == {}


def test_a_model_in_the_hub_cache_loads_offline_without_retries(tmp_path, tiny_model_dir):
    """No network and no HF_HUB_OFFLINE, but the Hub cache holds the model: it loads from the
    cache at once (local_files_only) instead of retrying for a minute."""
    import os
    import shutil
    import subprocess
    import sys

    snapshot = tmp_path / "hub" / "models--me--tiny" / "snapshots" / ("a" * 40)
    shutil.copytree(tiny_model_dir, snapshot)
    (tmp_path / "hub" / "models--me--tiny" / "refs").mkdir()
    (tmp_path / "hub" / "models--me--tiny" / "refs" / "main").write_text("a" * 40)
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "HF_HOME")}
    env |= {
        "HF_HUB_CACHE": str(tmp_path / "hub"),
        "HF_ENDPOINT": f"http://127.0.0.1:{_closed_port()}",
    }
    code = (
        "import time\n"
        "import adapters, transformers\n"  # imported before the clock starts
        "from stiltx.model.build import build_model\n"
        "from stiltx.recipe.schema import ModelConfig\n"
        "t = time.perf_counter()\n"
        "model, tokenizer = build_model(ModelConfig(name_or_path='me/tiny'), {})\n"
        "print(round(time.perf_counter() - t, 1), type(model).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    seconds, kind = out.stdout.split()
    assert float(seconds) < 5 and kind == "XLMRobertaAdapterModel"


def test_the_toy_translate_baseline_uses_the_toy_mt_system_offline(no_network, toy_cache):
    args = ["translate", "--recipe", "baselines/translate", "--preset", "tiny",
            "--set", "toy.size=smoke", "--set", f"toy.cache_dir={toy_cache}"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("mnli@de: ") for line in lines)
    assert all("toy world's MT system (toy.mt_noise 0.1)" in line for line in lines if "@" in line)
    assert "opus-mt" not in result.output and "Hub" not in result.output
    refused = CliRunner().invoke(app, [*args, "--model", "Helsinki-NLP/opus-mt-en-de"])
    assert refused.exit_code == 2 and "translates with its own MT system" in refused.output
