"""The signed-in home page ("my day"): what each role has waiting for it, each list capped, each query bounded.

One call, :func:`my_day`, returns typed sections; the page only renders them and audits the
participants whose case content is shown. Texts are translated here, in the reader's language.

"Changed since the counsellor last looked" is read from referral ``updated_at`` within the last
:data:`CHANGED_WINDOW`: ``last_login_at`` is overwritten at each sign-in (so it marks this
session, not the one before), successful sign-ins are not kept, and unread notifications (listed
in their own section) carry only a sentence and a link to the case, not the referral.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from portal.auth.current_user import CurrentUser
from portal.auth.roles import ADMIN, COORDINATOR, COUNSELLOR, EMPLOYER, ENTERPRISE
from portal.cache import kept_for
from portal.clock import utc_now
from portal.db.engine import as_utc, like_literal
from portal.db.tables import (
    AbsenceAlert,
    AllocationRound,
    CaseTeamMember,
    Introduction,
    NetworkSnapshot,
    Opportunity,
    Participant,
    PlanStep,
    Referral,
)
from portal.employers import pool
from portal.i18n import gettext as _
from portal.i18n import ngettext
from portal.i18n.formatting import format_date, format_datetime, format_number
from portal.notifications import services as notifications
from portal.referrals.flow import STATUSES as REFERRAL_STATUSES
from portal.vocab import split_codes

logger = logging.getLogger(__name__)

SHOWN = 5  # items per list; each list links to the page with all of them
COUNT_CAP = 99  # counts stop here ("99+"): a count must not read a country's rows
CHANGED_WINDOW = dt.timedelta(days=7)
CANDIDATE_OPENINGS = 3  # an employer's newest open opportunities, each with its count of new candidates
CANDIDATE_CAP = 20
NEW_CANDIDATES_WINDOW = dt.timedelta(days=14)
GAPS_SHOWN = 5
NETWORK_OLD_AFTER = dt.timedelta(days=1)
# Statuses the host sets: the counsellor's news.
_HOST_STEPS = ("accepted", "declined", "started", "completed", "dropped_out", "hired")


@dataclass(frozen=True)
class Item:
    """One line of a section: a sentence, where it is handled, and an optional date or status."""

    text: str
    link: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    """A heading, its first items, how many there are (up to :data:`COUNT_CAP`), and the page with all."""

    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    total: int = 0
    more_link: str = ""
    more_label: str = ""
    empty: str = ""
    summary: str = ""  # a sentence instead of (or above) a list: a count, a status
    alert: bool = False  # something failed or is out of date

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def total_text(self) -> str:
        return format_number(COUNT_CAP) + "+" if self.capped else format_number(self.total)


@dataclass(frozen=True)
class MyDay:
    """The sections for one user, and the participants whose case content they show (to audit)."""

    sections: list[Section]
    shown_participants: list[int] = field(default_factory=list)


async def _capped_count(query: Any) -> int:
    """How many rows ``query`` (a select of ids) finds, stopping after :data:`COUNT_CAP` + 1."""
    return len(await query.limit(COUNT_CAP + 1))


# --- counsellor ---------------------------------------------------------------------------------


async def _team_cases(user: CurrentUser) -> list[int]:
    """Cases the user is on the team of and may open (the rule of portal.cases.services.access_for):
    those of their own organisation always, others while the case-team consent is in force."""
    rows = await CaseTeamMember.select(
        CaseTeamMember.participant, CaseTeamMember.participant.organisation.as_alias("organisation")
    ).where(CaseTeamMember.user == user.id)
    elsewhere = [row["participant"] for row in rows if row["organisation"] != user.organisation_id]
    # One query per 500 cases for the consents, not one per case on every load of the home page.
    consenting = await pool.consented(elsewhere, "case_team")
    return [
        row["participant"]
        for row in rows
        if row["organisation"] == user.organisation_id or row["participant"] in consenting
    ]


def _mine(participant: Any, user: CurrentUser, team: list[int]) -> Combinable:
    """``participant`` (a foreign key path to Participant) is a case the user leads or is on the team of."""
    condition = participant.lead_counsellor == user.id
    if team:  # bounded by the teams one person is on, not by the data
        condition = condition | participant.id.is_in(team)
    return condition & participant.pseudonymised_at.is_null()


async def _overdue_steps(user: CurrentUser, team: list[int], today: dt.date) -> tuple[Section, list[int]]:
    where = (PlanStep.due_on < today) & PlanStep.done_on.is_null() & _mine(PlanStep.participant, user, team)
    rows = (
        await PlanStep.select(
            PlanStep.id,
            PlanStep.participant,
            PlanStep.step,
            PlanStep.due_on,
            PlanStep.participant.code.as_alias("code"),
        )
        .where(where)
        .order_by(PlanStep.due_on)
        .order_by(PlanStep.id)
        .limit(SHOWN)
    )
    total = await _capped_count(PlanStep.select(PlanStep.id).where(where))
    items = [
        Item(
            _("%(code)s: %(step)s") % {"code": r["code"], "step": r["step"]},
            f"/cases/{r['participant']}#plan",
            _("due %(date)s") % {"date": format_date(r["due_on"])},
        )
        for r in rows
    ]
    section = Section(
        "overdue-steps",
        _("Overdue plan steps"),
        items,
        total,
        "/cases/?overdue=true",
        _("All cases with overdue steps"),
        _("No plan step is overdue."),
    )
    return section, sorted({r["participant"] for r in rows})


async def _referral_rows(where: Combinable, newest_first: bool) -> list[dict[str, Any]]:
    return (
        await Referral.select(
            Referral.id,
            Referral.participant,
            Referral.status,
            Referral.updated_at,
            Referral.participant.code.as_alias("code"),
            Referral.opportunity.title.as_alias("title"),
            Referral.opportunity._.organisation.name.as_alias("host"),
        )
        .where(where)
        .order_by(Referral.updated_at, ascending=not newest_first)
        .order_by(Referral.id, ascending=not newest_first)  # a unique tie-breaker
        .limit(SHOWN)
    )


def _referral_item(r: dict[str, Any], note: str) -> Item:
    return Item(
        _("%(code)s at %(host)s: %(title)s") % {"code": r["code"], "host": r["host"], "title": r["title"]},
        f"/cases/{r['participant']}#referrals",
        note,
    )


async def _counsellor_referrals(user: CurrentUser, team: list[int], now: dt.datetime) -> list[Section]:
    mine = _mine(Referral.participant, user, team)
    waiting = mine & (Referral.status == "sent")
    rows = await _referral_rows(waiting, newest_first=False)
    waiting_section = Section(
        "referrals-waiting",
        _("Referrals waiting for the host's answer"),
        [_referral_item(r, _("sent %(date)s") % {"date": format_date(r["updated_at"])}) for r in rows],
        await _capped_count(Referral.select(Referral.id).where(waiting)),
        "/cases/",
        _("Your cases"),
        _("No referral is waiting for an answer."),
    )
    changed = mine & Referral.status.is_in(list(_HOST_STEPS)) & (Referral.updated_at >= now - CHANGED_WINDOW)
    rows = await _referral_rows(changed, newest_first=True)
    changed_section = Section(
        "referrals-changed",
        _("Referrals the host answered or moved this week"),
        [
            _referral_item(
                r,
                _("%(status)s on %(date)s")
                % {"status": REFERRAL_STATUSES[r["status"]], "date": format_date(r["updated_at"])},
            )
            for r in rows
        ],
        await _capped_count(Referral.select(Referral.id).where(changed)),
        empty=_("No referral changed in the last seven days."),
    )
    return [waiting_section, changed_section]


async def _meeting_requests(user: CurrentUser) -> Section:
    # The lead counsellor answers requests to meet (portal.employers.introductions).
    where = (
        (Introduction.participant.lead_counsellor == user.id)
        & (Introduction.status == "requested")
        & Introduction.participant.pseudonymised_at.is_null()
    )
    rows = (
        await Introduction.select(
            Introduction.id,
            Introduction.created_at,
            Introduction.participant.code.as_alias("code"),
            Introduction.organisation.name.as_alias("employer"),
        )
        .where(where)
        .order_by(Introduction.created_at)
        .order_by(Introduction.id)
        .limit(SHOWN)
    )
    return Section(
        "meeting-requests",
        _("Requests to meet waiting for your answer"),
        [
            Item(
                _("%(employer)s asks to meet %(code)s") % {"employer": r["employer"], "code": r["code"]},
                f"/introductions/{r['id']}",
                _("asked %(date)s") % {"date": format_date(r["created_at"])},
            )
            for r in rows
        ],
        await _capped_count(Introduction.select(Introduction.id).where(where)),
        "/introductions/",
        _("All requests to meet"),
        _("No employer is waiting for your answer."),
    )


async def _notifications(user: CurrentUser) -> Section:
    rows, total = await notifications.unread(user.id, SHOWN, COUNT_CAP + 1)
    return Section(
        "notifications",
        _("New notifications"),
        # Each goes through its "open" link, which marks it read (portal.notifications.pages).
        [Item(r["text"], f"/notifications/{r['id']}/open", format_datetime(r["created_at"], "short")) for r in rows],
        total,
        "/notifications/",
        _("All notifications"),
        _("No unread notification."),
    )


async def _absences(user: CurrentUser, team: list[int]) -> tuple[Section, list[int]]:
    """Placements with repeated unexcused absence that no response has answered yet (portal.placements)."""
    where = AbsenceAlert.closed_at.is_null() & _mine(AbsenceAlert.participant, user, team)
    rows = (
        await AbsenceAlert.select(
            AbsenceAlert.participant,
            AbsenceAlert.weeks,
            AbsenceAlert.last_week,
            AbsenceAlert.participant.code.as_alias("code"),
            AbsenceAlert.referral._.opportunity.title.as_alias("title"),
        )
        .where(where)
        .order_by(AbsenceAlert.id)
        .limit(SHOWN)
    )
    total = await _capped_count(AbsenceAlert.select(AbsenceAlert.id).where(where))
    items = [
        Item(
            _("%(code)s at %(title)s: %(weeks)s unexcused weeks in a row")
            % {"code": r["code"], "title": r["title"], "weeks": r["weeks"]},
            f"/cases/{r['participant']}#attendance",
            _("latest the week of %(date)s") % {"date": format_date(r["last_week"])},
        )
        for r in rows
    ]
    section = Section("absences", _("Repeated absence"), items, total, empty=_("No placement has repeated absence."))
    return dataclasses.replace(section, alert=bool(items)), sorted({r["participant"] for r in rows})


async def _counsellor(user: CurrentUser) -> MyDay:
    now = utc_now()
    team = await _team_cases(user)
    steps, shown = await _overdue_steps(user, team, now.date())
    absences, absent = await _absences(user, team)
    shown = sorted({*shown, *absent})
    sections = [absences, steps, *await _counsellor_referrals(user, team, now), await _meeting_requests(user)]
    sections.append(await _notifications(user))
    return MyDay(sections, shown)


# --- hosts: social enterprises and employers ----------------------------------------------------


async def _host_rows(user: CurrentUser, status: str, newest_first: bool) -> tuple[list[dict[str, Any]], int]:
    where = (Referral.opportunity.organisation == user.organisation_id) & (Referral.status == status)
    rows = (
        await Referral.select(
            Referral.id,
            Referral.participant,
            Referral.updated_at,
            Referral.participant.code.as_alias("code"),
            Referral.opportunity.title.as_alias("title"),
            Referral.opportunity.starts_on.as_alias("starts_on"),
        )
        .where(where)
        .order_by(Referral.updated_at, ascending=not newest_first)
        .order_by(Referral.id, ascending=not newest_first)
        .limit(SHOWN)
    )
    # Employers know each person by their own pseudonym, other hosts by the case code.
    from portal.referrals.services import names_for_host

    names = await names_for_host(user.role, user.organisation_id, {r["participant"]: r["code"] for r in rows})
    for r in rows:
        r["code"] = names[r["participant"]]
    return rows, await _capped_count(Referral.select(Referral.id).where(where))


def _accepted_note(r: dict[str, Any]) -> str:
    # Referrals carry no planned start date; the opportunity's own start, when it has one, says
    # whether the placement begins this week.
    note = _("accepted %(date)s") % {"date": format_date(r["updated_at"])}
    if r["starts_on"] is not None:
        note += "; " + _("the opportunity starts %(date)s") % {"date": format_date(r["starts_on"])}
    return note


async def _host(user: CurrentUser) -> list[Section]:
    waiting, waiting_total = await _host_rows(user, "sent", newest_first=False)
    accepted, accepted_total = await _host_rows(user, "accepted", newest_first=False)
    started_total = await _capped_count(
        Referral.select(Referral.id).where(
            (Referral.opportunity.organisation == user.organisation_id) & (Referral.status == "started")
        )
    )

    def item(r: dict[str, Any], note: str) -> Item:
        return Item(
            _("%(code)s for %(title)s") % {"code": r["code"], "title": r["title"]}, f"/referrals/{r['id']}", note
        )

    under_way = Section(
        "attendance",
        _("Placements under way"),
        total=started_total,
        more_link="/attendance",
        more_label=_("Record this week's attendance"),
        empty=_("No placement is under way."),
    )
    if started_total:
        summary = ngettext(
            "%(count)s placement under way: its attendance will need recording.",
            "%(count)s placements under way: their attendance will need recording.",
            started_total,
        )
        under_way = dataclasses.replace(under_way, summary=summary % {"count": under_way.total_text})
    return [
        Section(
            "host-waiting",
            _("Referrals waiting for your answer"),
            [item(r, _("received %(date)s") % {"date": format_date(r["updated_at"])}) for r in waiting],
            waiting_total,
            "/referrals/inbox?status=sent",
            _("All waiting referrals"),
            _("No referral is waiting for your answer."),
        ),
        Section(
            "host-starting",
            _("Accepted placements still to start"),
            [item(r, _accepted_note(r)) for r in accepted],
            accepted_total,
            "/referrals/inbox?status=accepted",
            _("All accepted referrals"),
            _("No accepted placement is waiting to start."),
        ),
        under_way,
    ]


async def _employer_requests(user: CurrentUser) -> Section:
    where = Introduction.organisation == user.organisation_id
    rows = (
        await Introduction.select(
            Introduction.id,
            Introduction.participant,
            Introduction.status,
            Introduction.updated_at,
        )
        .where(where)
        .order_by(Introduction.updated_at, ascending=False)
        .order_by(Introduction.id, ascending=False)
        .limit(SHOWN)
    )
    from portal.employers.introductions import STATUSES

    names = await pool.pseudonyms_for(user.organisation_id, [r["participant"] for r in rows])
    return Section(
        "employer-requests",
        _("Your requests to meet"),
        [
            Item(
                _("Request to meet %(name)s") % {"name": names[r["participant"]]},
                f"/introductions/{r['id']}",
                _("%(status)s, %(date)s")
                % {"status": STATUSES.get(r["status"], r["status"]), "date": format_date(r["updated_at"])},
            )
            for r in rows
        ],
        await _capped_count(Introduction.select(Introduction.id).where(where)),
        "/introductions/",
        _("All requests to meet"),
        _("You have not asked to meet anyone yet."),
    )


def _speaks(language: str) -> WhereRaw:
    """SQL: the participant's comma-separated languages include ``language`` (as the candidate list filters)."""
    return WhereRaw("(',' || participant.languages || ',') LIKE {}", f"%,{like_literal(language)},%")


