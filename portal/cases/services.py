"""Case files: who may see them, and every read and change of them (each audited by the caller)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from portal.auth.current_user import CurrentUser
from portal.cases import case_file
from portal.cases.names import with_name_search
from portal.cases.profiling import Assessment
from portal.clock import utc_now
from portal.db.piccolo_conf import DB
from portal.db.tables import (
    CaseNote,
    CaseTeamMember,
    Consent,
    Organisation,
    Participant,
    PlanStep,
    PortalUser,
    ProfilingAssessment,
    StageChange,
)
from portal.pagination import Page, clamp_page, first_of
from portal.service_errors import NotFound, Refused
from portal.skills.entries import skill_terms
from portal.text import fold
from portal.users.search import folded_contains, search_words

PER_PAGE = 25
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and typed


def _new_code() -> str:
    return "P-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


# --- access -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseAccess:
    """How a user stands to one case: the lead, a team member, or nobody."""

    participant_id: int
    role: str  # "lead" or "team"
    # Personal data cleared (portal.privacy.erasure): the case can be read, no longer changed or referred.
    pseudonymised: bool = False

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"


async def consents_in_force(participant_id: int) -> dict[str, dict[str, Any]]:
    """The newest decision per scope; a scope never decided counts as not given."""
    rows = (
        await Consent.select(
            Consent.scope, Consent.given, Consent.recorded_at, Consent.recorded_by.display_name.as_alias("by")
        )
        .where(Consent.participant == participant_id)
        .order_by(Consent.id)
    )
    current: dict[str, dict[str, Any]] = {}
    for row in rows:
        current[row["scope"]] = row
    return current


async def access_for(
    user: CurrentUser, participant_id: int, case: Mapping[str, Any] | None = None
) -> CaseAccess | None:
    """The lead always; team members of the lead organisation always; other organisations' members
    only while the participant's consent to share with the case team is in force.

    ``case`` may pass the participant's ``lead_counsellor``, ``organisation`` (and ``pseudonymised_at``)
    when the caller has just read them: the lead then needs no statement. Otherwise one statement
    (portal.cases.case_file.ACCESS_SQL) reads the case, the team membership and the consent.
    """
    if case is not None and case["lead_counsellor"] == user.id:
        return CaseAccess(participant_id, "lead", case.get("pseudonymised_at") is not None)
    row = await case_file.access_row(user.id, participant_id)
    if row is None:
        return None
    if case is None:
        case = row
    pseudonymised = case.get("pseudonymised_at") is not None
    if case["lead_counsellor"] == user.id:
        return CaseAccess(participant_id, "lead", pseudonymised)
    if not row["on_team"]:
        return None
    if user.organisation_id == case["organisation"]:
        return CaseAccess(participant_id, "team", pseudonymised)
    return CaseAccess(participant_id, "team", pseudonymised) if row["team_consent"] else None


async def changeable_case(user: CurrentUser, participant_id: int, lead_only: bool = False) -> CaseAccess:
    """``user``'s standing on a case they may change; raises ``NotFound`` when they are not on it (whether a
    case exists is itself personal), ``Refused("not_lead")`` when ``lead_only`` and they do not lead it, and
    ``Refused("pseudonymised")`` once it was pseudonymised."""
    access = await access_for(user, participant_id)
    if access is None:
        raise NotFound()
    if lead_only and not access.is_lead:
        raise Refused("not_lead")
    if access.pseudonymised:
        raise Refused("pseudonymised")
    return access


# --- caseload -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadFilters:
    q: str = ""
    stage: str = ""
    support_level: str = ""
    region: str = ""
    overdue: bool = False

    @property
    def reveals_names(self) -> bool:
        """True when the search looks for a name (a word that is neither a birth year nor a case code):
        the results then show names, and the caller audits each person shown."""
        return any(_is_name_word(word) for word in _search_words(self.q))


MAX_SEARCH_WORDS = 5


def _search_words(q: str) -> list[str]:
    # LIKE's wildcards and escape are dropped: a search word is matched as plain text.
    words = ["".join(ch for ch in word if ch not in "%_\\")[:40] for word in q.split()]
    return [word for word in words if word][:MAX_SEARCH_WORDS]


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isascii() and word.isdigit()


# One letter would reveal half the caseload's names while the user is still typing (the search runs
# as they type): names are matched from two letters on, shorter words against codes only.
MIN_NAME_LETTERS = 2


def _is_name_word(word: str) -> bool:
    return not _is_year(word) and not word.upper().startswith("P-") and len(fold(word)) >= MIN_NAME_LETTERS


def _search_conditions(q: str) -> list[Combinable]:
    """One condition per word, all of which must hold: a 4-digit word is a birth year; any other word
    is found in the case code or in the folded names, so "petrovic ana" and "Ana Petrović" find the
    same person. One column each, no rows read into Python."""
    conditions: list[Combinable] = []
    for word in _search_words(q):
        if _is_year(word):
            conditions.append(Participant.birth_year == int(word))
            continue
        in_code = Participant.code.like(f"%{word.upper()[:20]}%")
        if _is_name_word(word):
            conditions.append(in_code | Participant.name_search.like(f"%{fold(word, dj_as_d=True)}%"))
        else:
            conditions.append(in_code)
    return conditions


async def caseload_conditions(user: CurrentUser, filters: CaseloadFilters) -> list[Combinable]:
    """The cases ``user`` may list (leads, or is on the team of while consent allows) with ``filters``:
    the one rule for the caseload page and its downloads."""
    # Team cases elsewhere count only while the person's consent to share with the team is in force:
    # a withdrawn case disappears from the list entirely, filters included. One subquery rather than
    # a consent read per team case (53 statements a page at a country's scale) and a list of ids;
    # a UNION under IN, as an OR of the lead and a subquery would scan the whole table.
    mine = WhereRaw(
        "participant.id IN (SELECT led.id FROM participant led WHERE led.lead_counsellor = {}"
        " UNION SELECT team.participant FROM case_team_member team"
        " JOIN participant shared ON shared.id = team.participant"
        ' WHERE team."user" = {} AND (shared.organisation = {} OR COALESCE((SELECT consent.given FROM consent'
        " WHERE consent.participant = team.participant AND consent.scope = 'case_team'"
        " ORDER BY consent.id DESC LIMIT 1), {})))",
        user.id,
        user.id,
        user.organisation_id,
        False,
    )
    conditions: list[Combinable] = [mine]
    conditions.extend(_search_conditions(filters.q))
    for column, value in (
        (Participant.stage, filters.stage),
        (Participant.support_level, filters.support_level),
        (Participant.region, filters.region),
    ):
        if value:
            conditions.append(column == value)
    if filters.overdue:
        # A subquery, not a list of ids: the number of overdue cases grows with the country.
        conditions.append(
            WhereRaw(
                "participant.id IN (SELECT plan_step.participant FROM plan_step"
                " WHERE plan_step.due_on < {} AND plan_step.done_on IS NULL)",
                dt.date.today(),
            )
        )
    return conditions


async def caseload(user: CurrentUser, filters: CaseloadFilters, page: int = 1) -> Page:
    """Cases the user leads or is on the team of, with the filters; pseudonymous columns only."""
    conditions = await caseload_conditions(user, filters)
    total = await Participant.count().where(*conditions)
    page = clamp_page(page, total, PER_PAGE)
    rows = (
        await Participant.select(
            Participant.id,
            Participant.code,
            *((Participant.first_name, Participant.last_name) if filters.reveals_names else ()),
            Participant.stage,
            Participant.support_level,
            Participant.region,
            Participant.municipality,
            Participant.lead_counsellor,
            Participant.organisation,
            Participant.updated_at,
        )
        .where(*conditions)
        .order_by(Participant.updated_at, ascending=False)
        .order_by(Participant.id, ascending=False)  # a unique tie-breaker: rows stamped alike page once each
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    for row in rows:
        row["is_lead"] = row["lead_counsellor"] == user.id
    return Page(items=rows, total=total, page=page, per_page=PER_PAGE)


# --- creating and reading -----------------------------------------------------------------------


def _initials(first_name: str, last_name: str) -> str:
    return (fold(first_name)[:1] + fold(last_name)[:1]).upper()


async def possible_duplicates(values: dict[str, Any], exclude_id: int | None = None) -> list[dict[str, Any]]:
    """Cases with the same birth year, initials and municipality: maybe the same person twice."""
    rows = await Participant.select(
        Participant.id,
        Participant.code,
        Participant.first_name,
        Participant.last_name,
        Participant.organisation.name.as_alias("organisation_name"),
    ).where((Participant.birth_year == values["birth_year"]) & (Participant.municipality == values["municipality"]))
    initials = _initials(values["first_name"], values["last_name"])
    return [
        {"id": r["id"], "code": r["code"], "organisation_name": r["organisation_name"]}
        for r in rows
        if r["id"] != exclude_id and _initials(r["first_name"], r["last_name"]) == initials
    ]


async def create_case(user: CurrentUser, values: dict[str, Any]) -> int:
    """Open a case led by ``user`` at their organisation, at stage intake, in one transaction."""
    now = utc_now()
    values = _with_skill_terms(values)
    async with DB.transaction():
        code = _new_code()
        while await Participant.exists().where(Participant.code == code):
            code = _new_code()
        rows = await Participant.insert(
            Participant(
                **values,
                code=code,
                organisation=user.organisation_id,
                lead_counsellor=user.id,
                stage="intake",
                support_level="",
                created_at=now,
                updated_at=now,
            )
        )
        participant_id = rows[0]["id"]
        await StageChange.insert(
            StageChange(participant=participant_id, stage="intake", note="", changed_by=user.id, changed_at=now)
        )
    return participant_id


async def organisation_country(organisation_id: int) -> str:
    row = await Organisation.select(Organisation.country).where(Organisation.id == organisation_id).first()
    return row["country"] if row else "SI"


async def get_case(participant_id: int) -> dict[str, Any]:
    """The whole case file, personal data included: callers check access and audit the read.

    Two statements (portal.cases.case_file): the case with its organisation and lead, then its
    lists (stage history, team, consents, assessments, plan, notes, possible duplicates) together.
    """
    case = await case_file.case_row(participant_id)
    if case is None:
        raise NotFound(participant_id)
    case["skills_list"] = json.loads(case["skills"] or "[]")
    lists = await case_file.case_lists(participant_id)
    case["stages"] = lists["stage"]
    case["team"] = lists["team"]
    case["consent_history"] = lists["consent"]
    # What consents_in_force reads, from the history just read (newest first): one query less per page.
    in_force: dict[str, dict[str, Any]] = {}
    for row in case["consent_history"]:
        if row["scope"] not in in_force:
            in_force[row["scope"]] = {key: row[key] for key in ("scope", "given", "recorded_at", "by")}
    case["consents"] = in_force
    case["assessments"] = lists["assessment"]
    case["plan"] = lists["plan"]
    case["notes"] = lists["note"]
    # As possible_duplicates: same birth year and municipality (read with the lists), and the same initials.
    initials = _initials(case["first_name"], case["last_name"])
    case["duplicates"] = [
        {"id": d["id"], "code": d["code"], "organisation_name": d["organisation_name"]}
        for d in lists["duplicate"]
        if _initials(d["first_name"], d["last_name"]) == initials
    ]
    case["overdue"] = sum(1 for s in case["plan"] if s["due_on"] and not s["done_on"] and s["due_on"] < dt.date.today())
    return case


# --- changes ------------------------------------------------------------------------------------


def _with_skill_terms(values: dict[str, Any]) -> dict[str, Any]:
    """The values with ``skill_terms`` derived from ``skills`` and ``name_search`` from the names,
    so the stored search fields never disagree with what they are made from."""
    values = with_name_search(values)
    return {**values, "skill_terms": skill_terms(values["skills"])} if "skills" in values else values


async def update_profile(participant_id: int, values: dict[str, Any]) -> None:
    if ("first_name" in values) != ("last_name" in values):
        # One name alone: the folded name is made from both, so read the other.
        current = (
            await Participant.select(Participant.first_name, Participant.last_name)
            .where(Participant.id == participant_id)
            .first()
        )
        values = with_name_search(values, current)
    values = _with_skill_terms(values)
    await Participant.update(
        {**{getattr(Participant, k): v for k, v in values.items()}, Participant.updated_at: utc_now()}
    ).where(Participant.id == participant_id)


async def change_stage(participant_id: int, stage: str, note: str, user: CurrentUser) -> None:
    now = utc_now()
    async with DB.transaction():
        await Participant.update({Participant.stage: stage, Participant.updated_at: now}).where(
            Participant.id == participant_id
        )
        await StageChange.insert(
            StageChange(participant=participant_id, stage=stage, note=note, changed_by=user.id, changed_at=now)
        )


async def record_consent(participant_id: int, scope: str, given: bool, note: str, user: CurrentUser) -> None:
    """A new row: history is never rewritten, and the newest row per scope is the one in force."""
    await Consent.insert(
        Consent(
            participant=participant_id, scope=scope, given=given, note=note, recorded_by=user.id, recorded_at=utc_now()
        )
    )


# The team form lists at most this many people; a search by name or organisation finds the rest.
TEAM_CHOICES = 20
TEAM_ROLES = ("counsellor", "enterprise")


def _could_join(participant_id: int) -> Combinable:
    """Active counsellors and enterprise users who are neither the case's lead nor on its team yet."""
    return (
        PortalUser.role.is_in(list(TEAM_ROLES))
        & PortalUser.is_active.eq(True)
        & WhereRaw(
            'portal_user.id NOT IN (SELECT case_team_member."user" FROM case_team_member'
            " WHERE case_team_member.participant = {})"
            " AND portal_user.id NOT IN (SELECT participant.lead_counsellor FROM participant WHERE participant.id = {})",
            participant_id,
            participant_id,
        )
    )


