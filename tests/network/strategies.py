"""Hypothesis strategies for random partner networks as plain records."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from network import ORGANISATION_KINDS, RELATIONSHIP_KINDS

_NAME_CHARACTERS = st.characters(codec="utf-8", categories=("L", "N"), include_characters=" -.,čšžćđČŠŽĆĐ&'=")
names = st.text(_NAME_CHARACTERS, min_size=1, max_size=30).map(str.strip).filter(bool)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))
regions = st.sampled_from(["Podravska", "Savinjska", "Međimurska županija", "Varaždinska županija", None])


@st.composite
def networks(draw, max_organisations: int = 12, max_relationships: int = 25) -> tuple[list[dict], list[dict]]:
    """(organisations, relationships) with unique ids and labels (compared without case)."""
    labels = draw(st.lists(names, min_size=1, max_size=max_organisations, unique_by=str.casefold))
    organisations = []
    for number, label in enumerate(labels, start=1):
        located = draw(st.booleans())
        organisations.append(
            {
                "id": number * 10,
                "name": label,
                "kind": draw(st.sampled_from(ORGANISATION_KINDS)),
                "country": draw(st.sampled_from(["SI", "HR"])),
                "region": draw(regions),
                "municipality": draw(st.sampled_from(["Ptuj", "Čakovec", None])),
                # Six decimals (10 cm), as coordinates are kept; XLSX keeps 16 significant digits.
                "latitude": round(draw(st.floats(45.4, 46.9)), 6) if located else None,
                "longitude": round(draw(st.floats(13.4, 16.6)), 6) if located else None,
            }
        )
    ids = [organisation["id"] for organisation in organisations]
    relationships = []
    if len(ids) > 1:
        for number in range(1, draw(st.integers(0, max_relationships)) + 1):
            source, target = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
            since = draw(st.none() | days)
            until = draw(st.none() | days)
            if since and until and since > until:
                since, until = until, since
            relationships.append(
                {
                    "id": number,
                    "source": source,
                    "target": target,
                    "kind": draw(st.sampled_from(RELATIONSHIP_KINDS)),
                    "since": since,
                    "until": until,
                    "strength": draw(st.integers(1, 5)),
                }
            )
    return organisations, relationships
