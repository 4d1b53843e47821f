"""The skills vocabulary at work: suggestions for the picker, and concept URIs for typed skills."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from piccolo.columns.combination import Where

from portal.db.tables import Skill
from portal.geo import fold

__all__ = ["SUGGESTIONS", "label_for", "labels_of", "recognise", "suggest", "vocabulary_size"]

SUGGESTIONS = 10
_CANDIDATES = 200
_COLUMNS = (Skill.uri, Skill.label, Skill.language, Skill.reuse_level, Skill.search_text)


def labels_of(row: dict[str, Any]) -> list[str]:
    """The folded labels a vocabulary row answers to: its preferred label first, then the alternatives."""
    return [label for label in row["search_text"].split("\n") if label]


def _words(query: str) -> list[str]:
    return [word for word in re.split(r"[^0-9a-z]+", fold(query)) if word][:6]


def _language_rank(language: str, preferred: str) -> int:
    return 0 if language == preferred else 1 if language == "en" else 2


async def vocabulary_size() -> int:
    """How many concept labels (all languages) the picker can offer."""
    return await Skill.count()


async def suggest(query: str, language: str, limit: int = SUGGESTIONS) -> list[dict[str, Any]]:
    """Skills whose labels contain every word of ``query``, best first, one per concept.

    Labels that start with the query come first, then shorter ones; each concept is shown in the
    reader's language when the vocabulary has it, else in English.
    """
    words = _words(query)
    if not words:
        return []
    folded = " ".join(words)
    starting = await Skill.select(*_COLUMNS).where(Skill.search_text.like(f"{folded}%")).limit(_CANDIDATES)
    containing = (
        await Skill.select(*_COLUMNS).where(*[Skill.search_text.like(f"%{w}%") for w in words]).limit(_CANDIDATES)
    )
    best: dict[str, tuple[tuple, dict[str, Any]]] = {}
    for row in [*starting, *containing]:
        labels = labels_of(row)
        preferred = labels[0] if labels else ""
        if preferred == folded:
            closeness = 0
        elif preferred.startswith(folded):
            closeness = 1
        elif any(label.startswith(folded) for label in labels):
            closeness = 2
        elif all(w in preferred for w in words):
            closeness = 3
        else:
            closeness = 4
        rank = (closeness, len(row["label"]), _language_rank(row["language"], language), row["label"])
        # One entry per concept: its closest label, in the reader's language where there is a tie.
        key = row["uri"]
        if key not in best or (rank[0], rank[2]) < (best[key][0][0], best[key][0][2]):
            best[key] = (rank, row)
    ranked = sorted(best.values(), key=lambda item: item[0])[:limit]
    return [
        {"uri": row["uri"], "label": row["label"], "language": row["language"], "reuse_level": row["reuse_level"]}
        for _, row in ranked
    ]


async def label_for(uri: str, language: str) -> str | None:
    """The concept's label in ``language``, else English, else any; None when it is not in the vocabulary."""
    rows = await Skill.select(Skill.label, Skill.language).where(Skill.uri == uri)
    if not rows:
        return None
    return min(rows, key=lambda row: (_language_rank(row["language"], language), row["label"]))["label"]


def _any_of(conditions: list[Where]) -> Where:
    combined = conditions[0]
    for condition in conditions[1:]:
        combined = combined | condition
    return combined


async def recognise(entries: Iterable[dict[str, str]], language: str = "en") -> list[dict[str, str]]:
    """Give typed skills that match a vocabulary label (case and diacritics aside, any language) its URI.

    Skills given only by their URI get the vocabulary's label. Everything else is kept as written.
    """
    entries = [dict(entry) for entry in entries]
    unknown = {fold(e["label"]) for e in entries if not e["uri"] and e["label"]}
    if unknown:
        rows = await Skill.select(Skill.uri, Skill.search_text).where(
            _any_of([Skill.search_text.like(f"%{label}%") for label in sorted(unknown)])
        )
        by_preferred: dict[str, str] = {}
        by_alternative: dict[str, str] = {}
        for row in sorted(rows, key=lambda row: row["uri"]):
            labels = labels_of(row)
            for index, label in enumerate(labels):
                if label in unknown:
                    (by_alternative if index else by_preferred).setdefault(label, row["uri"])
        for entry in entries:
            if not entry["uri"]:
                folded = fold(entry["label"])
                entry["uri"] = by_preferred.get(folded) or by_alternative.get(folded, "")
    for entry in entries:
        if entry["uri"] and not entry["label"]:
            entry["label"] = await label_for(entry["uri"], language) or entry["uri"]
    # Two wordings of the same concept count once.
    unique: dict[str, dict[str, str]] = {}
    for entry in entries:
        unique.setdefault(entry["uri"] or "text:" + fold(entry["label"]), entry)
    return list(unique.values())
