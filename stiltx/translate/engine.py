"""A transformers MT model, English -> one language: MarianMT, NLLB or M2M100.

- MarianMT (`Helsinki-NLP/opus-mt-en-<lang>`, the default): one model per language pair, no
  language codes.
- NLLB (`facebook/nllb-200-*`): FLORES-200 codes, source `eng_Latn`, the target forced as the
  first generated token (`NLLB_CODES` maps our ISO 639-1 codes).
- M2M100 (`facebook/m2m100_*`): ISO 639-1 codes, `tokenizer.get_lang_id(lang)` forced first.

Texts are translated in batches of similar length (sorted longest first), greedily decoded, on
the GPU when there is one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from stiltx.data.offline import model_kwargs
from stiltx.errors import StiltxError

# FLORES-200 codes of the XTREME-R languages (NLLB's `src_lang` / target tokens).
NLLB_CODES = {
    "af": "afr_Latn", "ar": "arb_Arab", "az": "azj_Latn", "bg": "bul_Cyrl", "bn": "ben_Beng",
    "de": "deu_Latn", "el": "ell_Grek", "en": "eng_Latn", "es": "spa_Latn", "et": "est_Latn",
    "eu": "eus_Latn", "fa": "pes_Arab", "fi": "fin_Latn", "fr": "fra_Latn", "gu": "guj_Gujr",
    "he": "heb_Hebr", "hi": "hin_Deva", "ht": "hat_Latn", "hu": "hun_Latn", "id": "ind_Latn",
    "it": "ita_Latn", "ja": "jpn_Jpan", "jv": "jav_Latn", "ka": "kat_Geor", "kk": "kaz_Cyrl",
    "ko": "kor_Hang", "lt": "lit_Latn", "ml": "mal_Mlym", "mr": "mar_Deva", "ms": "zsm_Latn",
    "my": "mya_Mymr", "nl": "nld_Latn", "pa": "pan_Guru", "pl": "pol_Latn", "pt": "por_Latn",
    "qu": "quy_Latn", "ro": "ron_Latn", "ru": "rus_Cyrl", "sw": "swh_Latn", "ta": "tam_Taml",
    "te": "tel_Telu", "th": "tha_Thai", "tl": "tgl_Latn", "tr": "tur_Latn", "uk": "ukr_Cyrl",
    "ur": "urd_Arab", "vi": "vie_Latn", "wo": "wol_Latn", "yo": "yor_Latn", "zh": "zho_Hans",
}  # fmt: skip


def default_model(language: str) -> str:
    return f"Helsinki-NLP/opus-mt-en-{language}"


def family(model_id: str, tokenizer: Any = None) -> str:
    """'nllb', 'm2m100' or 'marian' (from the tokenizer class when loaded, else the id)."""
    name = (type(tokenizer).__name__ if tokenizer is not None else "") + " " + model_id
    lowered = name.lower()
    if "nllb" in lowered:
        return "nllb"
    if "m2m100" in lowered or "m2m_100" in lowered:
        return "m2m100"
    return "marian"


def pair_problem(model_id: str, language: str) -> str | None:
    """What is wrong with translating English -> `language` with `model_id`, known without
    downloading it (NLLB's code table); None when nothing is known to be wrong."""
    if family(model_id) == "nllb" and language not in NLLB_CODES:
        return (
            f"MT model {model_id} (NLLB) has no FLORES-200 code for language {language!r}; "
            f"languages it covers here: {', '.join(sorted(NLLB_CODES))}"
        )
    return None


class Translator:
    """English -> `language` with one loaded model; `translate(texts)` keeps the input order."""

    def __init__(self, model_id: str, language: str, *, batch_size: int, max_length: int):
        problem = pair_problem(model_id, language)
        if problem:
            raise StiltxError(problem)
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        # no network: one line naming the MT model in seconds, not minutes of retries
        hub = model_kwargs(model_id, f"MT model for en->{language}", key="--model")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model_id, **hub)
            self.model = AutoModelForSeq2SeqLM.from_pretrained(model_id, **hub)
        except (OSError, ValueError) as error:
            raise StiltxError(
                f"MT model {model_id!r} for en->{language}: cannot load ({error}); expected a "
                "Hub id with that language pair (MarianMT Helsinki-NLP/opus-mt-en-<lang>, "
                "facebook/nllb-200-distilled-600M, facebook/m2m100_418M) or a local folder"
            ) from None
        import torch

        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model.to(self.device).eval()
        self.model_id, self.language = model_id, language
        self.batch_size, self.max_length = batch_size, max_length
        self.generate_kwargs = self._language_codes()

    def _language_codes(self) -> dict[str, Any]:
        kind = family(self.model_id, self.tokenizer)
        if kind == "nllb":
            self.tokenizer.src_lang = NLLB_CODES["en"]
            token = NLLB_CODES[self.language]
            return {"forced_bos_token_id": self.tokenizer.convert_tokens_to_ids(token)}
        if kind == "m2m100":
            self.tokenizer.src_lang = "en"
            try:
                return {"forced_bos_token_id": self.tokenizer.get_lang_id(self.language)}
            except KeyError:
                raise StiltxError(
                    f"MT model {self.model_id} (M2M100) has no language {self.language!r}"
                ) from None
        return {}

    def translate(
        self, texts: Sequence[str], on_batch: Callable[[list[str], list[str]], None] | None = None
    ) -> list[str]:
        """Translations of `texts`, in order; `on_batch(sources, translations)` after each batch
        (the cache stores it there, so a kill loses at most one batch)."""
        import torch

        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list[str] = [""] * len(texts)
        for begin in range(0, len(order), self.batch_size):
            index = order[begin : begin + self.batch_size]
            batch = [texts[i] for i in index]
            inputs = self.tokenizer(
                batch,
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=self.max_length,
            ).to(self.device)
            with torch.inference_mode():
                generated = self.model.generate(
                    **inputs, max_length=self.max_length, num_beams=1, **self.generate_kwargs
                )
            decoded = self.tokenizer.batch_decode(generated, skip_special_tokens=True)
            for i, text in zip(index, decoded, strict=True):
                out[i] = text.strip()
            if on_batch is not None:
                on_batch(batch, [out[i] for i in index])
        return out
