"""Does the toy encoder's <s> token see its input? (benchmarks/toy/NOTES.md)

    python benchmarks/toy/toy_cls_probe.py                      # the cached default toy world
    python benchmarks/toy/toy_cls_probe.py --model DIR --pairs pawsx/dev-en.tsv --n 64
    python benchmarks/toy/toy_cls_probe.py --model RUN/intermediate/model    # a run's encoder

Encodes the first N sentence pairs of a PAWS-X-layout TSV (sentence1<TAB>sentence2<TAB>label) the
way sentence-pair classification does and prints, per layer, the mean cosine similarity of the
<s> hidden state between different inputs (1.0: the same vector whatever the input, so a
classifier on <s> has nothing to start from) next to that of ordinary tokens, and, per layer and
head, the attention weight <s> puts on itself and the share it puts on the tokens of person names
(the words PAWS-X swaps). A model saved by a run (RUN/intermediate/model) holds no tokenizer: the
toy world's is used unless --tokenizer names one. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path


def mean_pairwise_cosine(vectors) -> float:
    """Mean cosine similarity over all pairs of distinct rows of `vectors` (n x d)."""
    import torch

    unit = torch.nn.functional.normalize(vectors, dim=-1)
    n = unit.shape[0]
    return ((unit @ unit.T).sum() - n).item() / (n * n - n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, help="toy model folder (default: the cached world)")
    parser.add_argument("--pairs", type=Path, help="PAWS-X TSV (default: the world's dev-en)")
    parser.add_argument("--n", type=int, default=64, help="pairs to encode (default 64)")
    parser.add_argument("--tokenizer", type=Path, help="tokenizer folder (default: --model's)")
    args = parser.parse_args(argv)

    import torch
    from transformers import AutoModel, AutoTokenizer

    has_tokenizer = args.model is not None and (args.model / "tokenizer.json").is_file()
    if args.model is None or args.pairs is None or (args.tokenizer is None and not has_tokenizer):
        from stiltx.toy.build import ensure_toy_world

        world = ensure_toy_world(progress=False)
        args.model = args.model or world.model_dir
        args.pairs = args.pairs or world.data_dir / "pawsx" / "dev-en.tsv"
        if args.tokenizer is None and not has_tokenizer:
            args.tokenizer = world.model_dir
    with args.pairs.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))[: args.n]
    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer or args.model)
    model = AutoModel.from_pretrained(
        args.model, attn_implementation="eager", add_pooling_layer=False
    ).eval()
    batch = tokenizer([r[0] for r in rows], [r[1] for r in rows], padding=True, return_tensors="pt")
    with torch.inference_mode():
        out = model(**batch, output_hidden_states=True, output_attentions=True)
    print(f"{args.model}, {len(rows)} pairs of {args.pairs}")
    print("layer  mean cosine across inputs: <s>   tokens 1-5")
    for layer, hidden in enumerate(out.hidden_states):
        tokens = hidden[:, 1:6].reshape(-1, hidden.shape[-1])
        s_token, others = mean_pairwise_cosine(hidden[:, 0]), mean_pairwise_cosine(tokens)
        print(f"{layer:>5}  {s_token:>30.3f}   {others:.3f}")
    print("layer  <s> -> <s> attention weight, per head")
    for layer, attention in enumerate(out.attentions, start=1):
        weights = attention[:, :, 0, 0].mean(0).tolist()
        print(f"{layer:>5}  " + " ".join(f"{w:.2f}" for w in weights))
    is_name = name_token_mask(tokenizer, batch["input_ids"])
    print("layer  <s> -> person-name tokens, share of attention, per head")
    for layer, attention in enumerate(out.attentions, start=1):
        shares = (attention[:, :, 0, :] * is_name[:, None, :]).sum(-1).mean(0).tolist()
        print(f"{layer:>5}  " + " ".join(f"{w:.2f}" for w in shares))
    return 0


def name_token_mask(tokenizer, input_ids):
    """1.0 where a token is a piece of a toy person name (first or last), else 0.0."""
    import torch

    from stiltx.toy.lexicon import FIRST_NAMES, LAST_NAMES

    pieces = {
        piece
        for name in (*FIRST_NAMES, *LAST_NAMES)
        for piece in tokenizer(" " + name, add_special_tokens=False)["input_ids"]
    }
    pieces -= set(tokenizer.all_special_ids)
    return torch.isin(input_ids, torch.tensor(sorted(pieces))).float()


if __name__ == "__main__":
    raise SystemExit(main())
