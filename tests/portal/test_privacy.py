"""Data-protection rights over HTTP: subject-access export (JSON and page), erasure by pseudonymisation, refusals."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from piccolo.columns import Text, Varchar

from portal.db.piccolo_app import APP_CONFIG
from portal.db.tables import (
    AuditEvent,
    CaseNote,
    Introduction,
    Notification,
    Participant,
    PlanStep,
    PortalUser,
    Referral,
    StageChange,
)
from portal.employers import pool
from portal.privacy import erasure
from tests.factories import make_opportunity
from tests.fixtures import login, post_form
from tests.flows import ANSWERS, open_case, switch

FIRST, LAST = "Zorislava", "Kvrgoletnik"
PHONE, EMAIL = "+386 41 909 707", "zorislava.k@sentinel.example"
ADDRESS = "Sentinelska ulica 99"
NOTE = "Vsebinska opomba XQJZ"  # a note's words that appear nowhere else
SENTINELS = (FIRST, LAST, PHONE, EMAIL, ADDRESS, NOTE)


async def _id(username: str) -> int:
    return (await PortalUser.select(PortalUser.id).where(PortalUser.username == username).first())["id"]


async def people(make_user, make_org) -> dict[str, int]:
    """The lead ana and a colleague at a centre, someone elsewhere, an employer, a host, a coordinator, an admin."""
    centre = await make_org(name="Centre for social work", kind="social_work_centre")
    orgs = {
        "centre": centre,
        "elsewhere": await make_org(name="Another centre", kind="social_work_centre"),
        "firm": await make_org(name="Employer d.o.o.", kind="employer"),
        "coop": await make_org(name="Repair cooperative"),
    }
    await make_user("ana", "counsellor", organisation_id=centre, language="sl")
    await make_user("tom", "counsellor", organisation_id=centre)
    await make_user("eve", "counsellor", organisation_id=orgs["elsewhere"])
    await make_user("boss", "employer", organisation_id=orgs["firm"])
    await make_user("host", "enterprise", organisation_id=orgs["coop"])
    await make_user("coord", "coordinator", organisation_id=orgs["elsewhere"])
    await make_user("root", "admin", organisation_id=orgs["elsewhere"])
    return orgs


async def full_case(client, make_user, make_org, **overrides) -> tuple[int, dict[str, int]]:
    """A case whose sentinels reach every table that could hold them. Ends logged in as ana, the lead."""
    orgs = await people(make_user, make_org)
    await login(client, "ana")
    values = dict(first_name=FIRST, last_name=LAST, phone=PHONE, email=EMAIL, address=ADDRESS, birth_year="1987")
    pid = await open_case(client, **{**values, **overrides})
    team = await post_form(client, f"/cases/{pid}/team", {"user_id": str(await _id("tom")), "role": "mentor"})
    assert team.status_code == 303
    steps = [
        (f"/cases/{pid}/stage", {"stage": "placement", "stage_note": f"{FIRST} starts; {NOTE}"}),
        (f"/cases/{pid}/consents", {"scope": "employer_profile", "decision": "give", "consent_note": f"{LAST} agreed"}),
        (f"/cases/{pid}/consents", {"scope": "employer_contact", "decision": "give", "consent_note": PHONE}),
        (f"/cases/{pid}/profiling", {**ANSWERS, "override_level": "low", "override_reason": f"{FIRST} {NOTE}"}),
        (f"/cases/{pid}/plan", {"goal": f"{FIRST} gets a job", "step": f"Call {PHONE}", "due_on": "2030-01-31"}),
        (f"/cases/{pid}/notes", {"text": f"Met {FIRST} {LAST} at {ADDRESS}. {NOTE}"}),
    ]
    for path, data in steps:
        response = await post_form(client, path, data)
        assert response.status_code == 303, (path, response.text[:300])
    opportunity = await make_opportunity(orgs["coop"], await _id("host"))
    referred = await post_form(
        client,
        f"/cases/{pid}/referrals",
        {"opportunity_id": str(opportunity), "message": f"{FIRST} writes at {EMAIL}", "send": "now"},
    )
    assert referred.status_code == 303
    referral = (await Referral.select(Referral.id).order_by(Referral.id).first())["id"]
    await switch(client, "host")
    declined = await post_form(
        client, f"/referrals/{referral}/step", {"to": "declined", "reason": f"{LAST} too far", "note": f"{FIRST} rang"}
    )
    assert declined.status_code == 303
    await switch(client, "boss")
    name = (await pool.pseudonyms_for(orgs["firm"], [pid]))[pid]
    asked = await post_form(client, f"/employers/candidates/{name}/introductions", {"message": f"Is {FIRST} free?"})
    assert asked.status_code == 303, asked.text[:300]
    introduction = (await Introduction.select(Introduction.id).order_by(Introduction.id).first())["id"]
    await switch(client, "ana")
    answered = await post_form(
        client,
        f"/introductions/{introduction}/answer",
        {"decision": "decline", "reason": f"{FIRST} moved to {ADDRESS}"},
    )
    assert answered.status_code == 303
    # Free text elsewhere that names the person: a notification and an audit detail, written as code could.
    now = dt.datetime.now(dt.UTC)
    await Notification.insert(
        Notification(
            user=await _id("tom"), message=f"{FIRST} {LAST} called", link=f"/cases/{pid}#notes", created_at=now
        )
    )
    await AuditEvent.insert(
        AuditEvent(
            at=now, username="ana", action="read", record_type="participant", record_id=pid, detail=f"{FIRST} {EMAIL}"
        )
    )
    return pid, orgs


async def sentinel_hits() -> list[tuple[str, str, str]]:
    """(table, column, sentinel) for every text column of every table that holds one."""
    hits = []
    for table in APP_CONFIG.table_classes:
        columns = [c for c in table._meta.columns if isinstance(c, Varchar | Text)]
        if not columns:
            continue
        for row in await table.select(*columns):
            for column, value in row.items():
                for sentinel in SENTINELS:
                    if sentinel.lower() in (value or "").lower():
                        hits.append((table._meta.tablename, column, sentinel))
    return hits


# --- subject access -----------------------------------------------------------------------------


async def test_the_lead_downloads_everything_held_as_documented_json_and_it_is_audited(client, make_user, make_org):
    pid, orgs = await full_case(client, make_user, make_org)
    response = await client.get(f"/cases/{pid}/export.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    code = (await Participant.select(Participant.code).order_by(Participant.id).first())["code"]
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and re.search(
        rf'filename="{code}-\d{{4}}-\d\d-\d\d\.json"', disposition
    )
    assert response.headers["cache-control"] == "no-store"
    d = response.json()
    assert d["format_version"] == 1
    # Every section the documentation lists, and nothing else.
    documented = Path("docs/subject-access-export.md").read_text(encoding="utf-8")
    for key in d:
        assert f"`{key}`" in documented, key
    p = d["participant"]
    assert (p["first_name"], p["last_name"], p["phone"], p["email"], p["address"]) == (
        FIRST,
        LAST,
        PHONE,
        EMAIL,
        ADDRESS,
    )
    assert (
        p["code"] == code and p["languages"] == ["sl"] and p["stage"] == "placement" and p["pseudonymised_at"] is None
    )
    assert d["controller"]["organisation"] == "Centre for social work"
    assert [c["scope"] for c in d["consents"]] == ["employer_profile", "employer_contact"]
    assert d["consents_in_force"] == {"employer_profile": True, "employer_contact": True}
    assert d["profiling_assessments"][0]["override_reason"].startswith(FIRST)
    assert d["profiling_assessments"][0]["answers"] == ANSWERS
    assert [s["stage"] for s in d["stage_history"]] == ["intake", "placement"]
    assert d["plan_steps"][0]["due_on"] == "2030-01-31" and NOTE in d["notes"][0]["text"]
    assert d["case_team"][0]["role"] == "mentor"
    (referral,) = d["referrals"]
    assert referral["status"] == "declined" and referral["opportunity"]["organisation"] == "Repair cooperative"
    assert [e["to_status"] for e in referral["events"]] == ["sent", "declined"]
    (introduction,) = d["introductions"]
    assert introduction["employer"] == "Employer d.o.o." and introduction["message"] == f"Is {FIRST} free?"
    assert [e["to_status"] for e in introduction["events"]] == ["requested", "declined"]
    assert d["candidate_pseudonyms"][0]["organisation"] == "Employer d.o.o."
    assert d["allocation_proposals"] == []
    actions = {e["action"] for e in d["access_log"]}
    assert {"create", "update", "read"} <= actions and all(
        set(e) == {"at", "user", "action", "detail"} for e in d["access_log"]
    )
    assert dt.datetime.fromisoformat(d["generated_at"]).tzinfo is not None
    exports = await AuditEvent.select().where(AuditEvent.action == "export")
    assert len(exports) == 1 and exports[0]["username"] == "ana" and exports[0]["record_id"] == pid


async def test_the_export_page_is_in_the_persons_language_printable_and_audited(client, make_user, make_org):
    await people(make_user, make_org)
    await login(client, "ana")  # ana reads in Slovenian
    croatian = await open_case(client, languages=["de", "hr", "en"], first_name="Ivana")
    german = await open_case(client, languages=["de"], first_name="Greta", confirm_duplicate="yes")
    page = await client.get(f"/cases/{croatian}/export")
    assert page.status_code == 200 and '<html lang="hr">' in page.text and "Ivana" in page.text
    assert 'href="/static/css/print.css"' in page.text and f'href="/cases/{croatian}/export.json"' in page.text
    assert '<html lang="sl">' in (await client.get(f"/cases/{german}/export")).text  # the reader's language
    assert '<html lang="en">' in (await client.get(f"/cases/{croatian}/export?language=en")).text
    assert await AuditEvent.count().where(AuditEvent.action == "export") == 3
    css = await client.get("/static/css/print.css")
    assert css.status_code == 200 and "@media print" in css.text


async def test_the_case_page_links_export_and_erasure_for_the_lead_only(client, make_user, make_org):
    pid, _ = await full_case(client, make_user, make_org)
    page = (await client.get(f"/cases/{pid}")).text
    assert f'href="/cases/{pid}/export"' in page and f'href="/cases/{pid}/erase"' in page
    await switch(client, "tom")
    page = await client.get(f"/cases/{pid}")
    assert (
        page.status_code == 200 and f"/cases/{pid}/export" not in page.text and f"/cases/{pid}/erase" not in page.text
    )


async def test_no_one_else_may_export_or_erase_and_nothing_is_written(client, make_user, make_org):
    pid, _ = await full_case(client, make_user, make_org)
    before = (await AuditEvent.count(), await Participant.select().order_by(Participant.id).first())
    code = before[1]["code"]
    # tom is on the team but does not lead; eve is elsewhere; the others' roles never reach a case file.
    expected = {"tom": 403, "eve": 404, "boss": 403, "host": 403, "coord": 403}
    for username, status in expected.items():
        await switch(client, username)
        for path in (f"/cases/{pid}/export.json", f"/cases/{pid}/export", f"/cases/{pid}/erase"):
            response = await client.get(path)
            assert response.status_code == status, (username, path, response.status_code)
            assert FIRST not in response.text
        erase = await post_form(client, f"/cases/{pid}/erase", {"reason": "request", "confirm_code": code})
        assert erase.status_code == status, (username, erase.status_code)
    client.cookies.clear()
    assert (await client.get(f"/cases/{pid}/export.json")).status_code in (401, 303)
    assert (await AuditEvent.count(), await Participant.select().order_by(Participant.id).first()) == before


async def test_an_administrator_may_export_and_erase_any_case(client, make_user, make_org):
    pid, _ = await full_case(client, make_user, make_org)
    code = (await Participant.select(Participant.code).order_by(Participant.id).first())["code"]
    await switch(client, "root")
    assert (await client.get(f"/cases/{pid}")).status_code == 404  # the case file itself stays the team's
    exported = await client.get(f"/cases/{pid}/export.json")
    assert exported.status_code == 200 and exported.json()["participant"]["first_name"] == FIRST
    assert (await client.get(f"/cases/{2**31 - 1}/export.json")).status_code == 404
    found = await client.get(f"/admin/retention?code={code.lower()}")
    assert f'href="/cases/{pid}/erase"' in found.text
    form = await client.get(f"/cases/{pid}/erase")
    assert form.status_code == 200 and FIRST in form.text and "Legal reason" in form.text
    erased = await post_form(
        client, f"/cases/{pid}/erase", {"reason": "other", "other_reason": "Court order 12/2026", "confirm_code": code}
    )
    assert erased.status_code == 303 and erased.headers["location"] == f"/cases/{pid}/erase"
    row = await Participant.select().order_by(Participant.id).first()
    assert row["pseudonymised_reason"] == "other: Court order 12/2026" and row["first_name"] == ""
    done = await client.get(f"/cases/{pid}/erase")
    assert "was pseudonymised" in done.text and "Court order 12/2026" in done.text
    event = await AuditEvent.select().where(AuditEvent.action == "pseudonymise").order_by(AuditEvent.id).first()
    assert event["username"] == "root" and event["detail"] == "reason: other: Court order 12/2026"


# --- erasure ------------------------------------------------------------------------------------


async def test_erasure_needs_a_legal_reason_and_the_typed_code_and_bad_input_changes_nothing(
    client, make_user, make_org
):
    pid, _ = await full_case(client, make_user, make_org)
    code = (await Participant.select(Participant.code).order_by(Participant.id).first())["code"]
    await PortalUser.update({PortalUser.language: "en"}).where(PortalUser.username == "ana")  # messages in English
    attempts = [
        ({"confirm_code": code}, "Choose the legal reason."),
        ({"reason": "forgot", "confirm_code": code}, "Choose the legal reason."),
        ({"reason": "request", "confirm_code": "P-WRONG1"}, f"Type the case code {code} to confirm."),
        ({"reason": "other", "other_reason": " ", "confirm_code": code}, "Say what the reason is."),
        ({"reason": "other", "other_reason": "x" * 251, "confirm_code": code}, "at most 250 characters"),
        ({"reason": "other", "other_reason": "line\nbreak", "confirm_code": code}, "at most 250 characters"),
    ]
    for data, message in attempts:
        response = await post_form(client, f"/cases/{pid}/erase", data)
        assert response.status_code == 422 and message in response.text, (data, response.status_code)
    row = await Participant.select().order_by(Participant.id).first()
    assert row["first_name"] == FIRST and row["pseudonymised_at"] is None and await CaseNote.count() == 1


async def test_erasure_leaves_no_trace_of_the_person_in_any_table_and_keeps_the_facts(client, make_user, make_org):
    pid, _ = await full_case(client, make_user, make_org)
    found = {(table, sentinel) for table, _, sentinel in await sentinel_hits()}
    # The test can fail: before erasure the sentinels are everywhere they were put.
    for table in ("participant", "case_note", "plan_step", "stage_change", "consent", "profiling_assessment"):
        assert any(t == table for t, _ in found), table
    for table in ("referral", "referral_event", "introduction", "introduction_event", "notification", "audit_event"):
        assert any(t == table for t, _ in found), table
    before = await Participant.select().order_by(Participant.id).first()
    counts = (await StageChange.count(), await PlanStep.count(), await Referral.count(), await Introduction.count())
    audit_before = await AuditEvent.count().where(AuditEvent.record_id == pid)
    form = await client.get(f"/cases/{pid}/erase")
    assert form.status_code == 200 and before["code"] in form.text
    erased = await post_form(
        client, f"/cases/{pid}/erase", {"reason": "request", "confirm_code": before["code"].lower()}
    )
    assert erased.status_code == 303 and erased.headers["location"] == f"/cases/{pid}"

    assert await sentinel_hits() == []
    after = await Participant.select().order_by(Participant.id).first()
    for kept in ("code", "stage", "region", "municipality", "skills", "interests", "support_needs", "created_at"):
        assert after[kept] == before[kept], kept
    assert after["birth_year"] == 1985 and after["latitude"] is None and after["longitude"] is None
    assert after["pseudonymised_reason"] == "request" and after["pseudonymised_at"] is not None
    # Statistics and capacity stay right: the same stages, plan steps (with dates), referrals and requests.
    assert (
        await StageChange.count(),
        await PlanStep.count(),
        await Referral.count(),
        await Introduction.count(),
    ) == counts
    assert (await PlanStep.select(PlanStep.due_on).order_by(PlanStep.id).first())["due_on"] == dt.date(2030, 1, 31)
    assert (await Referral.select(Referral.status).order_by(Referral.id).first())["status"] == "declined"
    assert await CaseNote.count() == 0
    assert await Notification.count().where(Notification.link.like(f"/cases/{pid}%")) == 0
    # The audit keeps every event with its record id (the form's read and the erasure added), details cleared.
    events = await AuditEvent.select().where(AuditEvent.record_id == pid).order_by(AuditEvent.id)
    assert len(events) == audit_before + 2
    assert all(e["detail"] == "" for e in events[:-1])
    assert (events[-1]["action"], events[-1]["username"], events[-1]["detail"]) == (
        "pseudonymise",
        "ana",
        "reason: request",
    )


async def test_a_failure_midway_leaves_everything_as_it_was(client, make_user, make_org, monkeypatch):
    pid, _ = await full_case(client, make_user, make_org)
    code = (await Participant.select(Participant.code).order_by(Participant.id).first())["code"]
    hits = await sentinel_hits()
    audit_count = await AuditEvent.count()

    async def broken(participant_id: int) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(erasure, "_clear_audit_details", broken)  # after the case, texts and notifications
    response = await post_form(client, f"/cases/{pid}/erase", {"reason": "request", "confirm_code": code})
    assert response.status_code == 500
    assert await sentinel_hits() == hits
    row = await Participant.select().order_by(Participant.id).first()
    assert row["pseudonymised_at"] is None and row["birth_year"] == 1987 and await CaseNote.count() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "pseudonymise") == 0
    assert await AuditEvent.count() == audit_count  # the failed erasure wrote no event


async def test_a_pseudonymised_case_is_read_only_unreferable_and_hidden_from_employers(client, make_user, make_org):
    pid, orgs = await full_case(client, make_user, make_org, languages=["sl"])
    await PortalUser.update({PortalUser.language: "en"}).where(PortalUser.username == "ana")  # messages in English
    await post_form(client, f"/cases/{pid}/consents", {"scope": "case_team", "decision": "give"})
    code = (await Participant.select(Participant.code).order_by(Participant.id).first())["code"]
    assert await pool.in_pool(pid)
    assert (
        await post_form(client, f"/cases/{pid}/erase", {"reason": "consent_withdrawn", "confirm_code": code})
    ).status_code == 303

    page = await client.get(f"/cases/{pid}")
    assert page.status_code == 200 and "pseudonymised" in page.text and code in page.text
    assert "Consent withdrawn" in page.text and f"/cases/{pid}/erase" not in page.text
    opportunity = await make_opportunity(orgs["coop"], await _id("host"), title="Second chance")
    refused = [
        await client.get(f"/cases/{pid}/edit"),
        await client.get(f"/cases/{pid}/profiling"),
        await post_form(client, f"/cases/{pid}/notes", {"text": "more"}),
        await post_form(client, f"/cases/{pid}/stage", {"stage": "exit"}),
        await post_form(client, f"/cases/{pid}/consents", {"scope": "employer_profile", "decision": "give"}),
        await post_form(client, f"/cases/{pid}/referrals", {"opportunity_id": str(opportunity), "send": "now"}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert await Referral.count() == 1 and await CaseNote.count() == 0
    assert not await pool.in_pool(pid)
    await switch(client, "boss")
    name = (await pool.pseudonyms_for(orgs["firm"], [pid]))[pid]
    assert name not in (await client.get("/employers/candidates")).text
    assert (await client.get(f"/employers/candidates/{name}")).status_code == 404
    await switch(client, "ana")
    again = await post_form(client, f"/cases/{pid}/erase", {"reason": "request", "confirm_code": code})
    assert again.status_code == 409 and "was pseudonymised" in again.text
    exported = (await client.get(f"/cases/{pid}/export.json")).json()
    assert exported["participant"]["first_name"] == "" and exported["participant"]["pseudonymised_at"]
    assert exported["participant"]["pseudonymised_reason"] == "consent_withdrawn" and exported["notes"] == []
    log = exported["access_log"]
    erased_at = [e["action"] for e in log].index("pseudonymise")
    assert all(e["detail"] == "" for e in log[:erased_at]) and log[erased_at]["detail"] == "reason: consent_withdrawn"
    assert json.dumps(exported).lower().count(FIRST.lower()) == 0


async def test_two_erasures_at_once_pseudonymise_once(client, make_user, make_org):
    import asyncio

    pid, _ = await full_case(client, make_user, make_org)
    actor = erasure.Actor(await _id("ana"), "ana", "127.0.0.1")
    results = await asyncio.gather(
        *[erasure.pseudonymise(pid, "request", actor) for _ in range(3)], return_exceptions=True
    )
    assert sum(r is None for r in results) == 1, results
    assert all(r is None or isinstance(r, erasure.Refused) for r in results), results
    assert await AuditEvent.count().where(AuditEvent.action == "pseudonymise") == 1
