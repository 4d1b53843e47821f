"""Synthetic participants for the demo: fake names and plausible profiles from a fixed seed."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from portal.demo.skills import DEMO_SKILLS, written_skills
from portal.geo import places
from portal.vocab import EDUCATION_LEVELS, SECTORS, STAGES, SUPPORT

# Common given names and surnames, combined at random: the people they make up do not exist.
_FIRST = {
    "SI": [
        "Ana",
        "Maja",
        "Nina",
        "Petra",
        "Urška",
        "Mojca",
        "Tina",
        "Barbara",
        "Jure",
        "Luka",
        "Matej",
        "Rok",
        "Tomaž",
        "Gregor",
        "Boštjan",
        "Andrej",
        "Milena",
        "Darja",
        "Simon",
        "Aleš",
    ],
    "HR": [
        "Ivana",
        "Marija",
        "Petra",
        "Martina",
        "Kristina",
        "Snježana",
        "Ivan",
        "Marko",
        "Josip",
        "Tomislav",
        "Damir",
        "Zoran",
        "Dario",
        "Goran",
        "Nikolina",
        "Sanja",
        "Vesna",
        "Kruno",
        "Mario",
        "Dejan",
    ],
}
_LAST = {
    "SI": [
        "Kovač",
        "Horvat",
        "Zupan",
        "Kralj",
        "Potočnik",
        "Golob",
        "Vidmar",
        "Kos",
        "Mlakar",
        "Turk",
        "Zajc",
        "Hribar",
        "Kavčič",
        "Rozman",
        "Lesjak",
        "Breznik",
        "Korošec",
        "Pintar",
        "Žnidarič",
        "Majcen",
    ],
    "HR": [
        "Horvat",
        "Novak",
        "Kovačević",
        "Babić",
        "Marić",
        "Jurić",
        "Novosel",
        "Tomašić",
        "Petrović",
        "Kolar",
        "Vuković",
        "Knežević",
        "Blažević",
        "Grgić",
        "Pavlić",
        "Šimunić",
        "Lovrić",
        "Perić",
        "Bogdan",
        "Matković",
    ],
}
PROJECT_REGIONS = ("Podravska", "Savinjska", "Međimurska županija", "Varaždinska županija")


def _fewer(needs: list[str], rng: random.Random) -> list[str]:
    """At most one support need, and none for half the people: each need is a hard constraint, and
    with up to two of eight kinds most demo people could reach no place at all."""
    return needs[:1] if needs and rng.random() < 0.5 else []


def participants(count: int = 300, seed: int = 2018) -> list[dict[str, Any]]:
    """Plain participant records; ``region`` in the project area for most, anywhere for the rest."""
    rng = random.Random(seed)
    # Skills are written with their own random stream, so the rest of the demo set stays as it was.
    skill_rng = random.Random(seed + 3)
    needs_rng = random.Random(seed + 5)
    candidates = [p for p in places() if p.region in PROJECT_REGIONS]
    everywhere = list(places())
    people = []
    for _ in range(count):
        place = rng.choice(candidates if rng.random() < 0.85 else everywhere)
        country = place.country
        stage = rng.choices(list(STAGES), weights=[3, 3, 5, 4, 2, 1])[0]
        people.append(
            {
                "first_name": rng.choice(_FIRST[country]),
                "last_name": rng.choice(_LAST[country]),
                "birth_year": rng.randint(1962, 2003),
                "phone": f"+{386 if country == 'SI' else 385} 555 {rng.randint(100, 999)} {rng.randint(100, 999)}",
                "email": "",
                "address": "",
                "country": country,
                "region": place.region,
                "municipality": place.name,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "languages": ",".join(["sl" if country == "SI" else "hr"] + (["en"] if rng.random() < 0.3 else [])),
                "education_level": rng.choices(list(EDUCATION_LEVELS), weights=[1, 4, 4, 3, 1])[0],
                "skills": written_skills(rng.sample(DEMO_SKILLS, rng.randint(1, 4)), country, skill_rng),
                "interests": ",".join(rng.sample(list(SECTORS), rng.randint(1, 3))),
                "hours_per_week": rng.choice([10, 15, 20, 20, 30, 40]),
                "travel_km": rng.choice([5, 10, 15, 20, 30, 50]),
                "support_needs": ",".join(_fewer(rng.sample(list(SUPPORT), rng.randint(0, 2)), needs_rng)),
                "available_from": dt.date(2026, rng.randint(1, 12), rng.randint(1, 28)),
                "stage": stage,
                "case_team_consent": rng.random() < 0.7,
                "employer_profile_consent": stage in ("placement", "employment") and rng.random() < 0.6,
            }
        )
    return people


# A thin spot to act on: rural Ormož, where people without a car and with small children need a place
# with transport and childcare-compatible hours within 15 km, and the demo network has none.
THIN_SPOT: dict[str, Any] = {
    "region": "Podravska",
    "municipality": "Ormož",
    "latitude": 46.409,
    "longitude": 16.155,
    "count": 9,
}


def thin_spot(seed: int = 2018) -> list[dict[str, Any]]:
    """Participants of the thin spot, from their own random stream (the rest of the demo set stays as it was)."""
    rng = random.Random(seed + 19)
    people = []
    for _ in range(THIN_SPOT["count"]):
        people.append(
            {
                "first_name": rng.choice(_FIRST["SI"]),
                "last_name": rng.choice(_LAST["SI"]),
                "birth_year": rng.randint(1980, 2000),
                "phone": f"+386 555 {rng.randint(100, 999)} {rng.randint(100, 999)}",
                "email": "",
                "address": "",
                "country": "SI",
                "region": THIN_SPOT["region"],
                "municipality": THIN_SPOT["municipality"],
                # Villages around the town, a few kilometres apart.
                "latitude": round(THIN_SPOT["latitude"] + rng.uniform(-0.02, 0.02), 4),
                "longitude": round(THIN_SPOT["longitude"] + rng.uniform(-0.03, 0.03), 4),
                "languages": "sl",
                "education_level": rng.choice(["primary", "vocational"]),
                "skills": written_skills(rng.sample(DEMO_SKILLS, rng.randint(1, 3)), "SI", rng),
                "interests": ",".join(rng.sample(["care", "food", "agriculture", "textiles"], 2)),
                "hours_per_week": rng.choice([10, 15, 20]),
                "travel_km": 15,
                "support_needs": "childcare_compatible,transport",
                "available_from": dt.date(2026, rng.randint(1, 6), rng.randint(1, 28)),
                "stage": "activation",
                "case_team_consent": True,
                "employer_profile_consent": False,
            }
        )
    return people
