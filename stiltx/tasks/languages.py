"""Language metadata for every language of XTREME and XTREME-R, and named language groups.

Each language has its ISO 639-1 code (our key everywhere), an ISO 639-3 code, its English name
(which is also the Universal Dependencies treebank name: `UD_German-GSD`, google/xtreme
`udpos.German`), family and genus, script (ISO 15924) and a resource class.

ISO 639-3: the code the Tatoeba / LASER files use (`tatoeba.<xxx>-eng`). For three macrolanguages
that is the individual language (Swahili `swh`, Mandarin `cmn`, Iranian Persian `pes`); the
macrolanguage code is kept in `aliases` (`swa`, `zho`, `fas`) so either resolves.

Resource class: the 0-5 taxonomy of Joshi, Santy, Budhiraja, Bali and Choudhury (2020),
"The State and Fate of Linguistic Diversity and Inclusion in the NLP World", ACL 2020
(https://microsoft.github.io/linguisticdiversity/assets/lang2tax.txt): 0 "the left-behinds"
... 5 "the winners". Low-resource here means class <= LOW_RESOURCE_MAX_CLASS (2: "the hopefuls"
and below), the threshold used by the `low-resource` group and the report's summary row.

Families and genera follow WALS / Glottolog at the level XTREME's language table uses. Nothing
here imports torch or transformers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stiltx.errors import UnknownNameError, did_you_mean

LOW_RESOURCE_MAX_CLASS = 2  # Joshi et al. (2020) classes 0-2 count as low-resource


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1 (our key)
    iso3: str  # ISO 639-3 as Tatoeba / LASER use it
    name: str  # English name; also the UD treebank language name
    family: str
    genus: str
    script: str  # ISO 15924
    resource: int  # Joshi et al. (2020) class, 0-5
    aliases: tuple[str, ...] = ()  # other codes that mean this language (macrolanguage codes)

    @property
    def low_resource(self) -> bool:
        return self.resource <= LOW_RESOURCE_MAX_CLASS


def _lang(code, iso3, name, family, genus, script, resource, *aliases) -> Language:
    return Language(code, iso3, name, family, genus, script, resource, tuple(aliases))


_IE = "Indo-European"
_AA = "Afro-Asiatic"
_AN = "Austronesian"

LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        _lang("af", "afr", "Afrikaans", _IE, "Germanic", "Latn", 3),
        _lang("ar", "ara", "Arabic", _AA, "Semitic", "Arab", 5, "arb"),
        _lang("az", "aze", "Azerbaijani", "Turkic", "Oghuz", "Latn", 1, "azj"),
        _lang("bg", "bul", "Bulgarian", _IE, "Slavic", "Cyrl", 3),
        _lang("bn", "ben", "Bengali", _IE, "Indo-Aryan", "Beng", 3),
        _lang("de", "deu", "German", _IE, "Germanic", "Latn", 5, "ger"),
        _lang("el", "ell", "Greek", _IE, "Greek", "Grek", 3),
        _lang("en", "eng", "English", _IE, "Germanic", "Latn", 5),
        _lang("es", "spa", "Spanish", _IE, "Romance", "Latn", 5),
        _lang("et", "est", "Estonian", "Uralic", "Finnic", "Latn", 3, "ekk"),
        _lang("eu", "eus", "Basque", "Basque", "Basque", "Latn", 4, "baq"),
        _lang("fa", "pes", "Persian", _IE, "Iranian", "Arab", 4, "fas", "per"),
        _lang("fi", "fin", "Finnish", "Uralic", "Finnic", "Latn", 4),
        _lang("fr", "fra", "French", _IE, "Romance", "Latn", 5, "fre"),
        _lang("gu", "guj", "Gujarati", _IE, "Indo-Aryan", "Gujr", 1),
        _lang("he", "heb", "Hebrew", _AA, "Semitic", "Hebr", 3),
        _lang("hi", "hin", "Hindi", _IE, "Indo-Aryan", "Deva", 4),
        _lang("ht", "hat", "Haitian Creole", "Creole", "French-based creole", "Latn", 2),
        _lang("hu", "hun", "Hungarian", "Uralic", "Ugric", "Latn", 4),
        _lang("id", "ind", "Indonesian", _AN, "Malayo-Sumbawan", "Latn", 3),
        _lang("it", "ita", "Italian", _IE, "Romance", "Latn", 4),
        _lang("ja", "jpn", "Japanese", "Japonic", "Japanese", "Jpan", 5),
        _lang("jv", "jav", "Javanese", _AN, "Javanese", "Latn", 1),
        _lang("ka", "kat", "Georgian", "Kartvelian", "Kartvelian", "Geor", 3, "geo"),
        _lang("kk", "kaz", "Kazakh", "Turkic", "Kipchak", "Cyrl", 3),
        _lang("ko", "kor", "Korean", "Koreanic", "Korean", "Hang", 4),
        _lang("lt", "lit", "Lithuanian", _IE, "Baltic", "Latn", 3),
        _lang("ml", "mal", "Malayalam", "Dravidian", "Southern Dravidian", "Mlym", 1),
        _lang("mr", "mar", "Marathi", _IE, "Indo-Aryan", "Deva", 2),
        _lang("ms", "zsm", "Malay", _AN, "Malayo-Sumbawan", "Latn", 3, "msa", "may"),
        _lang("my", "mya", "Burmese", "Sino-Tibetan", "Burmese-Lolo", "Mymr", 1, "bur"),
        _lang("nl", "nld", "Dutch", _IE, "Germanic", "Latn", 4, "dut"),
        _lang("pa", "pan", "Punjabi", _IE, "Indo-Aryan", "Guru", 2),
        _lang("pl", "pol", "Polish", _IE, "Slavic", "Latn", 4),
        _lang("pt", "por", "Portuguese", _IE, "Romance", "Latn", 4),
        _lang("qu", "que", "Quechua", "Quechuan", "Quechua", "Latn", 1, "quz"),
        _lang("ro", "ron", "Romanian", _IE, "Romance", "Latn", 3, "rum"),
        _lang("ru", "rus", "Russian", _IE, "Slavic", "Cyrl", 4),
        _lang("sw", "swh", "Swahili", "Niger-Congo", "Bantu", "Latn", 2, "swa"),
        _lang("ta", "tam", "Tamil", "Dravidian", "Southern Dravidian", "Taml", 3),
        _lang("te", "tel", "Telugu", "Dravidian", "South-Central Dravidian", "Telu", 1),
        _lang("th", "tha", "Thai", "Kra-Dai", "Tai", "Thai", 3),
        _lang("tl", "tgl", "Tagalog", _AN, "Greater Central Philippine", "Latn", 3, "fil"),
        _lang("tr", "tur", "Turkish", "Turkic", "Oghuz", "Latn", 4),
        _lang("uk", "ukr", "Ukrainian", _IE, "Slavic", "Cyrl", 3),
        _lang("ur", "urd", "Urdu", _IE, "Indo-Aryan", "Arab", 3),
        _lang("vi", "vie", "Vietnamese", "Austroasiatic", "Vietic", "Latn", 4),
        _lang("wo", "wol", "Wolof", "Niger-Congo", "Atlantic", "Latn", 2),
        _lang("yo", "yor", "Yoruba", "Niger-Congo", "Defoid", "Latn", 2),
        _lang("zh", "cmn", "Chinese", "Sino-Tibetan", "Chinese", "Hani", 5, "zho", "chi"),
    )
}

# The 40 languages of XTREME (Hu et al., 2020) and the 50 of XTREME-R (Ruder et al., 2021).
XTREME_LANGUAGES: tuple[str, ...] = tuple(
    "af ar bg bn de el en es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr ms my nl pt ru "
    "sw ta te th tl tr ur vi yo zh".split()
)
XTREME_R_LANGUAGES: tuple[str, ...] = XTREME_LANGUAGES + tuple(
    "az gu ht lt pa pl qu ro uk wo".split()
)

UNKNOWN = (
    "unknown"  # family / script / resource label of a language not in the table (toy languages)
)


def slug(text: str) -> str:
    """'Indo-European' -> 'indo-european', 'Kra-Dai' -> 'kra-dai' (group names in recipes)."""
    return "-".join(text.lower().replace("_", " ").split())


def _build_groups() -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {
        "xtreme": XTREME_LANGUAGES,
        "xtreme-r": XTREME_R_LANGUAGES,
        "low-resource": tuple(c for c, lang in LANGUAGES.items() if lang.low_resource),
        "high-resource": tuple(
            c for c, lang in LANGUAGES.items() if lang.resource > LOW_RESOURCE_MAX_CLASS
        ),
    }
    for cls in range(6):
        groups[f"class-{cls}"] = tuple(c for c, lang in LANGUAGES.items() if lang.resource == cls)
    for lang in LANGUAGES.values():
        for key in (slug(lang.family), f"script-{lang.script.lower()}"):
            if key not in groups or lang.code not in groups[key]:
                groups[key] = groups.get(key, ()) + (lang.code,)
    return groups


GROUPS: dict[str, tuple[str, ...]] = _build_groups()


def get_language(code: str) -> Language:
    """The language for an ISO 639-1 / 639-3 code, an alias or an English name."""
    found = lookup(code)
    if found is None:
        raise UnknownNameError(
            f"unknown language '{code}'{did_you_mean(code, sorted(LANGUAGES))}; "
            f"known: {', '.join(sorted(LANGUAGES))}"
        )
    return found


def lookup(code: str) -> Language | None:
    """Like get_language, but None when the code is not in the table (e.g. a toy language)."""
    key = code.strip()
    if key in LANGUAGES:
        return LANGUAGES[key]
    lowered = key.lower()
    for lang in LANGUAGES.values():
        if lowered in (lang.code, lang.iso3, lang.name.lower(), *lang.aliases):
            return lang
    return None


def attribute(code: str, by: str) -> str:
    """The group label of a language for `by` in family / genus / script / resource.

    Languages outside the table (the toy world's synthetic languages) get 'unknown'.
    """
    lang = lookup(code)
    if lang is None:
        return UNKNOWN
    if by == "resource":
        return f"class {lang.resource}"
    if by in ("family", "genus", "script"):
        return getattr(lang, by)
    raise UnknownNameError(
        f"unknown language attribute '{by}'; expected family, genus, script or resource"
    )


def resolve_languages(
    names: Iterable[str] | str, available: Iterable[str] | None = None
) -> tuple[str, ...]:
    """Expand 'all', group names and codes into language codes, in the order of `available`.

    `names` may mix 'all', groups (`xtreme`, `low-resource`, `indo-european`, `script-latn`,
    `class-2`, ...) and codes (ISO 639-1, 639-3, aliases or English names). `available` is the
    set to choose from (a task's languages; default: every language in the table). A group keeps
    only its available members; a single code that is not available is an error that lists what
    is, and so is a group with no available member.
    """
    if isinstance(names, str):
        names = [n for n in names.replace(",", " ").split() if n]
    pool = tuple(available) if available is not None else tuple(LANGUAGES)
    chosen: set[str] = set()
    for raw in names:
        name = raw.strip()
        key = name.lower()
        if key == "all":
            chosen.update(pool)
        elif key in GROUPS:
            members = [c for c in GROUPS[key] if c in pool]
            if not members:
                raise UnknownNameError(
                    f"language group '{name}' has no member among the available languages "
                    f"({', '.join(pool)})"
                )
            chosen.update(members)
        elif name in pool:
            chosen.add(name)
        else:
            lang = lookup(name)
            if lang is not None and lang.code in pool:
                chosen.add(lang.code)
                continue
            options = ["all", *pool, *sorted(GROUPS)]
            hint = did_you_mean(name, options)
            what = "not available here" if lang is not None else "unknown language or group"
            raise UnknownNameError(
                f"language '{name}': {what}{hint}; available: {', '.join(pool)}; "
                f"groups: all, {', '.join(sorted(GROUPS))}"
            )
    return tuple(c for c in pool if c in chosen)
