"""The skills vocabulary that ships with the portal, read from its files once per process.

The database holds what the picker searches (and what an official ESCO import adds); matching
and the demo read the shipped files directly, since they need them outside any request.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass

from portal.skills.importer import SHIPPED_TRANSLATIONS, SHIPPED_VOCABULARY

__all__ = ["ShippedVocabulary", "concept_aliases", "shipped_vocabulary"]


@dataclass(frozen=True)
class ShippedVocabulary:
    """English preferred label -> URI, and per language: URI -> (preferred label, alternatives...)."""

    uri_of: dict[str, str]
    labels: dict[str, dict[str, tuple[str, ...]]]


@functools.cache
def shipped_vocabulary() -> ShippedVocabulary:
    with SHIPPED_VOCABULARY.open(newline="", encoding="utf-8") as f:
        english = {row["conceptUri"]: row["preferredLabel"] for row in csv.DictReader(f)}
    labels: dict[str, dict[str, tuple[str, ...]]] = {"en": {uri: (label,) for uri, label in english.items()}}
    for language, path in SHIPPED_TRANSLATIONS.items():
        with path.open(newline="", encoding="utf-8") as f:
            labels[language] = {
                row["conceptUri"]: (row["preferredLabel"], *[a for a in row["altLabels"].splitlines() if a])
                for row in csv.DictReader(f)
            }
    return ShippedVocabulary({label: uri for uri, label in english.items()}, labels)


@functools.lru_cache(maxsize=65_536)
def concept_aliases(uri: str) -> tuple[str, ...]:
    """Every label of a concept in English, Slovenian and Croatian: what typed words may meet it by.

    A Croatian counsellor's "pakiranje robe" then meets the concept "pack goods" that an
    employer picked in English (``matching.Skill.aliases``: the closest label counts).
    """
    vocabulary = shipped_vocabulary()
    return tuple(
        dict.fromkeys(
            label for language in ("en", "sl", "hr") for label in vocabulary.labels.get(language, {}).get(uri, ())
        )
    )