async def _candidates(user: CurrentUser, now: dt.datetime) -> Section:
    openings = (
        await Opportunity.select(Opportunity.id, Opportunity.title, Opportunity.region, Opportunity.languages)
        .where((Opportunity.organisation == user.organisation_id) & (Opportunity.status == "open"))
        .order_by(Opportunity.updated_at, ascending=False)
        .order_by(Opportunity.id, ascending=False)
        .limit(CANDIDATE_OPENINGS)
    )
    items = []
    for opening in openings:
        # A count only (no profile is shown, so none is read or given a pseudonym): pool members in
        # the opening's region who speak its languages, new or changed lately (a stage change
        # into the pool counts). Ranking by fit is the candidate list's job, one click away.
        where = [
            pool.pool_condition(),
            Participant.region == opening["region"],
            Participant.updated_at >= now - NEW_CANDIDATES_WINDOW,
            *[_speaks(code) for code in sorted(set(split_codes(opening["languages"])))],
        ]
        found = len(await Participant.select(Participant.id).where(*where).limit(CANDIDATE_CAP + 1))
        count = format_number(CANDIDATE_CAP) + "+" if found > CANDIDATE_CAP else format_number(found)
        items.append(
            Item(
                ngettext(
                    "%(title)s: %(count)s new candidate in %(region)s",
                    "%(title)s: %(count)s new candidates in %(region)s",
                    found,
                )
                % {"title": opening["title"], "count": count, "region": opening["region"]},
                "/employers/candidates?" + urlencode({"fit": opening["id"], "region": opening["region"]}),
                _("in the last two weeks"),
            )
        )
    return Section(
        "candidates",
        _("New candidates for your open opportunities"),
        items,
        len(items),
        "/employers/candidates",
        _("All candidates"),
        _("You have no open opportunity yet."),
    )


