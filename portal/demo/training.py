"""Demo training events: the real 2SoKroG series from the project documents, generated participants and attendance.

From the documents (../shared/context/): peer-review meetings in Ormož (6 December 2018) and Čakovec
(12 February 2019), 157 participants together (the Slovenian report says 150; the split between the two
is not given, so 82 and 75 here); expert seminars in Celje (13 June 2019) and Čakovec (18 September
2019); the cross-border training workshop's modules 2 (6 November 2019, Čakovec), 3 (5 December 2019,
Celje), 4 (January 2020, Varaždin; no day given, the 16th here) and 5 (February 2020, Ormož; the 13th
here). Venues, hours and the participants' names are made up; so are the upcoming workshops, dated
from today so that the list has something to register for.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from portal.clock import utc_now
from portal.db.tables import (
    Organisation,
    PortalUser,
    TrainingEvent,
    TrainingEventOrganiser,
    TrainingProgramme,
    TrainingRegistration,
)
from portal.demo.people import _FIRST, _LAST, PROJECT_REGIONS
from portal.geo import find_place
from portal.training.kinds import LOCAL_ZONE

PROGRAMME = "Čezmejna delavnica usposabljanja o socialni aktivaciji (2SoKroG)"
PROGRAMME_DESCRIPTION = (
    "Prekogranična radionica usposobljavanja o socijalnoj aktivaciji: moduli za strokovne delavce centrov za "
    "socialno delo, uradov za delo, socialnih podjetij in občin na čezmejnem območju Slovenija–Hrvaška."
)
_SEMINAR_TOPICS = (
    "pristopi k socialni aktivaciji v EU, pristopi k ranljivim ciljnim skupinam, tveganja socialne izključenosti, "
    "zdravstveni vidik socialne aktivacije, dobre prakse in izkušnje, predstavitev uporabnikov socialne aktivacije"
)
_CHUNK = 50


def _at(year: int, month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=LOCAL_ZONE).astimezone(dt.UTC)


# kind, module, title, language, (y, m, d), country, town, venue, organiser keys, participants (None: capacity-based)
REAL_EVENTS: tuple[tuple[Any, ...], ...] = (
    (
        "peer_review",
        None,
        "Vloga socialne aktivacije na čezmejnem območju Slovenija – Hrvaška (strokovno srečanje, peer review)",
        "sl",
        (2018, 12, 6),
        "SI",
        "Ormož",
        "Grad Ormož",
        ("zrs-bistra-ptuj", "obcina-ormoz"),
        82,
    ),
    (
        "peer_review",
        None,
        "Uloga socijalne aktivacije na prekograničnom području Slovenija – Hrvatska (stručno događanje, peer review)",
        "hr",
        (2019, 2, 12),
        "HR",
        "Čakovec",
        "Županijska palača",
        ("redea-cakovec", "medimurska-zupanija"),
        75,
    ),
    (
        "seminar",
        None,
        "Seminar socialne aktivacije: razvoj veščin in kompetenc zaposlenih v javnih institucijah",
        "sl",
        (2019, 6, 13),
        "SI",
        "Celje",
        "",
        ("rasr-celje",),
        None,
    ),
    (
        "seminar",
        None,
        "Seminar socijalne aktivacije: razvoj vještina i kompetencija djelatnika javnih institucija",
        "hr",
        (2019, 9, 18),
        "HR",
        "Čakovec",
        "",
        ("redea-cakovec",),
        None,
    ),
    (
        "module",
        2,
        "Uloga mentora u provedbi socijalne aktivacije",
        "hr",
        (2019, 11, 6),
        "HR",
        "Čakovec",
        "",
        ("redea-cakovec", "czss-cakovec"),
        None,
    ),
    (
        "module",
        3,
        "Vpliv socialne aktivacije na zdravje in socialni status uporabnikov",
        "sl",
        (2019, 12, 5),
        "SI",
        "Celje",
        "",
        ("rasr-celje", "csd-celje"),
        None,
    ),
    (
        "module",
        4,
        "Socijalna aktivacija kojom se sprečava siromaštvo i socijalna isključenost",
        "hr",
        (2020, 1, 16),
        "HR",
        "Varaždin",
        "",
        ("jurr-varazdinske-zupanije",),
        None,
    ),
    (
        "module",
        5,
        "Socialno podjetništvo kot priložnost za izvedbo praktičnega modula na področju socialne aktivacije",
        "sl",
        (2020, 2, 13),
        "SI",
        "Ormož",
        "Ljudska univerza Ormož",
        ("lu-ormoz", "zrs-bistra-ptuj"),
        None,
    ),
)
# Generated: kind, title, language, days from today, country, town (None: online), organiser keys, capacity.
UPCOMING = (
    ("workshop", "Delavnica: mentorstvo v praktičnem modulu", "sl", 21, "SI", "Ptuj", ("zrs-bistra-ptuj",), 25),
    ("seminar", "Stručni seminar: profiliranje korisnika", "hr", 35, "HR", "Čakovec", ("czss-cakovec",), 40),
    ("conference", "Letna konferenca mreže socialne aktivacije", "en", 60, "SI", None, ("zrs-bistra-ptuj",), 200),
    ("workshop", "Radionica: socijalno poduzetništvo u praksi", "hr", 75, "HR", "Varaždin", ("hzz-ru-varazdin",), 12),
)


async def _org_ids(keys: list[str]) -> dict[str, int]:
    rows = await Organisation.select(Organisation.id, Organisation.slug).where(Organisation.slug.is_in(keys))
    return {row["slug"]: row["id"] for row in rows}


async def _staff_organisations() -> list[dict[str, Any]]:
    """Organisations of the project regions whose staff attend (bounded: a sample, not the whole table)."""
    return (
        await Organisation.select(Organisation.id, Organisation.name, Organisation.country)
        .where(
            Organisation.region.is_in(list(PROJECT_REGIONS))
            & Organisation.kind.is_in(
                [
                    "social_work_centre",
                    "employment_office",
                    "ngo",
                    "social_enterprise",
                    "municipality",
                    "adult_education",
                ]
            )
        )
        .order_by(Organisation.id)
        .limit(120)
    )


async def load_training(seed: int = 2018) -> int:
    """Add the programme, events, registrations and attendance unless the programme is there; return events added."""
    if await TrainingProgramme.exists().where(TrainingProgramme.title == PROGRAMME):
        return 0
    rng = random.Random(seed)
    now = utc_now()
    keys = sorted({k for e in REAL_EVENTS for k in e[8]} | {k for e in UPCOMING for k in e[6]})
    orgs = await _org_ids(keys)
    staff_orgs = await _staff_organisations()
    programme = (
        await TrainingProgramme.insert(
            TrainingProgramme(title=PROGRAMME, description=PROGRAMME_DESCRIPTION, created_at=now)
        )
    )[0]["id"]
    added = 0
    for kind, module, title, language, day, country, town, venue, organisers, count in REAL_EVENTS:
        starts = _at(day[0], day[1], day[2], 9)
        capacity = count or rng.randint(28, 40)
        event_id = await _event(
            {
                "programme": programme if kind == "module" else None,
                "module_number": module,
                "kind": kind,
                "title": title,
                "language": language,
                "topics": _SEMINAR_TOPICS if kind == "seminar" else "",
                "starts_at": starts,
                "ends_at": starts + dt.timedelta(hours=6),
                "country": country,
                "town": town,
                "place_name": venue,
                "capacity": capacity,
            },
            [orgs[k] for k in organisers if k in orgs],
            now,
        )
        # Past events: everyone registered had a place; most came (attendance recorded the day after).
        attendees = count or rng.randint(capacity - 10, capacity - 1)  # module 2 keeps a place for the demo counsellor
        await _registrations(event_id, attendees, staff_orgs, language, starts, rng, attended_share=0.92)
        added += 1
    today = dt.datetime.now(LOCAL_ZONE).date()
    for kind, title, language, days, country, town, organisers, capacity in UPCOMING:
        when = today + dt.timedelta(days=days)
        starts = _at(when.year, when.month, when.day, 9)
        event_id = await _event(
            {
                "programme": None,
                "module_number": None,
                "kind": kind,
                "title": title,
                "language": language,
                "topics": "",
                "starts_at": starts,
                "ends_at": starts + dt.timedelta(hours=4),
                "country": country,
                "town": town,
                "place_name": "",
                "capacity": capacity,
                "registration_deadline": starts - dt.timedelta(days=3),
            },
            [orgs[k] for k in organisers if k in orgs],
            now,
        )
        # Upcoming: a few registered already.
        await _registrations(event_id, min(capacity, rng.randint(4, 14)), staff_orgs, language, None, rng)
        added += 1
    await _demo_counsellor(rng)
    return added


async def _event(values: dict[str, Any], organiser_ids: list[int], now: dt.datetime) -> int:
    town = values.pop("town")
    place = find_place(values["country"], town) if town else None
    online = place is None
    row = TrainingEvent(
        **values,
        description="",
        online=online,
        online_url="https://meet.example.org/socialna-aktivacija" if online else "",
        municipality=place.name if place else "",
        region=place.region if place else "",
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        places_taken=0,
        status="published",
        created_at=now,
        updated_at=now,
    )
    event_id = (await TrainingEvent.insert(row))[0]["id"]
    if organiser_ids:
        await TrainingEventOrganiser.insert(
            *[TrainingEventOrganiser(event=event_id, organisation=org_id) for org_id in organiser_ids]
        )
    return event_id


async def _registrations(
    event_id: int,
    count: int,
    staff_orgs: list[dict[str, Any]],
    language: str,
    held_on: dt.datetime | None,
    rng: random.Random,
    attended_share: float = 0.0,
) -> None:
    """``count`` generated staff of the region's organisations registered (external: they have no account)."""
    if not staff_orgs:
        return
    rows = []
    for n in range(count):
        org = rng.choice(staff_orgs)
        country = org["country"] if org["country"] in _FIRST else "SI"
        name = f"{rng.choice(_FIRST[country])} {rng.choice(_LAST[country])}"
        attended = (rng.random() < attended_share) if held_on else None
        rows.append(
            TrainingRegistration(
                event=event_id,
                user=None,
                organisation=org["id"],
                name=name,
                email=f"udelezenec{event_id}-{n}@demo.example",
                organisation_name=org["name"],
                status="registered",
                waitlist_position=None,
                attended=attended,
                attendance_recorded_at=held_on + dt.timedelta(days=1) if held_on else None,
                registered_at=(held_on or utc_now()) - dt.timedelta(days=rng.randint(3, 30)),
                language=language,
                consent_at=utc_now(),
            )
        )
    for start in range(0, len(rows), _CHUNK):
        await TrainingRegistration.insert(*rows[start : start + _CHUNK])
    await TrainingEvent.update({TrainingEvent.places_taken: count}).where(TrainingEvent.id == event_id)


