"""Language metadata, groups and resolve_languages."""

from __future__ import annotations

import pytest

from stiltx.errors import UnknownNameError
from stiltx.tasks import languages as L
from stiltx.tasks.benchmarks import BENCHMARKS


def test_every_benchmark_language_has_metadata():
    for benchmark in BENCHMARKS.values():
        for task in benchmark.tasks:
            assert set(task.languages) <= set(L.LANGUAGES), (benchmark.name, task.name)
    assert len(L.XTREME_LANGUAGES) == 40 and len(L.XTREME_R_LANGUAGES) == 50
    assert set(L.XTREME_R_LANGUAGES) == set(L.LANGUAGES)


@pytest.mark.parametrize("code", sorted(L.LANGUAGES))
def test_language_record_is_well_formed(code):
    lang = L.LANGUAGES[code]
    assert lang.code == code and len(code) == 2
    assert len(lang.iso3) == 3 and lang.iso3.islower()
    assert 0 <= lang.resource <= 5
    assert len(lang.script) == 4 and lang.script[0].isupper()
    assert lang.family and lang.genus and lang.name[0].isupper()
    assert L.get_language(lang.iso3) is lang and L.get_language(lang.name) is lang


def test_joshi_classes_of_known_languages():
    # Spot checks against lang2tax.txt (Joshi et al., 2020).
    expected = {"en": 5, "zh": 5, "ar": 5, "hi": 4, "eu": 4, "id": 3, "sw": 2, "yo": 2, "qu": 1}
    assert {c: L.LANGUAGES[c].resource for c in expected} == expected
    assert L.GROUPS["low-resource"] == tuple(
        c for c, lang in L.LANGUAGES.items() if lang.resource <= L.LOW_RESOURCE_MAX_CLASS
    )
    assert "sw" in L.GROUPS["low-resource"] and "de" not in L.GROUPS["low-resource"]


def test_ud_and_tatoeba_names():
    assert L.get_language("zh").name == "Chinese" and L.get_language("zh").iso3 == "cmn"
    assert L.get_language("sw").iso3 == "swh" and L.get_language("swa").code == "sw"
    assert L.get_language("fa").iso3 == "pes" and L.get_language("fas").code == "fa"


def test_family_and_script_groups():
    assert set(L.GROUPS["niger-congo"]) == {"sw", "wo", "yo"}
    assert set(L.GROUPS["dravidian"]) == {"ml", "ta", "te"}
    assert "ru" in L.GROUPS["script-cyrl"] and "en" not in L.GROUPS["script-cyrl"]
    assert L.attribute("de", "family") == "Indo-European"
    assert L.attribute("de", "resource") == "class 5"
    assert L.attribute("toy1", "script") == L.UNKNOWN


def test_resolve_all_groups_and_codes_in_available_order():
    available = ("en", "de", "sw", "yo", "zh", "hi")
    assert L.resolve_languages(["all"], available) == available
    assert L.resolve_languages(["low-resource"], available) == ("sw", "yo")
    assert L.resolve_languages(["zh", "niger-congo", "deu"], available) == ("de", "sw", "yo", "zh")
    assert L.resolve_languages("en, German", available) == ("en", "de")
    assert len(L.resolve_languages(["xtreme"])) == 40


def test_resolve_errors_are_clear():
    with pytest.raises(UnknownNameError, match=r"did you mean 'low-resource'"):
        L.resolve_languages(["low-resourse"], ("en", "sw"))
    with pytest.raises(UnknownNameError, match=r"'ja': not available here.*available: en, sw"):
        L.resolve_languages(["ja"], ("en", "sw"))
    with pytest.raises(UnknownNameError, match="no member"):
        L.resolve_languages(["dravidian"], ("en", "sw"))
    with pytest.raises(UnknownNameError, match="unknown language 'xx'"):
        L.get_language("xx")
