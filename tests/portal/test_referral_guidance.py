"""Manual referral guidance: a bounded search ranked by fit, the hard constraints a place breaks, a reason to go on."""

from __future__ import annotations

from portal.db.tables import AuditEvent, Opportunity, Referral, ReferralEvent
from tests.factories import make_opportunity, skills_json
from tests.fixtures import post_form
from tests.flows import setting, switch

HX = {"HX-Request": "true"}
ZAGREB = {"latitude": 45.81, "longitude": 15.98, "region": "Grad Zagreb", "country": "HR", "municipality": "Zagreb"}


async def _places(client, make_user, make_org):
    participant, nearby, host = await setting(client, make_user, make_org)
    creator = (await Opportunity.select(Opportunity.created_by).where(Opportunity.id == nearby).first())["created_by"]
    fitting = await make_opportunity(
        host, creator, title="Sorting line helper", required_skills=skills_json("sorting"), search_text="sorting helper"
    )
    croatian = await make_opportunity(
        host,
        creator,
        title="Sorting in Zagreb",
        required_skills=skills_json("sorting"),
        languages="hr",
        search_text="sorting zagreb",
        **ZAGREB,
    )
    return participant, nearby, fitting, croatian, host, creator


async def test_search_ranks_by_fit_and_marks_what_a_place_breaks(client, make_user, make_org):
    participant, _, fitting, croatian, *_ = await _places(client, make_user, make_org)
    fragment = await client.get(
        f"/cases/{participant}/opportunity-choices", params={"opportunity_q": "sorting"}, headers=HX
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="opportunity-choices"' in fragment.text
    text = fragment.text
    # The place that fits comes first; the Croatian one in Zagreb after it, with what it breaks.
    assert text.index("Sorting line helper") < text.index("Sorting in Zagreb")
    zagreb = text[text.index("Sorting in Zagreb") :]
    assert (
        "requires a language the person does not speak" in zagreb and "beyond the person&#39;s travel radius" in zagreb
    )
    assert "Breaks:" not in text[: text.index("Sorting in Zagreb")]
    assert f"/cases/{participant}/referrals/new?opportunity_id={croatian}" in text
    # Each search reads the profile: it is audited.
    assert (
        await AuditEvent.count().where((AuditEvent.record_id == participant) & (AuditEvent.detail == "referral search"))
        == 1
    )

    nothing = await client.get(
        f"/cases/{participant}/opportunity-choices", params={"opportunity_q": "zzzz"}, headers=HX
    )
    assert "No open opportunity with places left matches" in nothing.text

    # Without JavaScript the same search is a page of its own.
    page = await client.get(f"/cases/{participant}/opportunity-choices", params={"opportunity_q": "sorting"})
    assert page.status_code == 200 and "<html" in page.text and "Sorting line helper" in page.text
    assert f'action="/cases/{participant}/opportunity-choices"' in (await client.get(f"/cases/{participant}")).text
    assert f"opportunity_id={fitting}" in page.text


async def test_the_search_is_bounded(client, make_user, make_org):
    participant, nearby, host = await setting(client, make_user, make_org)
    creator = (await Opportunity.select(Opportunity.created_by).where(Opportunity.id == nearby).first())["created_by"]
    for number in range(25):
        await make_opportunity(host, creator, title=f"Garden helper {number:02}", search_text=f"garden {number:02}")
    found = (await client.get(f"/cases/{participant}/opportunity-choices", params={"opportunity_q": "garden"})).text
    assert found.count('<a class="button" href="/cases/') == 20 and "add words to narrow the search" in found
    # Without words: the live index's best fits within reach (all feasible, so none marked).
    best = (await client.get(f"/cases/{participant}/opportunity-choices", headers=HX)).text
    assert "best-fitting open places within reach" in best and 0 < best.count("<li>") <= 20 and "Breaks:" not in best


async def test_a_place_that_breaks_a_constraint_needs_a_reason(client, make_user, make_org):
    participant, _, fitting, croatian, *_ = await _places(client, make_user, make_org)
    confirm = await client.get(f"/cases/{participant}/referrals/new", params={"opportunity_id": croatian})
    assert confirm.status_code == 200 and "requires a language the person does not speak" in confirm.text
    assert 'name="override_reason"' in confirm.text

    fragment = await client.get(f"/cases/{participant}/referrals/new", params={"opportunity_id": croatian}, headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text and "override_reason" in fragment.text

    path = f"/cases/{participant}/referrals"
    refused = await post_form(client, path, {"opportunity_id": str(croatian), "send": "now", "message": "Hello"})
    assert refused.status_code == 422 and "write why you refer the person anyway" in refused.text
    assert 'aria-invalid="true"' in refused.text and ">Hello</textarea>" in refused.text  # the message is kept
    assert await Referral.count() == 0

    too_long = await post_form(
        client, path, {"opportunity_id": str(croatian), "send": "now", "override_reason": "x" * 2001}
    )
    assert too_long.status_code == 422 and await Referral.count() == 0

    reason = "She moves to Zagreb next month and speaks some Croatian."
    sent = await post_form(client, path, {"opportunity_id": str(croatian), "send": "now", "override_reason": reason})
    assert sent.status_code == 303
    referral = (await Referral.select(Referral.id).order_by(Referral.id).first())["id"]
    first = await ReferralEvent.select().where(ReferralEvent.referral == referral).order_by(ReferralEvent.id).first()
    assert first["reason"] == reason and set(first["constraints"].split(",")) == {"languages", "travel_radius"}
    page = (await client.get(f"/referrals/{referral}")).text
    assert "Referred although the place broke conditions" in page and reason in page

    # The host sees the referral, not the counsellor's reason.
    await switch(client, "host")
    host_page = (await client.get(f"/referrals/{referral}")).text
    assert reason not in host_page and "Referred although" not in host_page

    # A place that breaks nothing needs no reason, and none is kept.
    await switch(client, "ana")
    plain = await post_form(
        client, path, {"opportunity_id": str(fitting), "send": "now", "override_reason": "not needed"}
    )
    assert plain.status_code == 303
    newest = (await Referral.select(Referral.id).order_by(Referral.id, ascending=False).first())["id"]
    event = await ReferralEvent.select().where(ReferralEvent.referral == newest).order_by(ReferralEvent.id).first()
    assert event["reason"] == "" and event["constraints"] == ""


async def test_a_suggestion_that_now_breaks_a_constraint_asks_for_the_reason_in_place(client, make_user, make_org):
    participant, _, _, croatian, *_ = await _places(client, make_user, make_org)
    answer = await post_form(
        client, f"/cases/{participant}/referrals", {"opportunity_id": str(croatian), "send": "now"}, headers=HX
    )
    assert answer.status_code == 422 and "<html" not in answer.text and 'name="override_reason"' in answer.text


async def test_only_the_case_team_searches_and_confirms(client, make_user, make_org):
    participant, _, _, croatian, _, _ = await _places(client, make_user, make_org)
    other_centre = await make_org(name="Other centre", kind="social_work_centre")
    await make_user("bojan", "counsellor", organisation_id=other_centre)
    await switch(client, "bojan")
    assert (await client.get(f"/cases/{participant}/opportunity-choices", headers=HX)).status_code == 404
    assert (await client.get(f"/cases/{participant}/referrals/new?opportunity_id={croatian}")).status_code == 404
    await switch(client, "host")
    assert (await client.get(f"/cases/{participant}/referrals/new?opportunity_id={croatian}")).status_code in (403, 404)
    await switch(client, "ana")
    assert (await client.get(f"/cases/{participant}/referrals/new?opportunity_id=999999")).status_code == 404
    assert (await client.get(f"/cases/{participant}/referrals/new?opportunity_id=abc")).status_code == 404


async def test_more_hours_than_the_person_has_is_marked_but_needs_no_reason(client, make_user, make_org):
    participant, nearby, host = await setting(client, make_user, make_org)
    creator = (await Opportunity.select(Opportunity.created_by).where(Opportunity.id == nearby).first())["created_by"]
    full_time = await make_opportunity(host, creator, title="Full-time sorting", hours_per_week=40, search_text="full")
    confirm = (await client.get(f"/cases/{participant}/referrals/new", params={"opportunity_id": full_time})).text
    assert "more hours per week than the person has" in confirm and 'name="override_reason"' not in confirm
    sent = await post_form(client, f"/cases/{participant}/referrals", {"opportunity_id": str(full_time), "send": "now"})
    assert sent.status_code == 303 and await Referral.count() == 1