async def _employer(user: CurrentUser) -> list[Section]:
    return [await _employer_requests(user), await _candidates(user, utc_now())]


# --- coordinators and admins ----------------------------------------------------------------------


async def _rounds() -> Section:
    from portal.matching_service.rounds import SENDING, STATUSES
    from portal.matching_service.rounds import _status as round_status

    # Running (or stopped without finishing, which rounds._status tells), ready to review, or still sending.
    where = AllocationRound.status.is_in(["running", "ready", SENDING])
    rows = (
        await AllocationRound.select(
            AllocationRound.id, AllocationRound.name, AllocationRound.status, AllocationRound.started_at
        )
        .where(where)
        .order_by(AllocationRound.id, ascending=False)
        .limit(SHOWN)
    )
    return Section(
        "rounds",
        _("Allocation rounds running or ready for review"),
        [
            Item(
                r["name"],
                f"/matching/rounds/{r['id']}",
                _("%(status)s, started %(date)s")
                % {"status": STATUSES[round_status(r)], "date": format_date(r["started_at"])},
            )
            for r in rows
        ],
        await _capped_count(AllocationRound.select(AllocationRound.id).where(where)),
        "/matching/rounds",
        _("All allocation rounds"),
        _("No round is running or waiting for review."),
    )


async def _network(now: dt.datetime) -> list[Section]:
    from portal.network import jobs as network_jobs
    from portal.network.services import run_status

    run = await run_status()
    computed = run["computed_at"]
    # Changes seen by this process, or simply old: reading every table's updated_at for changes
    # (portal.network.jobs.changed_since_last_run) would scan unindexed columns on a home page.
    stale = computed is None or network_jobs.is_stale() or now - as_utc(computed) > NETWORK_OLD_AFTER
    if run["running"]:
        summary = _("Recomputing the network: %(progress)s %%.") % {"progress": run["progress"]}
    elif computed is None:
        summary = _("The network has not been computed yet.")
    else:
        summary = _("Computed %(when)s.") % {"when": format_datetime(computed)}
    if run["failed"]:
        summary += " " + _("The last recomputation failed.")
    if stale and not run["running"] and computed is not None:
        summary += " " + _("The data changed since, or the results are over a day old: recompute it.")
    status = Section(
        "network",
        _("Network analysis"),
        summary=summary,
        more_link="/network/",
        more_label=_("Open the network"),
        alert=run["failed"] or (stale and not run["running"]),
    )
    # Only the gaps column of the newest good run: the graph and metrics are far larger.
    row = (
        await NetworkSnapshot.select(NetworkSnapshot.gaps)
        .where(NetworkSnapshot.status == "done")
        .order_by(NetworkSnapshot.id, ascending=False)
        .first()
    )
    worst = json.loads(row["gaps"] or "{}").get("worst", []) if row else []
    gaps = Section(
        "gaps",
        _("Largest placement gaps"),
        [
            Item(
                _("%(place)s (%(region)s): %(people)s people, %(places)s places within reach")
                % {
                    "place": gap.get("municipality") or "—",
                    "region": gap.get("region", ""),
                    "people": format_number(gap.get("participants", 0)),
                    "places": format_number(gap.get("places_within_reach", 0)),
                },
                "/network/#gaps",
                _("short by %(count)s") % {"count": format_number(gap.get("shortfall", 0))},
            )
            for gap in worst[:GAPS_SHOWN]
        ],
        min(len(worst), GAPS_SHOWN),
        "/network/#gaps",
        _("All gaps"),
        _("No gap found in the last computation."),
    )
    return [status, gaps]


