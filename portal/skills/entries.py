"""Skills as forms and the API write them: one per line or a list, each an ESCO concept or free text.

Pure functions, no database: the vocabulary lookup that fills in concept URIs is in ``services``.
A stored skill is ``{"uri": "<ESCO concept URI or empty>", "label": "<text>"}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from portal.i18n import gettext as _
from portal.text import fold

__all__ = [
    "ESCO_SKILL_URI",
    "MAX_LABEL",
    "MAX_SKILLS",
    "dumps",
    "loads",
    "parse_skills",
    "skill_key",
    "skill_terms",
    "skills_text",
]

ESCO_SKILL_URI = re.compile(r"^http://data\.europa\.eu/esco/skill/[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
MAX_SKILLS = 30
MAX_LABEL = 200
# "cleaning techniques <http://data.europa.eu/esco/skill/...>": how the picker writes a chosen concept.
_WITH_URI = re.compile(r"^(?P<label>.*?)\s*<(?P<uri>[^<>]*)>$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def skill_key(entry: Mapping[str, str]) -> str:
    """What makes two skills the same: the concept when there is one, else the folded wording."""
    return entry["uri"] or "text:" + fold(entry["label"])


def _entry(raw: Any) -> tuple[str, str]:
    """(label, uri) from a line of text or an API object."""
    if isinstance(raw, Mapping):
        return _CONTROL.sub(" ", str(raw.get("label") or "")).strip(), str(raw.get("uri") or "").strip()
    text = _CONTROL.sub(" ", str(raw)).strip()
    match = _WITH_URI.match(text)
    if match:
        return match["label"].strip(), match["uri"].strip()
    if ESCO_SKILL_URI.match(text):
        return "", text
    return text, ""


def parse_skills(raw: Any) -> tuple[list[dict[str, str]], str | None]:
    """Skills from a text (one per line) or a list; the second item says what is wrong, if anything.

    >>> parse_skills("Teamwork\\n\\ncleaning techniques <http://data.europa.eu/esco/skill/abc-1>\\nteamwork")
    ([{'uri': '', 'label': 'Teamwork'}, {'uri': 'http://data.europa.eu/esco/skill/abc-1', 'label': 'cleaning techniques'}], None)
    """
    if raw is None or raw == "":
        return [], None
    items: Iterable[Any] = str(raw).splitlines() if isinstance(raw, str) else raw
    if not isinstance(items, Iterable):
        return [], _("Write one skill per line.")
    entries: list[dict[str, str]] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        label, uri = _entry(item)
        if not label and not uri:
            continue
        if uri and not ESCO_SKILL_URI.match(uri):
            return [], _(
                "Line %(number)s: only ESCO skill addresses (http://data.europa.eu/esco/skill/…) can be given in angle brackets."
            ) % {"number": number}
        if len(label) > MAX_LABEL:
            return [], _("Line %(number)s is longer than %(limit)s characters.") % {
                "number": number,
                "limit": MAX_LABEL,
            }
        entry = {"uri": uri, "label": label}
        key = skill_key(entry)
        if key in seen:
            continue
        seen.add(key)
        entries.append(entry)
    if len(entries) > MAX_SKILLS:
        return [], _("At most %(limit)s skills.") % {"limit": MAX_SKILLS}
    return entries, None


def skills_text(entries: Iterable[Mapping[str, str]]) -> str:
    """The text a form shows for stored skills: one per line, ESCO ones with their address."""
    return "\n".join(f"{e['label']} <{e['uri']}>" if e.get("uri") else e["label"] for e in entries)


def loads(text: str | None) -> list[dict[str, str]]:
    """Stored JSON to a list of skills; anything unreadable counts as no skills."""
    try:
        data = json.loads(text or "[]")
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    return [
        {"uri": str(item.get("uri") or ""), "label": str(item.get("label") or "")}
        for item in data
        if isinstance(item, dict) and (item.get("label") or item.get("uri"))
    ]


def dumps(entries: Iterable[Mapping[str, str]]) -> str:
    return json.dumps([{"uri": e["uri"], "label": e["label"]} for e in entries], ensure_ascii=False)


def skill_terms(stored: str | None) -> str:
    """What a "skill contains" filter matches in SQL: each stored skill's label, folded, one per line.

    Kept beside the stored JSON (``participant.skill_terms``) so that the filter is a ``LIKE``
    the database evaluates, instead of decoding every profile in Python. Concept URIs are not
    here: a word such as "data" must not match every ``http://data.europa.eu/...`` address.

    >>> skill_terms('[{"uri": "http://data.europa.eu/esco/skill/x", "label": "Čiščenje"}, {"uri": "", "label": "Vrt"}]')
    '\\nciscenje\\nvrt\\n'
    """
    labels = sorted({fold(e["label"]) for e in loads(stored) if e["label"]})
    return "\n" + "\n".join(labels) + "\n" if labels else ""
