"""Reference geography of Slovenia and Croatia: regions, counties and municipalities."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

from portal.text import fold

__all__ = ["REGIONS", "Place", "find_place", "places", "regions_for"]

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
