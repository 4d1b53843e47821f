"""Certificates of attendance, competence records and the trained-staff pages, through HTTP."""

from __future__ import annotations

import datetime as dt

from tests.factories import make_training_event, make_training_registration
from tests.fixtures import login
from tests.pdf_text import embedded_fonts, pdf_text

PAST = dt.datetime(2026, 3, 4, 8, 0, tzinfo=dt.UTC)


async def _setup(make_org, make_user, **event: object) -> dict[str, int]:
    ids = {
        "organiser_org": await make_org(name="CZSS Čakovec", country="HR", region="Međimurska županija"),
        "home": await make_org(name="CSD Ptuj", kind="social_work_centre"),
        "elsewhere": await make_org(name="Zadruga drugje"),
    }
    ids["attendee"] = await make_user(
        "ana", "counsellor", ids["home"], display_name="Ana Žužek Šćepanović Đurić", language="hr"
    )
    ids["absent"] = await make_user("bor", "counsellor", ids["home"], display_name="Bor Absent")
    ids["organiser"] = await make_user("orga", "enterprise", ids["organiser_org"])
    ids["stranger"] = await make_user("tuji", "counsellor", ids["elsewhere"])
    ids["coordinator"] = await make_user("koord", "coordinator", ids["elsewhere"])
    ids["event"] = await make_training_event(
        [ids["organiser_org"]], starts_at=PAST, title="Uloga mentora u socijalnoj aktivaciji", **event
    )
    ids["reg"] = await make_training_registration(ids["event"], ids["attendee"], ids["home"], attended=True)
    ids["absent_reg"] = await make_training_registration(ids["event"], ids["absent"], ids["home"], attended=False)
    return ids


