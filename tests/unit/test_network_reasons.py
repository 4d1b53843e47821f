"""Partnership suggestions' reasons, said in the reader's language from the library's codes."""

from __future__ import annotations

from portal.i18n import use_language
from portal.network.reasons import describe

NAMES = {3: "LU Ormož", 4: "CSD Ptuj", 5: "Zadruga Korak", 6: "Društvo Sonček"}
SUGGESTION = {
    "reasons": [
        {"code": "common_partners", "partners": [3, 4, 5], "more": 2},
        {"code": "distance", "km": 12},
        {"code": "complementary"},
    ],
    "reason": "the English sentence",
}


def test_reasons_in_english_name_the_partners():
    with use_language("en"):
        text = describe(SUGGESTION, NAMES.get)
    assert (
        text == "both work with LU Ormož, CSD Ptuj, Zadruga Korak, and 2 more; 12 km apart; one refers, the other hosts"
    )


def test_reasons_in_slovenian_and_croatian_are_translated():
    with use_language("sl"):
        slovene = describe(SUGGESTION, NAMES.get)
    with use_language("hr"):
        croatian = describe(SUGGESTION, NAMES.get)
    for text in (slovene, croatian):
        assert "LU Ormož" in text and "12 km" in text and "both work with" not in text
    assert slovene != croatian
    with use_language("sl"):
        assert "Socialno podjetje" in describe({"reasons": [{"code": "same_kind", "kind": "social_enterprise"}]}, str)


def test_a_snapshot_from_before_the_codes_shows_its_sentence_and_an_unknown_code_says_nothing():
    assert describe({"reason": "both work with X"}, str) == "both work with X"
    assert describe({"reasons": [{"code": "from_the_future"}, {"code": "near"}]}, str) == "less than 1 km apart"
