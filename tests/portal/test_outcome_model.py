"""Retraining the outcome weights: too few outcomes keep the defaults; learned weights are used only when they rank better."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

import matching
from portal.cli import main
from portal.db.tables import AllocationProposal, OutcomeModel, Referral, ReferralEvent
from portal.matching_service import round_runs, rounds, services, training
from tests.factories import PTUJ, current_user, make_opportunity, make_participant, skills_json
from tests.fixtures import login, post_form

FAR = (46.78, 15.87)  # about 40 km north of Ptuj


@pytest.fixture(autouse=True)
def _default_weights():
    """No learned weights carried over from another test's database."""
    training.forget_weights()
    yield
    training.forget_weights()


async def outcome_setting(make_user, make_org, good: str, places: int = 12, people_count: int = 8) -> dict:
    """``people_count`` people referred to each of ``places`` sorting jobs in Ptuj, outcomes in time order.

    The latest quarter held out is the last two people's referrals: one list per job with one
    good and one bad outcome, enough lists (12) to tell a better ranking from chance.

    ``good="near"``: the near people without the skill did well, the skilled people 40 km away
    did not, so the default weights (skills first) rank the wrong ones first. ``good="skilled"``:
    the skilled near people did well, so the defaults already rank perfectly.
    """
    centre = await make_org(name="Centre")
    host = await make_org(name="Host")
    lead_id = await make_user("ana", "counsellor", organisation_id=centre)
    host_user = await make_user("host", "enterprise", organisation_id=host)
    lead = current_user(lead_id, "ana", "counsellor", centre)
    people = []
    for i in range(people_count):
        success = i % 2 == 0
        skilled = success if good == "skilled" else not success
        people.append(
            (
                await make_participant(
                    lead,
                    skills=("sorting",) if skilled else ("welding",),
                    interests="",
                    location=PTUJ if success else FAR,
                    travel_km=50,
                ),
                success,
            )
        )
    jobs = [
        await make_opportunity(
            host,
            host_user,
            title=f"Sorting {k}",
            required_skills=skills_json("sorting"),
            support_offered="",
            capacity=10,
        )
        for k in range(places)
    ]
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    made = [
        (pid, job, "completed" if success else "declined", start + dt.timedelta(days=len(jobs) * i + k))
        for i, (pid, success) in enumerate(people)
        for k, job in enumerate(jobs)
    ]
    # One statement each for the referrals and their events: hundreds of single inserts are slow on SQLite.
    rows = await Referral.insert(
        *(
            Referral(
                participant=pid,
                opportunity=job,
                referred_by=lead_id,
                message="",
                status=status,
                reason="",
                created_at=when,
                updated_at=when,
            )
            for pid, job, status, when in made
        )
    )
    await ReferralEvent.insert(
        *(
            ReferralEvent(
                referral=row["id"],
                from_status="sent",
                to_status=status,
                reason="",
                changed_by=host_user,
                changed_at=when,
            )
            for row, (_, _, status, when) in zip(rows, made, strict=True)
        )
    )
    return {"people": [pid for pid, _ in people], "jobs": jobs, "lead": lead}


async def _admin(client, make_user) -> None:
    await make_user("boss", "admin")
    client.cookies.clear()
    await login(client, "boss")


async def _latest() -> dict:
    row = await OutcomeModel.select().order_by(OutcomeModel.id, ascending=False).first()
    return {**row, "report": json.loads(row["report"]), "weights": json.loads(row["weights"])}


async def test_too_few_outcomes_say_so_and_keep_the_defaults(client, make_user, make_org):
    await outcome_setting(make_user, make_org, "near", places=2, people_count=6)  # 12 outcomes
    await _admin(client, make_user)
    response = await post_form(client, "/matching/model/train", {})
    assert response.status_code == 303 and response.headers["location"] == "/matching/model"
    model = await _latest()
    assert model["status"] == "done" and not model["in_use"] and model["outcomes"] == 12
    assert model["report"]["decision"] == "too_few" and model["report"]["evaluation"] is None
    assert model["weights"] == matching.DEFAULT_WEIGHTS.as_dict()
    assert await training.current_weights() == matching.DEFAULT_WEIGHTS
    page = await client.get("/matching/model")
    assert "Too few finished referrals to learn from: at least 30 are needed" in page.text
    assert "Defaults kept" in page.text and "boss" in page.text


