"""Local path templates -> files, and the language codes the templates need.

Templates (see `DataSource.local_paths`) use `{language}` (ISO 639-1 as in the task's languages),
`{lang3}` (the ISO 639-3 code LASER's Tatoeba files use), `{lang_name}` (the English name UD
treebank folders and google/xtreme `udpos.*` configs use) and `{split}`. The first template with an
existing file wins; a template with `*` reads every match (sorted). These small tables live here until
`stiltx.tasks.languages` offers them.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.errors import DataError
from stiltx.tasks.spec import TaskSpec

LANG_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian",
    "ja": "Japanese", "kk": "Kazakh", "ko": "Korean", "mr": "Marathi", "nl": "Dutch", "pt": "Portuguese",
    "ru": "Russian", "ta": "Tamil", "te": "Telugu", "th": "Thai", "tl": "Tagalog", "tr": "Turkish",
    "ur": "Urdu", "vi": "Vietnamese", "yo": "Yoruba", "zh": "Chinese", "sw": "Swahili", "qu": "Quechua",
    "ht": "Haitian_Creole", "ka": "Georgian", "jv": "Javanese", "ml": "Malayalam", "ms": "Malay",
    "my": "Burmese", "pl": "Polish", "ro": "Romanian", "uk": "Ukrainian", "lt": "Lithuanian", "wo": "Wolof",
}  # fmt: skip

# ISO 639-3 codes as used by LASER's Tatoeba file names (macro-language members where LASER uses them:
# Mandarin "cmn", Swahili "swh", Western Persian "pes").
LANG3 = {
    "af": "afr", "ar": "ara", "bg": "bul", "bn": "ben", "de": "deu", "el": "ell", "en": "eng", "es": "spa",
    "et": "est", "eu": "eus", "fa": "pes", "fi": "fin", "fr": "fra", "he": "heb", "hi": "hin", "hu": "hun",
    "id": "ind", "it": "ita", "ja": "jpn", "jv": "jav", "ka": "kat", "kk": "kaz", "ko": "kor", "ml": "mal",
    "mr": "mar", "nl": "nld", "pt": "por", "ru": "rus", "sw": "swh", "ta": "tam", "te": "tel", "th": "tha",
    "tl": "tgl", "tr": "tur", "ur": "urd", "vi": "vie", "zh": "cmn", "qu": "que", "ht": "hat", "pl": "pol",
    "ro": "ron", "uk": "ukr", "lt": "lit", "wo": "wol", "yo": "yor", "ms": "zsm", "my": "mya", "az": "aze",
}  # fmt: skip


def placeholders(language: str, split: str = "") -> dict[str, str]:
    return {
        "language": language,
        "lang3": LANG3.get(language, language),
        "lang_name": LANG_NAMES.get(language, language),
        "split": split,
    }


def candidate_paths(spec: TaskSpec, language: str, split: str, data_dir: Path) -> list[Path]:
    """The filled-in templates for (language, split), in order (globs unexpanded)."""
    values = placeholders(language, split)
    return [
        data_dir / template.format(**values) for template in spec.source.local_paths.get(split, ())
    ]


def resolve_local(
    spec: TaskSpec, language: str, split: str, data_dir: Path, hint: str = ""
) -> list[Path]:
    """The files to read: every match of the first template that matches; else a DataError
    naming every path that was tried."""
    tried = candidate_paths(spec, language, split, data_dir)
    for candidate in tried:
        if "*" in str(candidate):
            relative = candidate.relative_to(data_dir)
            matches = sorted(p for p in data_dir.glob(str(relative)) if p.is_file())
            if matches:
                return matches
        elif candidate.is_file():
            return [candidate]
    listed = "\n".join(f"  - {p}" for p in tried)
    message = f"no data file for task '{spec.name}', language '{language}', split '{split}'; tried:\n{listed}"
    raise DataError(message + (f"\n{hint}" if hint else ""))
