"""Built-in multilingual skill vocabulary and towns: the default text corpus and the material for synthetic data."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["CONCEPTS", "LANGUAGES", "SUPPORT_KINDS", "TOWNS", "Concept", "Town", "all_labels"]

_ESCO = "http://data.europa.eu/esco/skill/"


class Concept(NamedTuple):
    """A skill concept: its ESCO URI (or None), labels in English, Slovenian and Croatian, a sector,
    and ways counsellors type it (inflected or derived forms, in any of the three languages)."""

    uri: str | None
    en: str
    sl: str
    hr: str
    sector: str
    typed: tuple[str, ...] = ()


class Town(NamedTuple):
    """A town with its country code and coordinates in degrees."""

    name: str
    country: str
    lat: float
    lon: float


# ESCO labels are the official English ones ("ESCO, European Commission"); the Slovenian and
# Croatian labels are the everyday words counsellors type, not ESCO's official translations.
CONCEPTS: tuple[Concept, ...] = (
    Concept(
        _ESCO + "19858dd3-a5fe-4855-b644-6ecfefd1c384",
        "carpentry",
        "mizarstvo",
        "stolarija",
        "crafts",
        ("mizarska dela", "izdelovala pohištvo", "stolarski radovi"),
    ),
    Concept(
        _ESCO + "a2cd3b30-2d6c-473e-a5d4-4e7cb576babe",
        "clean building floors",
        "čiščenje tal",
        "čišćenje podova",
        "cleaning",
        ("čistila tla", "čišćenje podova u zgradi", "pomivanje tal"),
    ),
    Concept(
        _ESCO + "a7a47148-732f-48bc-a7ce-18afe0d7f259",
        "clean warehouse",
        "čiščenje skladišča",
        "čišćenje skladišta",
        "cleaning",
        ("čistil skladišča", "čišćenje skladišnog prostora"),
    ),
    Concept(
        _ESCO + "f7464f30-662b-4177-85a0-3df9693e9e58",
        "first aid",
        "prva pomoč",
        "prva pomoć",
        "care",
        ("tečaj prve pomoči", "pružanje prve pomoći"),
    ),
    Concept(
        _ESCO + "cf310cff-0d28-4dbc-9dbb-cc500a3196c2",
        "office software",
        "pisarniški programi",
        "uredski programi",
        "office",
        ("delo s pisarniškimi programi", "rad u uredskim programima", "Word in Excel"),
    ),
    Concept(
        _ESCO + "d15ce60f-ddab-41ce-ba56-398451b77b60",
        "have computer literacy",
        "računalništvo",
        "računalstvo",
        "office",
        ("osnove računalništva", "rad na računalu", "computer skills"),
    ),
    Concept(
        _ESCO + "ab2bb44a-3956-4028-8715-8b70b1960b99",
        "lift heavy weights",
        "dvigovanje bremen",
        "podizanje tereta",
        "logistics",
        ("dvigovala težka bremena", "nošenje teškog tereta"),
    ),
    Concept(
        _ESCO + "5d2e82cc-5943-4218-a459-a1956fad2b63",
        "manage warehouse inventory",
        "skladiščenje",
        "skladištenje",
        "logistics",
        ("skladiščna dela", "vođenje skladišta", "inventura skladišča"),
    ),
    Concept(
        _ESCO + "2a82241a-216e-44d8-bb50-6b9a0ef82084",
        "drive vehicles",
        "vožnja vozil",
        "vožnja vozila",
        "logistics",
        ("vozniški izpit B", "vozačka dozvola", "vožnja kombija"),
    ),
    Concept(
        _ESCO + "a3ef84f9-c436-437a-bc6f-4956ae13e1eb",
        "sew pieces of fabric",
        "šivanje",
        "šivanje",
        "crafts",
        ("šivala oblačila", "šivanje odjeće", "šiviljska dela"),
    ),
    Concept(
        _ESCO + "d9449998-c1f5-478c-a103-2255398cf0b6",
        "apply hygiene standards",
        "higienski standardi",
        "higijenski standardi",
        "hospitality",
        ("higiena pri delu s hrano", "HACCP higijena"),
    ),
    Concept(
        _ESCO + "8c8da904-cdb3-47d9-bfbf-15ade747d9ec",
        "work in a hospitality team",
        "delo v gostinstvu",
        "rad u ugostiteljstvu",
        "hospitality",
        ("delala v gostinstvu", "rad u ugostiteljskoj ekipi"),
    ),
    Concept(
        _ESCO + "555d83ff-dbf9-481a-b726-2d502a11904e",
        "cook vegetable products",
        "kuhanje",
        "kuhanje",
        "hospitality",
        ("kuhala sem", "kuharska dela", "kuhanje jela", "cooking"),
    ),
    Concept(
        _ESCO + "ca4ae285-244f-4321-83d6-b109bd1693bc",
        "follow recycling collection schedules",
        "zbiranje odpadkov",
        "sakupljanje otpada",
        "recycling",
        ("zbirala odpadke", "sakupljala otpad za recikliranje"),
    ),
    Concept(
        _ESCO + "b7cf2d84-6c43-4baa-98cf-816a27336701",
        "maintain gardening equipment",
        "vrtnarsko orodje",
        "vrtlarski alat",
        "agriculture",
        ("popravilo vrtnega orodja", "održavanje vrtlarskog alata"),
    ),
    Concept(
        _ESCO + "d6f40152-c00d-44fa-a48f-55e39f08c14e",
        "maintain landscape site",
        "urejanje okolice",
        "uređenje okoliša",
        "agriculture",
        ("urejala okolico", "uređivanje zelenih površina", "košnja trave"),
    ),
    Concept(
        _ESCO + "75dfe1ee-5935-42ce-b820-697f827825c3",
        "maintain customer service",
        "delo s strankami",
        "rad sa strankama",
        "retail",
        ("delala s strankami", "rad s kupcima"),
    ),
    Concept(
        _ESCO + "60c78287-22eb-4103-9c8c-28deaa460da0",
        "work in teams",
        "timsko delo",
        "timski rad",
        "office",
        ("delo v timu", "rad u timu", "teamwork"),
    ),
    Concept(
        _ESCO + "e8828961-9e8e-471f-bd24-0673a7e844ef",
        "communicate with social service users",
        "delo z ljudmi",
        "rad s ljudima",
        "care",
        ("delo z uporabniki", "komunikacija s korisnicima"),
    ),
    Concept(
        _ESCO + "2fcd95a4-1f9a-41cf-95a9-4701bde476b4",
        "operate welding equipment",
        "varjenje",
        "zavarivanje",
        "crafts",
        ("varila kovine", "zavarivački radovi"),
    ),
    Concept(
        _ESCO + "9ace3aae-aeae-4ed6-b625-26bc58345554",
        "Slovenian",
        "slovenščina",
        "slovenski jezik",
        "office",
        ("govori slovensko", "slovenski jezik"),
    ),
    Concept(
        _ESCO + "6bc58e91-1827-4dc7-a9cf-2311edcba0ec",
        "Croatian",
        "hrvaščina",
        "hrvatski jezik",
        "office",
        ("govori hrvaško", "hrvaški jezik"),
    ),
    # Trades and roles without a single ESCO skill: free text only, as counsellors write them.
    Concept(None, "bricklaying", "zidar", "zidarstvo", "construction", ("zidarska dela", "zidanje", "zidarski radovi")),
    Concept(
        None, "cook", "kuhar", "kuharica", "hospitality", ("pomočnik kuharja", "pomoćni kuhar", "kuharski pomočnik")
    ),
    Concept(
        None,
        "painting and decorating",
        "pleskarstvo",
        "ličilački radovi",
        "construction",
        ("pleskala stene", "ličenje zidova"),
    ),
    Concept(
        None,
        "elderly care",
        "oskrba starejših",
        "skrb za starije",
        "care",
        ("pomoč starejšim", "njega starijih osoba", "care for the elderly"),
    ),
    Concept(
        None,
        "sales assistant",
        "prodajalka",
        "prodavačica",
        "retail",
        ("prodaja v trgovini", "rad u trgovini", "prodajal"),
    ),
    Concept(None, "cashier", "blagajničarka", "blagajnica", "retail", ("delo na blagajni", "rad na blagajni")),
    Concept(
        None, "gardening", "vrtnarstvo", "vrtlarstvo", "agriculture", ("vrtnarila", "rad u vrtu", "vrtlarski poslovi")
    ),
    Concept(
        None,
        "food packaging",
        "pakiranje hrane",
        "pakiranje hrane",
        "logistics",
        ("pakirala hrano", "pakiranje prehrambenih proizvoda"),
    ),
)

LANGUAGES: tuple[str, ...] = ("sl", "hr", "en", "de", "hu", "it")

SUPPORT_KINDS: tuple[str, ...] = (
    "mentor",
    "flexible_hours",
    "accessible_premises",
    "part_time",
    "transport",
    "childcare_compatible",
    "adapted_workplace",
)

# A spread of towns in the 2SoKroG area and beyond, so synthetic places cover both countries.
TOWNS: tuple[Town, ...] = (
    Town("Maribor", "SI", 46.554, 15.646),
    Town("Ptuj", "SI", 46.420, 15.870),
    Town("Murska Sobota", "SI", 46.662, 16.166),
    Town("Ormož", "SI", 46.409, 16.155),
    Town("Slovenska Bistrica", "SI", 46.392, 15.573),
    Town("Celje", "SI", 46.231, 15.260),
    Town("Velenje", "SI", 46.359, 15.111),
    Town("Slovenj Gradec", "SI", 46.510, 15.080),
    Town("Trbovlje", "SI", 46.155, 15.053),
    Town("Krško", "SI", 45.959, 15.492),
    Town("Novo mesto", "SI", 45.804, 15.169),
    Town("Ljubljana", "SI", 46.051, 14.506),
    Town("Kranj", "SI", 46.239, 14.356),
    Town("Koper", "SI", 45.548, 13.730),
    Town("Nova Gorica", "SI", 45.956, 13.648),
    Town("Varaždin", "HR", 46.305, 16.338),
    Town("Čakovec", "HR", 46.384, 16.434),
    Town("Ivanec", "HR", 46.223, 16.120),
    Town("Ludbreg", "HR", 46.252, 16.615),
    Town("Koprivnica", "HR", 46.163, 16.828),
    Town("Krapina", "HR", 46.160, 15.879),
    Town("Zagreb", "HR", 45.815, 15.982),
    Town("Velika Gorica", "HR", 45.712, 16.076),
    Town("Bjelovar", "HR", 45.899, 16.843),
    Town("Karlovac", "HR", 45.487, 15.548),
    Town("Sisak", "HR", 45.466, 16.378),
    Town("Rijeka", "HR", 45.327, 14.442),
    Town("Osijek", "HR", 45.554, 18.695),
    Town("Slavonski Brod", "HR", 45.160, 18.016),
    Town("Split", "HR", 43.508, 16.440),
)


def all_labels() -> list[str]:
    """Every label of every built-in concept, in all three languages.

    Examples
    --------
    >>> "zidarstvo" in all_labels()
    True
    """
    return [label for concept in CONCEPTS for label in (concept.en, concept.sl, concept.hr)]
