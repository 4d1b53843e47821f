"""Indicators: each figure against a count made here over the rows the test wrote; suppression, targets, access, files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import ANY

import pytest
from openpyxl import load_workbook

from portal.clock import utc_now
from portal.disclosure import total_gives_away
from portal.indicators import partners, people, placements
from portal.indicators.filters import Filters, clean_filters
from tests.fixtures import login, post_form

UTC = dt.UTC
START, END = dt.date(2025, 1, 1), dt.date(2026, 1, 1)
PERIOD = Filters(start=START, end=END)
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
STAGE_ORDER = ["intake", "profiling", "activation", "placement", "employment"]
SI_REGIONS, HR_REGIONS = ["Podravska", "Savinjska"], ["Međimurska županija", "Varaždinska županija"]


def at(day: dt.date | dt.datetime) -> dt.datetime:
    return day if isinstance(day, dt.datetime) else dt.datetime.combine(day, dt.time(), tzinfo=UTC)


def month(moment: dt.datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def in_period(moment: dt.datetime, f: Filters = PERIOD) -> bool:
    return at(f.start) <= moment < at(f.end)


@dataclass
class World:
    """What the test wrote, as plain Python, to count from."""

    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    participants: list[dict[str, Any]] = field(default_factory=list)
    stage_changes: list[dict[str, Any]] = field(default_factory=list)
    opportunities: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    introductions: list[dict[str, Any]] = field(default_factory=list)
    intro_events: list[dict[str, Any]] = field(default_factory=list)
    ties: list[dict[str, Any]] = field(default_factory=list)

    def org_of(self, participant: dict[str, Any]) -> dict[str, Any]:
        return next(o for o in self.orgs.values() if o["id"] == participant["organisation"])

    def kept(self, event: dict[str, Any]) -> bool:
        if event["kind"] != "step":
            return False
        return not any(
            u["referral"] == event["referral"]
            and u["kind"] == "undone"
            and u["from_status"] == event["to_status"]
            and u["changed_at"] >= event["changed_at"]
            for u in self.events
        )


async def _event(
    referral: int, from_status: str, to_status: str, by: int, changed_at: dt.datetime, kind: str = "step"
) -> None:
    """One referral event written straight to the table (as a step dated in the past, or an import, would be)."""
    from portal.db.tables import ReferralEvent

    await ReferralEvent.insert(
        ReferralEvent(
            referral=referral,
            from_status=from_status,
            to_status=to_status,
            changed_by=by,
            changed_at=changed_at,
            kind=kind,
        )
    )


def _moment(rng: random.Random, after: dt.datetime, days: int) -> dt.datetime:
    return (after + dt.timedelta(days=rng.randint(1, days), seconds=rng.randint(0, 86399))).replace(microsecond=0)


@pytest.fixture
async def world(make_org, make_user) -> World:
    """Five organisations in SI and HR, two counsellors, 90 cases with stage histories from October 2024,
    eight opportunities, referrals through the whole loop (one step undone), introductions and ties."""
    from portal.db.tables import (
        Introduction,
        IntroductionEvent,
        Opportunity,
        Organisation,
        Participant,
        Referral,
        ReferralEvent,
        Relationship,
        StageChange,
    )

    rng = random.Random(13)
    w = World()
    specs = {
        "csd_si": ("CSD Ptuj", "social_work_centre", "SI", "Podravska", dt.date(2024, 11, 3)),
        "csd_hr": (
            "Centar za socijalnu skrb Čakovec",
            "social_work_centre",
            "HR",
            "Međimurska županija",
            dt.date(2025, 2, 10),
        ),
        "host_si": ("Zadruga Celje", "social_enterprise", "SI", "Savinjska", dt.date(2025, 2, 20)),
        "host_hr": ("Tvrtka Varaždin", "employer", "HR", "Varaždinska županija", dt.date(2025, 6, 5)),
        "employer_si": ("Podjetje Maribor", "employer", "SI", "Podravska", dt.date(2025, 6, 28)),
    }
    for key, (name, kind, country, region, created) in specs.items():
        org_id = await make_org(name=name, kind=kind, country=country, region=region)
        await Organisation.update({Organisation.created_at: at(created)}).where(Organisation.id == org_id)
        w.orgs[key] = {"id": org_id, "kind": kind, "country": country, "region": region, "created_at": at(created)}
    users = {
        "csd_si": await make_user("couns-si", "counsellor", organisation_id=w.orgs["csd_si"]["id"]),
        "csd_hr": await make_user("couns-hr", "counsellor", organisation_id=w.orgs["csd_hr"]["id"]),
    }
    host_user = await make_user("host-user", "enterprise", organisation_id=w.orgs["host_si"]["id"])

    for index in range(90):
        holder = rng.choice(["csd_si", "csd_hr"])
        region = rng.choice(SI_REGIONS if holder == "csd_si" else HR_REGIONS)
        created = _moment(rng, at(dt.date(2024, 10, 1)), 440)
        rows = await Participant.insert(
            Participant(
                code=f"T-{index:04d}",
                first_name="Test",
                last_name=f"Person {index}",
                organisation=w.orgs[holder]["id"],
                lead_counsellor=users[holder],
                region=region,
                municipality="",
                stage="intake",
                created_at=created,
                updated_at=created,
            )
        )
        participant = {
            "id": rows[0]["id"],
            "organisation": w.orgs[holder]["id"],
            "region": region,
            "created_at": created,
        }
        w.participants.append(participant)
        moment, stages = created, ["intake"]
        for stage in STAGE_ORDER[1:]:
            if rng.random() < 0.3:
                break
            stages.append(stage)
        if rng.random() < 0.2:
            stages.append("exit")
        for stage in stages:
            if stage != "intake":
                moment = _moment(rng, moment, 50)
            w.stage_changes.append({"participant": participant["id"], "stage": stage, "changed_at": moment})
        await StageChange.insert(
            *[
                StageChange(
                    participant=c["participant"],
                    stage=c["stage"],
                    note="",
                    changed_by=users[holder],
                    changed_at=c["changed_at"],
                )
                for c in w.stage_changes
                if c["participant"] == participant["id"]
            ]
        )
        participant["stage"] = stages[-1]
        await Participant.update({Participant.stage: stages[-1]}).where(Participant.id == participant["id"])

    opportunity_specs = [
        ("host_si", "programme_place", 8, 3, "open", dt.date(2025, 1, 1), None),
        ("host_si", "work_trial", 4, 2, "open", dt.date(2025, 3, 1), dt.date(2025, 9, 30)),
        ("host_si", "training", 12, 6, "closed", dt.date(2024, 9, 1), dt.date(2024, 12, 31)),
        ("host_hr", "job", 6, 5, "open", None, None),
        ("host_hr", "work_trial", 10, 1, "open", dt.date(2025, 5, 1), None),
        ("employer_si", "job", 7, 0, "open", dt.date(2025, 2, 1), None),
        ("employer_si", "supported_employment", 9, 9, "draft", None, None),
        ("host_hr", "volunteering", 5, 0, "open", dt.date(2026, 2, 1), None),
    ]
    for org_key, kind, capacity, taken, status, starts_on, ends_on in opportunity_specs:
        org = w.orgs[org_key]
        rows = await Opportunity.insert(
            Opportunity(
                organisation=org["id"],
                kind=kind,
                title=f"{kind} at {org_key}",
                country=org["country"],
                region=org["region"],
                hours_per_week=20,
                capacity=capacity,
                places_taken=taken,
                status=status,
                starts_on=starts_on,
                ends_on=ends_on,
                created_by=host_user,
                created_at=at(dt.date(2024, 9, 1)),
                updated_at=at(dt.date(2024, 9, 1)),
            )
        )
        w.opportunities.append(
            {
                "id": rows[0]["id"],
                "organisation": org["id"],
                "kind": kind,
                "country": org["country"],
                "region": org["region"],
                "capacity": capacity,
                "taken": taken,
                "status": status,
                "starts_on": starts_on,
                "ends_on": ends_on,
            }
        )

    live = [o for o in w.opportunities if o["status"] != "draft"]
    for participant in rng.sample(w.participants, 70):
        opportunity = rng.choice(live)
        moment = _moment(rng, participant["created_at"], 60)
        path = [("", "sent")]
        if rng.random() < 0.8:
            path.append(("sent", "accepted") if rng.random() < 0.85 else ("sent", "declined"))
        if path[-1][1] == "accepted" and rng.random() < 0.85:
            path.append(("accepted", "started"))
        if path[-1][1] == "started" and rng.random() < 0.8:
            path.append(("started", "completed") if rng.random() < 0.75 else ("started", "dropped_out"))
        if path[-1][1] == "completed" and rng.random() < 0.5:
            path.append(("completed", "hired"))
        rows = await Referral.insert(
            Referral(
                participant=participant["id"],
                opportunity=opportunity["id"],
                referred_by=host_user,
                message="",
                status=path[-1][1],
                reason="",
                created_at=moment,
                updated_at=moment,
            )
        )
        referral = {"id": rows[0]["id"], "participant": participant, "opportunity": opportunity, "status": path[-1][1]}
        w.referrals.append(referral)
        for frm, to in path:
            if frm:
                moment = _moment(rng, moment, 40)
            w.events.append(
                {"referral": referral["id"], "from_status": frm, "to_status": to, "changed_at": moment, "kind": "step"}
            )
    # One acceptance taken back and given again later: only the second counts.
    undone = next(r for r in w.referrals if r["status"] == "accepted")
    first = next(e for e in w.events if e["referral"] == undone["id"] and e["to_status"] == "accepted")
    w.events.append(
        {
            "referral": undone["id"],
            "from_status": "accepted",
            "to_status": "sent",
            "kind": "undone",
            "changed_at": first["changed_at"] + dt.timedelta(hours=2),
        }
    )
    w.events.append(
        {
            "referral": undone["id"],
            "from_status": "sent",
            "to_status": "accepted",
            "kind": "step",
            "changed_at": first["changed_at"] + dt.timedelta(days=9, hours=3),
        }
    )
    await ReferralEvent.insert(
        *[
            ReferralEvent(
                referral=e["referral"],
                from_status=e["from_status"],
                to_status=e["to_status"],
                reason="",
                changed_by=host_user,
                changed_at=e["changed_at"],
                kind=e["kind"],
            )
            for e in w.events
        ]
    )

    for participant in rng.sample(w.participants, 30):
        org = w.orgs[rng.choice(["employer_si", "host_hr"])]
        created = _moment(rng, participant["created_at"], 90)
        status = rng.choice(["requested", "accepted", "accepted", "declined"])
        rows = await Introduction.insert(
            Introduction(
                organisation=org["id"],
                participant=participant["id"],
                requested_by=host_user,
                message="",
                status=status,
                created_at=created,
                updated_at=created,
            )
        )
        intro = {
            "id": rows[0]["id"],
            "organisation": org["id"],
            "participant": participant,
            "status": status,
            "created_at": created,
        }
        w.introductions.append(intro)
        if status != "requested":
            answered = _moment(rng, created, 20)
            w.intro_events.append({"introduction": intro["id"], "to_status": status, "changed_at": answered})
            await IntroductionEvent.insert(
                IntroductionEvent(
                    introduction=intro["id"],
                    from_status="requested",
                    to_status=status,
                    reason="",
                    changed_by=users["csd_si"],
                    changed_at=answered,
                )
            )

    pairs = [(a, b) for a in w.orgs for b in w.orgs if a != b]  # one tie of a kind per ordered pair
    for a, b in rng.sample(pairs, 14):
        created = _moment(rng, at(dt.date(2024, 10, 1)), 450)
        await Relationship.insert(
            Relationship(
                source=w.orgs[a]["id"],
                target=w.orgs[b]["id"],
                kind="cooperation",
                note="",
                created_at=created,
                updated_at=created,
            )
        )
        w.ties.append({"source": w.orgs[a], "target": w.orgs[b], "created_at": created})
    return w


# --- expected figures, counted over the World ------------------------------------------------------


def expected_stages(w: World, participants: list[dict[str, Any]]) -> dict[str, Counter]:
    out = {}
    ids = {p["id"] for p in participants}
    for key in MONTHS:
        year, number = int(key[:4]), int(key[5:])
        end = at(dt.date(year + number // 12, number % 12 + 1, 1))
        counts: Counter = Counter()
        for pid in ids:
            history = [c for c in w.stage_changes if c["participant"] == pid and c["changed_at"] < end]
            if history:
                counts[max(history, key=lambda c: c["changed_at"])["stage"]] += 1
        out[key] = counts
    return out


def first_sent(w: World) -> list[dict[str, Any]]:
    return [
        r
        for r in w.referrals
        if any(
            e["referral"] == r["id"] and e["to_status"] == "sent" and w.kept(e) and in_period(e["changed_at"])
            for e in w.events
        )
    ]


def first_time(w: World, referral_id: int, status: str) -> dt.datetime | None:
    times = [
        e["changed_at"] for e in w.events if e["referral"] == referral_id and e["to_status"] == status and w.kept(e)
    ]
    return min(times) if times else None


def days(start: dt.datetime, end: dt.datetime) -> int:
    return int((end - start).total_seconds() // 86400)


def as_shown(count: int) -> int | None:
    """A count of people as the indicators must show it, worked out here on its own: None for one to four, else
    the nearest multiple of five (n / 5 is never half-way for a whole n, so round() has no tie to break)."""
    return None if 0 < count < 5 else 5 * round(count / 5)


def csv_rows(response) -> list[list[str]]:
    """The rows of a downloaded CSV without its closing note on rounding (checked to be there)."""
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "rounded to the nearest 5" in rows[-1][0]
    return rows[:-1]


# --- each indicator against its count --------------------------------------------------------------


async def test_participants_by_stage_each_month(world):
    found = await people.stage_counts(PERIOD)
    expected = expected_stages(world, world.participants)
    for key in MONTHS:
        assert {s: n for s, n in found[key].items() if n} == dict(expected[key]), key
    assert sum(expected["2025-12"].values()) > 50  # the history really spans the period


async def test_stages_filtered_by_country_and_region(world):
    hr = [p for p in world.participants if world.org_of(p)["country"] == "HR"]
    found = await people.stage_counts(Filters(START, END, country="HR"))
    expected = expected_stages(world, hr)
    assert {s: n for s, n in found["2025-06"].items() if n} == dict(expected["2025-06"])
    savinjska = [p for p in world.participants if p["region"] == "Savinjska"]
    found = await people.stage_counts(Filters(START, END, region="Savinjska"))
    assert {s: n for s, n in found["2025-11"].items() if n} == dict(expected_stages(world, savinjska)["2025-11"])


async def test_entries_and_exits_per_month(world):
    found = await people.entries_exits(PERIOD)
    for key in MONTHS:
        entries = sum(1 for p in world.participants if month(p["created_at"]) == key)
        employment = sum(1 for c in world.stage_changes if c["stage"] == "employment" and month(c["changed_at"]) == key)
        exits = sum(1 for c in world.stage_changes if c["stage"] == "exit" and month(c["changed_at"]) == key)
        assert found[key] == {"entries": entries, "employment": employment, "exit": exits}, key
    assert sum(v["entries"] for v in found.values()) > 40


async def test_entries_of_one_organisation(world):
    org = world.orgs["csd_hr"]["id"]
    found = await people.entries_exits(Filters(START, END, organisation=org))
    assert sum(v["entries"] for v in found.values()) == sum(
        1 for p in world.participants if p["organisation"] == org and in_period(p["created_at"])
    )


async def test_time_from_intake_to_first_placement(world):
    found = await people.first_placements(PERIOD)
    expected: dict[str, list[int]] = defaultdict(list)
    for p in world.participants:
        starts = [first_time(world, r["id"], "started") for r in world.referrals if r["participant"] is p]
        starts = [s for s in starts if s]
        if starts and in_period(min(starts)):
            expected[p["region"]].append(days(p["created_at"], min(starts)))
    assert set(found) == set(expected)
    for region, values in expected.items():
        histogram = found[region]
        assert sum(n for _, n in histogram) == len(values)
        assert sorted(d for d, n in histogram for _ in range(n)) == sorted(values)
    tables = {t.key: t for t in await people.build(PERIOD)}
    everyone = [d for values in expected.values() for d in values]
    rows = tables["time_to_placement"].rows
    if total_gives_away([len(values) for values in expected.values()]):
        # The "All" row would give a suppressed region away: it is left out.
        assert [row[0] for row in rows] == sorted(expected)
    else:
        assert rows[-1][1:] == [as_shown(len(everyone)), int(statistics.median(everyone) + 0.5)]
    for row in rows[:-1]:
        assert row[1] == as_shown(len(expected[row[0]])), row


async def test_referral_funnel_with_conversion_and_median_days(world):
    cohort = first_sent(world)
    reached, histograms = await placements.funnel(PERIOD)
    previous = None
    for status in placements.FUNNEL:
        count = sum(1 for r in cohort if first_time(world, r["id"], status))
        assert reached[status] == count, status
        if previous:
            gaps = [
                days(first_time(world, r["id"], previous), first_time(world, r["id"], status))
                for r in cohort
                if first_time(world, r["id"], status) and first_time(world, r["id"], previous)
            ]
            assert sorted(d for d, n in histograms.get(status, []) for _ in range(n)) == sorted(gaps), status
        previous = status
    # The undone acceptance is counted once, from its second time.
    assert reached["sent"] >= 30 and reached["accepted"] < reached["sent"]
    table = next(t for t in await placements.build(PERIOD) if t.key == "funnel")
    sent, accepted = table.rows[0][1], table.rows[1][1]
    assert sent == as_shown(reached["sent"]) and sent % 5 == 0
    # The conversion is worked out from the rounded figures shown beside it, never from the exact counts.
    assert table.rows[1][2] == round(100 * accepted / sent, 1)


async def test_outcomes_per_kind_of_programme(world):
    found = await placements.outcomes(PERIOD)
    expected: dict[str, Counter] = defaultdict(Counter)
    for e in world.events:
        if e["to_status"] in placements.OUTCOMES and world.kept(e) and in_period(e["changed_at"]):
            referral = next(r for r in world.referrals if r["id"] == e["referral"])
            expected[referral["opportunity"]["kind"]][e["to_status"]] += 1
    assert {k: {s: n for s, n in v.items() if n} for k, v in found.items()} == {k: dict(v) for k, v in expected.items()}


async def test_capacity_per_region_and_kind(world):
    found = await placements.capacity(PERIOD)
    running = [
        o
        for o in world.opportunities
        if o["status"] != "draft"
        and (o["starts_on"] is None or o["starts_on"] < END)
        and (o["ends_on"] is None or o["ends_on"] >= START)
    ]
    expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for o in running:
        expected[(o["region"], o["kind"])][0] += o["capacity"]
        expected[(o["region"], o["kind"])][1] += o["taken"]
    assert {(r["region"], r["kind"]): [r["offered"], r["taken"]] for r in found} == dict(expected)
    tables = {t.key: t for t in await placements.build(PERIOD)}
    by_region = {row[0]: row[1] for row in tables["capacity_region"].rows}
    assert by_region == {"Savinjska": 12, "Varaždinska županija": 16, "Podravska": 7}


async def test_employer_engagement(world):
    found = await partners.employer_engagement(PERIOD)
    accepted_pairs = {
        (i["organisation"], i["participant"]["id"]) for i in world.introductions if i["status"] == "accepted"
    }
    for key in MONTHS:
        hires = [
            e for e in world.events if e["to_status"] == "hired" and world.kept(e) and month(e["changed_at"]) == key
        ]
        referrals = {r["id"]: r for r in world.referrals}
        introduced = [
            e
            for e in hires
            if (referrals[e["referral"]]["opportunity"]["organisation"], referrals[e["referral"]]["participant"]["id"])
            in accepted_pairs
        ]
        assert found[key] == {
            "asked": sum(1 for i in world.introductions if month(i["created_at"]) == key),
            "accepted": sum(
                1 for e in world.intro_events if e["to_status"] == "accepted" and month(e["changed_at"]) == key
            ),
            "hired_introduced": len(introduced),
            "hired": len(hires),
        }, key


async def test_cross_border_ties_and_referrals(world):
    ties = await partners.cross_border_ties(PERIOD)
    crossing = [t for t in world.ties if t["source"]["country"] != t["target"]["country"] and t["created_at"] < at(END)]
    assert crossing, "the world has ties across the border"
    assert ties == {
        ("HR", "SI"): {"ties": len(crossing), "new_ties": sum(1 for t in crossing if in_period(t["created_at"]))}
    }
    referrals = await partners.cross_border_referrals(PERIOD)
    expected: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for e in world.events:
        if e["to_status"] in ("sent", "started", "hired") and world.kept(e) and in_period(e["changed_at"]):
            r = next(r for r in world.referrals if r["id"] == e["referral"])
            origin, destination = world.org_of(r["participant"])["country"], r["opportunity"]["country"]
            if origin != destination:
                expected[(origin, destination)][e["to_status"]] += 1
    assert {k: {s: n for s, n in v.items() if n} for k, v in referrals.items()} == {
        k: dict(v) for k, v in expected.items()
    }


async def test_network_growth(world):
    found = await partners.network_growth(PERIOD)
    orgs = list(world.orgs.values())
    for key in MONTHS:
        assert found[key]["organisations"] == sum(1 for o in orgs if month(o["created_at"]) == key), key
        assert found[key]["ties"] == sum(1 for t in world.ties if month(t["created_at"]) == key), key
    assert found["2025-12"]["organisations_total"] == sum(1 for o in orgs if o["created_at"] < at(END))
    assert found["2025-12"]["ties_total"] == sum(1 for t in world.ties if t["created_at"] < at(END))


# --- the page, suppression, files -----------------------------------------------------------------


async def _coordinator(client, make_user, role="coordinator"):
    await make_user("coord", role)
    await login(client, "coord")


async def test_page_shows_every_section_and_suppresses_small_counts(client, make_user, world):
    await _coordinator(client, make_user)
    response = await client.get("/indicators/?from=2025-01&to=2025-12")
    assert response.status_code == 200
    for title in (
        "Participants by stage at the end of each month",
        "Referral funnel",
        "Employer engagement per month",
        "Places offered and taken per region",
        "Ties across the border",
        "Network growth per month",
    ):
        assert title in response.text
    entries = await people.entries_exits(PERIOD)
    small = [m for m, v in entries.items() if 0 < v["entries"] < 5]
    csv_text = (await client.get("/indicators/data.csv?table=entries_exits&from=2025-01&to=2025-12")).content.decode(
        "utf-8-sig"
    )
    rows = {row[0]: row for row in csv.reader(io.StringIO(csv_text))}
    for key, values in entries.items():
        assert rows[key][1] == ("<5" if 0 < values["entries"] < 5 else str(as_shown(values["entries"])))
    assert any(v["entries"] > 5 and v["entries"] % 5 for v in entries.values()), "rounding is exercised"
    assert small, "some month has one to four new cases, so suppression is exercised"
    assert 'data-value="">' in response.text and "&lt;5" in response.text and 'data-shown="suppressed"' in response.text
    assert "Counts of people are rounded to the nearest 5, each on its own" in response.text


async def test_suppression_of_one_to_four(client, make_user, make_org):
    from portal.db.tables import Participant

    await _coordinator(client, make_user)
    org = await make_org(name="Small centre")
    lead = await make_user("lead", "counsellor", organisation_id=org)
    for index, day in enumerate([3, 5, 9, 11, 12, 14, 15, 20]):  # 3 in February, 5 in March
        created = at(dt.date(2025, 2 if index < 3 else 3, day))
        await Participant.insert(
            Participant(
                code=f"S-{index}",
                organisation=org,
                lead_counsellor=lead,
                region="Podravska",
                stage="intake",
                created_at=created,
                updated_at=created,
            )
        )
    response = await client.get("/indicators/data.csv?table=entries_exits&from=2025-01&to=2025-04")
    rows = {row[0]: row[1] for row in csv_rows(response)}
    assert rows == {"Month": "Cases opened", "2025-01": "0", "2025-02": "<5", "2025-03": "5", "2025-04": "0"}
    book = load_workbook(io.BytesIO((await client.get("/indicators/data.xlsx?from=2025-01&to=2025-04")).content))
    sheet = book["entries_exits"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert values == {"2025-01": 0, "2025-02": "<5", "2025-03": 5, "2025-04": 0}
    summary = (await client.get("/indicators/summary")).text
    assert "&lt;5" not in summary or "Podravska" in summary


async def test_a_country_less_one_of_its_regions_no_longer_gives_the_other_away(client, make_user, make_org):
    """Issue 13: 23 cases opened in Slovenia, 22 of them in Podravska; shown exactly, the two pages said Savinjska
    had one."""
    from portal.db.tables import Participant

    await _coordinator(client, make_user)
    org = await make_org(name="Centre", country="SI", region="Podravska")
    lead = await make_user("lead", "counsellor", organisation_id=org)
    for index, region in enumerate(["Podravska"] * 22 + ["Savinjska"]):
        created = at(dt.date(2025, 2, 1 + index))
        await Participant.insert(
            Participant(
                code=f"D-{index}",
                organisation=org,
                lead_counsellor=lead,
                region=region,
                stage="intake",
                created_at=created,
                updated_at=created,
            )
        )

    async def opened(scope: str) -> str:
        response = await client.get(f"/indicators/data.csv?table=entries_exits&from=2025-02&to=2025-02&{scope}")
        return {row[0]: row[1] for row in csv_rows(response)}["2025-02"]

    shown = {scope: await opened(scope) for scope in ("country=SI", "region=Podravska", "region=Savinjska")}
    assert shown == {"country=SI": "25", "region=Podravska": "20", "region=Savinjska": "<5"}
    # What a reader who knows the rule makes of 25 and 20: every count of one to four fits some exact pair.
    fits = {other for other in range(1, 5) for n in range(60) if as_shown(n) == 20 and as_shown(n + other) == 25}
    assert fits == {1, 2, 3, 4}


async def test_xlsx_holds_every_table_as_shown(client, make_user, world):
    await _coordinator(client, make_user)
    response = await client.get("/indicators/data.xlsx?from=2025-01&to=2025-12&country=SI")
    assert response.status_code == 200
    assert "spreadsheetml" in response.headers["content-type"]
    book = load_workbook(io.BytesIO(response.content))
    assert {
        "stages",
        "entries_exits",
        "time_to_placement",
        "funnel",
        "outcomes",
        "capacity_region",
        "employers",
        "cross_border_ties",
        "network_growth",
    } <= set(book.sheetnames)
    sheet = book["funnel"]
    assert "Country: SI" in sheet["A2"].value
    reached, _ = await placements.funnel(Filters(START, END, country="SI"))
    cells = {row[0]: row[1] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert cells["Sent"] == (as_shown(reached["sent"]) if reached["sent"] >= 5 or reached["sent"] == 0 else "<5")
    assert "rounded to the nearest 5" in sheet["A2"].value
    growth = {row[0]: row[1:] for row in book["network_growth"].iter_rows(min_row=4, values_only=True)}
    expected = await partners.network_growth(Filters(START, END, country="SI"))
    assert growth["2025-06"][0] == expected["2025-06"]["organisations"]


async def test_filters_by_region_and_bad_filters(client, make_user, world):
    await _coordinator(client, make_user)
    response = await client.get("/indicators/?region=Savinjska&from=2025-01&to=2025-12", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="indicators"' in response.text
    assert "Region: Savinjska" in response.text
    response = await client.get("/indicators/?country=HR&region=Savinjska&from=2025-13&organisation=x")
    assert response.status_code == 422
    assert "This region is not in the chosen country." in response.text
    assert "Give the first month as year and month" in response.text
    assert "Choose an organisation from the list." in response.text
    response = await client.get("/indicators/?organisation=999999&from=2025-01&to=2025-12")
    assert response.status_code == 422 and "Choose an organisation from the list." in response.text
    assert "Organisation: " not in response.text  # everyone's figures, not a missing organisation's zeros
    f, errors = clean_filters({"from": "2025-06", "to": "2025-02"})
    assert "to" in errors and f.months == Filters(f.start, f.end).months


async def test_report_pdf(client, make_user, world):
    await _coordinator(client, make_user)
    await post_form(client, "/language", {"language": "sl", "next": "/"})
    response = await client.get("/indicators/report.pdf?from=2025-01&to=2025-12")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 5000


async def test_public_summary(client, world):
    response = await client.get("/indicators/summary")
    assert response.status_code == 200
    assert "Slovenia" in response.text or "Slovenija" in response.text
    assert "CSD Ptuj" not in response.text and "T-0" not in response.text


# --- targets ---------------------------------------------------------------------------------------


async def test_target_form_refuses_bad_input_and_changes_nothing(client, make_user, db):
    from portal.db.tables import IndicatorTarget

    await _coordinator(client, make_user)
    bad = [
        (
            {"indicator": "nope", "from": "2025-01", "to": "2025-12", "value": "10"},
            "Choose an indicator from the list.",
        ),
        ({"indicator": "hires", "from": "2025-1", "to": "2025-12", "value": "10"}, "Give the first month"),
        (
            {"indicator": "hires", "from": "2025-06", "to": "2025-01", "value": "10"},
            "The last month must not be before the first.",
        ),
        ({"indicator": "hires", "from": "2025-01", "to": "2025-12", "value": "0"}, "Give a whole number from 1"),
        ({"indicator": "hires", "from": "2025-01", "to": "2025-12", "value": "²"}, "Give a whole number from 1"),
        (
            {
                "indicator": "hires",
                "from": "2025-01",
                "to": "2025-12",
                "value": "5",
                "country": "HR",
                "region": "Podravska",
            },
            "This region is not in the chosen country.",
        ),
    ]
    for form, message in bad:
        response = await post_form(client, "/indicators/targets", form)
        assert response.status_code == 422, form
        assert message in response.text, form
        assert f'value="{form["value"]}"' in response.text  # what was typed is kept
    assert await IndicatorTarget.count() == 0


async def test_target_shown_against_actual_then_deleted(client, make_user, world):
    from portal.db.tables import IndicatorTarget

    await _coordinator(client, make_user)
    response = await post_form(
        client,
        "/indicators/targets",
        {"indicator": "participants_entered", "from": "2025-01", "to": "2025-12", "value": "200"},
    )
    assert response.status_code == 303
    await post_form(
        client,
        "/indicators/targets",
        {"indicator": "places_offered", "from": "2025-01", "to": "2025-06", "region": "Savinjska", "value": "40"},
    )
    rows = await IndicatorTarget.select().order_by(IndicatorTarget.id)
    assert rows[0]["period_end"] == dt.date(2025, 12, 31) and rows[1]["country"] == "SI"
    entered = sum(1 for p in world.participants if in_period(p["created_at"]))
    page = (await client.get("/indicators/?from=2025-01&to=2025-12")).text
    assert "Targets in this period" in page and f"{as_shown(entered) / 200 * 100:.1f}" in page.replace(",", ".")
    # Savinjska's places running in the first half of 2025: the programme place (8) and the work trial (4).
    assert "30.0" in (await client.get("/indicators/targets")).text.replace(",", ".")
    assert (await post_form(client, f"/indicators/targets/{rows[0]['id']}/delete", {})).status_code == 303
    assert await IndicatorTarget.count() == 1
    assert (await post_form(client, f"/indicators/targets/{rows[0]['id']}/delete", {})).status_code == 404


# --- who may see them ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["counsellor", "enterprise", "employer"])
async def test_other_roles_are_refused(client, make_user, db, role):
    await make_user("someone", role)
    await login(client, "someone")
    for path in (
        "/indicators/",
        "/indicators/data.xlsx",
        "/indicators/data.csv?table=funnel",
        "/indicators/report.pdf",
        "/indicators/targets",
    ):
        assert (await client.get(path)).status_code == 403, path
    assert (await client.get("/indicators/summary")).status_code == 200


async def test_anonymous_is_sent_to_log_in(client, db):
    response = await client.get("/indicators/")
    assert response.status_code in (401, 303)
    assert (await client.get("/indicators/summary")).status_code == 200


async def test_admin_sees_them(client, make_user, db):
    await _coordinator(client, make_user, role="admin")
    assert (await client.get("/indicators/")).status_code == 200
    assert (await client.get("/indicators/data.csv?table=nope")).status_code == 404


async def test_a_registered_section_shows_on_the_page_in_the_files_and_in_order(client, make_user, db):
    from portal import cache
    from portal.indicators import model
    from portal.indicators.model import Column, IndicatorTable, Section

    async def build(f):
        rows = [[key, count] for key, count in zip(f.months, [0, 3, 7], strict=False)]
        return [
            IndicatorTable(
                "extra_table", "Extra figures", [Column("month", "Month", "label"), Column("n", "People")], rows
            )
        ]

    model.register(Section("extra", lambda: "Extra section", build, order=15))
    try:
        await _coordinator(client, make_user)
        page = (await client.get("/indicators/?from=2025-01&to=2025-03")).text
        order = [
            page.index(title) for title in ("Participants", "Extra section", "Referrals and places", "Employers and")
        ]
        assert order == sorted(order)
        # 7 people are shown as 5, whatever the section wrote: the gate rounds every count of people.
        assert 'data-value="">' in page and 'data-value="5"' in page and 'data-value="7"' not in page
        response = await client.get("/indicators/data.csv?table=extra_table&from=2025-01&to=2025-03")
        assert csv_rows(response) == [["Month", "People"], ["2025-01", "0"], ["2025-02", "<5"], ["2025-03", "5"]]
        book = load_workbook(io.BytesIO((await client.get("/indicators/data.xlsx?from=2025-01&to=2025-03")).content))
        assert [row for row in book["extra_table"].iter_rows(min_row=4, values_only=True)] == [
            ("2025-01", 0),
            ("2025-02", "<5"),
            ("2025-03", 5),
        ]
    finally:
        model.SECTIONS.pop("extra")
        cache.forget_all()


async def test_public_summary_hides_what_would_give_a_small_count_away(client, make_user, make_org):
    from portal.db.tables import Participant

    org = await make_org(name="Centre")
    lead = await make_user("lead", "counsellor", organisation_id=org)
    now = dt.datetime.now(UTC)
    counts = {"Podravska": 3, "Savinjska": 12, "Koroška": 6}
    index = 0
    for region, count in counts.items():
        for _ in range(count):
            index += 1
            await Participant.insert(
                Participant(
                    code=f"P-{index}",
                    organisation=org,
                    lead_counsellor=lead,
                    region=region,
                    stage="activation",
                    created_at=now,
                    updated_at=now,
                )
            )
    from portal.indicators.summary import HIDDEN, summary

    figures = (await summary())["countries"]["SI"]
    active = {row["region"]: row["active"] for row in figures["regions"]}
    # Podravska's 3 are suppressed; without more, 21 - 12 - 6 would give them away: Koroška is hidden too.
    # The figures shown are rounded each on its own (12 as 10, the total 21 as 20).
    assert active == {"Podravska": None, "Savinjska": 10, "Koroška": HIDDEN}
    assert figures["totals"]["active"] == 20
    page = (await client.get("/indicators/summary")).text
    assert "&lt;5" in page and "·</abbr>" in page and ">20<" in page and ">21<" not in page
    assert "rounded to the nearest 5" in page


def test_protect_total_hides_the_total_when_nothing_else_can_be():
    from portal.indicators.summary import HIDDEN, protect_total

    rows = [{"region": "A", "hired": None}, {"region": "B", "hired": 0}]
    totals = {"hired": 3}
    protect_total(rows, totals, "hired", {"A": {"hired": 3}, "B": {"hired": 0}})
    assert totals["hired"] == HIDDEN and rows[1]["hired"] == 0
    rows = [{"region": "A", "hired": None}, {"region": "B", "hired": None}, {"region": "C", "hired": 9}]
    totals = {"hired": 15}
    protect_total(rows, totals, "hired", {"A": {"hired": 2}, "B": {"hired": 4}, "C": {"hired": 9}})
    assert totals["hired"] == 15 and rows[2]["hired"] == 9  # two unknowns: only their sum is known


async def test_an_organisation_is_found_by_name_and_filters_the_figures(client, make_user, world):
    await _coordinator(client, make_user)
    page = (await client.get("/indicators/?org_q=cakovec&from=2025-01&to=2025-12")).text
    org = world.orgs["csd_hr"]["id"]
    assert f'<option value="{org}">Centar za socijalnu skrb Čakovec' in page
    assert "CSD Ptuj" not in page  # the list holds only what matches the search
    page = (await client.get(f"/indicators/?organisation={org}&from=2025-01&to=2025-12")).text
    assert f'<option value="{org}" selected>' in page
    assert "Organisation: Centar za socijalnu skrb Čakovec" in page


def test_protect_total_hides_a_total_whose_remainder_gives_the_small_counts_away():
    from portal.indicators.summary import HIDDEN, protect_total

    # Two suppressed regions and 11 - 9 = 2 left for them: each is exactly 1.
    rows = [{"region": "A", "hired": None}, {"region": "B", "hired": None}, {"region": "C", "hired": 9}]
    totals = {"hired": 11}
    protect_total(rows, totals, "hired", {"A": {"hired": 1}, "B": {"hired": 1}, "C": {"hired": 9}})
    assert totals["hired"] == HIDDEN
    # Two suppressed at 4 each: 17 - 9 = 8 is the most two of them can be.
    rows = [{"region": "A", "hired": None}, {"region": "B", "hired": None}, {"region": "C", "hired": 9}]
    totals = {"hired": 17}
    protect_total(rows, totals, "hired", {"A": {"hired": 4}, "B": {"hired": 4}, "C": {"hired": 9}})
    assert totals["hired"] == HIDDEN
    # One suppressed (1) and the smallest other hidden (5): 1 + 5 = 6 is the least the two can be.
    rows = [{"region": "A", "hired": None}, {"region": "B", "hired": 5}, {"region": "C", "hired": 9}]
    totals = {"hired": 15}
    protect_total(rows, totals, "hired", {"A": {"hired": 1}, "B": {"hired": 5}, "C": {"hired": 9}})
    assert rows[1]["hired"] == HIDDEN and totals["hired"] == HIDDEN
    # One suppressed (2) and a hidden 7 below the shown 9: 9 could be 4 + 5, 3 + 6 or 2 + 7: the total stays.
    rows = [{"region": "A", "hired": None}, {"region": "B", "hired": 7}, {"region": "C", "hired": 9}]
    totals = {"hired": 18}
    protect_total(rows, totals, "hired", {"A": {"hired": 2}, "B": {"hired": 7}, "C": {"hired": 9}})
    assert rows[1]["hired"] == HIDDEN and totals["hired"] == 18


async def test_the_all_row_never_gives_a_suppressed_region_away(monkeypatch):
    # One region of three placed (suppressed) and one of nine: an "All" of 12 would say 12 - 9 = 3.
    async def no_stages(f):
        return defaultdict(lambda: defaultdict(int))

    async def no_flows(f):
        return {}

    async def placed(histograms):
        async def first_placements(f):
            return histograms

        return first_placements

    monkeypatch.setattr(people, "stage_counts", no_stages)
    monkeypatch.setattr(people, "entries_exits", no_flows)
    monkeypatch.setattr(people, "first_placements", await placed({"Podravska": [(10, 3)], "Savinjska": [(20, 9)]}))
    rows = {t.key: t for t in await people.build(PERIOD)}["time_to_placement"].rows
    assert [row[:2] for row in rows] == [["Podravska", None], ["Savinjska", 10]]
    # Two suppressed regions whose sum (2 + 3) pins neither: the "All" row stays.
    monkeypatch.setattr(
        people,
        "first_placements",
        await placed({"Podravska": [(10, 2)], "Pomurska": [(5, 3)], "Savinjska": [(20, 9)]}),
    )
    rows = {t.key: t for t in await people.build(PERIOD)}["time_to_placement"].rows
    assert rows[-1][:2] == ["All", 15]
    # Two suppressed regions of one each (14 - 12 = 2): the "All" row would say so.
    monkeypatch.setattr(
        people,
        "first_placements",
        await placed({"Podravska": [(10, 1)], "Pomurska": [(5, 1)], "Savinjska": [(20, 12)]}),
    )
    rows = {t.key: t for t in await people.build(PERIOD)}["time_to_placement"].rows
    assert [row[0] for row in rows] == ["Podravska", "Pomurska", "Savinjska"]


# --- the monthly summary (portal/indicators/monthly.py) ---------------------------------------------


def _scopes(w: World) -> list[Filters]:
    """The filters the summary must answer as the live query does, and one period into this month."""
    this_month = dt.date.today().replace(day=1)
    return [
        PERIOD,
        Filters(START, END, country="HR"),
        Filters(START, END, region="Savinjska"),
        Filters(START, END, organisation=w.orgs["csd_hr"]["id"]),
        Filters(START, END, organisation=w.orgs["host_si"]["id"]),  # a host: its referrals count too
        Filters(START, END, country="SI", region="Podravska", organisation=w.orgs["csd_si"]["id"]),
        Filters(dt.date(2025, 6, 1), dt.date(2025, 7, 1)),
        Filters(dt.date(2024, 1, 1), dt.date(2025, 3, 1), country="SI"),
        Filters(this_month.replace(year=this_month.year - 4), (this_month + dt.timedelta(days=32)).replace(day=1)),
    ]


async def _assert_summary_equals_live(w: World) -> None:
    for f in _scopes(w):
        assert await people.stage_counts(f) == await people.stage_counts(f, use_summary=False), f
        summarised, live = await people.first_placements(f), await people.first_placements(f, use_summary=False)
        assert {k: sorted(v) for k, v in summarised.items()} == {k: sorted(v) for k, v in live.items()}, f
        assert await placements.funnel(f) == await placements.funnel(f, use_summary=False), f
        assert await placements.outcomes(f) == await placements.outcomes(f, use_summary=False), f
        live_border = await partners.cross_border_referrals(f, use_summary=False)
        assert await partners.cross_border_referrals(f) == live_border, f
        assert await partners.employer_engagement(f) == await partners.employer_engagement(f, use_summary=False), f
        # The public summary's placements and hires per country and region of the case.
        args = (f, ("started", "hired"), {"country": "po.country", "region": "p.region"})
        by_place = await placements.step_referrals(*args, by_person=True)
        assert by_place == await placements.step_referrals(*args, by_person=True, use_summary=False), f


async def test_the_summary_job_gives_exactly_the_live_figures(world, monkeypatch):
    from portal.db.tables import (
        IndicatorFirstPlacementMonth,
        IndicatorFunnelMonth,
        IndicatorStageMonth,
        IndicatorStepMonth,
    )
    from portal.indicators import monthly
    from portal.jobs.registry import kind

    assert await monthly.fresh_boundary() is None  # never refreshed: everything is read live
    boundary = monthly.boundary_at(utc_now())  # the start of this hour (or the last, in its first minutes)
    assert await kind("indicator_summary").function()() == {"boundary": boundary, "rows": ANY}
    assert await monthly.fresh_boundary() == boundary
    assert await IndicatorStageMonth.count() > 20
    assert await IndicatorFirstPlacementMonth.count() > 5
    assert await IndicatorFunnelMonth.count() > 20
    assert await IndicatorStepMonth.count() > 20
    await _assert_summary_equals_live(world)
    # The whole past period comes from the summary: the live history is not read at all.
    calls = []
    live = people._live_moves

    async def spy(f, since):
        calls.append(since)
        return await live(f, since)

    monkeypatch.setattr(people, "_live_moves", spy)
    found = await people.stage_counts(PERIOD)
    assert calls == []
    expected = expected_stages(world, world.participants)
    for key in MONTHS:
        assert {s: n for s, n in found[key].items() if n} == dict(expected[key]), key
    # The funnel of a whole past period comes from the summary: no live step is reached before the boundary.
    live_funnel = placements._live_funnel
    funnel_calls = []

    async def funnel_spy(f, since):
        found = await live_funnel(f, since)
        funnel_calls.append((since, sum(row["n"] for row in found)))
        return found

    monkeypatch.setattr(placements, "_live_funnel", funnel_spy)
    reached, _ = await placements.funnel(PERIOD)
    assert reached["sent"] == len(first_sent(world))
    assert funnel_calls == [(monthly.boundary_start(boundary), 0)]
    # A period into this month reads only the moves since the boundary live.
    await people.stage_counts(_scopes(world)[-1])
    assert calls == [monthly.boundary_start(boundary)]
    # Run again (twice, as two processes' schedules may): nothing to do, then a forced rebuild changes nothing.
    rows = await IndicatorStageMonth.count()
    assert await monthly.job() == {"skipped": "fresh"}
    await monthly.refresh()
    await monthly.refresh()
    assert await IndicatorStageMonth.count() == rows
    await _assert_summary_equals_live(world)


async def test_a_summarised_month_that_changes_is_read_live_until_refreshed(world):
    from portal.db.tables import Organisation, Participant, PortalUser, StageChange
    from portal.indicators import monthly

    await monthly.job()
    user = (await PortalUser.select(PortalUser.id).order_by(PortalUser.id).first())["id"]
    someone = next(p for p in world.participants if p["region"] == "Savinjska")
    # A stage change dated in a summarised month (as an import could write it).
    moment = at(dt.datetime(2025, 6, 15, 12, tzinfo=UTC))
    await StageChange.insert(
        StageChange(participant=someone["id"], stage="exit", note="", changed_by=user, changed_at=moment)
    )
    world.stage_changes.append({"participant": someone["id"], "stage": "exit", "changed_at": moment})
    assert await monthly.fresh_boundary() is None
    found = await people.stage_counts(PERIOD)
    expected = expected_stages(world, world.participants)
    assert {s: n for s, n in found["2025-06"].items() if n} == dict(expected["2025-06"])
    await _assert_summary_equals_live(world)
    await monthly.job()
    assert await monthly.fresh_boundary() is not None
    await _assert_summary_equals_live(world)
    # A person moved to another region, and a case holder's country changed: each marks the summary stale.
    await Participant.update({Participant.region: "Podravska"}).where(Participant.id == someone["id"])
    assert await monthly.fresh_boundary() is None
    await _assert_summary_equals_live(world)
    await monthly.job()
    await _assert_summary_equals_live(world)
    await Organisation.update({Organisation.country: "SI"}).where(Organisation.id == world.orgs["csd_hr"]["id"])
    assert await monthly.fresh_boundary() is None
    await monthly.job()
    assert await monthly.fresh_boundary() is not None
    await _assert_summary_equals_live(world)
    # A move today is in the open month, read live: the summary stays fresh and the figures equal.
    await StageChange.insert(
        StageChange(participant=someone["id"], stage="intake", note="", changed_by=user, changed_at=utc_now())
    )
    assert await monthly.fresh_boundary() is not None
    await _assert_summary_equals_live(world)
    # A placement start dated in a summarised month (the person's first), and one taken back.

    referral = next(r for r in world.referrals if r["participant"]["region"] != "Savinjska")
    await _event(referral["id"], "accepted", "started", user, at(dt.datetime(2025, 1, 2, tzinfo=UTC)))
    assert await monthly.fresh_boundary() is None
    await _assert_summary_equals_live(world)
    await monthly.job()
    # A referral with kept starts in two months (as an import could write them) counts once over a period
    # holding both, as live: the summary takes one back for the pair of months.
    twice = next(e for e in world.events if e["to_status"] == "started" and e["changed_at"] < at(dt.date(2025, 10, 1)))
    await _event(twice["referral"], "accepted", "started", user, twice["changed_at"] + dt.timedelta(days=62))
    # ... and a referral sent in two months (kept both times) is in the funnel of a period holding either.
    again = next(e for e in world.events if e["to_status"] == "sent" and e["changed_at"] < at(dt.date(2025, 6, 1)))
    await _event(again["referral"], "proposed", "sent", user, again["changed_at"] + dt.timedelta(days=95))
    await monthly.job()
    assert await monthly.fresh_boundary() is not None
    await _assert_summary_equals_live(world)
    months_after = Filters((again["changed_at"] + dt.timedelta(days=95)).date().replace(day=1), END)
    assert await placements.funnel(months_after) == await placements.funnel(months_after, use_summary=False)
    # Sent once more today: in this month's funnel with all its steps, the earlier ones too; still fresh.
    await _event(again["referral"], "proposed", "sent", user, utc_now())
    assert await monthly.fresh_boundary() is not None
    this_month = Filters(
        utc_now().date().replace(day=1), (utc_now().date().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    )
    reached, _ = await placements.funnel(this_month)
    assert reached["sent"] >= 1 and reached == (await placements.funnel(this_month, use_summary=False))[0]
    await _assert_summary_equals_live(world)
    await _event(referral["id"], "started", "accepted", user, utc_now(), kind="undone")
    assert await monthly.fresh_boundary() is None
    await _assert_summary_equals_live(world)
    await monthly.job()
    await monthly.job()
    # The funnel follows referrals sent in past months to today: a step taken now is read live, the summary
    # stays fresh, and the figures equal.
    completed = next(r for r in world.referrals if r["status"] == "completed")
    await _event(completed["id"], "completed", "hired", user, utc_now())
    assert await monthly.fresh_boundary() is not None
    await _assert_summary_equals_live(world)
    before = (await placements.funnel(PERIOD, use_summary=False))[0]["hired"]
    assert (await placements.funnel(PERIOD))[0]["hired"] == before
    # An acceptance dated in a summarised month, an acceptance taken back now, a referral moved to another
    # opportunity, an opportunity moved to another host: each marks the summary stale.
    from portal.db.tables import Opportunity, Referral

    sent = next(r for r in world.referrals if r["status"] == "sent")
    await _event(sent["id"], "sent", "accepted", user, at(dt.datetime(2025, 8, 3, tzinfo=UTC)))
    assert await monthly.fresh_boundary() is None
    await _assert_summary_equals_live(world)
    await monthly.job()
    await _event(sent["id"], "accepted", "sent", user, utc_now(), kind="undone")
    assert await monthly.fresh_boundary() is None
    await _assert_summary_equals_live(world)
    await monthly.job()
    other = next(o for o in world.opportunities if o["organisation"] != completed["opportunity"]["organisation"])
    await Referral.update({Referral.opportunity: other["id"]}).where(Referral.id == completed["id"])
    assert await monthly.fresh_boundary() is None
    await _assert_summary_equals_live(world)
    await monthly.job()
    await Opportunity.update({Opportunity.organisation: world.orgs["employer_si"]["id"]}).where(
        Opportunity.id == other["id"]
    )
    assert await monthly.fresh_boundary() is None
    await _assert_summary_equals_live(world)
    await monthly.job()
    assert await monthly.fresh_boundary() is not None
    await _assert_summary_equals_live(world)
    # The summaries reach up to this hour, not this month: a step taken now and taken back at once leaves them
    # fresh (the hour's events are read live) ...
    just_sent = next(r for r in world.referrals if r["status"] == "sent" and r["id"] != sent["id"])
    await _event(just_sent["id"], "sent", "accepted", user, utc_now())
    await _event(just_sent["id"], "accepted", "sent", user, utc_now(), kind="undone")
    assert await monthly.fresh_boundary() is not None
    await _assert_summary_equals_live(world)
    # ... while a move dated before this hour (earlier today, say) marks them stale, and the rebuilt summary
    # holds it.
    earlier = utc_now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(minutes=1)
    await StageChange.insert(
        StageChange(participant=someone["id"], stage="training", note="", changed_by=user, changed_at=earlier)
    )
    assert await monthly.fresh_boundary() is None
    await monthly.job()
    boundary = await monthly.fresh_boundary()
    assert boundary is not None and monthly.boundary_start(boundary) > utc_now() - dt.timedelta(minutes=71)
    await _assert_summary_equals_live(world)
    # Removing a history dated in past months (as deleting the person does) marks it stale too.
    await StageChange.delete().where(StageChange.participant == someone["id"])
    assert await monthly.fresh_boundary() is None
    await _assert_summary_equals_live(world)


# --- complementary suppression across linked figures (portal/complementary.py) ----------------------


def _stub(value):
    async def computed(f):
        return value

    return computed


async def test_all_hires_less_hires_after_an_introduction_never_gives_a_small_count(monkeypatch):
    from portal.complementary import HIDDEN

    engagement = {
        "2025-01": {"asked": 20, "accepted": 9, "hired_introduced": 9, "hired": 12},  # 3 without an introduction
        "2025-02": {"asked": 20, "accepted": 9, "hired_introduced": 9, "hired": 16},  # 7 without: all shown
        "2025-03": {"asked": 0, "accepted": 0, "hired_introduced": 2, "hired": 9},  # 2 with, 7 without
        "2025-04": {"asked": 0, "accepted": 0, "hired_introduced": 0, "hired": 3},
    }
    monkeypatch.setattr(partners, "employer_engagement", _stub(engagement))
    for name in ("cross_border_ties", "cross_border_referrals"):
        monkeypatch.setattr(partners, name, _stub({}))
    monkeypatch.setattr(partners, "network_growth", _stub({}))
    rows = {row[0]: row[3:] for row in {t.key: t for t in await partners.build(PERIOD)}["employers"].rows}
    assert rows["2025-01"] == [HIDDEN, 10]
    assert rows["2025-02"] == [10, 15]
    assert rows["2025-03"] == [None, 10]
    assert rows["2025-04"] == [0, None]
    for introduced, hired in rows.values():
        if isinstance(introduced, int) and isinstance(hired, int):
            assert not 0 < hired - introduced < 5


async def test_places_taken_per_region_kind_and_both_never_give_a_small_count(monkeypatch):
    found = [
        {"region": "Podravska", "kind": "job", "opportunities": 2, "offered": 10, "taken": 3},
        {"region": "Podravska", "kind": "work_trial", "opportunities": 3, "offered": 20, "taken": 12},
        {"region": "Savinjska", "kind": "job", "opportunities": 1, "offered": 15, "taken": 9},
        {"region": "Savinjska", "kind": "work_trial", "opportunities": 4, "offered": 30, "taken": 20},
        {"region": "Pomurska", "kind": "training", "opportunities": 1, "offered": 8, "taken": 6},
    ]
    monkeypatch.setattr(placements, "capacity", _stub(found))
    monkeypatch.setattr(placements, "funnel", _stub((dict.fromkeys(placements.FUNNEL, 0), {})))
    monkeypatch.setattr(placements, "outcomes", _stub({}))
    tables = {t.key: t for t in await placements.build(PERIOD)}
    region = {row[0]: row[2] for row in tables["capacity_region"].rows}
    kind = {row[0]: row[2] for row in tables["capacity_kind"].rows}
    detail = {(row[0], row[1]): row[3] for row in tables["capacity_detail"].rows}
    assert detail[("Podravska", "Job")] is None  # the small count itself
    # A reader subtracts the shown parts from a shown total: never the small count.
    assert not (isinstance(region["Podravska"], int) and isinstance(detail[("Podravska", "Work trial")], int))
    assert not (isinstance(kind["Job"], int) and isinstance(detail[("Savinjska", "Job")], int))
    # Nor from the kinds' sum less the other regions' (the regions and kinds add to the same places).
    totals_known = all(isinstance(v, int) for v in kind.values())
    others_known = all(isinstance(region[r], int) for r in ("Savinjska", "Pomurska"))
    assert not (totals_known and others_known and isinstance(detail[("Podravska", "Work trial")], int))
    # The shares of what is hidden are not shown either (share x offered would give it back).
    assert all(row[3] is None for row in tables["capacity_region"].rows if not isinstance(row[2], int))


async def test_a_funnel_step_less_the_next_never_gives_a_small_count(monkeypatch):
    from portal.complementary import HIDDEN

    reached = {"sent": 40, "accepted": 37, "started": 20, "completed": 12, "hired": 6}
    monkeypatch.setattr(placements, "funnel", _stub((reached, {})))
    monkeypatch.setattr(placements, "capacity", _stub([]))
    monkeypatch.setattr(placements, "outcomes", _stub({}))
    rows = {t.key: t for t in await placements.build(PERIOD)}["funnel"].rows
    shown = [row[1] for row in rows]
    assert shown == [40, HIDDEN, 20, 10, 5]  # 40 - 37 = 3 stopped after sending; 12 and 6 rounded
    assert rows[4][2] == 50.0  # hired of completed from the rounded 5 and 10, not 6 of 12
    assert rows[1][2] is None and rows[2][2] is None  # no conversion from or to the hidden step


async def test_a_hidden_figure_is_the_same_on_the_page_and_in_the_files(client, make_user, monkeypatch):
    from portal.indicators.exports import HIDDEN_MARK

    await _coordinator(client, make_user)
    engagement = {"2025-01": {"asked": 20, "accepted": 9, "hired_introduced": 9, "hired": 12}}
    monkeypatch.setattr(partners, "employer_engagement", _stub(engagement))
    page = (await client.get("/indicators/?from=2025-01&to=2025-01")).text
    assert "hidden, so that a count below 5 cannot be worked out" in page
    # The chart's tooltip tells a hidden cell by its own words, not as "fewer than 5" (indicators.js).
    assert 'data-shown="hidden"' in page and "hidden so that a small count cannot be worked out, not drawn" in page
    response = await client.get("/indicators/data.csv?table=employers&from=2025-01&to=2025-01")
    assert csv_rows(response)[1] == ["2025-01", "20", "10", HIDDEN_MARK, "10"]
    book = load_workbook(io.BytesIO((await client.get("/indicators/data.xlsx?from=2025-01&to=2025-01")).content))
    assert list(book["employers"].iter_rows(min_row=4, values_only=True))[0] == ("2025-01", 20, 10, HIDDEN_MARK, 10)


async def test_a_target_actual_that_would_give_a_month_away_is_hidden(db, monkeypatch):
    from portal.complementary import HIDDEN
    from portal.db.tables import IndicatorTarget
    from portal.indicators.targets import targets_for

    await IndicatorTarget.insert(
        IndicatorTarget(
            indicator="participants_entered", period_start=START, period_end=dt.date(2025, 3, 31), value=100
        )
    )
    f = Filters(START, dt.date(2025, 4, 1))

    def entered(months: dict[str, int]):
        return _stub({key: {"entries": n, "employment": 0, "exit": 0} for key, n in months.items()})

    # The page shows 20, <5, 15 for these months: a total of 38 would say 3.
    monkeypatch.setattr(people, "entries_exits", entered({"2025-01": 20, "2025-02": 3, "2025-03": 15}))
    [item] = (await targets_for(f))["items"]
    assert item["actual"] == HIDDEN and item["progress"] is None
    monkeypatch.setattr(people, "entries_exits", entered({"2025-01": 20, "2025-02": 7, "2025-03": 15}))
    [item] = (await targets_for(f))["items"]
    # 42 people are shown as 40 (the page shows the months as 20, 5 and 15): the share reached is of the 40.
    assert item["actual"] == 40 and item["progress"] == 40.0 and item["value"] == 100
