"""Which hidden layer and pooling each retrieval task embeds with: `retrieval.protocol`.

BUCC is where the two references differ (issue 32 item 4):
- `jiant` (the paper's toolkit): mean pooling over the non-pad tokens of hidden_states[14] of
  XLM-R Large (jiant taskmodels.py:337 `hidden_states[self.layer]`, MeanPoolerHead), 14/24 of the
  depth for other models;
- `xtreme` (scripts/run_bucc2018.sh:66,75): `--pool_type cls --specific_layer 7` without
  `--num_layers`, so evaluate_retrieval.py:209,373 takes the first token of the 8th of the *last
  12* hidden states: hidden_states[depth - 4] (XLM-R Large: 20, mBERT: 8). A model under 11 layers
  has no such state there (the script writes zero vectors); stiltx then takes 20/24 of the depth.
Tatoeba, LAReQA and Mewsli-X are embedded alike under both: mean pooling, 14/24 of the depth
(XTREME scripts/run_tatoeba.sh:37-41,62-64: `--num_layers 24 --specific_layer 13` of XLM-R Large,
i.e. hidden_states[14], mean pooling by default). Pure and torch-free.
"""

from __future__ import annotations

from dataclasses import dataclass

from stiltx.recipe.schema import RetrievalConfig
from stiltx.tasks.spec import RetrievalScoring, TaskSpec

XTREME_LAST_LAYERS = (
    12  # evaluate_retrieval.py:373 `--num_layers` default (run_bucc2018.sh omits it)
)
XTREME_SPECIFIC_LAYER = 7  # run_bucc2018.sh:75


@dataclass(frozen=True)
class RetrievalSetting:
    """How one task is embedded: pooling, hidden_states index, and the protocol that chose them."""

    pooling: str
    layer: int
    protocol: str  # "jiant", "xtreme", or "custom" where retrieval.layer / pooling override it


def default_layer(num_hidden_layers: int) -> int:
    """hidden_states index of jiant's protocol: 14/24 of the depth (XLM-R Large, 24 layers -> 14),
    rounded half up (12 layers -> 7, 4 -> 2, 2 -> 1)."""
    return (14 * num_hidden_layers + 12) // 24


def xtreme_bucc_layer(num_hidden_layers: int) -> int:
    """hidden_states index XTREME's run_bucc2018.sh embeds BUCC with (24 layers -> 20, 12 -> 8)."""
    states = num_hidden_layers + 1  # embeddings first
    if states >= XTREME_LAST_LAYERS:
        return states - XTREME_LAST_LAYERS + XTREME_SPECIFIC_LAYER
    return (20 * num_hidden_layers + 12) // 24  # the reference has none: 20/24 of the depth


PROTOCOLS = {
    "jiant": ("mean", default_layer),
    "xtreme": ("cls", xtreme_bucc_layer),
}


def retrieval_setting(
    config: RetrievalConfig, spec: TaskSpec, num_hidden_layers: int
) -> RetrievalSetting:
    """`spec`'s pooling and layer: the protocol's for BUCC (mining), jiant's (which XTREME's
    Tatoeba script shares) for the others; an explicit retrieval.layer / pooling wins."""
    protocol = config.protocol if spec.retrieval_scoring is RetrievalScoring.MINING else "jiant"
    pooling, layer_of = PROTOCOLS[protocol]
    chosen = RetrievalSetting(
        pooling=config.pooling or pooling,
        layer=layer_of(num_hidden_layers) if config.layer is None else config.layer,
        protocol=protocol,
    )
    if chosen.pooling != pooling or chosen.layer != layer_of(num_hidden_layers):
        return RetrievalSetting(chosen.pooling, chosen.layer, "custom")
    return chosen


def protocol_label(config: RetrievalConfig) -> str:
    """results.json's `retrieval_protocol`: the BUCC protocol, `+layer=N` / `+pooling=P` when the
    recipe overrides what it sets."""
    extra = [f"layer={config.layer}"] if config.layer is not None else []
    if config.pooling is not None and config.pooling != PROTOCOLS[config.protocol][0]:
        extra.append(f"pooling={config.pooling}")
    return "+".join([config.protocol, *extra])