async def team_candidates(participant_id: int, q: str = "") -> tuple[list[dict[str, Any]], bool]:
    """Who could join the team, by name, and whether more could than are listed.

    With a search, those whose name or organisation's name holds it; without one, the
    colleagues at the case's organisation. At most :data:`TEAM_CHOICES`: a country's
    services have thousands of staff.
    """
    conditions = [_could_join(participant_id)]
    words = search_words(q)
    # Each word in the name or the organisation's name, ignoring case and diacritics ("đ" and "dj" alike).
    for word in words:
        conditions.append(
            folded_contains("portal_user.display_name", word)
            | WhereRaw(
                "portal_user.organisation IN (SELECT id FROM organisation WHERE {})",
                folded_contains("organisation.name", word).querystring,
            )
        )
    if not words:
        conditions.append(
            WhereRaw(
                "portal_user.organisation = (SELECT participant.organisation FROM participant WHERE participant.id = {})",
                participant_id,
            )
        )
    query = (
        PortalUser.select(
            PortalUser.id,
            PortalUser.display_name,
            PortalUser.role,
            PortalUser.organisation.name.as_alias("organisation_name"),
        )
        .where(*conditions)
        .order_by(PortalUser.display_name)
        .order_by(PortalUser.id)
    )
    return await first_of(query, TEAM_CHOICES)