async def test_the_attendee_downloads_a_certificate_in_their_language(client, make_org, make_user):
    ids = await _setup(make_org, make_user)
    await login(client, "ana")
    response = await client.get(f"/training/registrations/{ids['reg']}/certificate.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    text = pdf_text(response.content)
    # č š ž ć đ come out of the PDF as they went in: the DejaVu font is embedded and maps them.
    assert "Ana Žužek Šćepanović Đurić" in text
    assert "Uloga mentora u socijalnoj aktivaciji" in text
    assert "CSD Ptuj" in text
    assert any("4. ožujka 2026" in line for line in text), text  # Croatian, the user's language
    assert any(f"TR-{ids['event']}-{ids['reg']}" in line for line in text)
    assert any("CZSS Čakovec" in line for line in text)
    assert {name.split("+")[1] for name in embedded_fonts(response.content)} == {"DejaVuSansBook", "DejaVuSansBold"}
    assert b"/Lang (hr)" in response.content


async def test_the_registration_language_wins_over_the_users(client, make_org, make_user):
    ids = await _setup(make_org, make_user)
    from portal.db.tables import TrainingRegistration

    await TrainingRegistration.update({TrainingRegistration.language: "sl"}).where(
        TrainingRegistration.id == ids["reg"]
    )
    await login(client, "ana")
    response = await client.get(f"/training/registrations/{ids['reg']}/certificate.pdf")
    assert any("4. marec 2026" in line for line in pdf_text(response.content))


async def test_organisers_and_coordinators_may_download_it_and_are_audited(client, make_org, make_user):
    from portal.db.tables import AuditEvent

    ids = await _setup(make_org, make_user)
    for username in ("orga", "koord"):
        await login(client, username)
        response = await client.get(f"/training/registrations/{ids['reg']}/certificate.pdf")
        assert response.status_code == 200, username
        assert "Ana Žužek Šćepanović Đurić" in pdf_text(response.content)
    reads = await AuditEvent.count().where(
        (AuditEvent.record_type == "training_registration") & (AuditEvent.record_id == ids["reg"])
    )
    assert reads == 2


async def test_anyone_else_is_refused(client, make_org, make_user):
    ids = await _setup(make_org, make_user)
    path = f"/training/registrations/{ids['reg']}/certificate.pdf"
    assert (await client.get(path)).status_code in (401, 303)
    for username in ("tuji", "bor"):  # another organisation's counsellor, a colleague of the attendee
        await login(client, username)
        response = await client.get(path)
        assert response.status_code == 403, username
        assert not response.content.startswith(b"%PDF")


async def test_no_certificate_for_non_attendees_or_other_kinds(client, make_org, make_user):
    from portal.db.tables import TrainingRegistration

    ids = await _setup(make_org, make_user)
    await login(client, "bor")
    assert (await client.get(f"/training/registrations/{ids['absent_reg']}/certificate.pdf")).status_code == 404
    await login(client, "koord")
    assert (await client.get(f"/training/registrations/{ids['absent_reg']}/certificate.pdf")).status_code == 404
    assert (await client.get("/training/registrations/999999/certificate.pdf")).status_code == 404
    # Not recorded yet, and a seminar rather than a module: no certificate either.
    await TrainingRegistration.update({TrainingRegistration.attended: None}).where(
        TrainingRegistration.id == ids["reg"]
    )
    assert (await client.get(f"/training/registrations/{ids['reg']}/certificate.pdf")).status_code == 404
    seminar = await make_training_event([ids["organiser_org"]], starts_at=PAST, kind="seminar")
    seminar_reg = await make_training_registration(seminar, ids["attendee"], ids["home"], attended=True)
    assert (await client.get(f"/training/registrations/{seminar_reg}/certificate.pdf")).status_code == 404


async def test_my_training_record_lists_completed_modules_with_certificates(client, make_org, make_user):
    ids = await _setup(make_org, make_user)
    seminar = await make_training_event(
        [ids["organiser_org"]], starts_at=PAST, kind="seminar", title="Strokovni seminar Celje"
    )
    await make_training_registration(seminar, ids["attendee"], ids["home"], attended=True)
    await login(client, "ana")
    page = (await client.get("/account/training")).text
    assert "Uloga mentora u socijalnoj aktivaciji" in page
    assert f"/training/registrations/{ids['reg']}/certificate.pdf" in page
    assert "Strokovni seminar Celje" in page
    await login(client, "bor")
    page = (await client.get("/account/training")).text
    assert "Uloga mentora" not in page  # absent: not completed
    assert "No module completed yet." in page


async def test_coordinators_see_any_staff_record_others_do_not(client, make_org, make_user):
    from portal.db.tables import AuditEvent

    ids = await _setup(make_org, make_user)
    await login(client, "koord")
    page = await client.get(f"/training/staff/{ids['attendee']}")
    assert page.status_code == 200
    assert "Ana Žužek Šćepanović Đurić" in page.text and "Uloga mentora" in page.text
    assert await AuditEvent.exists().where(
        (AuditEvent.record_type == "user") & (AuditEvent.record_id == ids["attendee"])
    )
    assert (await client.get("/training/staff/999999")).status_code == 404
    await login(client, "tuji")
    assert (await client.get(f"/training/staff/{ids['attendee']}")).status_code == 403
    assert (await client.get("/training/trained")).status_code == 403


async def test_trained_page_counts_against_the_target_and_suppresses_small_groups(client, make_org, make_user):
    ids = await _setup(make_org, make_user)
    # Six more trained people at one institution in another region; one of them at two modules.
    big = await make_org(name="HZZ Varaždin", kind="employment_office", country="HR", region="Varaždinska županija")
    second = await make_training_event([ids["organiser_org"]], starts_at=PAST + dt.timedelta(days=40), title="Modul 5")
    for number in range(6):
        user = await make_user(f"hzz{number}", "counsellor", big)
        await make_training_registration(ids["event"], user, big, attended=True)
        if number == 0:
            await make_training_registration(second, user, big, attended=True)
    # An external person, counted once however many modules.
    await make_training_registration(
        ids["event"], None, None, name="Vanjska Osoba", email="v@example.org", attended=True
    )
    await make_training_registration(second, None, None, name="Vanjska Osoba", email="V@example.org", attended=True)
    await login(client, "koord")
    page = (await client.get("/training/trained")).text
    # Counts of people rounded as on the indicators pages: 8 (Ana, six at HZZ, the external person) is 10.
    assert "<strong>10</strong>" in page and "Counts of people are rounded to the nearest 5." in page
    assert "of 480 staff trained" in page
    assert "HZZ Varaždin" in page and "CSD Ptuj" in page
    # CSD Ptuj has one trained person: a count that small is never shown.
    row = page[page.index("CSD Ptuj") :].split("</tr>")[0]
    assert "fewer than 5" in row
    row = page[page.index("HZZ Varaždin") :].split("</tr>")[0]
    assert "<td>5</td>" in row  # six people
    staff = (await client.get("/training/trained/staff")).text
    assert "Ana Žužek Šćepanović Đurić" in staff and "hzz0" in staff.lower()
    assert "Bor Absent" not in staff
    # htmx asks for the paged tables alone: the blocks render by themselves, with their counts and pagers.
    fragment = await client.get("/training/trained", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="institutions"' in fragment.text and "HZZ Varaždin" in fragment.text and "fewer than 5" in fragment.text
    fragment = await client.get("/training/trained/staff", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="people"' in fragment.text and "Ana Žužek Šćepanović Đurić" in fragment.text


async def test_the_target_comes_from_the_indicators_when_set(client, make_org, make_user):
    from portal.db.tables import IndicatorTarget

    await _setup(make_org, make_user)
    await IndicatorTarget.insert(
        IndicatorTarget(
            indicator="staff_trained",
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2027, 12, 31),
            value=600,
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    await login(client, "koord")
    page = (await client.get("/training/trained")).text
    assert "of 600 staff trained" in page
    assert "The target is the one set on the indicators page." in page


async def test_training_indicators_over_time(db, make_org, make_user):
    from portal.training import indicators

    ids = await _setup(make_org, make_user)
    later = await make_training_event([ids["organiser_org"]], starts_at=dt.datetime(2026, 5, 6, 8, tzinfo=dt.UTC))
    await make_training_registration(later, ids["attendee"], ids["home"], attended=True)  # trained already in March
    await make_training_event([], starts_at=dt.datetime(2026, 5, 8, 8, tzinfo=dt.UTC), status="cancelled")
    window = indicators.last_months(6, today=dt.date(2026, 6, 15))
    months = {m["month"]: m for m in await indicators.over_time(window)}
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert months["2026-03"] == {"month": "2026-03", "events": 1, "attendances": 1, "newly_trained": 1, "trained": 1}
    assert months["2026-05"]["events"] == 1  # the cancelled one was not held
    assert months["2026-05"]["newly_trained"] == 0 and months["2026-05"]["trained"] == 1
    regions = {(row["country"], row["region"]): row for row in await indicators.by_region()}
    assert regions["SI", "Podravska"]["people"] == 1


async def test_the_indicators_page_has_a_training_section(client, make_org, make_user):
    from portal.indicators.measures import MEASURES

    ids = await _setup(make_org, make_user)
    await login(client, "koord")
    page = (await client.get("/indicators?from=2026-01&to=2026-06")).text
    assert "Staff training" in page
    assert "Training: events held and staff trained per month" in page
    assert "staff_trained" in MEASURES
    from portal.indicators.filters import Filters
    from portal.training import indicators

    march = Filters(start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1))
    assert await indicators.trained_in(march) == 1
    elsewhere = Filters(start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1), organisation=ids["elsewhere"])
    assert await indicators.trained_in(elsewhere) == 0
