"""Reference geography of Slovenia and Croatia: regions, counties and municipalities."""

from __future__ import annotations

import csv
import functools
import io
import unicodedata
from dataclasses import dataclass
from importlib import resources

__all__ = ["REGIONS", "Place", "find_place", "fold", "places", "regions_for"]

REGIONS: dict[str, tuple[str, ...]] = {
    "SI": (
        "Pomurska",
        "Podravska",
        "Koroška",
        "Savinjska",
        "Zasavska",
        "Posavska",
        "Jugovzhodna Slovenija",
        "Osrednjeslovenska",
        "Gorenjska",
        "Primorsko-notranjska",
        "Goriška",
        "Obalno-kraška",
    ),
    "HR": (
        "Zagrebačka županija",
        "Krapinsko-zagorska županija",
        "Sisačko-moslavačka županija",
        "Karlovačka županija",
        "Varaždinska županija",
        "Koprivničko-križevačka županija",
        "Bjelovarsko-bilogorska županija",
        "Primorsko-goranska županija",
        "Ličko-senjska županija",
        "Virovitičko-podravska županija",
        "Požeško-slavonska županija",
        "Brodsko-posavska županija",
        "Zadarska županija",
        "Osječko-baranjska županija",
        "Šibensko-kninska županija",
        "Vukovarsko-srijemska županija",
        "Splitsko-dalmatinska županija",
        "Istarska županija",
        "Dubrovačko-neretvanska županija",
        "Međimurska županija",
        "Grad Zagreb",
    ),
}


@dataclass(frozen=True)
class Place:
    country: str
    region: str
    name: str
    latitude: float
    longitude: float


# NFKD does not decompose the stroked d, so it is mapped by hand.
_UNDECOMPOSED = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lowercase, strip diacritics and collapse whitespace, for matching and search."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


def fold_name(text: str) -> str:
    """:func:`fold` for names, where "dj" is also how "đ" is written without diacritics: both fold
    to "d", so "Đurđa", "Djurdja" and "Durdja" meet. Stored folded names and search words use it alike."""
    return fold(text).replace("dj", "d")


@functools.cache
def places() -> tuple[Place, ...]:
    text = resources.files(__name__).joinpath("municipalities.csv").read_text(encoding="utf-8")
    return tuple(
        Place(
            country=row["country"],
            region=row["region"],
            name=row["municipality"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
        )
        for row in csv.DictReader(io.StringIO(text))
    )


@functools.cache
def _index() -> dict[tuple[str, str], Place]:
    return {(place.country, fold(place.name)): place for place in places()}


def find_place(country: str, municipality: str) -> Place | None:
    return _index().get((country.upper(), fold(municipality)))


def regions_for(country: str) -> tuple[str, ...]:
    return REGIONS.get(country.upper(), ())