async def test_learned_weights_that_rank_better_are_used_by_suggestions_and_rounds(client, make_user, make_org):
    setting = await outcome_setting(make_user, make_org, "near")
    await _admin(client, make_user)
    assert (await post_form(client, "/matching/model/train", {})).status_code == 303
    model = await _latest()
    report = model["report"]
    assert model["status"] == "done" and model["in_use"] and model["outcomes"] == 96
    assert report["decision"] == "better" and report["learned_ndcg"] > report["default_ndcg"]
    evaluation = report["evaluation"]
    assert (evaluation["n_train"], evaluation["n_test"]) == (72, 24)  # the latest quarter is held out
    assert evaluation["by"] == "opportunity" and evaluation["counts"]["opportunity"]["informative"] == 12
    assert evaluation["counts"]["person"] == {"lists": 2, "two_or_more": 2, "informative": 0}
    assert evaluation["methods"]["random"]["ndcg"] < evaluation["methods"]["learned weights"]["ndcg"]
    assert 0 < evaluation["gain_low"] <= evaluation["gain_high"]
    assert set(evaluation["methods"]) == {"default weights", "learned weights", "random", "distance only", "skill only"}
    for result in evaluation["methods"].values():
        assert {"ndcg", "precision", "brier", "ece", "reliability"} <= result.keys()
        assert set(result["exposure"]) == {"support level", "country"} and "SI" in result["exposure"]["country"]
    weights = model["weights"]
    assert weights["distance"] > weights["skill"]
    learned = await training.current_weights()
    assert learned.as_dict() == pytest.approx(weights)

    page = await client.get("/matching/model")
    assert (
        "so they are in use" in page.text
        and "Distance only" in page.text
        and "both good and bad" in page.text
        and "Learned weights, in use" in page.text
    )

    # Suggestions on a case and allocation rounds score with the weights in use (for someone not
    # referred yet: places that already had a referral for a person are not suggested again).
    newcomer = await make_participant(setting["lead"], skills=("welding",), interests="", location=PTUJ, travel_km=50)
    found = await services.placements_for(newcomer)
    assert found
    for name, part in found[0]["contributions"].items():
        assert part == pytest.approx(getattr(learned, name) * found[0]["components"][name], abs=1e-6)
    coordinator = current_user(
        await make_user("coord", "coordinator"), "coord", "coordinator", setting["lead"].organisation_id
    )
    round_id = await round_runs.start_round(rounds.Criteria(name="With learned weights"), coordinator)
    reasons = [
        json.loads(p["explanation"])["reasons"]
        for p in await AllocationProposal.select().where(AllocationProposal.allocation_round == round_id)
    ]
    placed = [r for r in reasons if r]
    assert placed and all(
        r["contributions"]["distance"] == pytest.approx(learned.distance * r["components"]["distance"], abs=1e-6)
        for r in placed
    )


async def test_learned_weights_that_do_not_rank_better_stay_out_of_use(client, make_user, make_org):
    await outcome_setting(make_user, make_org, "skilled")
    await training.train()
    model = await _latest()
    assert model["status"] == "done" and not model["in_use"]
    assert model["report"]["decision"] == "not_better" and model["report"]["evaluation"]["learned_weights"]
    assert model["report"]["default_ndcg"] == pytest.approx(1.0)
    assert await training.current_weights() == matching.DEFAULT_WEIGHTS


async def test_only_admins_reach_the_model(client, make_user, make_org):
    for role in ("coordinator", "counsellor", "enterprise", "employer"):
        await make_user(role, role)
        client.cookies.clear()
        await login(client, role)
        assert (await client.get("/matching/model")).status_code == 403
        assert (await post_form(client, "/matching/model/train", {})).status_code == 403
    assert await OutcomeModel.count() == 0


def test_the_command_prints_the_report(command_db):
    result = CliRunner().invoke(main, ["matching", "train"])
    assert result.exit_code == 0, result.output
    assert "only 0 outcomes" in result.output and "the weights in use did not change" in result.output


async def test_each_training_measures_fairness_for_coordinators_and_the_command(client, make_user, make_org):
    await outcome_setting(make_user, make_org, "near")
    await training.train()
    fairness = (await _latest())["report"]["fairness"]
    assert set(fairness["groupings"]) == {"support level", "country", "region", "age band", "language"}
    # Eight people in one country and region: one group each, with its figures.
    ((country, figures),) = fairness["groupings"]["country"].items()
    assert country == "SI" and figures["people"] == 8 and 0 <= figures["with_suggestion"] <= 1
    # Each person's referrals all ended alike here: no per-person list can tell rankings apart.
    assert figures["ndcg_lists"] == 0 and figures["ndcg"] is None
    # Groups under five people are folded together, so no figure points at a person.
    assert all(g["people"] >= 5 for table in fairness["groupings"].values() for g in table.values())

    await make_user("coord", "coordinator")
    client.cookies.clear()
    await login(client, "coord")
    page = await client.get("/matching/fairness")
    assert page.status_code == 200
    assert "Fairness of the suggestions" in page.text and "By country" in page.text and "Slovenia" in page.text
    for role in ("counsellor", "enterprise", "employer"):
        await make_user(role, role)
        client.cookies.clear()
        await login(client, role)
        assert (await client.get("/matching/fairness")).status_code == 403


async def test_the_fairness_page_says_when_there_is_no_report_yet(client, make_user):
    await _admin(client, make_user)
    page = await client.get("/matching/fairness")
    assert page.status_code == 200 and "No fairness report yet" in page.text
