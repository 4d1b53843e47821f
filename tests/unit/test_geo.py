"""Tests for the reference geography in portal.geo."""

from __future__ import annotations

import dataclasses
from importlib import resources

import pytest

from portal.geo import REGIONS, Place, find_place, places, regions_for
from portal.text import fold

# Generous boxes around each country: a swapped or mistyped coordinate falls outside.
BOUNDS = {"SI": (45.42, 46.88, 13.37, 16.61), "HR": (42.38, 46.56, 13.48, 19.45)}
PROJECT_REGIONS = ("Podravska", "Savinjska", "Varaždinska županija", "Međimurska županija")
TOWNS_IN_DOCUMENTS = {
    "SI": ("Ptuj", "Ormož", "Celje", "Laško", "Ljubljana", "Maribor"),
    "HR": ("Čakovec", "Varaždin", "Zagreb"),
}


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Čakovec", "cakovec"),
        ("Međimurska županija", "medimurska zupanija"),
        ("ĐURĐEVAC", "durdevac"),
        ("  Novo \t  mesto\n", "novo mesto"),
        ("Šempeter - Vrtojba", "sempeter - vrtojba"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_find_place_ignores_case_diacritics_and_spacing() -> None:
    assert find_place("HR", "cakovec").name == "Čakovec"
    assert find_place("hr", "SVETI  DURD").name == "Sveti Đurđ"
    assert find_place("SI", " novo mesto ").region == "Jugovzhodna Slovenija"
    assert find_place("SI", "Ormoz") == Place("SI", "Podravska", "Ormož", 46.409, 16.155)


def test_find_place_misses() -> None:
    assert find_place("SI", "Čakovec") is None
    assert find_place("HR", "Atlantis") is None
    assert find_place("AT", "Graz") is None


def test_regions_for() -> None:
    assert regions_for("SI") == REGIONS["SI"]
    assert regions_for("hr") == REGIONS["HR"]
    assert regions_for("AT") == ()
    assert len(REGIONS["SI"]) == 12
    assert len(REGIONS["HR"]) == 21
    assert "Grad Zagreb" in REGIONS["HR"]


def test_csv_has_the_documented_columns() -> None:
    text = resources.files("portal.geo").joinpath("municipalities.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "country,region,municipality,latitude,longitude"


def test_places_are_loaded_once_and_frozen() -> None:
    assert places() is places()
    with pytest.raises(dataclasses.FrozenInstanceError):
        places()[0].name = "Elsewhere"  # type: ignore[misc]  # the assignment a frozen record must refuse


def test_every_place_is_in_a_known_region_and_inside_its_country() -> None:
    for place in places():
        assert place.region in REGIONS[place.country], place
        south, north, west, east = BOUNDS[place.country]
        assert south <= place.latitude <= north and west <= place.longitude <= east, place


def test_places_are_unique() -> None:
    keys = [(place.country, fold(place.name)) for place in places()]
    assert len(keys) == len(set(keys))


def test_coverage() -> None:
    for country, regions in REGIONS.items():
        assert sum(place.country == country for place in places()) >= 70
        for region in regions:
            count = sum(place.region == region for place in places())
            assert count >= (1 if region == "Grad Zagreb" else 2), region
    for region in PROJECT_REGIONS:
        assert sum(place.region == region for place in places()) >= 10, region


def test_towns_named_in_the_documents_are_present() -> None:
    for country, towns in TOWNS_IN_DOCUMENTS.items():
        for town in towns:
            assert find_place(country, town) is not None, town
