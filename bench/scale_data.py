"""Load a country-sized portal database into PostgreSQL from a fixed seed, with COPY into the portal's own tables.

Usage: .venv/bin/python bench/scale_data.py --database-url postgresql://postgres@127.0.0.1:5432/portal_scale [--recreate]
       [--participants 200000] [--opportunities 100000] [--organisations 20000] [--ties 100000]
       [--audit-events 1000000] [--scale F | --small] [--seed 2018] [--no-network]

The URL may also come from PORTAL_BENCH_DATABASE_URL; without either the script says so and exits (so
`make bench` passes over it). It creates the database when it is missing (--recreate drops it first),
applies the project's migrations, loads the demo set with `portal.demo.loader.load_demo` (the demo
logins, password "demo", the ESCO skills and the real 2SoKroG network), then generates the rest and
COPYs it in: organisations of every kind, ties mostly within a region and some across the SI-HR
border, counsellor accounts at the social work centres and employment offices, enterprise and
employer accounts, open opportunities with ESCO skills, participants with consents, profiling,
plans, notes, case teams, referrals with their histories and notifications, introductions, and
audit events. Values are written as the app writes them (skills JSON via portal.skills.entries,
search text via the services' own functions, notifications through gettext). Then it sets the id
sequences, runs VACUUM ANALYZE and computes the network snapshot the pages read. Dates are relative to
today; everything else follows from --seed. --small is --scale 0.02 (about a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULTS = {"participants": 200_000, "opportunities": 100_000, "organisations": 20_000, "ties": 100_000}
# A year of case-file reads by a few hundred users: the /audit/ page is read against this.
DEFAULT_AUDIT_EVENTS = 1_000_000
SMALL_SCALE = 0.02

# municipalities.csv has no population, so regions are weighted by their census population
# (thousands, rounded, 2021 censuses) and, within a region, the seat (listed first) takes a third.
REGION_POPULATION = {
    "Pomurska": 114,
    "Podravska": 325,
    "Koroška": 70,
    "Savinjska": 257,
    "Zasavska": 57,
    "Posavska": 76,
    "Jugovzhodna Slovenija": 145,
    "Osrednjeslovenska": 555,
    "Gorenjska": 207,
    "Primorsko-notranjska": 53,
    "Goriška": 118,
    "Obalno-kraška": 116,
    "Zagrebačka županija": 300,
    "Krapinsko-zagorska županija": 120,
    "Sisačko-moslavačka županija": 140,
    "Karlovačka županija": 112,
    "Varaždinska županija": 160,
    "Koprivničko-križevačka županija": 101,
    "Bjelovarsko-bilogorska županija": 102,
    "Primorsko-goranska županija": 266,
    "Ličko-senjska županija": 43,
    "Virovitičko-podravska županija": 71,
    "Požeško-slavonska županija": 64,
    "Brodsko-posavska županija": 130,
    "Zadarska županija": 160,
    "Osječko-baranjska županija": 259,
    "Šibensko-kninska županija": 96,
    "Vukovarsko-srijemska županija": 144,
    "Splitsko-dalmatinska županija": 424,
    "Istarska županija": 196,
    "Dubrovačko-neretvanska županija": 116,
    "Međimurska županija": 106,
    "Grad Zagreb": 767,
}
SEAT_SHARE = 0.35
# Regions on either side of the border, where cross-border ties are drawn.
BORDER_REGIONS = {
    "SI": (
        "Pomurska",
        "Podravska",
        "Savinjska",
        "Posavska",
        "Jugovzhodna Slovenija",
        "Primorsko-notranjska",
        "Obalno-kraška",
    ),
    "HR": (
        "Međimurska županija",
        "Varaždinska županija",
        "Krapinsko-zagorska županija",
        "Zagrebačka županija",
        "Karlovačka županija",
        "Primorsko-goranska županija",
        "Istarska županija",
        "Grad Zagreb",
    ),
}
TIE_SPREAD = {"region": 0.85, "country": 0.135, "border": 0.015}

# Shares of the generated organisations; "other" takes the rest. Offices are about one per 15,000
# inhabitants, as the public services of the two countries are.
KIND_SHARES = {
    "employer": 0.55,
    "ngo": 0.24,
    "social_enterprise": 0.06,
    "municipality": 0.03,
    "adult_education": 0.025,
    "health_provider": 0.025,
    "social_work_centre": 0.01,
    "employment_office": 0.01,
    "development_agency": 0.005,
    "research": 0.003,
    "ministry": 0.001,
}
POSTING_KINDS = ("social_enterprise", "ngo", "employer")
# Accounts beside the counsellors: enterprise users at this many social enterprises and NGOs, and
# employer users at this many employers (at --scale 1).
ENTERPRISE_ACCOUNTS = 150
EMPLOYER_ACCOUNTS = 150

# What a tie from one kind usually is, and to which kinds: (relationship kind, target kinds, weight).
TIE_RULES: dict[str, tuple[tuple[str, tuple[str, ...], float], ...]] = {
    "social_work_centre": (
        ("cooperation", ("employment_office",), 2),
        ("referral_agreement", ("social_enterprise", "ngo"), 6),
        ("cooperation", ("health_provider", "municipality"), 1),
    ),
    "employment_office": (
        ("cooperation", ("employer",), 6),
        ("cooperation", ("adult_education", "social_enterprise"), 2),
    ),
    "social_enterprise": (
        ("cooperation", ("employer",), 4),
        ("membership", ("ngo",), 1),
        ("cooperation", ("social_enterprise",), 1),
    ),
    "ngo": (("membership", ("ngo",), 2), ("cooperation", ("ngo", "social_enterprise", "municipality"), 3)),
    "employer": (("cooperation", ("employer", "social_enterprise"), 2), ("membership", ("ngo",), 1)),
    "municipality": (("funding", ("ngo", "social_enterprise"), 5), ("cooperation", ("social_work_centre",), 1)),
    "adult_education": (("cooperation", ("social_work_centre", "employment_office", "ngo"), 1),),
    "health_provider": (("cooperation", ("social_work_centre", "ngo"), 1),),
    "development_agency": (("project_partner", ("municipality", "social_enterprise", "ngo", "development_agency"), 1),),
    "research": (("project_partner", ("development_agency", "ngo", "social_work_centre"), 1),),
    "ministry": (("funding", ("social_work_centre", "employment_office", "ngo"), 1),),
    "other": (("cooperation", ("ngo", "municipality", "employer"), 1),),
}
# Share of ties a source of each kind starts, roughly its activity in the network.
TIE_SOURCE_WEIGHT = {
    "social_work_centre": 40,
    "employment_office": 40,
    "social_enterprise": 6,
    "ngo": 1.5,
    "employer": 0.4,
    "municipality": 6,
    "adult_education": 3,
    "health_provider": 2,
    "development_agency": 8,
    "research": 4,
    "ministry": 30,
    "other": 0.5,
}

# --- words ---------------------------------------------------------------------------------------

STEMS = {
    "SI": (
        "Hrast Lipa Breza Sonček Mavrica Iskra Korak Most Vez Zarja Jutro Pot Dom Vrelec Studenec Kres Sidro "
        "Kompas Mozaik Spekter Zvezda Luna Oljka Trta Klas Žito Čebela Metulj Lastovka Sokol Planika Encijan "
        "Regrat Bršljan Javor Gaber Bukev Smreka Jelka Macesen Dren Vrba Kamen Skala Dolina Log Gaj Vrt Polje Izvir"
    ).split(),
    "HR": (
        "Hrast Lipa Breza Sunce Duga Iskra Korak Most Veza Zora Jutro Put Dom Vrelo Izvor Krijes Sidro Kompas "
        "Mozaik Spektar Zvijezda Mjesec Maslina Loza Klas Žito Pčela Leptir Lastavica Sokol Runolist Lavanda "
        "Maslačak Bršljan Javor Grab Bukva Smreka Jela Ariš Drijen Vrba Kamen Stijena Dolina Lug Gaj Vrt Polje Bistrica"
    ).split(),
}
FIRST_NAMES = {
    "SI": (
        "Ana Maja Nina Petra Urška Mojca Tina Barbara Jure Luka Matej Rok Tomaž Gregor Boštjan Andrej Milena "
        "Darja Simon Aleš Katja Mateja Nataša Špela Klemen Blaž Primož Uroš Irena Vesna"
    ).split(),
    "HR": (
        "Ivana Marija Petra Martina Kristina Snježana Ivan Marko Josip Tomislav Damir Zoran Dario Goran "
        "Nikolina Sanja Vesna Kruno Mario Dejan Ana Lucija Mateja Danijela Stjepan Ante Hrvoje Luka Zrinka Tena"
    ).split(),
}
LAST_NAMES = {
    "SI": (
        "Kovač Horvat Zupan Kralj Potočnik Golob Vidmar Kos Mlakar Turk Zajc Hribar Kavčič Rozman Lesjak "
        "Breznik Korošec Pintar Žnidarič Majcen Novak Krajnc Vovk Bizjak Kolar Oblak Jereb Petek Kern Zorko"
    ).split(),
    "HR": (
        "Horvat Novak Kovačević Babić Marić Jurić Novosel Tomašić Petrović Kolar Vuković Knežević Blažević "
        "Grgić Pavlić Šimunić Lovrić Perić Bogdan Matković Kovačić Božić Vidović Pavić Tomić Radić Bošnjak Mlinar Jukić Ivić"
    ).split(),
}
STREETS = {
    "SI": (
        "Glavni trg",
        "Kolodvorska ulica",
        "Šolska ulica",
        "Vrtna ulica",
        "Industrijska cesta",
        "Obrtniška ulica",
        "Cesta svobode",
        "Lipova ulica",
        "Mlinska ulica",
        "Partizanska cesta",
    ),
    "HR": (
        "Glavna ulica",
        "Kolodvorska ulica",
        "Školska ulica",
        "Vrtna ulica",
        "Industrijska ulica",
        "Obrtnička ulica",
        "Trg slobode",
        "Lipova ulica",
        "Zagrebačka ulica",
        "Ulica hrvatskih branitelja",
    ),
}
# One per theme of portal.opportunities.demo.THEMES: an employer's trade and what the organisation does.
THEME_WORDS = {
    "reuse": (("Servis", "Servis"), ("ponovno uporabo in popravilo predmetov", "ponovnu uporabu i popravak predmeta")),
    "kitchen": (("Gostilna", "Gostionica"), ("pripravo hrane in catering", "pripremu hrane i catering")),
    "textiles": (("Šivalnica", "Šivaonica"), ("šivanje in predelavo tekstila", "šivanje i preradu tekstila")),
    "garden": (("Vrtnarstvo", "Vrtlarstvo"), ("vrtnarjenje in zelene površine", "vrtlarstvo i zelene površine")),
    "wood": (("Mizarstvo", "Stolarija"), ("izdelavo pohištva", "izradu namještaja")),
    "metal": (("Kovinarstvo", "Bravarija"), ("kovinske izdelke", "metalne proizvode")),
    "cleaning": (("Čistilni servis", "Servis za čišćenje"), ("čiščenje prostorov", "čišćenje prostora")),
    "logistics": (("Logistika", "Logistika"), ("skladiščenje in dostavo", "skladištenje i dostavu")),
    "construction": (("Gradbeništvo", "Graditeljstvo"), ("gradbena dela", "građevinske radove")),
    "vehicles": (("Avtoservis", "Autoservis"), ("vzdrževanje vozil", "održavanje vozila")),
    "printing": (("Tiskarna", "Tiskara"), ("tisk in vezavo", "tisak i uvez")),
    "care": (
        ("Dom za starejše", "Dom za starije"),
        ("pomoč starejšim in ljudem v stiski", "pomoć starijima i osobama u potrebi"),
    ),
    "community": (
        ("Kulturni center", "Kulturni centar"),
        ("delo z mladimi in skupnostjo", "rad s mladima i zajednicom"),
    ),
    "office": (("Računovodstvo", "Knjigovodstvo"), ("pisarniške storitve", "uredske usluge")),
}
# Which themes each posting kind tends to have.
KIND_THEMES = {
    "social_enterprise": {"reuse": 4, "kitchen": 3, "textiles": 3, "garden": 3, "cleaning": 2, "wood": 1, "care": 1},
    "ngo": {"care": 5, "community": 5, "garden": 1, "office": 1, "reuse": 1},
    "employer": {
        "kitchen": 3,
        "cleaning": 3,
        "logistics": 3,
        "construction": 3,
        "wood": 2,
        "metal": 2,
        "vehicles": 2,
        "printing": 1,
        "care": 2,
        "garden": 1,
        "office": 1,
        "textiles": 1,
    },
}
# ESCO skills of a theme beyond those its demo offers name: English labels starting with these words.
THEME_KEYWORDS = {
    "reuse": ("repair", "waste", "recycl", "refurbish", "restore"),
    "kitchen": ("food", "cook", "bake", "kitchen", "meal", "pastry", "dish", "beverage"),
    "textiles": ("sew", "textile", "fabric", "garment", "iron", "knit"),
    "garden": ("garden", "plant", "crop", "harvest", "landscap", "tree", "flower", "soil"),
    "wood": ("wood", "furniture", "carpent", "timber"),
    "metal": ("metal", "weld", "steel"),
    "cleaning": ("clean", "laundry", "wash", "disinfect"),
    "logistics": ("pack", "goods", "warehouse", "stock", "deliver", "load", "pallet"),
    "construction": ("construct", "tile", "paint", "plaster", "wall", "roof", "brick", "concrete"),
    "vehicles": ("vehicle", "cars", "tyre", "engine"),
    "printing": ("print", "bind", "paper"),
    "care": ("elderly", "care", "patient", "disab", "child", "social service"),
    "community": ("event", "community", "youth", "volunteer"),
    "office": ("office", "computer", "document", "spreadsheet", "telephone", "data entry"),
}
SOFT_SKILLS = (
    "work in teams",
    "apply health and safety standards",
    "communicate with customers",
    "show empathy",
    "act reliably",
    "manage time",
    "show initiative",
    "adapt to change",
    "follow verbal instructions",
    "work independently",
    "have computer literacy",
)
TYPED_SHARE = 0.25  # a skill typed by the counsellor rather than picked: free text, no concept

STAGES = ("intake", "profiling", "activation", "placement", "employment", "exit")
STAGE_WEIGHTS = (3, 3, 5, 4, 2, 1)
# The current referral's status by stage, then those of earlier, finished ones.
CURRENT_STATUS = {
    "activation": {"proposed": 1, "sent": 2.5, "accepted": 2, "started": 3.5, "declined": 1},
    "placement": {"started": 4, "completed": 5, "dropped_out": 1},
    "employment": {"hired": 7, "completed": 3},
    "exit": {"completed": 4, "dropped_out": 4, "declined": 2},
}
EARLIER_STATUS = {"completed": 35, "declined": 30, "dropped_out": 25, "hired": 10}
PATHS = {
    "proposed": ("proposed",),
    "sent": ("sent",),
    "accepted": ("sent", "accepted"),
    "declined": ("sent", "declined"),
    "started": ("sent", "accepted", "started"),
    "completed": ("sent", "accepted", "started", "completed"),
    "dropped_out": ("sent", "accepted", "started", "dropped_out"),
    "hired": ("sent", "accepted", "started", "completed", "hired"),
}
HOLDS_PLACE = ("accepted", "started")
REASONS = {
    "declined": ("Ni prostega mentorja do pomladi.", "Nema slobodnog mentora do proljeća."),
    "dropped_out": ("Zdravstveni razlogi, dogovor za kasneje.", "Zdravstveni razlozi, dogovor za kasnije."),
}
MESSAGES = ("Predlagam za delovni preizkus.", "Predlažem za radnu probu.")
NOTES = (
    ("Prvi pogovor opravljen, dogovor o naslednjih korakih.", "Obavljen prvi razgovor, dogovoreni sljedeći koraci."),
    ("Udeleženec redno prihaja na srečanja.", "Korisnik redovito dolazi na susrete."),
    ("Dogovor o vključitvi v delavnico.", "Dogovor o uključivanju u radionicu."),
    ("Potrebna pomoč pri urejanju dokumentov.", "Potrebna pomoć oko dokumenata."),
)
PLAN_STEPS = (
    (
        ("Redna dnevna rutina", "Obisk delavnice dvakrat tedensko"),
        ("Redovita dnevna rutina", "Dolazak na radionicu dvaput tjedno"),
    ),
    (("Zaposlitev", "Priprava življenjepisa"), ("Zapošljavanje", "Izrada životopisa")),
    (("Usposabljanje", "Vpis v tečaj računalništva"), ("Osposobljavanje", "Upis na tečaj informatike")),
)
TEAM_ROLES = (
    "mentor",
    "zaposlitveni svetovalec",
    "socialni delavec",
    "savjetnik za zapošljavanje",
    "mentor na radnom mjestu",
)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as the app's codes: no 0/O or 1/I


def _slug(text: str, fold: Callable[[str], str]) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _stream(seed: int, name: str) -> random.Random:
    """One random stream per part, so changing one table's generator leaves the others as they were."""
    return random.Random(f"{seed}:{name}")


