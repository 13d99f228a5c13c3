"""Prediction for heads that read one position: the last layer computed for that position only.

A classification or multiple-choice head of `adapters` reads the last hidden state at the first
token (`PredictionHead._get_cls_output`: `outputs[0][:, 0]` unless `use_pooler`, and the pooler
reads the first token too). Every other position of the last layer is computed and thrown away:
its queries, attention, output projection and feed-forward, about 5/6 of that layer's work. Here
the last layer runs as the encoder's own modules do, with the first token as the only query over
every position's keys and values (the self-attention's `encoder_hidden_states` path, the one
`adapters` keeps for cross-attention), so bottleneck adapters, LoRA, prefix tuning, fusion and
language-adapter stacks all act exactly where they act in the full layer.

The first token's vector is the same computation as in the full layer (position-wise modules,
one softmax row); the matrix products run at other shapes, so in fp32 it can differ in the last
bits (tests/evaluation/test_first_token.py bounds it). It saves (layers - 1 + 1/6) / layers of
the forward: ~20% on a 4-layer model, ~7% on XLM-R base, ~3.5% on XLM-R Large.

Any model this does not recognise (another architecture, relative positions, a `Parallel`
adapter setup, a head that reads other positions) runs the full layer: `first_token_only` then
changes nothing.
"""

from __future__ import annotations

from contextlib import contextmanager

FIRST_TOKEN_HEADS = ("ClassificationHead", "MultipleChoiceHead")


def last_layer(model, head: str):
    """The encoder layer to shorten for `head`, or None when the shortcut does not apply."""
    heads = getattr(model, "heads", None)
    if heads is None or head not in heads:
        return None
    prediction_head = heads[head]
    if type(prediction_head).__name__ not in FIRST_TOKEN_HEADS:
        return None
    if (prediction_head.config or {}).get("use_pooler") and not _pooler_reads_first(model):
        return None
    config = model.config
    if getattr(config, "is_decoder", False) or getattr(config, "add_cross_attention", False):
        return None
    if getattr(config, "position_embedding_type", "absolute") != "absolute":
        return None
    if _has_parallel(model):
        return None
    encoder = getattr(getattr(model, "base_model", None), "encoder", None)
    layers = getattr(encoder, "layer", None)
    if not layers:
        return None
    layer = layers[-1]
    attention = getattr(layer, "attention", None)
    if not (
        hasattr(attention, "self")
        and hasattr(attention, "output")
        and hasattr(layer, "feed_forward_chunk")
    ):
        return None
    return layer


@contextmanager
def first_token_only(model, head: str):
    """Within the block, the last encoder layer returns the first position only (see module)."""
    layer = last_layer(model, head)
    if layer is None:
        yield False
        return
    layer.forward = _first_token_forward(layer)
    try:
        yield True
    finally:
        del layer.forward  # the class's forward again


def _first_token_forward(layer):
    def forward(hidden_states, attention_mask=None, head_mask=None, *args, **kwargs):
        if kwargs.get("output_attentions"):
            raise RuntimeError("first_token_only: attentions were requested; run the full layer")
        first = hidden_states[:, :1]
        if attention_mask is not None and attention_mask.dim() == 4:
            attention_mask = attention_mask[:, :, :1, :]  # the first query's row
        context = layer.attention.self(
            first,
            attention_mask=attention_mask,
            head_mask=head_mask,
            encoder_hidden_states=hidden_states,
        )[0]
        attended = layer.attention.output(context, first)
        return (layer.feed_forward_chunk(attended),)

    return forward


def _pooler_reads_first(model) -> bool:
    pooler = getattr(getattr(model, "base_model", None), "pooler", None)
    return pooler is not None and type(pooler).__name__.endswith("Pooler")


def _has_parallel(model) -> bool:
    """An active `Parallel` setup replicates the batch inside the layers; not shortened."""
    setup = getattr(getattr(model, "adapters_config", None), "active_setup", None)
    if setup is None:
        return False
    from adapters.composition import Parallel

    def walk(block) -> bool:
        if isinstance(block, Parallel):
            return True
        children = getattr(block, "children", [])
        return any(walk(child) for child in children if not isinstance(child, str))

    return walk(setup)
