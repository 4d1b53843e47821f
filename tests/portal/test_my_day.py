"""The signed-in home page ("my day"): each role's items, only the user's own, each list capped."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re

from portal.db.tables import (
    AllocationRound,
    AuditEvent,
    CandidatePseudonym,
    CaseTeamMember,
    Consent,
    Introduction,
    NetworkSnapshot,
    Notification,
    Opportunity,
    Participant,
    PlanStep,
    Referral,
)
from portal.home import my_day
from portal.i18n import use_language
from portal.i18n.formatting import format_date
from portal.notifications import services as notifications
from tests.factories import make_opportunity
from tests.fixtures import login

_codes = itertools.count(1)
NOW = dt.datetime.now(dt.UTC)
TODAY = dt.date.today()


async def person(org: int, lead: int, stage: str = "activation", **extra) -> tuple[int, str]:
    code = f"P-T{next(_codes):05d}"
    values = dict(
        code=code,
        first_name="Mojca",
        last_name="Petrović",
        birth_year=1980,
        organisation=org,
        lead_counsellor=lead,
        region="Podravska",
        municipality="Ptuj",
        latitude=46.42,
        longitude=15.87,
        languages="sl",
        skills="[]",
        interests="",
        support_needs="",
        stage=stage,
        created_at=NOW,
        updated_at=NOW,
    )
    rows = await Participant.insert(Participant(**{**values, **extra}))
    return rows[0]["id"], code


async def plan_step(participant: int, by: int, text: str, due: dt.date, done: dt.date | None = None) -> None:
    await PlanStep.insert(
        PlanStep(
            participant=participant, goal="Work", step=text, due_on=due, done_on=done, created_by=by, created_at=NOW
        )
    )


async def referral(participant: int, opportunity: int, by: int, status: str, updated: dt.datetime = NOW) -> int:
    rows = await Referral.insert(
        Referral(
            participant=participant,
            opportunity=opportunity,
            referred_by=by,
            message="",
            status=status,
            reason="",
            created_at=updated,
            updated_at=updated,
        )
    )
    return rows[0]["id"]


async def introduction(org: int, participant: int, by: int, status: str = "requested") -> int:
    rows = await Introduction.insert(
        Introduction(
            organisation=org,
            participant=participant,
            requested_by=by,
            message="May we meet?",
            status=status,
            reason="",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    return rows[0]["id"]


async def home(client, username: str) -> str:
    client.cookies.clear()
    await login(client, username)
    page = await client.get("/", headers={"accept-language": "en"})
    assert page.status_code == 200
    return page.text


def section(page: str, key: str) -> str:
    """The HTML of one section of the page (empty when it is not there)."""
    found = re.search(rf'<section class="day-section" id="{key}".*?</section>', page, re.S)
    return found.group(0) if found else ""


async def world(make_user, make_org):
    centre = await make_org(name="Centre for social work", kind="social_work_centre")
    host = await make_org(name="Repair cooperative")
    other_host = await make_org(name="Garden cooperative")
    ana = await make_user("ana", "counsellor", organisation_id=centre, display_name="Counsellor Ana")
    bor = await make_user("bor", "counsellor", organisation_id=centre)
    host_user = await make_user("host", "enterprise", organisation_id=host)
    other_user = await make_user("other-host", "enterprise", organisation_id=other_host)
    opportunity = await make_opportunity(host, host_user, title="Repair workshop assistant")
    other_opportunity = await make_opportunity(other_host, other_user, title="Garden helper")
    return dict(
        centre=centre,
        host=host,
        ana=ana,
        bor=bor,
        host_user=host_user,
        opportunity=opportunity,
        other_opportunity=other_opportunity,
    )


async def test_anonymous_visitors_keep_the_public_front_page(client, make_org):
    await make_org(name="Anything")
    page = (await client.get("/", headers={"accept-language": "en"})).text
    assert "Browse the directory" in page and "log in" in page
    assert "My day" not in page


async def test_a_counsellor_sees_their_own_cases_items_and_not_another_counsellors(client, make_user, make_org):
    w = await world(make_user, make_org)
    mine, my_code = await person(w["centre"], w["ana"])
    team_case, team_code = await person(w["centre"], w["bor"])
    await CaseTeamMember.insert(
        CaseTeamMember(participant=team_case, user=w["ana"], role="adviser", added_by=w["bor"], added_at=NOW)
    )
    theirs, their_code = await person(w["centre"], w["bor"])
    await plan_step(mine, w["ana"], "Visit the workshop", TODAY - dt.timedelta(days=3))
    await plan_step(mine, w["ana"], "Already done", TODAY - dt.timedelta(days=3), done=TODAY)
    await plan_step(mine, w["ana"], "Not due yet", TODAY + dt.timedelta(days=3))
    await plan_step(team_case, w["bor"], "Team step late", TODAY - dt.timedelta(days=1))
    await plan_step(theirs, w["bor"], "Secret step of bor", TODAY - dt.timedelta(days=2))
    await referral(mine, w["opportunity"], w["ana"], "sent")
    await referral(team_case, w["other_opportunity"], w["bor"], "accepted")
    await referral(theirs, w["opportunity"], w["bor"], "sent")
    await referral(theirs, w["opportunity"], w["bor"], "accepted")
    old = await referral(mine, w["other_opportunity"], w["ana"], "declined", NOW - dt.timedelta(days=20))
    employer_org = await make_org(name="Warehouse d.o.o.", kind="employer")
    boss = await make_user("boss", "employer", organisation_id=employer_org)
    asked = await introduction(employer_org, mine, boss)
    not_mine = await introduction(employer_org, theirs, boss)
    await Notification.insert(
        Notification(user=w["ana"], message="Referral of X: Accepted", link="/cases/1#referrals", created_at=NOW),
        Notification(user=w["bor"], message="Bor's own news", link="/cases/2", created_at=NOW),
    )

    page = await home(client, "ana")
    assert "My day" in page and "Counsellor Ana" in page
    steps = section(page, "overdue-steps")
    assert "Visit the workshop" in steps and my_code in steps and f'href="/cases/{mine}#plan"' in steps
    assert "Team step late" in steps  # a case she is on the team of
    assert "Already done" not in steps and "Not due yet" not in steps
    assert "Secret step of bor" not in page and their_code not in page
    waiting = section(page, "referrals-waiting")
    assert my_code in waiting and "Repair workshop assistant" in waiting
    changed = section(page, "referrals-changed")
    assert team_code in changed and "Accepted" in changed and "Garden helper" in changed
    assert f"/referrals/{old}" not in page and "Declined" not in changed  # older than a week
    requests = section(page, "meeting-requests")
    assert f'href="/introductions/{asked}"' in requests and "Warehouse d.o.o." in requests
    assert f"/introductions/{not_mine}" not in page
    news = section(page, "notifications")
    assert "Referral of X: Accepted" in news and "Bor&#39;s own news" not in page and "Bor's own news" not in page
    # Names never appear (codes only), and the cases whose plan steps are shown are audited.
    assert "Petrović" not in page
    audited = await AuditEvent.select(AuditEvent.record_id).where(
        (AuditEvent.action == "read") & (AuditEvent.detail == "home page")
    )
    assert {r["record_id"] for r in audited} == {mine, team_case}


async def test_a_team_case_elsewhere_drops_out_when_consent_is_not_in_force(client, make_user, make_org):
    w = await world(make_user, make_org)
    elsewhere_org = await make_org(name="Employment office", kind="employment_service")
    eva = await make_user("eva", "counsellor", organisation_id=elsewhere_org)
    case, code = await person(w["centre"], w["bor"])
    await CaseTeamMember.insert(
        CaseTeamMember(participant=case, user=eva, role="adviser", added_by=w["bor"], added_at=NOW)
    )
    await plan_step(case, w["bor"], "Shared step", TODAY - dt.timedelta(days=1))
    assert "Shared step" not in await home(client, "eva")  # no consent to share with the team
    await Consent.insert(
        Consent(participant=case, scope="case_team", given=True, recorded_by=w["bor"], recorded_at=NOW, note="")
    )
    assert "Shared step" in section(await home(client, "eva"), "overdue-steps")


async def test_lists_are_capped_with_a_count_and_a_link_to_all(client, make_user, make_org):
    w = await world(make_user, make_org)
    case, _ = await person(w["centre"], w["ana"])
    for n in range(my_day.SHOWN + 3):
        await plan_step(case, w["ana"], f"Late step number {n:02d}", TODAY - dt.timedelta(days=30 - n))
    steps = section(await home(client, "ana"), "overdue-steps")
    assert steps.count("<li>") == my_day.SHOWN
    assert f"({my_day.SHOWN + 3})" in steps and 'href="/cases/?overdue=true"' in steps
    assert "Late step number 00" in steps  # the longest overdue first
    assert f"Late step number {my_day.SHOWN + 2:02d}" not in steps


async def test_counts_stop_at_the_cap(client, make_user, make_org, monkeypatch):
    w = await world(make_user, make_org)
    monkeypatch.setattr(my_day, "COUNT_CAP", 4)
    case, _ = await person(w["centre"], w["ana"])
    for n in range(7):
        await plan_step(case, w["ana"], f"Step {n}", TODAY - dt.timedelta(days=1))
    steps = section(await home(client, "ana"), "overdue-steps")
    assert "(4+)" in steps and steps.count("<li>") == my_day.SHOWN


async def test_unread_notifications_newest_first_only_the_readers_and_counted_up_to_the_cap(
    client, make_user, monkeypatch
):
    ana = await make_user("ana", "counsellor")
    bor = await make_user("bor", "counsellor")
    await Notification.insert(
        *[Notification(user=ana, message=f"News number {n:02d}", link="/cases/", created_at=NOW) for n in range(9)],
        Notification(user=ana, message="Already read news", link="/cases/", read=True, created_at=NOW),
        Notification(user=bor, message="News of someone else", link="/cases/", created_at=NOW),
    )
    rows, total = await notifications.unread(ana, 2, 5)
    assert [r["text"] for r in rows] == ["News number 08", "News number 07"] and total == 5
    assert (await notifications.unread(ana, 20, 50))[1] == 9

    monkeypatch.setattr(my_day, "COUNT_CAP", 6)
    news = section(await home(client, "ana"), "notifications")
    assert news.count("<li>") == my_day.SHOWN and "(6+)" in news
    assert "News number 08" in news and f"News number {8 - my_day.SHOWN:02d}" not in news  # the newest first
    assert "Already read news" not in news and "someone else" not in news


async def test_a_host_sees_only_its_own_organisations_referrals(client, make_user, make_org):
    w = await world(make_user, make_org)
    people = [await person(w["centre"], w["ana"]) for _ in range(4)]
    waiting = await referral(people[0][0], w["opportunity"], w["ana"], "sent")
    accepted = await referral(people[1][0], w["opportunity"], w["ana"], "accepted")
    await referral(people[2][0], w["opportunity"], w["ana"], "started")
    await referral(people[3][0], w["opportunity"], w["ana"], "proposed")  # private to the counsellor
    elsewhere = await referral(people[3][0], w["other_opportunity"], w["ana"], "sent")
    starts = TODAY + dt.timedelta(days=3)
    await Opportunity.update({Opportunity.starts_on: starts}).where(Opportunity.id == w["opportunity"])

    page = await home(client, "host")
    assert f'href="/referrals/{waiting}"' in section(page, "host-waiting")
    assert people[0][1] in section(page, "host-waiting")
    assert f'href="/referrals/{accepted}"' in section(page, "host-starting")
    with use_language("en"):
        assert f"the opportunity starts {format_date(starts)}" in section(page, "host-starting")
    attendance = section(page, "attendance")
    assert "1 placement under way" in attendance and 'href="/attendance"' in attendance
    assert f"/referrals/{elsewhere}" not in page and people[3][1] not in page

    other = await home(client, "other-host")
    assert f'href="/referrals/{elsewhere}"' in section(other, "host-waiting")
    assert f"/referrals/{waiting}" not in other and people[0][1] not in other


async def test_an_employer_sees_its_requests_and_candidates_for_its_openings(client, make_user, make_org):
    w = await world(make_user, make_org)
    firm = await make_org(name="Warehouse d.o.o.", kind="employer")
    rival = await make_org(name="Rival d.o.o.", kind="employer")
    boss = await make_user("boss", "employer", organisation_id=firm)
    rival_boss = await make_user("rival", "employer", organisation_id=rival)
    job = await make_opportunity(firm, boss, kind="job", title="Warehouse sorter")
    await make_opportunity(firm, boss, kind="job", title="Draft job", status="draft")
    candidate, code = await person(w["centre"], w["ana"], stage="placement")
    long_ago, _ = await person(w["centre"], w["ana"], stage="placement", updated_at=NOW - dt.timedelta(days=30))
    await person(w["centre"], w["ana"], stage="placement")  # no consent to be shown: not in the pool
    for shown in (candidate, long_ago):
        await Consent.insert(
            Consent(participant=shown, scope="employer_profile", given=True, recorded_by=w["ana"], recorded_at=NOW)
        )
    mine = await introduction(firm, candidate, boss, status="accepted")
    theirs = await introduction(rival, candidate, rival_boss)

    page = await home(client, "boss")
    requests = section(page, "employer-requests")
    assert f'href="/introductions/{mine}"' in requests and "Accepted" in requests
    assert f"/introductions/{theirs}" not in page and code not in page  # the employer's pseudonym only
    candidates = section(page, "candidates")
    assert f'href="/employers/candidates?fit={job}&amp;region=Podravska"' in candidates
    assert "Warehouse sorter: 1 new candidate in Podravska" in candidates and "Draft job" not in candidates
    # Only a count: no one was given a pseudonym for it, and no profile read was audited.
    assert not await CandidatePseudonym.exists().where(CandidatePseudonym.participant == long_ago)


async def test_a_coordinator_sees_rounds_network_status_and_gaps(client, make_user, make_org):
    coordinator = await make_user("coord", "coordinator")
    rounds = {}
    for name, status in (
        ("Spring round", "ready"),
        ("Summer round", "running"),
        ("Autumn round", "sending"),
        ("Old round", "sent"),
    ):
        rows = await AllocationRound.insert(
            AllocationRound(
                name=name, method="stable", criteria="{}", status=status, report="{}", error="",
                run_by=coordinator, started_at=NOW,
            )
        )  # fmt: skip
        rounds[name] = rows[0]["id"]
    gaps = {"worst": [{"municipality": f"Town {n}", "region": "Podravska", "participants": 40 - n,
                       "places_within_reach": n, "shortfall": 40 - 2 * n, "missing_kinds": []} for n in range(8)],
            "missing_kinds": {}}  # fmt: skip
    await NetworkSnapshot.insert(
        NetworkSnapshot(
            status="done", progress=100, started_at=NOW - dt.timedelta(days=3), finished_at=NOW - dt.timedelta(days=3),
            error="", summary="{}", graph="{}", gaps=json.dumps(gaps), suggestions="{}",
        )
    )  # fmt: skip

    page = await home(client, "coord")
    listed = section(page, "rounds")
    assert f'href="/matching/rounds/{rounds["Spring round"]}"' in listed and "Ready for review" in listed
    assert f"/matching/rounds/{rounds['Summer round']}" in listed
    assert f"/matching/rounds/{rounds['Autumn round']}" in listed and "Sending" in listed
    assert "Old round" not in listed
    network = section(page, "network")
    assert "over a day old" in network and 'class="notice"' in network
    shown = section(page, "gaps")
    assert "Town 0 (Podravska)" in shown and "Town 4" in shown and "Town 5" not in shown
    assert section(page, "failed-jobs") == "" and section(page, "retention") == ""  # admins only


async def test_an_admin_sees_a_failed_job_by_its_name_and_last_error_line(client, make_user, monkeypatch):
    from portal.jobs import queue
    from portal.jobs.runner import JobRecord

    failed = JobRecord(
        "network_recompute", "network-recompute", {}, status="failed", finished_at=NOW,
        error="Traceback (most recent call last):\n  ...\nMemoryError: out of memory\n",
    )  # fmt: skip

    async def overview(limit: int = 50) -> queue.Overview:
        return queue.Overview("in-process", None, [], [], [failed], [])

    monkeypatch.setattr(queue, "overview", overview)
    await make_user("root", "admin")
    jobs = section(await home(client, "root"), "failed-jobs")
    assert "Network recompute: MemoryError: out of memory" in jobs and 'class="notice"' not in jobs
    assert "Traceback" not in jobs and 'href="/admin/jobs"' in jobs

    async def unreachable(limit: int = 50) -> queue.Overview:
        raise ConnectionError("Redis away")

    monkeypatch.setattr(queue, "overview", unreachable)
    assert "The job queue cannot be read." in section(await home(client, "root"), "failed-jobs")


async def test_an_admin_also_sees_failed_jobs_and_the_retention_count(client, make_user, make_org):
    await make_user("root", "admin")
    centre = await make_org(name="Centre")
    lead = await make_user("ana", "counsellor", organisation_id=centre)
    long_ago = NOW - dt.timedelta(days=20 * 365)
    await person(centre, lead, stage="exit", updated_at=long_ago)
    await person(centre, lead, stage="exit")  # closed now: not yet due
    page = await home(client, "root")
    assert "No background job failed recently." in section(page, "failed-jobs")
    assert "1 closed case is past the retention period" in section(page, "retention")
    assert 'href="/admin/retention"' in section(page, "retention")


async def test_the_home_page_is_translated(client, make_user, make_org):
    w = await world(make_user, make_org)
    case, _ = await person(w["centre"], w["ana"])
    await plan_step(case, w["ana"], "Late", TODAY - dt.timedelta(days=2))
    client.cookies.clear()
    await login(client, "ana")
    page = (await client.get("/", headers={"accept-language": "sl"})).text
    with use_language("sl"):
        from portal.i18n import gettext as _

        assert _("Overdue plan steps") in page
    assert f"{(TODAY - dt.timedelta(days=2)).day}." in page  # a Slovenian date: day first, with a dot


async def test_new_notifications_are_written_when_read_and_opening_one_marks_it_read(client, make_user):
    ana = await make_user("ana", "counsellor")
    rows = await Notification.insert(
        Notification(
            user=ana,
            message="",
            key="referral.status",
            params=json.dumps({"code": "P-NEWS01", "status": "accepted"}),
            link="/cases/1#referrals",
            created_at=NOW,
        )
    )
    news = section(await home(client, "ana"), "notifications")
    assert "Referral of P-NEWS01: Accepted" in news
    opened = f"/notifications/{rows[0]['id']}/open"
    assert f'href="{opened}"' in news
    assert (await client.get(opened)).headers["location"] == "/cases/1#referrals"
    news = section((await client.get("/", headers={"accept-language": "en"})).text, "notifications")
    assert "P-NEWS01" not in news and "No unread notification." in news
