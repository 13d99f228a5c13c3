"""Phase (i) in miniature: train the tokenizer and MLM-pretrain a tiny XLM-R on the toy corpus.

The model is a real `XLMRobertaForMaskedLM` (same code path as XLM-R Large, a fraction of the
size), saved with `save_pretrained(safe_serialization=True)` next to its tokenizer, so the rest of
stiltx loads it exactly like `xlm-roberta-base`.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from stiltx.terminal import steps_progress


@dataclass(frozen=True)
class ToyModelConfig:
    vocab_size: int = 2000
    hidden_size: int = 128
    num_layers: int = 4
    num_heads: int = 4
    intermediate_size: int = 512
    # Tokens per pretraining sequence: as long as the longest fine-tuning inputs (QA: context +
    # question), so that every position embedding they use is trained (at 64, QA stalled).
    max_length: int = 128
    steps: int = 4000  # 4,000 vs 2,000: 27 of 36 toy targets gain (benchmarks/toy/NOTES.md); the
    # cost is paid once: the default world's encoder ships (stiltx.toy.ship)
    batch_size: int = 16
    lr: float = 1e-3
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    mlm_probability: float = 0.15
    # Sequence-length warm-up: (fraction of steps, window length) phases before full-length
    # windows, each step holding about the same number of tokens. Measured on toy world v4
    # (benchmarks/toy/NOTES.md): straight 128-token MLM plateaus just under the unigram entropy
    # (held-out loss 4.76 after 1,500 steps; unigram 5.43): the model predicts the same tokens
    # whatever the context. Short windows first teach attention local structure, and the loss
    # then keeps falling on long windows (2.63 after 2,000 steps with these two phases).
    length_warmup: tuple[tuple[float, int], ...] = ((0.15, 10), (0.35, 32))
    # Dropout, off in pretraining and (the saved config carries it) in fine-tuning. Both measured
    # on a quiet 2-core machine (benchmarks/toy/NOTES.md):
    # - speed: CPU dropout masks are slow; a pretraining step takes 113 ms without dropout, 144 ms
    #   with XLM-R's 0.1 hidden dropout and ~205 ms with its attention dropout as well (which also
    #   takes PyTorch's fused CPU attention off its fast path): 2,000 steps in 232 s, not 277 s;
    # - learning: the 128-wide encoder underfits rather than overfits. Without hidden dropout in
    #   fine-tuning the mixture's multiple-choice tasks learn (HellaSwag 68 -> 85.5, CommonsenseQA
    #   44 -> 53.5, ANLI 56 -> 62.5 best English dev; multitask9, seed 42, before mimetic init).
    attention_dropout: float = 0.0
    hidden_dropout: float = 0.0
    # Mimetic initialisation (Trockman & Kolter, ICML 2023): this multiple of the identity is added
    # to every layer's query and key weights at init, so that attention starts out matching equal
    # tokens. Without it the toy encoder never learned to copy (a masked first name that occurs
    # earlier in the window: 5% right, chance; MLM loss 2.45 after 2,000 steps); with 0.7 it does
    # (46-52% right; loss 2.11), and copying is what NLI, PAWS-X and QA need
    # (benchmarks/toy/NOTES.md).
    qk_identity: float = 0.7
    # Weight of a second pretraining loss: the <s> token predicts the words of its window (a bag
    # of words, through the MLM output layer). MLM alone never trains <s>, and with mimetic init
    # most heads of layers 2-4 (all of layer 4) let <s> attend to itself: its last hidden state
    # was nearly the same for every input (mean cosine 0.986 across PAWS-X pairs; 0.764 with this
    # loss), so a classifier on it had no signal to start from and could sit at chance for
    # hundreds of steps (PAWS-X: 1 seed in 3 never left it). XLM-R's <s> does see its input.
    summary_weight: float = 0.5
    # torch intra-op threads; 0 = torch's default (one per core). On an idle 2-core machine 2
    # threads take 0.165 s per step against 0.23 s for 1 thread; on a machine busy with other
    # jobs, fewer threads can be faster (set it explicitly there).
    threads: int = 0


# The model that goes with each named size (stiltx.toy.sizes.NAMED_SIZES).
NAMED_MODELS: dict[str, ToyModelConfig] = {
    "default": ToyModelConfig(),
    "small": ToyModelConfig(
        vocab_size=1500, hidden_size=64, num_layers=2, num_heads=2, intermediate_size=256, steps=200
    ),
    "smoke": ToyModelConfig(
        vocab_size=600, hidden_size=32, num_layers=2, num_heads=2, intermediate_size=64, steps=30
    ),
}


def model_for(sizes) -> ToyModelConfig:
    """The model config of the named size whose data sizes equal `sizes` (else the default)."""
    from stiltx.toy.sizes import NAMED_SIZES

    name = next((n for n, s in NAMED_SIZES.items() if s == sizes), "default")
    return NAMED_MODELS[name]


def _lr_factor(step: int, cfg: ToyModelConfig) -> float:
    """Linear warmup, then cosine decay to 10%."""
    warmup = max(1, int(cfg.warmup_ratio * cfg.steps))
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, cfg.steps - warmup)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))


def window_length(step: int, cfg: ToyModelConfig) -> int:
    """The pretraining window length at `step` (sequence-length warm-up, then cfg.max_length)."""
    for fraction, length in cfg.length_warmup:
        if step < fraction * cfg.steps and length < cfg.max_length:
            return length
    return cfg.max_length


def _chunks(token_lists: list[list[int]], length: int) -> list[list[int]]:
    """Pack tokenized lines into sequences of at most `length - 2` tokens (room for <s> </s>)."""
    body = length - 2
    stream = [t for ids in token_lists for t in ids]
    return [stream[i : i + body] for i in range(0, len(stream) - body + 1, body)]


def pretrain(
    corpus: list[str],
    out_dir: Path,
    cfg: ToyModelConfig,
    seed: int = 0,
    progress: bool = True,
    device: str = "cpu",
) -> dict:
    """Train tokenizer + tiny encoder on `corpus`; write both to `out_dir`; return a summary.

    `device` is where the model trains. The toy world (stiltx.toy.build) always builds on the CPU,
    so that one cache key means one encoder; benchmarks that compare many encoders
    (benchmarks/toy/toy_encoders.py) may train them on a GPU."""
    import torch
    from transformers import XLMRobertaForMaskedLM

    from stiltx.toy.tiny_model import tiny_config
    from stiltx.toy.tokenizer import train_tokenizer

    started = time.perf_counter()
    old_threads = torch.get_num_threads()
    torch.set_num_threads(cfg.threads or old_threads)
    try:
        tokenizer = train_tokenizer(corpus, vocab_size=cfg.vocab_size)
        ids = tokenizer(corpus, add_special_tokens=False)["input_ids"]
        lengths = {length for _, length in cfg.length_warmup if length < cfg.max_length}
        windows = {length: _chunks(ids, length) for length in lengths | {cfg.max_length}}
        sequences = windows[cfg.max_length]
        if not sequences:
            raise ValueError(f"corpus too small for one sequence of {cfg.max_length} tokens")
        torch.manual_seed(seed)
        rng = random.Random(seed)
        model = XLMRobertaForMaskedLM(
            tiny_config(
                len(tokenizer),
                hidden_size=cfg.hidden_size,
                num_layers=cfg.num_layers,
                num_heads=cfg.num_heads,
                intermediate_size=cfg.intermediate_size,
                attention_probs_dropout_prob=cfg.attention_dropout,
                hidden_dropout_prob=cfg.hidden_dropout,
            )
        )
        mimetic_init(model, cfg.qk_identity)
        model.to(device).train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: _lr_factor(s, cfg))
        special = torch.tensor(tokenizer.all_special_ids, device=device)
        losses = []
        with steps_progress("toy world: MLM pretraining", cfg.steps, progress) as advance:
            for step in range(cfg.steps):
                length = window_length(step, cfg)
                # The same number of tokens per step whatever the window length.
                size = cfg.batch_size * cfg.max_length // length
                batch = [rng.choice(windows[length]) for _ in range(size)]
                input_ids = torch.tensor(
                    [[tokenizer.cls_token_id, *seq, tokenizer.sep_token_id] for seq in batch],
                    device=device,
                )
                inputs, labels = _mask(input_ids, tokenizer, special, cfg.mlm_probability)
                loss = _pretraining_loss(model, inputs, labels, input_ids, special, cfg)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                losses.append(round(loss.item(), 4))
                advance(f"loss {losses[-1]:.3f}")
        out_dir.mkdir(parents=True, exist_ok=True)
        model.to("cpu")
        model.save_pretrained(out_dir, safe_serialization=True)
        tokenizer.save_pretrained(out_dir)
    finally:
        torch.set_num_threads(old_threads)
    summary = {
        "config": asdict(cfg),
        "seed": seed,
        "sequences": len(sequences),
        "losses": losses,
        "seconds": round(time.perf_counter() - started, 2),
    }
    (out_dir / "pretraining.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def mimetic_init(model, scale: float) -> None:
    """Add `scale` x identity to each self-attention's query and key weights, in place.

    Then W_q^T W_k ~ scale^2 I: every head starts out attending to tokens equal to the query token
    (within its slice of the hidden state), the structure a copy / match head needs.
    """
    import torch

    if not scale:
        return
    with torch.no_grad():
        eye = torch.eye(model.config.hidden_size) * scale
        for layer in model.roberta.encoder.layer:
            layer.attention.self.query.weight.add_(eye)
            layer.attention.self.key.weight.add_(eye)


def _pretraining_loss(model, inputs, labels, input_ids, special, cfg: ToyModelConfig):
    """The MLM loss plus `cfg.summary_weight` x the <s> bag-of-words loss (see ToyModelConfig)."""
    import torch

    hidden = model.roberta(input_ids=inputs).last_hidden_state
    loss = _masked_loss(model, hidden, labels)
    if cfg.summary_weight:
        words = ~torch.isin(input_ids, special)
        counts = torch.zeros(input_ids.shape[0], model.config.vocab_size, device=input_ids.device)
        counts.scatter_add_(1, input_ids, words.float())
        bag = counts / counts.sum(1, keepdim=True).clamp(min=1)
        log_probs = torch.log_softmax(model.lm_head(hidden[:, 0]), dim=-1)
        loss = loss + cfg.summary_weight * -(bag * log_probs).sum(1).mean()
    return loss


def _masked_loss(model, hidden, labels):
    """MLM loss with the output layer applied to the masked positions only.

    Same loss as `model(input_ids=inputs, labels=labels).loss` for `hidden` = the encoder's last
    hidden state of `inputs`, but the vocabulary projection (the largest matrix of a tiny model)
    runs on ~15% of the positions instead of all of them.
    """
    import torch

    chosen = labels != -100
    if not chosen.any():  # nothing masked in this batch: a zero loss that keeps the graph
        return hidden.sum() * 0.0
    logits = model.lm_head(hidden[chosen])
    return torch.nn.functional.cross_entropy(logits, labels[chosen])


def _mask(input_ids, tokenizer, special, probability: float):
    """BERT masking: 15% of tokens are targets; of those 80% <mask>, 10% random, 10% kept."""
    import torch

    shape, device = input_ids.shape, input_ids.device
    labels = input_ids.clone()
    chosen = torch.rand(shape, device=device) < probability
    chosen &= ~torch.isin(input_ids, special)
    labels[~chosen] = -100
    inputs = input_ids.clone()
    replace = chosen & (torch.rand(shape, device=device) < 0.8)
    inputs[replace] = tokenizer.mask_token_id
    randomize = chosen & ~replace & (torch.rand(shape, device=device) < 0.5)
    inputs[randomize] = torch.randint(len(tokenizer), shape, device=device)[randomize]
    return inputs, labels