async def _demo_counsellor(rng: random.Random) -> None:
    """The demo counsellor attended module 2 (Čakovec) and is registered for the next Croatian seminar."""
    from portal.training import registration

    user = await PortalUser.select(PortalUser.id).where(PortalUser.username == "counsellor").first()
    if user is None:
        return
    person = await registration.staff_person(user["id"])
    module = (
        await TrainingEvent.select(TrainingEvent.id, TrainingEvent.language)
        .where((TrainingEvent.kind == "module") & (TrainingEvent.module_number == 2))
        .first()
    )
    if module and person:
        await TrainingRegistration.insert(
            TrainingRegistration(
                event=module["id"],
                user=person["user"],
                organisation=person["organisation"],
                name=person["name"],
                email=person["email"],
                status="registered",
                attended=True,
                attendance_recorded_at=_at(2019, 11, 7, 9),
                registered_at=_at(2019, 10, 20, 9),
                language=module["language"],
            )
        )
        await TrainingEvent.update({TrainingEvent.places_taken: TrainingEvent.places_taken + 1}).where(
            TrainingEvent.id == module["id"]
        )
    upcoming = (
        await TrainingEvent.select(TrainingEvent.id)
        .where((TrainingEvent.kind == "seminar") & (TrainingEvent.starts_at > utc_now()))
        .first()
    )
    if upcoming and person:
        try:
            await registration.register(upcoming["id"], person)
        except registration.Refused:
            pass  # registration closed: the demo goes on without it
