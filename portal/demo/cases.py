"""Demo case files and referrals, so every page has something to show (idempotent, fixed seed)."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from collections.abc import Hashable
from typing import Any

import matching
from matching.synthetic import chance_of_success
from portal.auth.passwords import hash_password
from portal.cases.names import name_search
from portal.cases.profiling import CRITERIA, assess
from portal.clock import utc_now
from portal.db.rows import existing
from portal.db.tables import (
    CaseNote,
    Consent,
    Opportunity,
    Organisation,
    Participant,
    PlanStep,
    PortalUser,
    ProfilingAssessment,
    Referral,
    ReferralEvent,
    StageChange,
)
from portal.demo.people import participants, thin_spot
from portal.matching_service import records, training
from portal.skills.entries import skill_terms

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# Each demo referral ends in one of these, walked there step by step from "sent".
_PATHS = {
    "proposed": [],
    "sent": ["sent"],
    "accepted": ["sent", "accepted"],
    "declined": ["sent", "declined"],
    "started": ["sent", "accepted", "started"],
    "completed": ["sent", "accepted", "started", "completed"],
    "dropped_out": ["sent", "accepted", "started", "dropped_out"],
    "hired": ["sent", "accepted", "started", "completed", "hired"],
}
_REASONS = {"declined": "Ni prostega mentorja do pomladi.", "dropped_out": "Zdravstveni razlogi, dogovor za kasneje."}
_GOOD, _BAD = ("completed", "hired"), ("declined", "dropped_out")


async def _counsellors() -> dict[str, list[tuple[int, int]]]:
    """Per region, (user id, organisation id) of counsellors: the demo counsellor plus one generated
    account (nobody can log in as it) at each social work centre and employment office there."""
    orgs = await Organisation.select(Organisation.id, Organisation.slug, Organisation.region).where(
        Organisation.kind.is_in(["social_work_centre", "employment_office"])
    )
    existing = {row["username"]: row["id"] for row in await PortalUser.select(PortalUser.id, PortalUser.username)}
    unusable = hash_password(secrets.token_urlsafe(32))
    now = utc_now()
    by_region: dict[str, list[tuple[int, int]]] = {}
    for org in orgs:
        username = f"counsellor-{org['slug']}"[:100]
        if username not in existing:
            rows = await PortalUser.insert(
                PortalUser(
                    username=username,
                    password_hash=unusable,
                    display_name=f"Counsellor, {org['slug']}",
                    organisation=org["id"],
                    role="counsellor",
                    created_at=now,
                )
            )
            existing[username] = rows[0]["id"]
        by_region.setdefault(org["region"], []).append((existing[username], org["id"]))
    return by_region


async def load_cases(seed: int = 2018) -> tuple[int, int]:
    """Add the demo participants and their referrals if they are not there yet; return the counts added."""
    rng = random.Random(seed)
    demo = await existing(  # the demo users are loaded before the cases
        PortalUser.select(PortalUser.id, PortalUser.organisation).where(PortalUser.username == "counsellor").first()
    )
    by_region = await _counsellors()
    opportunities = await Opportunity.select(
        *records.columns(Opportunity, records.OPPORTUNITY_COLUMNS), Opportunity.region, Opportunity.created_by
    ).where(Opportunity.status == "open")
    places_left = {o["id"]: o["capacity"] - o["places_taken"] for o in opportunities}
    people = participants(seed=seed) + thin_spot(seed=seed)
    code_rng = random.Random(seed + 1)
    contact_rng = random.Random(seed + 2)
    history = _History(opportunities, random.Random(seed + 4))
    codes = ["P-" + "".join(code_rng.choice(_ALPHABET) for _ in range(6)) for _ in people]
    if await Participant.exists().where(Participant.code == codes[0]):
        return 0, 0  # loaded before: the demo cases go in whole or not at all
    now = utc_now()
    added_people = added_referrals = 0
    for n, (person, code) in enumerate(zip(people, codes, strict=True)):
        # The demo counsellor (in Čakovec) leads every other Croatian case, a caseload with pages;
        # the rest go to the counsellors of the person's region.
        local = by_region.get(person["region"]) or [(demo["id"], demo["organisation"])]
        mine = person["country"] == "HR" and n % 2 == 0
        lead, organisation = (demo["id"], demo["organisation"]) if mine else rng.choice(local)
        values = {
            k: v for k, v in person.items() if k not in ("country", "case_team_consent", "employer_profile_consent")
        }
        values["skills"] = json.dumps(person["skills"], ensure_ascii=False)
        values["skill_terms"] = skill_terms(values["skills"])
        values["name_search"] = name_search(values["first_name"], values["last_name"])
        rows = await Participant.insert(
            Participant(
                **values,
                code=code,
                organisation=organisation,
                lead_counsellor=lead,
                support_level="",
                created_at=now,
                updated_at=now,
            )
        )
        pid = rows[0]["id"]
        added_people += 1
        await StageChange.insert(StageChange(participant=pid, stage="intake", note="", changed_by=lead, changed_at=now))
        if person["stage"] != "intake":
            await StageChange.insert(
                StageChange(participant=pid, stage=person["stage"], note="", changed_by=lead, changed_at=now)
            )
            answers = {c.code: rng.choice(c.answers).code for c in CRITERIA}
            result, missing = assess(answers)
            if result is None:  # every criterion has an answer above
                raise ValueError(f"incomplete demo assessment: {missing}")
            await ProfilingAssessment.insert(
                ProfilingAssessment(
                    participant=pid,
                    answers=json.dumps(answers),
                    points=result.points,
                    computed_level=result.level,
                    override_level="",
                    override_reason="",
                    assessed_by=lead,
                    assessed_at=now,
                )
            )
            await Participant.update({Participant.support_level: result.level}).where(Participant.id == pid)
            await PlanStep.insert(
                PlanStep(
                    participant=pid,
                    goal="Redna dnevna rutina",
                    step="Obisk delavnice dvakrat tedensko",
                    due_on=dt.date.today() + dt.timedelta(days=rng.randint(-20, 40)),
                    created_by=lead,
                    created_at=now,
                )
            )
            await CaseNote.insert(
                CaseNote(
                    participant=pid,
                    text="Prvi pogovor opravljen, dogovor o naslednjih korakih.",
                    author=lead,
                    written_at=now,
                )
            )
        # Half of those shown to employers also agree to be contacted after an introduction
        # (its own random stream, so the rest of the demo set stays as it was).
        contact = person["employer_profile_consent"] and contact_rng.random() < 0.5
        for scope, given in (
            ("case_team", person["case_team_consent"]),
            ("employer_profile", person["employer_profile_consent"]),
            ("employer_contact", contact),
        ):
            if given:
                await Consent.insert(
                    Consent(participant=pid, scope=scope, given=True, recorded_by=lead, recorded_at=now, note="")
                )
        if person["stage"] in ("activation", "placement", "employment"):
            added_referrals += await _refer(
                rng, pid, lead, person, opportunities, places_left, now, history, records.person({**values, "id": pid})
            )
    for opportunity_id, left in places_left.items():
        capacity = next(o["capacity"] for o in opportunities if o["id"] == opportunity_id)
        await Opportunity.update({Opportunity.places_taken: capacity - left}).where(Opportunity.id == opportunity_id)
    return added_people, added_referrals


class _History:
    """Earlier referrals of a demo person, and whether each finished referral went well.

    People in activation, placement or employment have tried up to four places over the past two
    years before their current referral, picked (as a counsellor would) from their eight best
    suggestions. Whether
    a finished referral went well is drawn from a documented success model:
    :func:`matching.synthetic.chance_of_success` of the pair's fit as the portal scores it
    (skills, interests, distance, hours, support). A good fit mostly ends in completion or a
    hire, a poor one mostly in a decline or a drop-out, so the outcome report has something
    real to learn, where coin flips left nothing. All of it uses its own random stream.
    """

    def __init__(self, opportunities: list[dict[str, Any]], rng: random.Random) -> None:
        self._places = {o["id"]: records.opportunity(o) for o in opportunities}
        self._rows = {o["id"]: o for o in opportunities}
        self._scoring = training.portal_scoring(matching.DEFAULT_WEIGHTS)
        self._index = matching.OpportunityIndex(self._places.values(), scoring=self._scoring)
        self._rng = rng

    def outcome(self, status: str, person: matching.Person, opportunity_id: Hashable) -> str:
        """``status`` kept, unless it is an outcome: then good or bad by the success model."""
        if status not in (*_GOOD, *_BAD):
            return status
        pair = matching.score_pair(person, self._places[opportunity_id], self._scoring)
        if self._rng.random() < chance_of_success(pair.components):
            return status if status in _GOOD else self._rng.choice(["completed", "completed", "hired"])
        return status if status in _BAD else self._rng.choice(["declined", "declined", "dropped_out"])

    def earlier(self, person: matching.Person, current: int) -> list[tuple[int, dict[str, Any], str]]:
        """Up to four finished referrals before the current one, oldest first: (days ago, place, outcome)."""
        count = self._rng.choices([0, 1, 2, 3, 4], weights=[1, 2, 3, 2, 2])[0]
        suggested = [m.opportunity_id for m in self._index.recommend(person, top=8) if m.opportunity_id != current]
        chosen = self._rng.sample(suggested, min(count, len(suggested)))
        days_ago = sorted((self._rng.randint(20, 730) for _ in chosen), reverse=True)
        return [
            (days, self._rows[o], self.outcome(self._rng.choice(_GOOD + _BAD), person, o))
            for days, o in zip(days_ago, chosen, strict=True)
        ]


async def _refer(rng, pid, lead, person, opportunities, places_left, now, history, record) -> int:
    """The person's current referral (its place and step drawn as before), after their earlier, finished ones."""
    nearby = [o for o in opportunities if o["region"] == person["region"]] or opportunities
    if not nearby:
        return 0
    opportunity = rng.choice(nearby)
    status = history.outcome(rng.choice(list(_PATHS)), record, opportunity["id"])
    if status in ("accepted", "started") and places_left[opportunity["id"]] <= 0:
        status = "sent"  # never over-book, not even in demo data
    if status in ("accepted", "started"):
        places_left[opportunity["id"]] -= 1
    earlier = history.earlier(record, opportunity["id"])
    for days_ago, place, outcome in earlier:
        await _insert_referral(pid, lead, place, outcome, now - dt.timedelta(days=days_ago))
    await _insert_referral(pid, lead, opportunity, status, now)
    return 1 + len(earlier)


async def _insert_referral(pid, lead, opportunity, status, when) -> None:
    rows = await Referral.insert(
        Referral(
            participant=pid,
            opportunity=opportunity["id"],
            referred_by=lead,
            message="Predlagam za delovni preizkus.",
            status=status,
            reason=_REASONS.get(status, ""),
            holds_place=status in ("accepted", "started"),
            created_at=when,
            updated_at=when,
        )
    )
    previous = ""
    for step in _PATHS[status] or ["proposed"]:
        # Steps after "sent" are the host's: record them as taken by whoever posted the opportunity.
        by = lead if step in ("proposed", "sent") else opportunity["created_by"]
        await ReferralEvent.insert(
            ReferralEvent(
                referral=rows[0]["id"],
                from_status=previous,
                to_status=step,
                reason=_REASONS.get(step, ""),
                changed_by=by,
                changed_at=when,
            )
        )
        previous = step
