"""A tiny multilingual Unigram tokenizer, trained offline with `tokenizers`, wrapped as XLM-R's.

The special tokens and their ids follow XLM-R (`<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3, `<mask>`
last), so everything downstream treats it exactly like `xlm-roberta-base`'s tokenizer.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SPECIAL_TOKENS = ["<s>", "<pad>", "</s>", "<unk>"]


def train_tokenizer(texts: Iterable[str], vocab_size: int = 2000):
    """Train a SentencePiece-style Unigram tokenizer on `texts`; return an XLMRobertaTokenizerFast."""
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from tokenizers.trainers import UnigramTrainer
    from transformers import XLMRobertaTokenizerFast

    tok = Tokenizer(Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    trainer = UnigramTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        unk_token="<unk>",
        show_progress=False,
    )
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