async def add_team_member(participant_id: int, user_id: int, role: str, by: CurrentUser) -> bool:
    if not await PortalUser.exists().where((PortalUser.id == user_id) & _could_join(participant_id)):
        return False
    await CaseTeamMember.insert(
        CaseTeamMember(participant=participant_id, user=user_id, role=role, added_by=by.id, added_at=utc_now())
    )
    return True


async def remove_team_member(participant_id: int, member_id: int) -> bool:
    found = await CaseTeamMember.exists().where(
        (CaseTeamMember.id == member_id) & (CaseTeamMember.participant == participant_id)
    )
    if found:
        await CaseTeamMember.delete().where(CaseTeamMember.id == member_id)
    return found


async def save_assessment(
    participant_id: int,
    assessment: Assessment,
    answers: dict[str, str],
    override_level: str,
    override_reason: str,
    user: CurrentUser,
) -> None:
    """Keep the computed level and any override side by side; the case shows the one in force."""
    now = utc_now()
    async with DB.transaction():
        await ProfilingAssessment.insert(
            ProfilingAssessment(
                participant=participant_id,
                answers=json.dumps(answers),
                points=assessment.points,
                computed_level=assessment.level,
                override_level=override_level,
                override_reason=override_reason,
                assessed_by=user.id,
                assessed_at=now,
            )
        )
        await Participant.update(
            {Participant.support_level: override_level or assessment.level, Participant.updated_at: now}
        ).where(Participant.id == participant_id)


async def add_plan_step(participant_id: int, goal: str, step: str, due_on: dt.date | None, user: CurrentUser) -> None:
    await PlanStep.insert(
        PlanStep(
            participant=participant_id, goal=goal, step=step, due_on=due_on, created_by=user.id, created_at=utc_now()
        )
    )


async def mark_step_done(participant_id: int, step_id: int) -> bool:
    rows = (
        await PlanStep.update({PlanStep.done_on: dt.date.today()})
        .where((PlanStep.id == step_id) & (PlanStep.participant == participant_id))
        .returning(PlanStep.id)
    )
    return bool(rows)


async def add_note(participant_id: int, text: str, user: CurrentUser) -> None:
    await CaseNote.insert(CaseNote(participant=participant_id, text=text, author=user.id, written_at=utc_now()))
