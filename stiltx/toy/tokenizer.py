"""A tiny multilingual tokenizer, trained offline with `tokenizers`, wrapped as XLM-R's.

SentencePiece-style (metaspace `▁` word boundaries, no lower-casing) with a BPE model: on the toy
corpus (about 1,100 distinct words) a 2,000-piece BPE vocabulary keeps nearly every word whole
(1.0 pieces per word), where the Unigram trainer stopped near 1,300 pieces and split words into
1.9 pieces on average, so every sequence, and every training step, was twice as long.
Punctuation is split off, so `2005.` is `▁2005` + `.` and answer spans end on word pieces.

The special tokens and their ids follow XLM-R (`<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3, `<mask>`
last), so everything downstream treats it exactly like `xlm-roberta-base`'s tokenizer.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>"]


def train_tokenizer(texts: Iterable[str], vocab_size: int = 2000):
    """Train a SentencePiece-style BPE tokenizer on `texts`; return an XLMRobertaTokenizerFast."""
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import BPE
    from tokenizers.trainers import BpeTrainer
    from transformers import XLMRobertaTokenizerFast

    tok = Tokenizer(BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always"),
            pre_tokenizers.Punctuation("isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, show_progress=False)
    tok.train_from_iterator(texts, trainer=trainer)
    tok.add_special_tokens(["<mask>"])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", tok.token_to_id("<s>")), ("</s>", tok.token_to_id("</s>"))],
    )
    return XLMRobertaTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
    )


def save_tokenizer(tokenizer, directory: str | Path) -> Path:
    directory = Path(directory)
    tokenizer.save_pretrained(directory)
    return directory
