"""Demo opportunities: two to four open places at each social enterprise, NGO and employer of the
four project regions, written in the organisation's language, with ESCO skills from the vocabulary.

Seeded, so every run makes the same choices; an opportunity already there (same organisation and
title) is skipped, so loading twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, NamedTuple

from portal.clock import utc_now
from portal.db.tables import Opportunity, Organisation, PortalUser, Skill
from portal.demo.network import PROJECT_REGIONS
from portal.opportunities.services import search_text_for
from portal.organisations.kinds import SPOKEN_LANGUAGES
from portal.skills import entries as skill_entries
from portal.text import fold
from portal.vocab import split_codes

__all__ = ["DEMO_SEED", "THEMES", "demo_skill_labels", "load_demo_opportunities"]

DEMO_SEED = 2018
POSTING_KINDS = ("social_enterprise", "ngo", "employer")
ENTERPRISE_KEY = "cpu-center-ponovne-uporabe"  # the demo `enterprise` user's organisation
_CHUNK = 50


class Offer(NamedTuple):
    kind: str
    sl: tuple[str, str]  # title, description
    hr: tuple[str, str]
    required: tuple[str, ...]  # ESCO preferred labels (English)
    optional: tuple[str, ...]
    support: tuple[str, ...]
    hours: int
    sector: str = ""  # when not the theme's


def _t(
    kind: str, sl: tuple[str, str], hr: tuple[str, str], required=(), optional=(), support=(), hours=20, sector=""
) -> Offer:
    return Offer(kind, sl, hr, tuple(required), tuple(optional), tuple(support), hours, sector)


# theme -> (sector, offers). An organisation's theme comes from the words of its description.
THEMES: dict[str, tuple[str, tuple[Offer, ...]]] = {
    "reuse": (
        "reuse_repair",
        (
            _t(
                "work_trial",
                (
                    "Delovni preizkus: popravilo rabljenih predmetov",
                    "Pod vodstvom mentorja pregledujete, čistite in popravljate rabljene predmete, ki jih nato prodamo v naši trgovini.",
                ),
                (
                    "Radna proba: popravak rabljenih predmeta",
                    "Uz mentora pregledavate, čistite i popravljate rabljene predmete koje zatim prodajemo u našoj trgovini.",
                ),
                ("perform minor repairs to equipment", "work in teams"),
                ("clean furniture", "follow verbal instructions"),
                ("mentor", "flexible_hours"),
                20,
            ),
            _t(
                "programme_place",
                (
                    "Program socialne aktivacije: sortiranje in ponovna uporaba",
                    "Skupinski program v zbirnem centru: sprejem, sortiranje in priprava predmetov za ponovno uporabo.",
                ),
                (
                    "Program socijalne aktivacije: sortiranje i ponovna uporaba",
                    "Grupni program u sabirnom centru: prihvat, sortiranje i priprema predmeta za ponovnu uporabu.",
                ),
                ("sort waste",),
                ("work in teams", "apply health and safety standards"),
                ("mentor", "part_time"),
                15,
            ),
            _t(
                "supported_employment",
                (
                    "Prodajalec/ka v trgovini z rabljenimi predmeti",
                    "Podprta zaposlitev v trgovini: urejanje polic, pomoč kupcem in delo na blagajni.",
                ),
                (
                    "Prodavač/ica u trgovini rabljenim predmetima",
                    "Podržano zapošljavanje u trgovini: slaganje polica, pomoć kupcima i rad na blagajni.",
                ),
                ("communicate with customers", "sell products"),
                ("count money", "carry out stock rotation"),
                ("mentor", "adapted_workplace"),
                30,
            ),
            _t(
                "training",
                (
                    "Usposabljanje za obnovo pohištva",
                    "Trimesečno usposabljanje: brušenje, lepljenje in površinska obdelava starega pohištva.",
                ),
                (
                    "Osposobljavanje za obnovu namještaja",
                    "Tromjesečno osposobljavanje: brušenje, lijepljenje i površinska obrada starog namještaja.",
                ),
                (),
                ("repair furniture parts", "apply wood finishes"),
                ("mentor",),
                12,
            ),
        ),
    ),
    "kitchen": (
        "food",
        (
            _t(
                "work_trial",
                (
                    "Pomočnik/ca v kuhinji",
                    "Priprava sestavin, pomivanje posode in pomoč pri pripravi kosil za naše goste.",
                ),
                (
                    "Pomoćnik/ica u kuhinji",
                    "Priprema namirnica, pranje posuđa i pomoć pri pripremi ručkova za naše goste.",
                ),
                ("comply with food safety and hygiene", "work in teams"),
                ("operate dishwashing machine",),
                ("mentor", "flexible_hours"),
                20,
            ),
            _t(
                "programme_place",
                (
                    "Socialno gostinstvo: priprava obrokov",
                    "Vključitev v ekipo, ki pripravlja obroke za dostavo starejšim in za dogodke v kraju.",
                ),
                (
                    "Socijalno ugostiteljstvo: priprema obroka",
                    "Uključivanje u tim koji priprema obroke za dostavu starijima i za događanja u mjestu.",
                ),
                ("comply with food safety and hygiene",),
                ("care for food aesthetic", "communicate with customers"),
                ("mentor", "part_time"),
                16,
            ),
            _t(
                "job",
                (
                    "Pomočnik/ca pri peki in pakiranju",
                    "Zaposlitev za določen čas: pomoč pri peki, pakiranju in pripravi dostav.",
                ),
                (
                    "Pomoćnik/ica u pekari i pakiranju",
                    "Zaposlenje na određeno: pomoć pri pečenju, pakiranju i pripremi dostava.",
                ),
                ("follow hygienic procedures during food processing",),
                ("pack goods", "apply hygiene standards"),
                ("mentor",),
                40,
            ),
        ),
    ),
    "textiles": (
        "textiles",
        (
            _t(
                "work_trial",
                (
                    "Delovni preizkus v šivalnici",
                    "Krojenje in šivanje torb ter predpasnikov iz odsluženega tekstila, ob podpori mentorice.",
                ),
                (
                    "Radna proba u šivaonici",
                    "Krojenje i šivanje torbi i pregača od rabljenog tekstila, uz podršku mentorice.",
                ),
                ("sew pieces of fabric", "cut textiles"),
                ("iron textiles",),
                ("mentor", "childcare_compatible"),
                20,
            ),
            _t(
                "programme_place",
                (
                    "Predelava odsluženega tekstila",
                    "Sortiranje oblačil, priprava za ponovno uporabo in predelava v nove izdelke.",
                ),
                (
                    "Prerada rabljenog tekstila",
                    "Sortiranje odjeće, priprema za ponovnu uporabu i prerada u nove proizvode.",
                ),
                ("sort waste",),
                ("sew pieces of fabric", "work in teams"),
                ("part_time", "flexible_hours"),
                15,
            ),
            _t(
                "training",
                (
                    "Tečaj šivanja in likanja",
                    "Osnove šivanja na stroju, popravila oblačil in likanja; primerno tudi za začetnike.",
                ),
                (
                    "Tečaj šivanja i glačanja",
                    "Osnove šivanja na stroju, popravaka odjeće i glačanja; prikladno i za početnike.",
                ),
                (),
                ("sew pieces of fabric", "iron textiles"),
                ("childcare_compatible",),
                10,
            ),
        ),
    ),
    "garden": (
        "agriculture",
        (
            _t(
                "programme_place",
                (
                    "Ekološki vrt: delo na vrtu in v rastlinjaku",
                    "Setev, sajenje, zalivanje in pobiranje pridelka na skupnostnem ekološkem vrtu.",
                ),
                (
                    "Ekološki vrt: rad u vrtu i plasteniku",
                    "Sjetva, sadnja, zalijevanje i berba na zajedničkom ekološkom vrtu.",
                ),
                ("work in teams",),
                ("characteristics of plants", "pest control in plants"),
                ("mentor", "flexible_hours"),
                16,
            ),
            _t(
                "work_trial",
                ("Vzdrževanje zelenih površin", "Košnja, obrezovanje in urejanje parkov ter zelenic; delo na prostem."),
                (
                    "Održavanje zelenih površina",
                    "Košnja, orezivanje i uređivanje parkova i zelenih površina; rad na otvorenom.",
                ),
                ("maintain gardening equipment", "apply health and safety standards"),
                ("adapt to change",),
                ("mentor", "transport"),
                30,
            ),
            _t(
                "supported_employment",
                ("Pomočnik/ca v vrtnariji", "Presajanje sadik, skrb za rastline in pomoč kupcem ob sezonski prodaji."),
                (
                    "Pomoćnik/ica u rasadniku",
                    "Presađivanje sadnica, briga o biljkama i pomoć kupcima u sezonskoj prodaji.",
                ),
                ("monitor plant production",),
                ("sell products", "communicate with customers"),
                ("adapted_workplace",),
                30,
            ),
        ),
    ),
    "wood": (
        "crafts",
        (
            _t(
                "work_trial",
                (
                    "Pomočnik/ca v mizarski delavnici",
                    "Brušenje, sestavljanje in lakiranje lesenih izdelkov pod vodstvom mizarja.",
                ),
                (
                    "Pomoćnik/ica u stolarskoj radionici",
                    "Brušenje, sastavljanje i lakiranje drvenih proizvoda uz vodstvo stolara.",
                ),
                ("create smooth wood surface", "apply health and safety standards"),
                ("create wood joints", "apply wood finishes"),
                ("mentor",),
                30,
            ),
            _t(
                "job",
                ("Delavec/ka pri montaži pohištva", "Sestavljanje pohištva po meri v delavnici in pri strankah."),
                ("Radnik/ica na montaži namještaja", "Sastavljanje namještaja po mjeri u radionici i kod kupaca."),
                ("assemble prefabricated furniture",),
                ("create wood joints", "work in teams"),
                ("transport",),
                40,
            ),
            _t(
                "training",
                ("Delavnica lesnih izdelkov", "Izdelava preprostih lesenih izdelkov za prodajo na lokalnih tržnicah."),
                (
                    "Radionica drvenih proizvoda",
                    "Izrada jednostavnih drvenih proizvoda za prodaju na lokalnim sajmovima.",
                ),
                (),
                ("create smooth wood surface", "apply wood finishes"),
                ("mentor", "part_time"),
                12,
            ),
        ),
    ),
    "metal": (
        "crafts",
        (
            _t(
                "work_trial",
                (
                    "Pomočnik/ca v kovinski delavnici",
                    "Priprava materiala, brušenje in čiščenje izdelkov v kovinski delavnici.",
                ),
                (
                    "Pomoćnik/ica u bravarskoj radionici",
                    "Priprema materijala, brušenje i čišćenje proizvoda u bravarskoj radionici.",
                ),
                ("apply health and safety standards",),
                ("metalworking tools", "clean equipment"),
                ("mentor",),
                30,
            ),
            _t(
                "job",
                ("Skladiščnik/ca materiala", "Prevzem, zlaganje in izdaja materiala za proizvodnjo."),
                ("Skladištar/ka materijala", "Preuzimanje, slaganje i izdavanje materijala za proizvodnju."),
                ("check deliveries on receipt",),
                ("carry out stock rotation",),
                ("adapted_workplace",),
                40,
            ),
        ),
    ),
    "cleaning": (
        "cleaning",
        (
            _t(
                "work_trial",
                ("Čiščenje poslovnih prostorov", "Popoldansko čiščenje pisarn in skupnih prostorov v manjši ekipi."),
                ("Čišćenje poslovnih prostora", "Poslijepodnevno čišćenje ureda i zajedničkih prostora u manjem timu."),
                ("clean rooms", "clean surfaces"),
                ("cleaning techniques", "cleaning products"),
                ("part_time", "mentor"),
                20,
            ),
            _t(
                "job",
                ("Delavec/ka v pralnici", "Pranje, sušenje, likanje in zlaganje perila za hotele in bolnišnice."),
                ("Radnik/ica u praonici", "Pranje, sušenje, glačanje i slaganje rublja za hotele i bolnice."),
                ("iron textiles",),
                ("handle linen in stock", "apply hygiene standards"),
                ("flexible_hours",),
                40,
            ),
            _t(
                "programme_place",
                (
                    "Urejanje skupnih prostorov v soseski",
                    "Skupinsko urejanje stopnišč, igrišč in okolice večstanovanjskih stavb.",
                ),
                (
                    "Uređivanje zajedničkih prostora u susjedstvu",
                    "Grupno uređivanje stubišta, igrališta i okoliša stambenih zgrada.",
                ),
                ("clean public areas",),
                ("work in teams",),
                ("mentor", "part_time"),
                15,
            ),
        ),
    ),
    "logistics": (
        "retail",
        (
            _t(
                "work_trial",
                ("Skladiščni delavec/ka", "Pakiranje, označevanje in priprava pošiljk v skladišču."),
                ("Skladišni radnik/ica", "Pakiranje, označavanje i priprema pošiljaka u skladištu."),
                ("pack goods", "carry out stock rotation"),
                ("manage warehouse inventory", "check deliveries on receipt"),
                ("mentor",),
                30,
            ),
            _t(
                "supported_employment",
                ("Dostavljavec/ka s kolesom", "Dostava paketov in obrokov po mestu s tovornim kolesom."),
                ("Dostavljač/ica biciklom", "Dostava paketa i obroka po gradu teretnim biciklom."),
                ("handle delivered packages",),
                ("read maps", "bicycle mechanics"),
                ("flexible_hours", "part_time"),
                20,
            ),
            _t(
                "job",
                ("Pomoč pri prodaji", "Pomoč kupcem, urejanje blaga in delo na blagajni v prodajalni."),
                ("Pomoć u prodaji", "Pomoć kupcima, slaganje robe i rad na blagajni u prodavaonici."),
                ("communicate with customers", "sell products"),
                ("count money",),
                ("mentor",),
                40,
            ),
        ),
    ),
    "construction": (
        "construction",
        (
            _t(
                "work_trial",
                (
                    "Pomočnik/ca pri obnovitvenih delih",
                    "Priprava površin, beljenje in pomoč pri manjših obnovah stanovanj.",
                ),
                (
                    "Pomoćnik/ica na obnoviteljskim radovima",
                    "Priprema površina, bojanje i pomoć pri manjim obnovama stanova.",
                ),
                ("apply health and safety standards", "prepare surface for painting"),
                ("mix paint", "remove paint"),
                ("mentor", "transport"),
                35,
            ),
            _t(
                "supported_employment",
                ("Hišnik/ca", "Manjša popravila, čiščenje in skrb za objekte javnih zavodov."),
                ("Domar/ica", "Manji popravci, čišćenje i briga o objektima javnih ustanova."),
                ("perform minor repairs to equipment",),
                ("clean building floors", "work independently"),
                ("adapted_workplace",),
                30,
            ),
        ),
    ),
    "vehicles": (
        "crafts",
        (
            _t(
                "work_trial",
                (
                    "Pomočnik/ca v avtoservisu",
                    "Menjava pnevmatik, čiščenje vozil in pomoč mehaniku pri rednih servisih.",
                ),
                (
                    "Pomoćnik/ica u autoservisu",
                    "Zamjena guma, čišćenje vozila i pomoć mehaničaru pri redovnim servisima.",
                ),
                ("execute vehicle maintenance", "apply health and safety standards"),
                ("clean equipment", "fix minor vehicle scratches"),
                ("mentor",),
                30,
            ),
            _t(
                "job",
                ("Čistilec/ka vozil", "Notranje in zunanje čiščenje vozil pred predajo strankam."),
                ("Čistač/ica vozila", "Unutarnje i vanjsko čišćenje vozila prije predaje kupcima."),
                ("clean surfaces",),
                ("cleaning products", "act reliably"),
                ("flexible_hours",),
                40,
            ),
        ),
    ),
    "printing": (
        "office",
        (
            _t(
                "work_trial",
                ("Pomočnik/ca v knjigoveznici", "Zlaganje, rezanje in pakiranje tiskovin ter priprava naročil."),
                ("Pomoćnik/ica u knjigoveznici", "Slaganje, rezanje i pakiranje tiskanica te priprema narudžbi."),
                ("pack goods",),
                ("printing techniques", "follow written instructions"),
                ("mentor",),
                30,
            ),
        ),
    ),
    "care": (
        "care",
        (
            _t(
                "volunteering",
                ("Družabništvo starejšim", "Obiski in pogovori s starejšimi, spremstvo na sprehodih in k zdravniku."),
                ("Druženje sa starijim osobama", "Posjeti i razgovori sa starijima, pratnja u šetnji i kod liječnika."),
                ("show empathy", "listen actively"),
                ("older adults' needs",),
                ("flexible_hours",),
                8,
            ),
            _t(
                "programme_place",
                (
                    "Pomoč v dnevnem centru",
                    "Pomoč pri delavnicah, razdeljevanju obrokov in urejanju prostorov dnevnega centra.",
                ),
                (
                    "Pomoć u dnevnom centru",
                    "Pomoć na radionicama, podjeli obroka i uređivanju prostora dnevnog centra.",
                ),
                ("work in teams", "communicate with social service users"),
                ("exercise patience",),
                ("mentor", "part_time"),
                15,
            ),
            _t(
                "supported_employment",
                (
                    "Spremljevalec/ka osebam z invalidnostjo",
                    "Pomoč pri vsakodnevnih opravilih, spremstvo in podpora pri vključevanju v skupnost.",
                ),
                (
                    "Pratitelj/ica osobama s invaliditetom",
                    "Pomoć u svakodnevnim poslovima, pratnja i podrška u uključivanju u zajednicu.",
                ),
                ("assist social service users with physical disabilities",),
                ("show empathy",),
                ("mentor", "transport"),
                30,
            ),
            _t(
                "training",
                (
                    "Usposabljanje za pomoč na domu",
                    "Osnove nege, higiene in komunikacije za delo s starejšimi na domu.",
                ),
                (
                    "Osposobljavanje za pomoć u kući",
                    "Osnove njege, higijene i komunikacije za rad sa starijima u kući.",
                ),
                (),
                ("provide in-home support for disabled individuals", "maintain personal hygiene standards"),
                ("childcare_compatible",),
                12,
            ),
        ),
    ),
    "community": (
        "culture",
        (
            _t(
                "volunteering",
                (
                    "Prostovoljec/ka pri medgeneracijskih delavnicah",
                    "Pomoč pri pripravi in izvedbi delavnic za mlade in starejše v skupnosti.",
                ),
                (
                    "Volonter/ka na međugeneracijskim radionicama",
                    "Pomoć u pripremi i provedbi radionica za mlade i starije u zajednici.",
                ),
                ("work in teams",),
                ("communicate with youth", "show initiative"),
                ("flexible_hours",),
                6,
            ),
            _t(
                "programme_place",
                (
                    "Organizacija dogodkov v skupnosti",
                    "Priprava prostorov, vabil in pogostitev za lokalne dogodke in srečanja.",
                ),
                (
                    "Organizacija događanja u zajednici",
                    "Priprema prostora, pozivnica i domjenaka za lokalna događanja i susrete.",
                ),
                ("communicate with target community",),
                ("build team spirit", "show initiative"),
                ("mentor",),
                12,
            ),
            _t(
                "training",
                (
                    "Delavnica: komunikacija in delo v skupini",
                    "Desetsrečanjska delavnica o komunikaciji, reševanju sporov in sodelovanju.",
                ),
                (
                    "Radionica: komunikacija i timski rad",
                    "Radionica od deset susreta o komunikaciji, rješavanju sukoba i suradnji.",
                ),
                (),
                ("teamwork principles", "communication"),
                ("childcare_compatible",),
                6,
            ),
        ),
    ),
    "office": (
        "office",
        (
            _t(
                "training",
                (
                    "Računalniško opismenjevanje",
                    "Osnove dela z računalnikom, e-pošto in spletnimi storitvami javne uprave.",
                ),
                ("Informatičko opismenjavanje", "Osnove rada na računalu, e-pošte i e-usluga javne uprave."),
                (),
                ("have computer literacy", "use microsoft office"),
                ("language_support",),
                8,
            ),
            _t(
                "volunteering",
                ("Prostovoljec/ka v pisarni", "Pomoč pri urejanju dokumentacije, telefonu in pripravi gradiv."),
                ("Volonter/ka u uredu", "Pomoć u sređivanju dokumentacije, telefonu i pripremi materijala."),
                ("perform office routine activities",),
                ("communicate by telephone", "use spreadsheets software"),
                ("flexible_hours",),
                10,
            ),
        ),
    ),
}
# Offered by anyone, after the organisation's own themes run out.
GENERAL: tuple[Offer, ...] = (
    _t(
        "training",
        (
            "Priprava na zaposlitev",
            "Skupinske delavnice: pisanje življenjepisa, razgovor za zaposlitev in spoznavanje delodajalcev v regiji.",
        ),
        (
            "Priprema za zapošljavanje",
            "Grupne radionice: pisanje životopisa, razgovor za posao i upoznavanje poslodavaca u regiji.",
        ),
        (),
        ("act reliably", "manage time"),
        ("childcare_compatible",),
        6,
        "culture",
    ),
    _t(
        "volunteering",
        (
            "Prostovoljno delo v lokalni skupnosti",
            "Sodelovanje pri čistilnih akcijah, zbiranju pomoči in drugih akcijah v kraju.",
        ),
        (
            "Volontiranje u lokalnoj zajednici",
            "Sudjelovanje u akcijama čišćenja, prikupljanja pomoći i drugim akcijama u mjestu.",
        ),
        ("work in teams",),
        ("show initiative", "adapt to change"),
        ("flexible_hours",),
        6,
        "culture",
    ),
)
# Words of an organisation's description (folded) that say its theme; the first match wins.
_THEME_WORDS = (
    ("reuse", ("ponovn", "rabljen")),
    ("textiles", ("sivilj", "sivanj", "tekstil")),
    ("garden", ("vrtnar", "uzgoj", "zelenih povrs", "sadik", "sadnic", "vrtove")),
    ("kitchen", ("catering", "gostin", "ugostitelj", "kruh", "hran")),
    ("wood", ("lesen", "drven", "pohistv", "namjest")),
    ("metal", ("kovinsk", "metaln")),
    ("cleaning", ("cisti", "perilo", "rublje")),
    ("logistics", ("dostav", "logistik", "sklad")),
    ("construction", ("gradben", "gradevin")),
    ("vehicles", ("vozil",)),
    ("printing", ("tiska",)),
    ("office", ("mreza", "sticisc")),
    ("care", ("stisk", "potreb", "starej", "starij", "invalid", "zasvojen", "ovisnost", "druzin", "obitelj")),
    ("community", ("mlad", "medgeneracij", "medugeneracij", "prostovolj", "volonter")),
)


def theme_of(organisation: dict[str, Any]) -> str:
    text = fold(f"{organisation['name']} {organisation['description']}")
    for theme, words in _THEME_WORDS:
        if any(word in text for word in words):
            return theme
    return "community"


def demo_skill_labels() -> set[str]:
    """Every ESCO label the demo opportunities use (the tests check the vocabulary has them all)."""
    offers = [offer for _, group in THEMES.values() for offer in group] + list(GENERAL)
    return {label for offer in offers for label in (*offer.required, *offer.optional)}


async def _skill_uris(labels: set[str]) -> dict[str, str]:
    rows = await Skill.select(Skill.uri, Skill.label).where(
        (Skill.language == "en") & Skill.label.is_in(sorted(labels))
    )
    return {row["label"]: row["uri"] for row in rows}


async def load_demo_opportunities(employer_key: str, seed: int = DEMO_SEED) -> int:
    """Add the demo opportunities that are missing; return how many were added.

    ``employer_key`` is the demo employer user's organisation (see ``demo_employer_key``).
    """
    rng = random.Random(seed)
    organisations = await Organisation.select(
        Organisation.id,
        Organisation.slug,
        Organisation.name,
        Organisation.kind,
        Organisation.country,
        Organisation.region,
        Organisation.municipality,
        Organisation.latitude,
        Organisation.longitude,
        Organisation.languages,
        Organisation.description,
    ).order_by(Organisation.slug)
    chosen = [
        org
        for org in organisations
        if org["slug"] in (ENTERPRISE_KEY, employer_key)
        or (org["kind"] in POSTING_KINDS and org["region"] in PROJECT_REGIONS)
    ]
    users = {row["username"]: row["id"] for row in await PortalUser.select(PortalUser.username, PortalUser.id)}
    posters = {ENTERPRISE_KEY: users.get("enterprise"), employer_key: users.get("employer")}
    fallback = users.get("coordinator") or users.get("admin")
    if fallback is None or not chosen:
        return 0
    present = await Opportunity.select(Opportunity.organisation, Opportunity.title)
    existing = {(row["organisation"], row["title"]) for row in present}
    uris = await _skill_uris(demo_skill_labels())
    today = dt.date.today()
    now = utc_now()
    new: list[Opportunity] = []
    for org in chosen:
        sector, own = THEMES[theme_of(org)]
        count = rng.randint(2, 4)
        picked = rng.sample(own, min(count, len(own)))
        # Employers offer their own trade (job preparation too when that is all); others also the general ones.
        if org["kind"] == "employer":
            extra = GENERAL[:1] if len(picked) < 2 else ()
        else:
            extra = GENERAL
        picked += rng.sample(extra, min(count - len(picked), len(extra)))
        languages = [code for code in split_codes(org["languages"]) if code in SPOKEN_LANGUAGES]
        for offer in picked:
            title, description = offer.sl if org["country"] == "SI" else offer.hr
            # Draw every number before the skip, so one missing row does not shift the others.
            capacity = rng.randint(1, 6)
            starts_on = today + dt.timedelta(days=rng.randint(-30, 60))
            months = rng.choice((3, 6, 12, 0))
            if (org["id"], title) in existing:
                continue
            required = [{"uri": uris.get(label, ""), "label": label} for label in offer.required]
            optional = [{"uri": uris.get(label, ""), "label": label} for label in offer.optional]
            values = {
                "title": title,
                "description": description,
                "municipality": org["municipality"],
                "region": org["region"],
                "required_skills": required,
                "optional_skills": optional,
            }
            new.append(
                Opportunity(
                    organisation=org["id"],
                    kind=offer.kind,
                    title=title,
                    description=description,
                    required_skills=skill_entries.dumps(required),
                    optional_skills=skill_entries.dumps(optional),
                    sector=offer.sector or sector,
                    country=org["country"],
                    region=org["region"],
                    municipality=org["municipality"],
                    latitude=org["latitude"],
                    longitude=org["longitude"],
                    hours_per_week=offer.hours,
                    starts_on=starts_on,
                    ends_on=starts_on + dt.timedelta(days=30 * months) if months else None,
                    capacity=capacity,
                    places_taken=0,
                    support_offered=",".join(offer.support),
                    languages=",".join(languages or ["sl" if org["country"] == "SI" else "hr"]),
                    status="open",
                    search_text=search_text_for(values, org["name"]),
                    created_by=posters.get(org["slug"]) or fallback,
                    created_at=now,
                    updated_at=now,
                )
            )
            existing.add((org["id"], title))
    for start in range(0, len(new), _CHUNK):
        await Opportunity.insert(*new[start : start + _CHUNK])
    return len(new)
