"""Related skill concepts the portal can name: the more specific forms of a skill, read off ESCO's preferred labels.

A concept whose English preferred label is another concept's whole preferred label followed by
"in", "for", "on", "with"... is a more specific form of it: "perform laboratory tests on
footwear or leather goods" of "perform laboratory tests", "manage time in landscaping" of
"manage time". Matching gives such a pair partial credit (``matching.Scoring.related``),
explained as a related skill; two concepts with merely alike labels get none.
"""

from __future__ import annotations

import csv
import functools

from portal.skills.importer import SHIPPED_VOCABULARY

__all__ = ["narrower_forms"]

_LINKS = frozenset(
    {"on", "in", "for", "to", "with", "of", "regarding", "about", "at", "within", "during", "from", "by", "using"}
)


@functools.cache
def narrower_forms() -> dict[str, frozenset[str]]:
    """Concept URI -> the URIs of its more specific forms, from the shipped English vocabulary."""
    with SHIPPED_VOCABULARY.open(newline="", encoding="utf-8") as f:
        rows = [(row["conceptUri"], row["preferredLabel"].casefold().split()) for row in csv.DictReader(f)]
    by_label = {" ".join(words): uri for uri, words in rows}
    related: dict[str, set[str]] = {}
    for uri, words in rows:
        for k in range(2, len(words)):
            broader = by_label.get(" ".join(words[:k]))
            if broader is not None and broader != uri and words[k] in _LINKS:
                related.setdefault(broader, set()).add(uri)
    return {uri: frozenset(narrower) for uri, narrower in related.items()}
