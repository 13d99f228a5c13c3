"""A tiny XLM-R-architecture encoder config (same code path as XLM-R Large, a fraction of the size)."""

from __future__ import annotations


def tiny_config(
    vocab_size: int,
    hidden_size: int = 128,
    num_layers: int = 4,
    num_heads: int = 4,
    intermediate_size: int = 512,
    max_position_embeddings: int = 514,
    attention_probs_dropout_prob: float = 0.1,
    hidden_dropout_prob: float = 0.1,
):
    from transformers import XLMRobertaConfig

    return XLMRobertaConfig(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=max_position_embeddings,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        type_vocab_size=1,
        attention_probs_dropout_prob=attention_probs_dropout_prob,
        hidden_dropout_prob=hidden_dropout_prob,
    )


def build_random_encoder(directory, tokenizer, seed: int = 0, **config_kwargs):
    """Write a randomly initialised tiny XLMRobertaForMaskedLM + tokenizer to `directory`."""
    import torch
    from transformers import XLMRobertaForMaskedLM

    torch.manual_seed(seed)
    model = XLMRobertaForMaskedLM(tiny_config(len(tokenizer), **config_kwargs))
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    return directory
