"""XTREME-R's dual encoder (third_party/bert.py `BertForRetrieval`, which xlm_roberta.py:386-393
reuses) as an adapters prediction head on the shared encoder.

One encoder embeds queries and candidates alike (bert.py:41-58 calls the same model twice): the
first token of the last layer through a dense + tanh pooler (the model's `outputs[1]`), L2-normalised
(bert.py:19-21,60-61). Training scores every query of a batch against every candidate of it: logits
= cosine x a learned scale that starts at 100 (bert.py:22-23,62-63), cross-entropy with the
diagonal as the labels: in-batch sampled softmax (bert.py:64-66). A batch is one tensor, queries
stacked above candidates (stiltx.encoding.collate), so one encoder pass serves both.

The pooler is the head's own, initialised from the checkpoint's pooler when the encoder has one:
with full fine-tuning it trains exactly as the reference's; with adapters it trains with the head.
"""

from __future__ import annotations

from typing import Any

import torch
from adapters.heads import PredictionHead
from torch import nn
from transformers.modeling_outputs import SequenceClassifierOutput

HEAD_TYPE = "stiltx_dual_encoder"
INITIAL_SCALE = 100.0  # bert.py:23


def in_batch_softmax_loss(
    queries: torch.Tensor, candidates: torch.Tensor, scale: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(loss, logits) of bert.py:60-66 on unnormalised embeddings: query i's positive is candidate
    i, every other candidate of the batch is a negative."""
    q = nn.functional.normalize(queries, p=2, dim=1)
    c = nn.functional.normalize(candidates, p=2, dim=1)
    logits = (q @ c.T) * scale
    labels = torch.arange(len(q), device=logits.device)
    return nn.functional.cross_entropy(logits, labels), logits


class DualEncoderHead(PredictionHead):
    def __init__(self, model: Any, head_name: str, **kwargs: Any) -> None:
        super().__init__(head_name)
        self.config = {"head_type": HEAD_TYPE}
        hidden = model.config.hidden_size
        self.pooler = nn.Linear(hidden, hidden)
        self.logit_scale = nn.Parameter(torch.full((1,), INITIAL_SCALE))
        base_pooler = getattr(getattr(model, "base_model", model), "pooler", None)
        dense = getattr(base_pooler, "dense", None)
        if isinstance(dense, nn.Linear) and dense.weight.shape == self.pooler.weight.shape:
            self.pooler.load_state_dict(dense.state_dict())
        else:
            self.pooler.apply(model._init_weights)
        self.train(model.training)

    def embed(self, first_token: torch.Tensor) -> torch.Tensor:
        """Unit vectors from the last layer's first token (bert.py:48-50, inference mode)."""
        return nn.functional.normalize(torch.tanh(self.pooler(first_token)), p=2, dim=1)

    def forward(self, outputs, cls_output=None, attention_mask=None, return_dict=False, **kwargs):
        pooled = torch.tanh(self.pooler(outputs[0][:, 0]))
        half = len(pooled) // 2
        loss, logits = in_batch_softmax_loss(pooled[:half], pooled[half:], self.logit_scale)
        return SequenceClassifierOutput(loss=loss, logits=logits)


def register(model: Any) -> None:
    """Make the head known to `model`, so adapters can build and load it by its type."""
    model.register_custom_head(HEAD_TYPE, DualEncoderHead)


def add_head(model: Any, name: str) -> None:
    register(model)
    model.add_custom_head(HEAD_TYPE, name)


def embedder(model: Any, tokenizer: Any, head: str, *, max_length: int, batch_size: int = 64):
    """texts -> unit vectors from the trained dual encoder (numpy, float32, input order)."""
    import numpy as np

    def embed(texts) -> np.ndarray:
        vectors = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
        device = next(model.parameters()).device
        encoder = getattr(model, "base_model", model)
        was_training = model.training
        model.eval()
        try:
            with torch.inference_mode():
                for start in range(0, len(texts), batch_size):
                    batch = tokenizer(
                        list(texts[start : start + batch_size]), truncation=True,
                        max_length=max_length, padding=True, return_tensors="pt",
                        return_token_type_ids=False,
                    )  # fmt: skip
                    hidden = encoder(**{k: v.to(device) for k, v in batch.items()})[0]
                    rows = model.heads[head].embed(hidden[:, 0].float())
                    vectors[start : start + len(rows)] = rows.cpu().numpy()
        finally:
            model.train(was_training)
        return vectors

    return embed