def _job_label(name: str) -> str:
    from portal.jobs import registry

    kind = registry.KINDS.get(name)
    return str(kind.label) if kind else name


def _last_line(error: str) -> str:
    lines = [line for line in (error or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


async def _failed_jobs() -> Section:
    from portal.jobs import queue

    try:
        overview = await queue.overview(limit=SHOWN)
    except Exception:  # Redis away: say so rather than fail the home page
        logger.warning("home page: could not read the job queue", exc_info=True)
        return Section(
            "failed-jobs",
            _("Failed background jobs"),
            summary=_("The job queue cannot be read."),
            more_link="/admin/jobs",
            more_label=_("Background jobs"),
            alert=True,
        )
    return Section(
        "failed-jobs",
        _("Failed background jobs"),
        [
            Item(
                # The job's translated name; the error's last line stays as the program wrote it.
                _("%(job)s: %(error)s") % {"job": _job_label(job.name), "error": _last_line(job.error)},
                "/admin/jobs",
                format_datetime(job.finished_at),
            )
            for job in overview.failed
        ],
        len(overview.failed),
        "/admin/jobs",
        _("Background jobs"),
        _("No background job failed recently."),
        alert=bool(overview.failed),
    )


# The dry run changes once a day, and counting it looks at every closed case (170 ms at 200,000
# participants, 40,000 of them closed): kept a few minutes per process.
RETENTION_KEPT_SECONDS = 300


@kept_for(RETENTION_KEPT_SECONDS)
async def _retention_due() -> int:
    from portal.privacy.retention import due_count

    return await due_count(utc_now(), COUNT_CAP + 1)


async def _retention() -> Section:
    count = await _retention_due()
    shown = format_number(COUNT_CAP) + "+" if count > COUNT_CAP else format_number(count)
    return Section(
        "retention",
        _("Retention"),
        summary=ngettext(
            "%(count)s closed case is past the retention period and will be pseudonymised on the next run.",
            "%(count)s closed cases are past the retention period and will be pseudonymised on the next run.",
            count,
        )
        % {"count": shown},
        total=count,
        more_link="/admin/retention",
        more_label=_("Retention dry run"),
    )


async def _coordinator(user: CurrentUser) -> list[Section]:
    now = utc_now()
    sections = [await _rounds(), *await _network(now)]
    if user.role == ADMIN:
        sections += [await _failed_jobs(), await _retention()]
    return sections


# --- the one call ---------------------------------------------------------------------------------


async def my_day(user: CurrentUser) -> MyDay:
    """The sections of ``user``'s home page, by role."""
    if user.role == COUNSELLOR:
        return await _counsellor(user)
    if user.role == ENTERPRISE:
        return MyDay([*await _host(user), await _notifications(user)])
    if user.role == EMPLOYER:
        return MyDay([*await _employer(user), *await _host(user), await _notifications(user)])
    if user.role in (COORDINATOR, ADMIN):
        return MyDay([*await _coordinator(user), await _notifications(user)])
    return MyDay([])
