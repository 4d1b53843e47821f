"""Demo participants' skills as a counsellor records them: ESCO concepts labelled in the person's language, or typed words.

The concepts are the everyday skills of activation placements; the labels come from the shipped
vocabulary (``portal/data/esco_skills_{sl,hr}.csv``), so a Slovenian case reads "ločevati odpadke"
and a Croatian one "razvrstavati otpad". About one skill in three is typed instead of picked:
one of the concept's alternative wordings in the person's language, without its address, as a
counsellor writes it; matching then reads it as text.
"""

from __future__ import annotations

import random
from typing import Any

from portal.skills.shipped import shipped_vocabulary

__all__ = ["DEMO_SKILLS", "TYPED_SHARE", "written_skills"]

# The English preferred labels of the concepts demo people hold: mostly what the demo opportunities
# ask for, and a few they do not (18, the length of the earlier free-text list, so the demo's other
# random draws stay as they were).
DEMO_SKILLS = (
    "work in teams",
    "apply health and safety standards",
    "communicate with customers",
    "sell products",
    "show empathy",
    "comply with food safety and hygiene",
    "pack goods",
    "sort waste",
    "handle delivered packages",
    "maintain gardening equipment",
    "carry out stock rotation",
    "perform minor repairs to equipment",
    "assemble prefabricated furniture",
    "clean surfaces",
    "sew pieces of fabric",
    "cook vegetable products",
    "tend to elderly people",
    "have computer literacy",
)
TYPED_SHARE = 0.3
_LANGUAGE = {"SI": "sl", "HR": "hr"}


def written_skills(concepts: list[str], country: str, rng: random.Random) -> list[dict[str, Any]]:
    """``concepts`` (English preferred labels) as stored skills of a person in ``country``."""
    vocabulary = shipped_vocabulary()
    language = _LANGUAGE.get(country, "sl")
    out = []
    for concept in concepts:
        uri = vocabulary.uri_of[concept]
        preferred, *alternatives = vocabulary.labels[language].get(uri, (concept,))
        if alternatives and rng.random() < TYPED_SHARE:
            out.append({"uri": "", "label": rng.choice(alternatives)})
        else:
            out.append({"uri": uri, "label": preferred})
    return out
