"""Tests for the demo partner network in portal.demo.network."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import date
from typing import Any

import pytest

from network import records
from portal.demo.network import generated_network, real_network
from portal.geo import REGIONS, find_place
from portal.text import fold

ORGANISATION_FIELDS = {
    "key",
    "name",
    "kind",
    "country",
    "region",
    "municipality",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "languages",
    "email",
    "phone",
    "website",
    "contact_person",
    "description",
    "registry_id",
}
RELATIONSHIP_FIELDS = {"source", "target", "kind", "since", "until", "strength", "note"}
LANGUAGES = {"sl", "hr", "en", "de", "hu", "it"}
PROJECT_REGIONS = ("Podravska", "Savinjska", "Varaždinska županija", "Međimurska županija")

LEAD = "zrs-bistra-ptuj"
# key -> kind, from the partner lists in context/001.
PROJECT_PARTNERS = {
    LEAD: "research",
    "rasr-celje": "development_agency",
    "cpu-center-ponovne-uporabe": "social_enterprise",
    "jurr-varazdinske-zupanije": "development_agency",
    "czss-cakovec": "social_work_centre",
    "redea-cakovec": "development_agency",
    "zrsz": "employment_office",
}
ASSOCIATED_PARTNERS = {
    "mdomsp": "ministry",
    "mddsz": "ministry",
    "mgrt": "ministry",
    "mop": "ministry",
    "hzz-ru-varazdin": "employment_office",
    "csd-lasko": "social_work_centre",
    "puo-cakovec": "adult_education",
    "lu-ormoz": "adult_education",
}
OTHER_NAMED = {
    "csd-celje": "Center za socialno delo Celje",
    "hzz-pu-cakovec": "Hrvatski zavod za zapošljavanje, Područni ured Čakovec",
    "gdck-cakovec": "Gradsko društvo Crvenog križa Čakovec",
    "humana-nova-cakovec": "Humana Nova socijalna zadruga",
    "ul-fdv": "Univerza v Ljubljani – Fakulteta za družbene vede",
    "obcina-ormoz": "Občina Ormož",
    "medimurska-zupanija": "Međimurska županija",
    "zrsz-os-ptuj": "Zavod RS za zaposlovanje, Območna služba Ptuj",
}
# Every person named in context/003 and context/004 (speakers, officials, project contacts).
PEOPLE_IN_DOCUMENTS = (
    "Alojz Sok",
    "Dolores Kores",
    "Zinka Kolarič",
    "Sanja Belec",
    "Alenka Bilić",
    "Olga Bezenšek Lalić",
    "Marina Kodba",
    "Marinka Vovk",
    "Matija Posavec",
    "Vlatka Vincetić",
    "Tatjana Katkić Stanić",
    "Jana Lovšin",
    "Tadeja Juvan",
    "Ivan Božić",
    "Petra Lazić",
    "Klavdija Rižnar",
    "Ivana Knez",
)


@pytest.fixture(scope="module")
def real() -> tuple[list[dict], list[dict]]:
    return real_network()


@pytest.fixture(scope="module")
def generated() -> tuple[list[dict], list[dict]]:
    return generated_network()


@pytest.fixture(scope="module")
def organisations(real, generated) -> list[dict]:
    return real[0] + generated[0]


@pytest.fixture(scope="module")
def ties(real, generated) -> list[dict]:
    return real[1] + generated[1]


def _by_key(organisations: list[dict]) -> dict[str, dict]:
    return {org["key"]: org for org in organisations}


def _pairs(ties: list[dict], kind: str) -> set[frozenset[str]]:
    return {frozenset((tie["source"], tie["target"])) for tie in ties if tie["kind"] == kind}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in _strings(item)]
    return []


def test_deterministic() -> None:
    assert real_network() == real_network()
    assert generated_network() == generated_network(seed=2018)


def test_another_seed_gives_another_layer(generated) -> None:
    assert generated_network(seed=7) != generated


def test_sizes(real, generated) -> None:
    assert len(real[0]) >= 15 + len(OTHER_NAMED)
    assert 250 <= len(generated[0]) <= 350
    assert 800 <= len(generated[1]) <= 1200


def test_organisation_shape(organisations) -> None:
    for org in organisations:
        assert set(org) == ORGANISATION_FIELDS, org["key"]
        assert org["kind"] in records.ORGANISATION_KINDS
        assert org["country"] in ("SI", "HR")
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", org["key"]) and len(org["key"]) <= 120
        assert org["name"] and org["description"] and org["contact_person"]
        assert isinstance(org["postcode"], str) and isinstance(org["registry_id"], str)
        assert isinstance(org["latitude"], float) and isinstance(org["longitude"], float)
        assert org["languages"] and set(org["languages"]) <= LANGUAGES
        assert ("sl" if org["country"] == "SI" else "hr") in org["languages"]
        assert org["email"].endswith(".example.org") and "@" in org["email"]
        assert org["website"] == "" or re.fullmatch(r"https://[a-z0-9-]+\.example\.org", org["website"])
        assert org["phone"].startswith("+386 " if org["country"] == "SI" else "+385 ")


def test_emails_use_the_reserved_domain(organisations) -> None:
    for org in organisations:
        assert re.fullmatch(r"[a-z0-9.-]+@[a-z0-9-]+\.example\.org", org["email"]), org["email"]


def test_keys_are_unique_across_both_layers(organisations) -> None:
    duplicates = [key for key, n in Counter(org["key"] for org in organisations).items() if n > 1]
    assert duplicates == []
    names = Counter(org["name"] for org in organisations)
    assert [name for name, n in names.items() if n > 1] == []


def test_places_agree_with_the_reference_geography(organisations) -> None:
    for org in organisations:
        assert org["region"] in REGIONS[org["country"]]
        place = find_place(org["country"], org["municipality"])
        assert place is not None and place.name == org["municipality"] and place.region == org["region"], org["key"]
        assert abs(org["latitude"] - place.latitude) <= 0.02 and abs(org["longitude"] - place.longitude) <= 0.02


def test_relationship_shape(ties) -> None:
    for tie in ties:
        assert set(tie) == RELATIONSHIP_FIELDS
        assert tie["kind"] in records.RELATIONSHIP_KINDS
        assert isinstance(tie["strength"], int) and 1 <= tie["strength"] <= 5
        assert tie["since"] is None or isinstance(tie["since"], date)
        assert tie["until"] is None or isinstance(tie["until"], date)
        if tie["since"] and tie["until"]:
            assert tie["since"] < tie["until"]
        assert isinstance(tie["note"], str)


def test_relationships_connect_known_organisations_once(organisations, ties) -> None:
    keys = set(_by_key(organisations))
    for tie in ties:
        assert tie["source"] in keys and tie["target"] in keys, tie
        assert tie["source"] != tie["target"], tie
    triples = Counter((tie["source"], tie["target"], tie["kind"]) for tie in ties)
    assert [triple for triple, n in triples.items() if n > 1] == []
    # Nor the same tie twice in opposite directions.
    undirected = Counter((frozenset((tie["source"], tie["target"])), tie["kind"]) for tie in ties)
    assert [pair for pair, n in undirected.items() if n > 1] == []


def test_project_partners(real) -> None:
    orgs, ties = real
    by_key = _by_key(orgs)
    assert by_key[LEAD]["name"] == "Znanstveno-raziskovalno središče Bistra Ptuj"
    for key, kind in {**PROJECT_PARTNERS, **ASSOCIATED_PARTNERS}.items():
        assert by_key[key]["kind"] == kind, key
    partner_pairs = _pairs(ties, "project_partner")
    assert partner_pairs == {frozenset(pair) for pair in itertools.combinations(PROJECT_PARTNERS, 2)}
    assert _pairs(ties, "associated_partner") == {frozenset((LEAD, key)) for key in ASSOCIATED_PARTNERS}
    for tie in ties:
        if tie["kind"] == "project_partner":
            assert (tie["since"], tie["until"], tie["strength"]) == (date(2018, 9, 1), date(2020, 8, 31), 5)
        if tie["kind"] == "associated_partner":
            assert (tie["since"], tie["until"], tie["strength"]) == (date(2018, 9, 1), date(2020, 8, 31), 3)


def test_other_named_organisations_and_their_ties(real) -> None:
    orgs, ties = real
    by_key = _by_key(orgs)
    for key, name in OTHER_NAMED.items():
        assert by_key[key]["name"] == name
    assert by_key["humana-nova-cakovec"]["kind"] == "social_enterprise"
    assert frozenset(("czss-cakovec", "hzz-pu-cakovec")) in _pairs(ties, "cooperation")
    assert frozenset(("gdck-cakovec", "czss-cakovec")) in _pairs(ties, "cooperation")
    assert any(
        tie["source"] == "czss-cakovec"
        and tie["target"] == "humana-nova-cakovec"
        and tie["kind"] == "referral_agreement"
        for tie in ties
    )


def test_real_descriptions_name_the_project_in_the_local_language(real) -> None:
    for org in real[0]:
        assert "2SoKroG" in org["description"], org["key"]
        if org["country"] == "SI":
            assert not set("ćđ") & set(org["description"].lower()), org["key"]  # Croatian-only letters


def test_generated_layer_covers_every_region_and_favours_the_project_area(generated) -> None:
    per_region = Counter(org["region"] for org in generated[0])
    for regions in REGIONS.values():
        for region in regions:
            assert per_region[region] >= 3, region
    busiest_elsewhere = max(n for region, n in per_region.items() if region not in PROJECT_REGIONS)
    assert all(per_region[region] > 2 * busiest_elsewhere for region in PROJECT_REGIONS)
    kinds = Counter(org["kind"] for org in generated[0])
    for kind in (
        "social_work_centre",
        "employment_office",
        "ngo",
        "social_enterprise",
        "employer",
        "adult_education",
        "municipality",
    ):
        assert kinds[kind] >= 10, kind


def test_generated_ties(real, generated) -> None:
    real_keys = {org["key"] for org in real[0]}
    kinds = Counter(tie["kind"] for tie in generated[1])
    assert set(kinds) == {"cooperation", "referral_agreement", "funding", "membership"}
    countries = {org["key"]: org["country"] for org in real[0] + generated[0]}
    assert any(countries[tie["source"]] != countries[tie["target"]] for tie in generated[1])
    for tie in generated[1]:
        assert not (tie["source"] in real_keys and tie["target"] in real_keys), tie
        assert date(2015, 1, 1) <= tie["since"] <= date(2024, 12, 31)


def test_keys_the_loader_relies_on(real, generated) -> None:
    keys = {org["key"] for org in real[0]}
    assert {"zrs-bistra-ptuj", "czss-cakovec", "cpu-center-ponovne-uporabe"} <= keys
    assert any(org["kind"] == "employer" and org["region"] == "Podravska" for org in generated[0])


def test_no_person_from_the_documents_appears_anywhere(organisations, ties) -> None:
    texts = [" " + re.sub(r"[^a-z0-9]+", " ", fold(s)) + " " for s in _strings(organisations) + _strings(ties)]
    full_names = [fold(name) for name in PEOPLE_IN_DOCUMENTS]
    surnames = {fold(part) for name in PEOPLE_IN_DOCUMENTS for part in name.split()[1:]}
    for text in texts:
        for name in full_names:
            assert f" {name} " not in text, name
        for surname in surnames:
            assert f" {surname} " not in text, surname


def test_the_query_parameters_offer_exactly_the_kinds_the_network_knows():
    from typing import get_args

    from portal.network.params import OrganisationKind, TieKind

    assert set(get_args(OrganisationKind)) == set(records.ORGANISATION_KINDS)
    # Two ties the portal draws rather than records: referrals between two organisations, and staff who
    # met at the same training events.
    assert set(get_args(TieKind)) == {*records.RELATIONSHIP_KINDS, "referrals", "met_at"}
