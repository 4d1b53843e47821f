"""Attendance recorded through the portal becomes a "met at" tie after a network recompute, apart from formal ties."""

from __future__ import annotations

from portal.db.tables import TrainingRegistration
from tests.factories import make_training_event, make_training_registration
from tests.fixtures import login, post_form


async def _attended_together(client, make_org, make_user) -> dict[str, int]:
    ids = {
        "csd": await make_org(name="CSD Ptuj", kind="social_work_centre"),
        "hzz": await make_org(name="HZZ Varaždin", kind="employment_office", country="HR", region="Varaždinska"),
        "host": await make_org(name="CZSS Čakovec", kind="social_work_centre", country="HR"),
        "home": await make_org(name="Koordinacija"),
    }
    await make_user("ana", "counsellor", ids["csd"])
    await make_user("iva", "counsellor", ids["hzz"])
    await make_user("orga", "counsellor", ids["host"])
    await make_user("koord", "coordinator", ids["home"])
    ids["event"] = await make_training_event([ids["host"]])
    for username in ("ana", "iva"):
        await login(client, username)
        response = await post_form(client, f"/training/events/{ids['event']}/register", {})
        assert response.status_code == 303, response.text[:300]
    registrations = await TrainingRegistration.select(TrainingRegistration.id).where(
        TrainingRegistration.event == ids["event"]
    )
    assert len(registrations) == 2
    await login(client, "orga")
    response = await client.post(
        f"/training/events/{ids['event']}/attendance",
        data={"present": [str(row["id"]) for row in registrations], "_csrf_token": await _token(client)},
    )
    assert response.status_code == 303, response.text[:300]
    return ids


async def _token(client) -> str:
    from tests.fixtures import csrf_token

    return await csrf_token(client, "/")


async def _recompute(client) -> None:
    await login(client, "koord")
    assert (await post_form(client, "/network/recompute", {})).status_code == 303


async def test_attendance_makes_a_met_at_tie_after_a_recompute(client, make_org, make_user):
    from portal.db.tables import TrainingEvent
    from portal.network import services

    ids = await _attended_together(client, make_org, make_user)
    year = (await TrainingEvent.select(TrainingEvent.starts_at).where(TrainingEvent.id == ids["event"]).first())[
        "starts_at"
    ].year
    await _recompute(client)
    snapshot = await services.latest_snapshot()
    assert snapshot.summary["met_at_edges"] == 1
    assert snapshot.summary["edges"] == 0  # no formal or referral tie: the formal counts did not change
    [edge] = [e["data"] for e in snapshot.graph["elements"]["edges"]]
    assert {edge["source"], edge["target"]} == {str(ids["csd"]), str(ids["hzz"])}
    assert (edge["met_at"], edge["met_years"], edge["kinds"], edge["met_only"]) == (1, [year], ["met_at"], True)
    # The organiser's organisation had no attendee: no tie to it.
    assert str(ids["host"]) not in (edge["source"], edge["target"])

    page = (await client.get("/network/")).text
    section = page[page.index('id="met-at"') :]
    assert "CSD Ptuj" in section.split("</section>")[0] and "HZZ Varaždin" in section.split("</section>")[0]
    assert f"met at 1 training event in {year}" in page  # the suggestion's reason, translated from its code

    place = (await client.get(f"/network/organisations/{ids['csd']}")).text
    met = place[place.index("Met at training events") :].split("</ul>")[0]
    assert "HZZ Varaždin" in met and "no formal tie" in met
    partners = place[place.index(">Partners<") :].split("</p>")[0]
    assert "HZZ Varaždin" not in partners  # meeting is not a partnership


async def test_no_tie_without_attendance(client, make_org, make_user):
    from portal.network import services

    ids = await _attended_together(client, make_org, make_user)
    await TrainingRegistration.update({TrainingRegistration.attended: False}).where(
        TrainingRegistration.event == ids["event"]
    )
    await _recompute(client)
    snapshot = await services.latest_snapshot()
    assert snapshot.summary["met_at_edges"] == 0
    assert "No organisations have met at a training event yet." in (await client.get("/network/")).text


async def test_recorded_attendance_marks_the_network_stale(client, make_org, make_user):
    from portal.network import jobs

    ids = await _attended_together(client, make_org, make_user)
    await _recompute(client)
    assert not await jobs.changed_since_last_run()
    registration = await make_training_registration(ids["event"], None, ids["host"], name="Zunanja", attended=True)
    assert registration
    assert await jobs.changed_since_last_run()