def _when(rng: random.Random, now: dt.datetime, days_back_max: float, days_back_min: float = 0.0) -> dt.datetime:
    return now - dt.timedelta(days=rng.uniform(days_back_min, days_back_max))


class Columns:
    """A table's columns and the rows generated for it, in COPY order."""

    def __init__(self, table: str, columns: Sequence[str]) -> None:
        self.table, self.columns, self.rows = table, tuple(columns), []


class World:
    """Everything generated, table by table, from one seed."""

    def __init__(self, args: argparse.Namespace, existing: dict[str, Any], timings: list) -> None:
        from portal.geo import places
        from portal.skills.shipped import shipped_vocabulary
        from portal.text import fold

        self.args, self.seed, self.existing = args, args.seed, existing
        self.fold = fold
        self.now = dt.datetime.now(dt.UTC)
        self.today = self.now.date()
        self.vocabulary = shipped_vocabulary()
        self.places_by_region: dict[str, list[Any]] = defaultdict(list)
        for place in places():
            self.places_by_region[place.region].append(place)
        self.regions = list(REGION_POPULATION)
        # Cumulative weights: random.choices would otherwise sum the weights again on every draw.
        self.region_weights = list(itertools.accumulate(REGION_POPULATION[r] for r in self.regions))
        self.country_of = {place.region: place.country for place in places()}
        self.next_id = dict(existing["next_id"])
        self.timings = timings
        self._skill_pools()

    # -- shared helpers ----------------------------------------------------------------------------

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def place(self, rng: random.Random, region: str | None = None) -> Any:
        region = region or rng.choices(self.regions, cum_weights=self.region_weights)[0]
        towns = self.places_by_region[region]
        if len(towns) == 1 or rng.random() < SEAT_SHARE:
            return towns[0]
        return rng.choice(towns[1:])

    def label(self, uri: str, language: str) -> str:
        labels = self.vocabulary.labels
        return (labels.get(language, {}).get(uri) or labels["en"][uri])[0]

    def _skill_pools(self) -> None:
        """Per theme, the concepts its demo offers ask for first (the common ones), then related ESCO skills."""
        import csv

        from portal.opportunities.demo import THEMES
        from portal.skills.importer import SHIPPED_VOCABULARY

        uri_of = self.vocabulary.uri_of
        with SHIPPED_VOCABULARY.open(newline="", encoding="utf-8") as f:
            specific = [row["preferredLabel"] for row in csv.DictReader(f) if row["reuseLevel"] != "transversal"]
        self.themes = THEMES
        self.pools: dict[str, list[str]] = {}
        for theme, (_, offers) in THEMES.items():
            named = [label for offer in offers for label in (*offer.required, *offer.optional) if label in uri_of]
            pattern = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in THEME_KEYWORDS[theme]) + ")")
            related = [label for label in specific if pattern.search(label.lower()) and label not in named]
            rng = _stream(self.seed, f"pool:{theme}")
            rng.shuffle(related)
            self.pools[theme] = [uri_of[label] for label in dict.fromkeys(named)] + [
                uri_of[label] for label in related[:40]
            ]
        self.soft = [uri_of[label] for label in SOFT_SKILLS if label in uri_of]

    def pick_skills(self, rng: random.Random, themes: Sequence[str], count: int) -> list[str]:
        """``count`` distinct concepts: one or two soft skills, the rest from the themes, common ones first."""
        chosen: dict[str, None] = {}
        for uri in rng.sample(self.soft, min(len(self.soft), 1 if count < 4 else 2)):
            chosen[uri] = None
        tries = 0
        while len(chosen) < count and tries < 50:
            tries += 1
            pool = self.pools[rng.choice(themes)]
            # Zipf-like: the first concepts of a pool (what places ask for) are the ones people hold most.
            chosen[pool[min(len(pool) - 1, int(rng.paretovariate(1.2)) - 1)]] = None
        return list(chosen)

    def timed(self, name: str, rows: int, started: float) -> None:
        self.timings.append((name, rows, time.perf_counter() - started))

    # -- organisations -----------------------------------------------------------------------------

    def organisations(self) -> Columns:
        from portal.organisations.kinds import ORGANISATION_KINDS
        from portal.organisations.services import search_text

        started = time.perf_counter()
        out = Columns(
            "organisation",
            (
                "id name slug kind country region municipality address postcode latitude longitude languages email "
                "phone website contact_person description registry_id search_text created_at updated_at"
            ).split(),
        )
        rng = _stream(self.seed, "organisations")
        count = self.args.organisations
        kinds = [k for k in KIND_SHARES for _ in range(round(KIND_SHARES[k] * count))]
        kinds += ["other"] * (count - len(kinds))
        kinds = kinds[:count]
        assert set(kinds) <= set(ORGANISATION_KINDS), "a kind the schema does not allow"
        rng.shuffle(kinds)
        slugs = set(self.existing["slugs"])
        names_seen: dict[str, int] = defaultdict(int)
        self.orgs: list[dict[str, Any]] = []
        for kind in kinds:
            place = self.place(rng, region=self._capital(rng) if kind == "ministry" else None)
            country = place.country
            local = 0 if country == "SI" else 1
            theme = ""
            if kind in KIND_THEMES:
                themes = KIND_THEMES[kind]
                theme = rng.choices(list(themes), list(themes.values()))[0]
            name, description = self._name(rng, kind, place, theme, local)
            names_seen[name] += 1
            if names_seen[name] > 1:
                name = f"{name} ({names_seen[name]})"
            base = _slug(name, self.fold)[:110]
            slug, n = base, 1
            while slug in slugs:
                n += 1
                slug = f"{base}-{n}"
            slugs.add(slug)
            languages = ["sl" if country == "SI" else "hr"]
            if rng.random() < 0.5:
                languages.append("en")
            if rng.random() < 0.15:
                languages.append("de")
            created = _when(rng, self.now, 5 * 365, 30)
            org = {
                "id": self.new_id("organisation"),
                "name": name,
                "kind": kind,
                "country": country,
                "region": place.region,
                "municipality": place.name,
                "latitude": round(place.latitude + rng.uniform(-0.015, 0.015), 5),
                "longitude": round(place.longitude + rng.uniform(-0.015, 0.015), 5),
                "languages": languages,
                "theme": theme,
                "description": description,
                "registry_id": "".join(rng.choice("0123456789") for _ in range(10 if local == 0 else 11))
                if rng.random() < 0.8
                else "",
            }
            self.orgs.append(org)
            out.rows.append(
                (
                    org["id"],
                    name,
                    slug,
                    kind,
                    country,
                    place.region,
                    place.name,
                    f"{rng.choice(STREETS[country])} {rng.randint(1, 80)}",
                    "",
                    org["latitude"],
                    org["longitude"],
                    ",".join(languages),
                    f"info@{slug}.example.org",
                    f"+{386 if local == 0 else 385} {rng.randint(1, 7)} 555 {rng.randint(1000, 9999)}",
                    f"https://{slug}.example.org" if rng.random() < 0.7 else "",
                    rng.choice(("Vodja programov", "Direktor/ica", "Koordinator/ica", "Mentor/ica")),
                    description,
                    org["registry_id"],
                    search_text(org),
                    created,
                    created + dt.timedelta(days=rng.uniform(0, (self.now - created).days)),
                )
            )
        self.timed("organisation (generate)", len(out.rows), started)
        return out

    def _capital(self, rng: random.Random) -> str:
        return "Osrednjeslovenska" if rng.random() < 0.5 else "Grad Zagreb"

    def _name(self, rng: random.Random, kind: str, place: Any, theme: str, local: int) -> tuple[str, str]:
        town, stem = place.name, rng.choice(STEMS[place.country])
        public = {
            "social_work_centre": (f"Center za socialno delo {town}", f"Centar za socijalnu skrb {town}"),
            "employment_office": (
                f"Zavod RS za zaposlovanje, Urad za delo {town}",
                f"Hrvatski zavod za zapošljavanje, Ispostava {town}",
            ),
            "municipality": (f"Krajevna skupnost {stem}, {town}", f"Mjesni odbor {stem}, {town}"),
            "adult_education": (f"Ljudska univerza {town}", f"Pučko otvoreno učilište {town}"),
            "health_provider": (f"Zdravstvena postaja {stem}, {town}", f"Ambulanta {stem}, {town}"),
            "development_agency": (f"Razvojna agencija {stem}", f"Razvojna agencija {stem}"),
            "research": (f"Inštitut {stem}", f"Institut {stem}"),
            "ministry": (f"Urad vlade za {stem.lower()}", f"Ured vlade {stem}"),
            "other": (f"Javni zavod {stem}", f"Javna ustanova {stem}"),
        }
        if kind in public:
            what = ("javne storitve", "javne usluge")[local]
            return public[kind][local], (
                f"Organizacija za {what} v kraju {town}.",
                f"Organizacija za {what} u mjestu {town}.",
            )[local]
        trade, activity = (words[local] for words in THEME_WORDS[theme])
        if kind == "employer":
            name = f"{trade} {stem} {town} d.o.o."
            text = (
                f"Podjetje za {activity}; sprejema udeležence socialne aktivacije. Sedež: {town}.",
                f"Poduzeće za {activity}; prima korisnike socijalne aktivacije. Sjedište: {town}.",
            )[local]
        elif kind == "social_enterprise":
            pattern = rng.choice((("Zadruga {}", "Zavod {}, so.p."), ("Socijalna zadruga {}", "Zadruga {}"))[local])
            name = pattern.format(f"{stem} {town}")
            text = (
                f"Socialno podjetje za {activity}; zaposluje ranljive skupine. Sedež: {town}.",
                f"Socijalno poduzeće za {activity}; zapošljava ranjive skupine. Sjedište: {town}.",
            )[local]
        else:
            pattern = rng.choice((("Društvo {}", "Zavod {}"), ("Udruga {}", "Centar za podršku {}"))[local])
            name = pattern.format(f"{stem} {town}")
            text = (
                f"Nevladna organizacija za {activity}; izvaja programe socialne aktivacije. Sedež: {town}.",
                f"Udruga za {activity}; provodi programe socijalne aktivacije. Sjedište: {town}.",
            )[local]
        return name, text

    # -- ties --------------------------------------------------------------------------------------

    def ties(self) -> Columns:
        from portal.organisations.kinds import RELATIONSHIP_KINDS

        started = time.perf_counter()
        out = Columns("relationship", "id source target kind since until strength note created_at updated_at".split())
        rng = _stream(self.seed, "ties")
        everyone = self.orgs + self.existing["organisations"]
        by_region_kind: dict[tuple[str, str], list[dict]] = defaultdict(list)
        by_country_kind: dict[tuple[str, str], list[dict]] = defaultdict(list)
        by_region: dict[str, list[dict]] = defaultdict(list)
        for org in everyone:
            by_region_kind[org["region"], org["kind"]].append(org)
            by_country_kind[org["country"], org["kind"]].append(org)
            by_region[org["region"]].append(org)
        weights = list(itertools.accumulate(TIE_SOURCE_WEIGHT.get(o["kind"], 0.5) for o in self.orgs))
        real = {o["id"] for o in self.existing["organisations"]}
        seen = set(self.existing["ties"])
        target_count = self.args.ties
        attempts = 0
        while len(out.rows) < target_count and attempts < target_count * 20:
            attempts += 1
            source = rng.choices(self.orgs, cum_weights=weights)[0] if rng.random() < 0.9 else rng.choice(everyone)
            rules = TIE_RULES.get(source["kind"], TIE_RULES["other"])
            tie_kind, target_kinds, _ = rng.choices(rules, [r[2] for r in rules])[0]
            target_kind = rng.choice(target_kinds)
            spread = rng.random()
            if spread < TIE_SPREAD["region"]:
                candidates = by_region_kind.get((source["region"], target_kind)) or by_region[source["region"]]
            elif spread < TIE_SPREAD["region"] + TIE_SPREAD["country"]:
                candidates = by_country_kind.get((source["country"], target_kind), [])
            else:
                if source["region"] not in BORDER_REGIONS[source["country"]]:
                    continue
                other = "HR" if source["country"] == "SI" else "SI"
                candidates = [o for r in BORDER_REGIONS[other] for o in by_region_kind.get((r, target_kind), [])]
                tie_kind = "cooperation"
            if not candidates:
                continue
            target = rng.choice(candidates)
            if target["id"] == source["id"] or (source["id"] in real and target["id"] in real):
                continue  # only the programme documents tie two real organisations
            key = (source["id"], target["id"], tie_kind)
            if key in seen or (target["id"], source["id"], tie_kind) in seen:
                continue
            seen.add(key)
            since = self.today - dt.timedelta(days=rng.randint(30, 10 * 365))
            until = since + dt.timedelta(days=rng.randint(365, 5 * 365)) if rng.random() < 0.12 else None
            created = dt.datetime.combine(since, dt.time(9), dt.UTC) + dt.timedelta(days=rng.randint(0, 60))
            created = min(created, self.now)
            out.rows.append(
                (
                    self.new_id("relationship"),
                    source["id"],
                    target["id"],
                    tie_kind,
                    since,
                    until,
                    rng.choices((1, 2, 3, 4, 5), (1, 3, 4, 3, 1))[0],
                    ""
                    if rng.random() < 0.3
                    else rng.choice(("Skupni program", "Zajednički program", "Dogovor o sodelovanju")),
                    created,
                    created,
                )
            )
        assert {row[3] for row in out.rows} <= set(RELATIONSHIP_KINDS)
        self.timed("relationship (generate)", len(out.rows), started)
        return out

    # -- accounts ----------------------------------------------------------------------------------

    def users(self, password_hash: str) -> Columns:
        """A counsellor at every generated social work centre and employment office; enterprise and employer users."""
        started = time.perf_counter()
        out = Columns(
            "portal_user",
            "id username password_hash display_name organisation role language is_active created_at last_login_at".split(),
        )
        rng = _stream(self.seed, "users")
        taken = set(self.existing["usernames"])
        self.org_users: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for user in self.existing["users"]:
            self.org_users[user["organisation"]].append(user)
        scale = self.args.scale
        hosts = [o for o in self.orgs if o["kind"] in ("social_enterprise", "ngo")]
        employers = [o for o in self.orgs if o["kind"] == "employer"]
        with_accounts = [
            (o, "counsellor") for o in self.orgs if o["kind"] in ("social_work_centre", "employment_office")
        ]
        with_accounts += [
            (o, "enterprise") for o in rng.sample(hosts, min(len(hosts), round(ENTERPRISE_ACCOUNTS * scale)))
        ]
        with_accounts += [
            (o, "employer") for o in rng.sample(employers, min(len(employers), round(EMPLOYER_ACCOUNTS * scale)))
        ]
        for org, role in with_accounts:
            country = org["country"]
            first, last = rng.choice(FIRST_NAMES[country]), rng.choice(LAST_NAMES[country])
            username = f"{role}-{org['id']}"
            if username in taken:
                continue
            taken.add(username)
            user = {
                "id": self.new_id("portal_user"),
                "username": username,
                "organisation": org["id"],
                "role": role,
                "language": "sl" if country == "SI" else "hr",
            }
            self.org_users[org["id"]].append(user)
            created = _when(rng, self.now, 3 * 365, 200)
            out.rows.append(
                (
                    user["id"],
                    username,
                    password_hash,
                    f"{first} {last}",
                    org["id"],
                    role,
                    user["language"],
                    True,
                    created,
                    _when(rng, self.now, 60) if rng.random() < 0.8 else None,
                )
            )
        self.timed("portal_user (generate)", len(out.rows), started)
        return out

    def counsellors_by_region(self) -> dict[str, list[dict[str, Any]]]:
        """Who leads cases in each region: every counsellor whose organisation is a centre or office there."""
        by_id = {o["id"]: o for o in self.orgs + self.existing["organisations"]}
        by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for org_id, users in self.org_users.items():
            org = by_id[org_id]
            if org["kind"] not in ("social_work_centre", "employment_office"):
                continue
            for user in users:
                if user["role"] == "counsellor":
                    by_region[org["region"]].append({**user, "region": org["region"], "country": org["country"]})
        return by_region

    # -- opportunities -----------------------------------------------------------------------------

    def opportunities(self) -> list[dict[str, Any]]:
        """Open places at social enterprises, NGOs and employers; a few organisations post many."""
        from portal.organisations.kinds import SPOKEN_LANGUAGES
        from portal.vocab import OPPORTUNITY_KINDS, SECTORS

        started = time.perf_counter()
        rng = _stream(self.seed, "opportunities")
        hosts = [o for o in self.orgs if o["kind"] in POSTING_KINDS]
        # An organisation's size: lognormal, so a few big employers and enterprises post dozens.
        sizes = [rng.lognormvariate(0, 1.0) * (3 if o["kind"] == "social_enterprise" else 1) for o in hosts]
        fallback = self.existing["coordinator"]
        self.opps: list[dict[str, Any]] = []
        for org in rng.choices(hosts, sizes, k=self.args.opportunities):
            sector, offers = self.themes[org["theme"]]
            offer = rng.choice(offers)
            local = 0 if org["country"] == "SI" else 1
            title, description = offer.sl if local == 0 else offer.hr
            language = "sl" if local == 0 else "hr"
            uri_of = self.vocabulary.uri_of
            required = [uri_of[label] for label in offer.required if label in uri_of]
            optional = [uri_of[label] for label in offer.optional if label in uri_of]
            # Places of one kind differ: an extra skill or two from the theme.
            for _ in range(rng.choice((0, 0, 1, 2))):
                uri = rng.choice(self.pools[org["theme"]][:25])
                if uri not in required and uri not in optional:
                    (required if rng.random() < 0.4 else optional).append(uri)
            posters = [u for u in self.org_users.get(org["id"], []) if u["role"] in ("enterprise", "employer")]
            created = _when(rng, self.now, 365)
            starts_on = self.today + dt.timedelta(days=rng.randint(-120, 60))
            months = rng.choice((3, 6, 12, 0))
            languages = [language] if rng.random() < 0.8 else ([language, "en"] if rng.random() < 0.5 else [])
            assert set(languages) <= set(SPOKEN_LANGUAGES) and offer.kind in OPPORTUNITY_KINDS
            self.opps.append(
                {
                    "id": self.new_id("opportunity"),
                    "organisation": org["id"],
                    "organisation_name": org["name"],
                    "kind": offer.kind,
                    "title": title,
                    "description": description,
                    "required": [{"uri": u, "label": self.label(u, language)} for u in required],
                    "optional": [{"uri": u, "label": self.label(u, language)} for u in optional],
                    "sector": offer.sector or sector,
                    "country": org["country"],
                    "region": org["region"],
                    "municipality": org["municipality"],
                    "latitude": org["latitude"],
                    "longitude": org["longitude"],
                    "hours_per_week": offer.hours,
                    "starts_on": starts_on,
                    "ends_on": starts_on + dt.timedelta(days=30 * months) if months else None,
                    "capacity": rng.choices((1, 2, 3, 4, 5, 6, 8, 10), (5, 5, 4, 3, 2, 2, 1, 1))[0],
                    "places_taken": 0,
                    "support_offered": ",".join(offer.support),
                    "languages": ",".join(languages),
                    "created_by": rng.choice(posters)["id"] if posters else fallback,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            assert self.opps[-1]["sector"] in SECTORS
        self.opps_by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for opp in self.opps + self.existing["opportunities"]:
            self.opps_by_region[opp["region"]].append(opp)
        self.timed("opportunity (generate)", len(self.opps), started)
        return self.opps

    def opportunity_rows(self) -> Columns:
        from portal.opportunities.services import search_text_for
        from portal.skills.entries import dumps

        started = time.perf_counter()
        out = Columns(
            "opportunity",
            (
                "id organisation kind title description required_skills optional_skills sector country region "
                "municipality latitude longitude hours_per_week starts_on ends_on capacity places_taken "
                "support_offered languages status search_text created_by created_at updated_at"
            ).split(),
        )
        for o in self.opps:
            values = {**o, "required_skills": o["required"], "optional_skills": o["optional"]}
            out.rows.append(
                (
                    o["id"],
                    o["organisation"],
                    o["kind"],
                    o["title"],
                    o["description"],
                    dumps(o["required"]),
                    dumps(o["optional"]),
                    o["sector"],
                    o["country"],
                    o["region"],
                    o["municipality"],
                    o["latitude"],
                    o["longitude"],
                    o["hours_per_week"],
                    o["starts_on"],
                    o["ends_on"],
                    o["capacity"],
                    o["places_taken"],
                    o["support_offered"],
                    o["languages"],
                    "open",
                    search_text_for(values, o["organisation_name"]),
                    o["created_by"],
                    o["created_at"],
                    o["updated_at"],
                )
            )
        self.timed("opportunity (rows)", len(out.rows), started)
        return out

    # -- participants and their case files ---------------------------------------------------------

    def participants(self) -> dict[str, Columns]:
        from portal.cases.names import name_search
        from portal.cases.profiling import CRITERIA, assess
        from portal.i18n import gettext, use_language
        from portal.referrals.flow import STATUSES
        from portal.skills.entries import dumps, skill_terms
        from portal.vocab import EDUCATION_LEVELS, SUPPORT

        started = time.perf_counter()
        t = {
            "participant": Columns(
                "participant",
                (
                    "id code first_name last_name name_search birth_year phone email address organisation lead_counsellor region "
                    "municipality latitude longitude languages education_level skills skill_terms interests hours_per_week "
                    "travel_km support_needs available_from stage support_level created_at updated_at"
                ).split(),
            ),
            "stage_change": Columns("stage_change", "id participant stage note changed_by changed_at".split()),
            "consent": Columns("consent", "id participant scope given recorded_by recorded_at note".split()),
            "profiling_assessment": Columns(
                "profiling_assessment",
                "id participant answers points computed_level override_level override_reason assessed_by assessed_at".split(),
            ),
            "plan_step": Columns("plan_step", "id participant goal step due_on done_on created_by created_at".split()),
            "case_note": Columns("case_note", "id participant text author written_at".split()),
            "case_team_member": Columns("case_team_member", "id participant user role added_by added_at".split()),
            "referral": Columns(
                "referral",
                "id participant opportunity referred_by message status reason holds_place created_at updated_at".split(),
            ),
            "referral_event": Columns(
                "referral_event", "id referral from_status to_status reason changed_by changed_at".split()
            ),
            "notification": Columns("notification", "id user message link read created_at".split()),
        }
        rng = _stream(self.seed, "participants")
        codes = set(self.existing["codes"])
        leads = self.counsellors_by_region()
        leads_by_country: dict[str, list[dict]] = defaultdict(list)
        for users in leads.values():
            for user in users:
                leads_by_country[user["country"]].append(user)
        team_pool: dict[str, list[dict]] = defaultdict(list)  # enterprise users and counsellors per region
        by_id = {o["id"]: o for o in self.orgs + self.existing["organisations"]}
        for org_id, users in self.org_users.items():
            for user in users:
                if user["role"] in ("enterprise", "counsellor"):
                    team_pool[by_id[org_id]["region"]].append(user)
        places_left = {o["id"]: o["capacity"] - o["places_taken"] for o in self.opps + self.existing["opportunities"]}
        taken = defaultdict(int)
        host_users = {
            org_id: [u for u in users if u["role"] in ("enterprise", "employer")]
            for org_id, users in self.org_users.items()
        }
        assessments: dict[tuple, tuple[int, str]] = {}
        themes_all = list(self.pools)
        self.pool_members: list[dict[str, Any]] = []
        self.caseloads: dict[int, list[int]] = defaultdict(list)
        self.employer_pairs: set[tuple[int, int]] = set()
        education = list(EDUCATION_LEVELS)
        support = list(SUPPORT)
        status_labels = {}
        for code_lang in ("sl", "hr", "en"):
            with use_language(code_lang):
                status_labels[code_lang] = {s: str(label) for s, label in STATUSES.items()}
                status_labels[code_lang]["_case"] = gettext("Referral of %(code)s: %(status)s")
                status_labels[code_lang]["_host"] = gettext("New referral %(code)s in your inbox")

        for _ in range(self.args.participants):
            pid = self.new_id("participant")
            place = self.place(rng)
            country, region = place.country, place.region
            local = 0 if country == "SI" else 1
            language = "sl" if local == 0 else "hr"
            code = "P-" + "".join(rng.choice(_ALPHABET) for _ in range(6))
            while code in codes:
                code = "P-" + "".join(rng.choice(_ALPHABET) for _ in range(6))
            codes.add(code)
            lead = rng.choice(leads.get(region) or leads_by_country[country])
            self.caseloads[lead["id"]].append(pid)
            stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
            stage_index = STAGES.index(stage)
            themes = rng.sample(themes_all, rng.choice((1, 1, 2)))
            count = rng.choices((2, 3, 4, 5, 6, 7, 8), (3, 4, 4, 3, 2, 1, 1))[0]
            skills = []
            for uri in self.pick_skills(rng, themes, count):
                labels = self.vocabulary.labels.get(language, {}).get(uri) or self.vocabulary.labels["en"][uri]
                if rng.random() < TYPED_SHARE:
                    skills.append({"uri": "", "label": rng.choice(labels[1:] or labels)})
                else:
                    skills.append({"uri": uri, "label": labels[0]})
            languages = [language] + (["en"] if rng.random() < 0.3 else []) + (["de"] if rng.random() < 0.08 else [])
            needs = rng.sample(support, rng.choices((0, 1, 2), (50, 35, 15))[0])
            interests = dict.fromkeys(self.themes[th][0] for th in themes)
            first, last = rng.choice(FIRST_NAMES[country]), rng.choice(LAST_NAMES[country])
            created = _when(rng, self.now, 3 * 365, 1)
            # Each stage reached took some weeks; the last change is the case's updated_at.
            changes = [created]
            for _ in range(stage_index):
                changes.append(min(self.now, changes[-1] + dt.timedelta(days=rng.uniform(7, 120))))
            support_level = ""
            if stage_index >= 1:
                answers = tuple((c.code, rng.choice(c.answers).code) for c in CRITERIA)
                if answers not in assessments:
                    result, _ = assess(dict(answers))
                    assessments[answers] = (result.points, result.level)
                points, level = assessments[answers]
                override = rng.choice(("low", "medium", "high")) if rng.random() < 0.05 else ""
                support_level = override or level
                t["profiling_assessment"].rows.append(
                    (
                        self.new_id("profiling_assessment"),
                        pid,
                        json.dumps(dict(answers)),
                        points,
                        level,
                        override,
                        "Presoja svetovalca po pogovoru." if override else "",
                        lead["id"],
                        changes[1],
                    )
                )
            t["participant"].rows.append(
                (
                    pid,
                    code,
                    first,
                    last,
                    name_search(first, last),  # what the caseload search reads (portal.cases.names)
                    rng.randint(1962, 2005),
                    f"+{386 if local == 0 else 385} 555 {rng.randint(100, 999)} {rng.randint(100, 999)}",
                    f"{self.fold(first)}.{self.fold(last)}{rng.randint(1, 99)}@example.org"
                    if rng.random() < 0.4
                    else "",
                    f"{rng.choice(STREETS[country])} {rng.randint(1, 80)}" if rng.random() < 0.6 else "",
                    lead["organisation"],
                    lead["id"],
                    region,
                    place.name,
                    place.latitude,
                    place.longitude,
                    ",".join(languages),
                    rng.choices(education, (1, 4, 4, 3, 1))[0],
                    dumps(skills),
                    skill_terms(dumps(skills)),  # what the employers' skill filter reads (portal.skills.entries)
                    ",".join(interests),
                    rng.choice((10, 15, 20, 20, 30, 40)),
                    rng.choice((5, 10, 15, 20, 30, 50)),
                    ",".join(needs),
                    self.today + dt.timedelta(days=rng.randint(-180, 120)) if rng.random() < 0.9 else None,
                    stage,
                    support_level,
                    created,
                    changes[-1],
                )
            )
            for index, when in enumerate(changes):
                t["stage_change"].rows.append((self.new_id("stage_change"), pid, STAGES[index], "", lead["id"], when))
            if stage_index >= 1:
                for n in range(rng.randint(1, 3)):
                    (goal, step) = PLAN_STEPS[(n + pid) % len(PLAN_STEPS)][local]
                    due = changes[1].date() + dt.timedelta(days=rng.randint(14, 200))
                    done = (
                        due - dt.timedelta(days=rng.randint(0, 10)) if due < self.today and rng.random() < 0.7 else None
                    )
                    t["plan_step"].rows.append(
                        (self.new_id("plan_step"), pid, goal, step, due, done, lead["id"], changes[1])
                    )
            for n in range(rng.randint(0 if stage_index == 0 else 1, 4)):
                t["case_note"].rows.append(
                    (
                        self.new_id("case_note"),
                        pid,
                        NOTES[(n + pid) % len(NOTES)][local],
                        lead["id"],
                        _when(rng, self.now, max(1.0, (self.now - created).days)),
                    )
                )
            # Consents: shared with the team by most; shown to employers by some of those further on.
            case_team = rng.random() < 0.7
            profile = stage in ("activation", "placement", "employment") and rng.random() < 0.6
            contact = profile and rng.random() < 0.5
            for scope, given in (
                ("case_team", case_team),
                ("employer_profile", profile),
                ("employer_contact", contact),
            ):
                if not given and rng.random() < 0.9:
                    continue  # most never decided: counts as not given
                at = _when(rng, self.now, max(1.0, (self.now - created).days))
                t["consent"].rows.append((self.new_id("consent"), pid, scope, given, lead["id"], at, ""))
                if given and rng.random() < 0.04:  # withdrawn later: the newest row is in force
                    t["consent"].rows.append(
                        (
                            self.new_id("consent"),
                            pid,
                            scope,
                            False,
                            lead["id"],
                            min(self.now, at + dt.timedelta(days=30)),
                            "",
                        )
                    )
                    if scope == "employer_profile":
                        profile = False
            if rng.random() < 0.25 and team_pool.get(region):
                for member in rng.sample(team_pool[region], min(len(team_pool[region]), rng.randint(1, 2))):
                    if member["id"] == lead["id"]:
                        continue
                    t["case_team_member"].rows.append(
                        (
                            self.new_id("case_team_member"),
                            pid,
                            member["id"],
                            rng.choice(TEAM_ROLES),
                            lead["id"],
                            changes[-1],
                        )
                    )
            # Referrals: the current one by stage, after up to four earlier, finished ones.
            finished_programme = False
            if stage in CURRENT_STATUS:
                nearby = self.opps_by_region.get(region) or self.opps
                picks = []
                for _ in range(rng.choices((0, 1, 2, 3, 4), (2, 3, 3, 1, 1))[0]):
                    picks.append((rng.choices(list(EARLIER_STATUS), list(EARLIER_STATUS.values()))[0], 730, 60))
                current = CURRENT_STATUS[stage]
                picks.append((rng.choices(list(current), list(current.values()))[0], 120, 1))
                for status, back_max, back_min in picks:
                    # A counsellor picks among a few nearby places, preferring the person's sectors.
                    options = rng.sample(nearby, min(3, len(nearby)))
                    opp = next((o for o in options if o["sector"] in interests), options[0])
                    is_current = back_min == 1
                    if status in HOLDS_PLACE and is_current:
                        if places_left[opp["id"]] <= 0:
                            status = "sent"  # never over-book, as the app's conditional update
                        else:
                            places_left[opp["id"]] -= 1
                            taken[opp["id"]] += 1
                    if status in ("completed", "hired"):
                        finished_programme = True
                    self._referral(
                        t, rng, pid, code, lead, opp, status, is_current, back_max, back_min, host_users, status_labels
                    )
            if profile and (stage == "placement" or (stage == "activation" and finished_programme)):
                self.pool_members.append({"id": pid, "region": region, "lead": lead, "contact": contact})
        for opp in self.opps:
            opp["places_taken"] = taken.get(opp["id"], 0)
        self.demo_places_taken = {o["id"]: taken[o["id"]] for o in self.existing["opportunities"] if taken.get(o["id"])}
        self.timed("participants and case files (generate)", len(t["participant"].rows), started)
        return t

    def _referral(
        self, t, rng, pid, code, lead, opp, status, is_current, back_max, back_min, host_users, labels
    ) -> None:
        local = 0 if opp["country"] == "SI" else 1
        rid = self.new_id("referral")
        first = when = _when(rng, self.now, back_max, back_min)
        previous = ""
        hosts = host_users.get(opp["organisation"], [])
        for step in PATHS[status]:
            by = lead["id"] if step in ("proposed", "sent") else opp["created_by"]
            t["referral_event"].rows.append(
                (self.new_id("referral_event"), rid, previous, step, REASONS.get(step, ("", ""))[local], by, when)
            )
            recent = (self.now - when).days < 10
            if step == "sent":
                for host in hosts:
                    name = code
                    if host["role"] == "employer":
                        self.employer_pairs.add((opp["organisation"], pid))
                        name = f"@{opp['organisation']}:{pid}"  # replaced by the employer's pseudonym
                    lang = host["language"] or "en"
                    t["notification"].rows.append(
                        [
                            self.new_id("notification"),
                            host["id"],
                            (labels[lang]["_host"], name),
                            f"/referrals/{rid}",
                            not recent,
                            when,
                        ]
                    )
            elif step != "proposed":
                lang = lead.get("language") or "en"
                message = labels[lang]["_case"] % {"code": code, "status": labels[lang][step]}
                t["notification"].rows.append(
                    [self.new_id("notification"), lead["id"], message, f"/cases/{pid}#referrals", not recent, when]
                )
            previous = step
            if step != PATHS[status][-1]:
                when = min(self.now, when + dt.timedelta(days=rng.uniform(2, 30)))
        t["referral"].rows.append(
            (
                rid,
                pid,
                opp["id"],
                lead["id"],
                MESSAGES[local],
                status,
                REASONS.get(status, ("", ""))[local],
                is_current and status in HOLDS_PLACE,
                first,
                when,
            )
        )

    # -- employers ---------------------------------------------------------------------------------

    def employer_side(self, notifications: Columns) -> dict[str, Columns]:
        """Pseudonyms for every person an employer has seen, and introductions asked of the pool."""
        started = time.perf_counter()
        t = {
            "candidate_pseudonym": Columns(
                "candidate_pseudonym", "id organisation participant pseudonym created_at".split()
            ),
            "introduction": Columns(
                "introduction",
                "id organisation participant opportunity requested_by message status reason contact_shared created_at updated_at".split(),
            ),
            "introduction_event": Columns(
                "introduction_event", "id introduction from_status to_status reason changed_by changed_at".split()
            ),
        }
        rng = _stream(self.seed, "employers")
        used = set(self.existing["pseudonyms"])
        names: dict[tuple[int, int], str] = {}

        def pseudonym(org_id: int, pid: int) -> str:
            if (org_id, pid) not in names:
                value = "K-" + "".join(rng.choice(_ALPHABET) for _ in range(6))
                while value in used:
                    value = "K-" + "".join(rng.choice(_ALPHABET) for _ in range(6))
                used.add(value)
                names[org_id, pid] = value
                t["candidate_pseudonym"].rows.append(
                    (self.new_id("candidate_pseudonym"), org_id, pid, value, _when(rng, self.now, 300))
                )
            return names[org_id, pid]

        employer_users = [
            u
            for users in self.org_users.values()
            for u in users
            if u["role"] == "employer" and u["id"] not in self.existing["demo_ids"]
        ]
        own_openings = defaultdict(list)
        for opp in self.opps:
            own_openings[opp["organisation"]].append(opp["id"])
        members_by_region: dict[str, list[dict]] = defaultdict(list)
        for member in self.pool_members:
            members_by_region[member["region"]].append(member)
        org_region = {o["id"]: o["region"] for o in self.orgs}
        for user in employer_users:
            nearby = members_by_region.get(org_region.get(user["organisation"], ""), [])
            for member in rng.sample(nearby, min(len(nearby), rng.randint(0, 4))):
                status = rng.choices(("requested", "accepted", "declined", "withdrawn"), (40, 35, 20, 5))[0]
                iid = self.new_id("introduction")
                asked = _when(rng, self.now, 200, 1)
                answered = min(self.now, asked + dt.timedelta(days=rng.uniform(1, 14)))
                pseudonym(user["organisation"], member["id"])
                openings = own_openings.get(user["organisation"])
                reason = {
                    "accepted": "Dogovorjeno, oseba se veseli srečanja.",
                    "declined": "Oseba trenutno ni na voljo.",
                }.get(status, "")
                t["introduction"].rows.append(
                    (
                        iid,
                        user["organisation"],
                        member["id"],
                        rng.choice(openings) if openings and rng.random() < 0.6 else None,
                        user["id"],
                        "Iščemo pomoč v delavnici, 20 ur na teden. Bi se lahko srečali?",
                        status,
                        reason,
                        status == "accepted" and member["contact"],
                        asked,
                        asked if status == "requested" else answered,
                    )
                )
                t["introduction_event"].rows.append(
                    (self.new_id("introduction_event"), iid, "", "requested", "", user["id"], asked)
                )
                if status != "requested":
                    by = user["id"] if status == "withdrawn" else member["lead"]["id"]
                    t["introduction_event"].rows.append(
                        (self.new_id("introduction_event"), iid, "requested", status, reason, by, answered)
                    )
        for org_id, pid in sorted(self.employer_pairs):
            pseudonym(org_id, pid)
        # Host notifications to employer users name the person by that employer's pseudonym.
        for row in notifications.rows:
            if isinstance(row[2], tuple):
                text, name = row[2]
                if name.startswith("@"):
                    org_id, pid = (int(x) for x in name[1:].split(":"))
                    name = names[org_id, pid]
                row[2] = text % {"code": name}
        self.timed("employer side (generate)", len(t["introduction"].rows), started)
        return t

    # -- audit -------------------------------------------------------------------------------------

    def audit(self) -> Columns:
        started = time.perf_counter()
        out = Columns("audit_event", 'id at "user" username action record_type record_id detail address'.split())
        rng = _stream(self.seed, "audit")
        usernames = {u["id"]: u["username"] for users in self.org_users.values() for u in users}
        readers = [(uid, pids) for uid, pids in self.caseloads.items() if pids and uid in usernames]
        weights = list(itertools.accumulate(len(pids) for _, pids in readers))
        details = (
            ("read", "case file"),
            ("read", "placement suggestions"),
            ("update", "profile"),
            ("create", "note"),
            ("refer", ""),
        )
        for _ in range(self.args.audit_events):
            uid, pids = rng.choices(readers, cum_weights=weights)[0]
            action, detail = rng.choices(details, (70, 15, 8, 4, 3))[0]
            out.rows.append(
                (
                    self.new_id("audit_event"),
                    _when(rng, self.now, 365),
                    uid,
                    usernames[uid],
                    action,
                    "participant",
                    rng.choice(pids),
                    detail,
                    f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                )
            )
        self.timed("audit_event (generate)", len(out.rows), started)
        return out


# --- the database --------------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


async def prepare_database(url: str, recreate: bool) -> None:
    """Create the database the URL names when missing; with ``recreate``, drop it first."""
    import asyncpg

    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name or ""):
        raise SystemExit(f"scale_data: expected a plain database name in the URL, not {name!r}")
    conn = await asyncpg.connect(_with_database(url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and recreate:
            await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def read_existing(conn: Any) -> dict[str, Any]:
    """What the demo loader put in: ids to continue from, and rows the generated data ties into."""
    tables = [
        r["table_name"]
        for r in await conn.fetch(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id'"
        )
    ]
    next_id = {t: (await conn.fetchval(f'SELECT coalesce(max(id), 0) FROM "{t}"')) + 1 for t in tables}
    organisations = [
        dict(r)
        for r in await conn.fetch(
            "SELECT id, name, kind, country, region, municipality, latitude, longitude FROM organisation ORDER BY id"
        )
    ]
    users = [
        dict(r)
        for r in await conn.fetch("SELECT id, username, organisation, role, language FROM portal_user ORDER BY id")
    ]
    opportunities = [
        dict(r)
        for r in await conn.fetch(
            "SELECT id, organisation, region, country, sector, capacity, places_taken, created_by FROM opportunity "
            "WHERE status = 'open' ORDER BY id"
        )
    ]
    demo_names = ("admin", "coordinator", "counsellor", "enterprise", "employer")
    return {
        "next_id": next_id,
        "organisations": organisations,
        "slugs": [r["slug"] for r in await conn.fetch("SELECT slug FROM organisation")],
        "ties": [
            (r["source"], r["target"], r["kind"])
            for r in await conn.fetch("SELECT source, target, kind FROM relationship")
        ],
        "users": users,
        "usernames": [u["username"] for u in users],
        "demo_ids": {u["id"] for u in users if u["username"] in demo_names},
        "coordinator": next(u["id"] for u in users if u["username"] == "coordinator"),
        "opportunities": opportunities,
        "codes": [r["code"] for r in await conn.fetch("SELECT code FROM participant")],
        "pseudonyms": [r["pseudonym"] for r in await conn.fetch("SELECT pseudonym FROM candidate_pseudonym")],
    }


async def copy(conn: Any, table: Columns, timings: list[tuple[str, int, float]]) -> None:
    started = time.perf_counter()
    columns = [c.strip('"') for c in table.columns]
    await conn.copy_records_to_table(table.table, records=[tuple(r) for r in table.rows], columns=columns)
    timings.append((f"{table.table} (COPY)", len(table.rows), time.perf_counter() - started))


async def load(args: argparse.Namespace) -> None:
    import asyncpg

    started = time.perf_counter()
    await prepare_database(args.database_url, args.recreate)
    from portal.auth.passwords import hash_password
    from portal.db.migrate import migrate_database
    from portal.db.tables import Organisation
    from portal.demo.loader import load_demo

    timings: list[tuple[str, int, float]] = []
    step = time.perf_counter()
    await migrate_database()
    timings.append(("migrations", 0, time.perf_counter() - step))
    if await Organisation.count() > 0:
        raise SystemExit("scale_data: the database already has data; pass --recreate to start it again")
    step = time.perf_counter()
    print(await load_demo(seed=args.seed), flush=True)
    timings.append(("demo set (portal.demo.loader.load_demo)", 0, time.perf_counter() - step))

    conn = await asyncpg.connect(args.database_url)
    try:
        existing = await read_existing(conn)
        world = World(args, existing, timings)
        step = time.perf_counter()
        # Nobody can log in to the generated accounts: one hash of a random secret serves them all.
        unusable = hash_password(os.urandom(24).hex())
        timings.append(("password hash (once)", 1, time.perf_counter() - step))
        organisations = world.organisations()
        ties = world.ties()
        users = world.users(unusable)
        world.opportunities()
        cases = world.participants()
        employers = world.employer_side(cases["notification"])
        audit = world.audit()
        opportunities = world.opportunity_rows()
        for table in (
            organisations,
            ties,
            users,
            opportunities,
            *cases.values(),
            *employers.values(),
            audit,
        ):
            await copy(conn, table, timings)
        step = time.perf_counter()
        for opp_id, count in world.demo_places_taken.items():
            await conn.execute("UPDATE opportunity SET places_taken = places_taken + $2 WHERE id = $1", opp_id, count)
        sequences = 0
        for table in existing["next_id"]:
            sequence = await conn.fetchval("SELECT pg_get_serial_sequence($1, 'id')", f'"{table}"')
            if sequence:
                await conn.execute(
                    f'SELECT setval($1, (SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)', sequence
                )
                sequences += 1
        timings.append(("places taken at demo places, setval", sequences, time.perf_counter() - step))
        step = time.perf_counter()
        # VACUUM as well, as autovacuum would soon after a load: without the visibility map a count
        # reads the table instead of an index (95 ms instead of 15 for 100,000 opportunities).
        await conn.execute("VACUUM ANALYZE")
        timings.append(("VACUUM ANALYZE", 0, time.perf_counter() - step))
    finally:
        await conn.close()
    if not args.no_network:
        from portal.network import jobs, services

        step = time.perf_counter()
        await jobs.run()
        status = await services.run_status()
        timings.append(("network snapshot (portal.network.jobs.run)", 0, time.perf_counter() - step))
        if status["failed"]:
            print(f"scale_data: the network computation failed: {status['error']}", file=sys.stderr)
    conn = await asyncpg.connect(args.database_url)
    try:
        counts = {t: await conn.fetchval(f'SELECT count(*) FROM "{t}"') for t in sorted(existing["next_id"])}
    finally:
        await conn.close()
    print(f"\nloaded {args.database_url} (seed {args.seed}, scale {args.scale:g}):")
    print(f"  {'step':<48} {'rows':>10} {'seconds':>8}")
    for name, rows, seconds in timings:
        print(f"  {name:<48} {rows:>10,} {seconds:>8.1f}")
    print(f"  {'total':<48} {'':>10} {time.perf_counter() - started:>8.1f}")
    print("\nrows per table:")
    for table, count in counts.items():
        print(f"  {table:<24} {count:>10,}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PORTAL_BENCH_DATABASE_URL", ""))
    for name in DEFAULTS:
        parser.add_argument(f"--{name}", type=int, default=None, help=f"default {DEFAULTS[name]:,} x --scale")
    parser.add_argument("--audit-events", type=int, default=None, help=f"default {DEFAULT_AUDIT_EVENTS:,} x --scale")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies every default size")
    parser.add_argument("--small", action="store_true", help=f"--scale {SMALL_SCALE}: a quick try")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--recreate", action="store_true", help="drop and create the database first")
    parser.add_argument("--no-network", action="store_true", help="skip computing the network snapshot")
    args = parser.parse_args(argv)
    if args.small:
        args.scale = SMALL_SCALE
    for name, default in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, max(1, round(default * args.scale)))
    if args.audit_events is None:
        args.audit_events = round(DEFAULT_AUDIT_EVENTS * args.scale)
    return args


def main() -> None:
    args = parse_args()
    if not args.database_url:
        print("scale_data: skipped; give --database-url or set PORTAL_BENCH_DATABASE_URL (a PostgreSQL database)")
        return
    if not args.database_url.startswith(("postgresql://", "postgres://")):
        raise SystemExit("scale_data: COPY needs PostgreSQL: the URL must start with postgresql://")
    # The portal reads its settings once, at first import: point them at the database being loaded.
    os.environ.update(
        PORTAL_ENV="development",
        PORTAL_DATABASE_URL=args.database_url,
        PORTAL_DATA_DIR=os.environ.get("PORTAL_DATA_DIR") or tempfile.mkdtemp(prefix="portal-scale-"),
        PORTAL_NETWORK_RECOMPUTE="manual",
    )
    asyncio.run(load(args))


if __name__ == "__main__":
    main()
