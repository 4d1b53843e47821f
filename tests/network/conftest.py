"""A tiny hand-made cross-border network (after 2SoKroG) shared by the network library tests."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from network import build_graph


@pytest.fixture
def organisations() -> list[dict]:
    def org(id, name, kind, country, region, municipality, latitude=None, longitude=None):
        return {
            "id": id,
            "name": name,
            "kind": kind,
            "country": country,
            "region": region,
            "municipality": municipality,
            "latitude": latitude,
            "longitude": longitude,
        }

    return [
        org(1, "CSD Ptuj", "social_work_centre", "SI", "Podravska", "Ptuj", 46.4199, 15.8697),
        org(2, "ZRS Bistra Ptuj", "research", "SI", "Podravska", "Ptuj", 46.4203, 15.8710),
        org(3, "Center ponovne uporabe", "social_enterprise", "SI", "Savinjska", "Celje", 46.2309, 15.2604),
        org(4, "CZSS Čakovec", "social_work_centre", "HR", "Međimurska županija", "Čakovec", 46.3844, 16.4339),
        org(5, "Humana Nova", "social_enterprise", "HR", "Međimurska županija", "Čakovec", 46.3900, 16.4300),
        org(6, "HZZ Varaždin", "employment_office", "HR", "Varaždinska županija", "Varaždin", 46.3057, 16.3366),
        org(7, "LU Ormož", "adult_education", "SI", "Podravska", "Ormož", 46.4071, 16.1544),
        org(8, "Društvo Sonček", "ngo", "SI", "Pomurska", "Murska Sobota"),
    ]


@pytest.fixture
def relationships() -> list[dict]:
    def rel(id, source, target, kind, strength, since=None, until=None):
        return {
            "id": id,
            "source": source,
            "target": target,
            "kind": kind,
            "strength": strength,
            "since": since,
            "until": until,
        }

    return [
        rel(1, 2, 1, "project_partner", 5, date(2017, 1, 1), date(2019, 12, 31)),
        rel(2, 1, 2, "cooperation", 3, date(2020, 1, 1)),
        rel(3, 2, 4, "project_partner", 4, date(2017, 1, 1), date(2019, 12, 31)),
        rel(4, 4, 5, "referral_agreement", 5, date(2018, 3, 1)),
        rel(5, 6, 4, "cooperation", 2),
        rel(6, 2, 3, "project_partner", 4, date(2017, 1, 1)),
        rel(7, 7, 2, "associated_partner", 2, date(2017, 1, 1)),
    ]


@pytest.fixture
def referrals() -> list[dict]:
    return [
        {"source": 1, "target": 3, "at": date(2023, 5, 1), "count": 2},
        {"source": 4, "target": 5, "at": date(2023, 6, 1), "count": 4},
        {"source": 4, "target": 5, "at": date(2024, 2, 1)},
    ]


@pytest.fixture
def graph(organisations, relationships, referrals) -> nx.Graph:
    return build_graph(organisations, relationships, referrals)
