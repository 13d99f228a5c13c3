"""retrieval.protocol: BUCC's pooling and layer as jiant and as XTREME's run_bucc2018.sh choose them."""

from __future__ import annotations

import json

import pytest

from stiltx.evaluation.retrieval_protocol import protocol_label, retrieval_setting
from stiltx.recipe.load import load_recipe
from stiltx.recipe.schema import RetrievalConfig
from stiltx.tasks.registry import get_task


def xtreme_reference_layer(num_hidden_layers: int) -> int | None:
    """evaluate_retrieval.py:209 `all_layer_outputs[-args.num_layers:]` with num_layers 12 (:373,
    run_bucc2018.sh passes none), then embeddings file `specific_layer` 7 (:487-488, sh:75): the
    hidden_states index it reads, or None where the 8th of them does not exist (zeros there)."""
    states = list(range(num_hidden_layers + 1))[-12:]
    return states[7] if len(states) > 7 else None


@pytest.mark.parametrize(
    ("protocol", "depth", "expected"),
    [
        ("jiant", 24, ("mean", 14)),  # jiant: hidden_states[14] of XLM-R Large, MeanPoolerHead
        ("jiant", 4, ("mean", 2)),  # 14/24 of the toy model's depth
        ("xtreme", 24, ("cls", 20)),  # run_bucc2018.sh:66,75
        ("xtreme", 4, ("cls", 3)),  # no reference layer: 20/24 of the depth
    ],
)
def test_bucc_follows_its_protocol(protocol, depth, expected):
    setting = retrieval_setting(RetrievalConfig(protocol=protocol), get_task("bucc2018"), depth)
    assert (setting.pooling, setting.layer, setting.protocol) == (*expected, protocol)
    if protocol == "xtreme":
        assert xtreme_reference_layer(depth) in (setting.layer, None)
        assert xtreme_reference_layer(12) == 8 and xtreme_reference_layer(4) is None


@pytest.mark.parametrize("protocol", ["jiant", "xtreme"])
def test_tatoeba_is_embedded_alike_under_both(protocol):
    """XTREME's run_tatoeba.sh:37-41,62-64 for XLM-R Large: mean, hidden_states[-24:][13] = [14]."""
    setting = retrieval_setting(RetrievalConfig(protocol=protocol), get_task("tatoeba"), 24)
    assert (setting.pooling, setting.layer) == ("mean", list(range(25))[-24:][13])


def test_explicit_layer_or_pooling_is_named_custom():
    config = RetrievalConfig(protocol="xtreme", layer=10)
    assert retrieval_setting(config, get_task("bucc2018"), 24).protocol == "custom"
    assert protocol_label(config) == "xtreme+layer=10"
    assert protocol_label(RetrievalConfig(pooling="cls")) == "jiant+pooling=cls"
    assert protocol_label(RetrievalConfig(protocol="xtreme", pooling="cls")) == "xtreme"


def test_multitask9_uses_jiants_and_results_name_it(tmp_path):
    from stiltx.report.results import load_run

    recipe = load_recipe("multitask9")
    assert recipe.retrieval.protocol == "jiant" and protocol_label(recipe.retrieval) == "jiant"
    xtreme = load_recipe("multitask9", overrides=["retrieval.protocol=xtreme"])
    assert protocol_label(xtreme.retrieval) == "xtreme"
    (tmp_path / "results.json").write_text(
        json.dumps({"recipe": "r", "scores": [], "retrieval_protocol": "xtreme"}), encoding="utf-8"
    )
    assert load_run(tmp_path).retrieval_protocol == "xtreme"
