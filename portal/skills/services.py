"""The skills vocabulary at work: suggestions for the picker, and concept URIs for typed skills."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from piccolo.columns.combination import Where
from piccolo.custom_types import Combinable

from matching.text import word_forms
from portal.db.tables import Skill
from portal.matching_service.text_model import shared_text
from portal.skills.importer import LEMMAS
from portal.text import fold

__all__ = [
    "RECOGNISED_AT",
    "SUGGESTIONS",
    "concepts_for",
    "label_for",
    "labels_in",
    "labels_of",
    "recognise",
    "suggest",
    "vocabulary_size",
]

SUGGESTIONS = 10
_CANDIDATES = 200
# Text similarity from which a typed skill is taken for a concept's label in another form (see _recognise_inflected).
RECOGNISED_AT = 0.7
_COLUMNS = (Skill.uri, Skill.label, Skill.language, Skill.reuse_level, Skill.search_text)


def labels_of(row: dict[str, Any]) -> list[str]:
    """The folded labels a vocabulary row answers to: its preferred label first, then the alternatives."""
    return [label for label in row["search_text"].split(LEMMAS)[0].split("\n") if label]


def _words(query: str) -> list[str]:
    return [word for word in re.split(r"[^0-9a-z]+", fold(query)) if word][:6]


def _word_choices(query: str) -> list[list[str]]:
    """For each word of ``query`` (at most six), the word and its sl/hr/en lemmas, folded.

    A label is found when each word of the query, or one of its lemmas, is in it: "kuhanje"
    finds "kuhati" and "popravilo koles" finds "popravilo kolesa".
    """
    return [
        [form for form in word_forms(word).split() if len(form) >= 2] or [fold(word)]
        for word in re.findall(r"\w+", query.casefold())[:6]
    ]


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
    containing = await _candidates(query)
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


def _content_choices(text: str) -> list[list[str]]:
    """:func:`_word_choices` without short words ("za", "of", "the"): they narrow nothing down and
    may be missing from a label's wording (all of them when the text has nothing else)."""
    choices = _word_choices(text)
    return [forms for forms in choices if max(map(len, forms)) > 3] or choices


def _candidates_query(text: str, limit: int) -> Any:
    """The select of :func:`_candidates` (None when ``text`` has no content word): on PostgreSQL the
    index of migration 2026-12-04T22:00 serves its ``LIKE``s, which read every label without it."""
    choices = _content_choices(text)
    if not choices:
        return None
    where = [_any_of([Skill.search_text.like(f"%{form}%") for form in forms]) for forms in choices]
    return Skill.select(*_COLUMNS).where(*where).limit(limit)


async def _candidates(text: str, limit: int = _CANDIDATES) -> list[dict[str, Any]]:
    """Vocabulary rows holding each content word of ``text``, or one of its lemmas (in any language)."""
    query = _candidates_query(text, limit)
    return [] if query is None else await query


async def _recognise_inflected(entries: list[dict[str, str]]) -> None:
    """Give typed skills the URI of a label they match as another form of the same words.

    "timskem delu" is "timsko delo" inflected, "šivala oblačila" is "šivanje oblačil": the text
    model's similarity to some label of a concept must reach :data:`RECOGNISED_AT`, well above
    what merely related wordings reach ("perform laboratory tests" against "... on footwear").
    """
    if not entries:
        return
    text = shared_text()
    for entry in entries:
        rows = await _candidates(entry["label"])
        labelled = [(label, row["uri"]) for row in sorted(rows, key=lambda r: r["uri"]) for label in labels_of(row)]
        if not labelled:
            continue
        similarity = text.similarity([entry["label"]], [label for label, _ in labelled])[0]
        best = int(similarity.argmax())
        if similarity[best] >= RECOGNISED_AT:
            entry["uri"] = labelled[best][1]


async def concepts_for(text: str, limit: int = _CANDIDATES) -> set[str]:
    """The concepts whose labels, in any language, hold each word of ``text`` or one of its lemmas, as a whole word.

    For filters: "kuhanje" and "cooking" both reach the concepts of cooking, whichever language
    the profile's skills were written in.
    """
    choices = [set(forms) for forms in _content_choices(text)]
    found = set()
    for row in await _candidates(text, limit):
        # Whole words only: "ana" must not reach "banana" (a filter is not a substring search).
        words = set(row["search_text"].split(LEMMAS)[-1].split())
        if all(forms & words for forms in choices):
            found.add(row["uri"])
    return found


async def labels_in(uris: Iterable[str], language: str) -> dict[str, str]:
    """The label of each concept in ``language`` (else in English), for the concepts the vocabulary has.

    For the few concepts of one page (the callers pass a page's worth), so the list is bounded.
    """
    wanted = sorted(set(uris))
    if not wanted:
        return {}
    rows = await Skill.select(Skill.uri, Skill.label, Skill.language).where(
        Skill.uri.is_in(wanted) & Skill.language.is_in(sorted({language, "en"}))
    )
    # The reader's language first, else English.
    return {row["uri"]: row["label"] for row in sorted(rows, key=lambda row: row["language"] == language)}


async def label_for(uri: str, language: str) -> str | None:
    """The concept's label in ``language``, else English, else any; None when it is not in the vocabulary."""
    rows = await Skill.select(Skill.label, Skill.language).where(Skill.uri == uri)
    if not rows:
        return None
    return min(rows, key=lambda row: (_language_rank(row["language"], language), row["label"]))["label"]


def _any_of(conditions: list[Where]) -> Combinable:
    combined: Combinable = conditions[0]
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
        await _recognise_inflected([e for e in entries if not e["uri"] and e["label"]])
    for entry in entries:
        if entry["uri"] and not entry["label"]:
            entry["label"] = await label_for(entry["uri"], language) or entry["uri"]
    # Two wordings of the same concept count once.
    unique: dict[str, dict[str, str]] = {}
    for entry in entries:
        unique.setdefault(entry["uri"] or "text:" + fold(entry["label"]), entry)
    return list(unique.values())
