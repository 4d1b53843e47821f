"""Records with the same terms share one folded set: a country's index holds a few hundred, not 300,000."""

from __future__ import annotations

from matching.records import Opportunity, Person


def test_equal_terms_are_one_set_folded_as_before():
    first = Opportunity("a", languages=frozenset({"SL", "hr "}), sectors=("Food",))
    second = Opportunity("b", languages=frozenset({"sl", "hr"}), sectors=["food"])
    assert first.languages == {"sl", "hr"} and first.sectors == {"food"}
    assert Opportunity("c", languages=frozenset({"hr ", "SL"})).languages is first.languages
    assert second.languages == first.languages and second.sectors == first.sectors
    person = Person("p", languages=("Slovenščina", ""), interests=frozenset({"food"}))
    assert person.languages == {"slovenscina"}
    assert person.interests is Opportunity("d", sectors=frozenset({"food"})).sectors  # across record kinds too
    # Terms that are not all strings are folded as they always were, without the shared sets.
    assert Person("q", languages=(1, "EN")).languages == {"1", "en"}
