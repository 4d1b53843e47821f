"""Retraining the outcome weights on finished referrals, with its evaluation report, and the weights in use.

A training gathers every referral that reached an outcome (completed or hired: good; declined
or dropped out: bad), scores each pair with the matching library, and lets
:func:`matching.evaluate` compare default weights, learned weights and three baselines on a
time-split holdout. The learned weights are put in use only when they rank the held-out
outcomes better than the defaults. Pages and rounds read the weights in use through
:func:`current_scoring`, cached for a minute so a request costs no query.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio

import matching
from portal.db.engine import as_utc
from portal.db.tables import Opportunity, OutcomeModel, Participant, Referral, ReferralEvent
from portal.geo import REGIONS
from portal.jobs.queue import enqueue
from portal.jobs.runs import Runs
from portal.matching_service import fairness, records
from portal.matching_service.text_model import shared_text
from portal.skills.relations import narrower_forms

__all__ = [
    "BAD",
    "GOOD",
    "MIN_OUTCOMES",
    "current_scoring",
    "current_weights",
    "evaluate_outcomes",
    "forget_weights",
    "gather_outcomes",
    "model_history",
    "portal_scoring",
    "start_training",
    "train",
]

logger = logging.getLogger(__name__)

GOOD = ("completed", "hired")
BAD = ("declined", "dropped_out")
# The library's own default asks for 200; a region's first year has fewer, and the held-out test
# still guards the decision. Below 30 the held-out quarter is too small to say anything.
MIN_OUTCOMES = 30
# Another process (a second worker, the command line) may train: re-read the weights now and then.
CACHE_SECONDS = 60.0
# A run still "running" after this long died with its process.
STALE_AFTER = dt.timedelta(minutes=30)
RUNS = Runs(OutcomeModel, STALE_AFTER)
_COUNTRY_OF_REGION = {region: country for country, regions in REGIONS.items() for region in regions}


# --- the data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingData:
    """Outcomes ready for the library, and group labels of their people for the exposure tables only."""

    outcomes: list[matching.Outcome]
    groups: dict[str, dict[Hashable, str]]  # the library's ids are any hashable


async def gather_outcomes() -> TrainingData:
    """Every finished referral as a :class:`matching.Outcome`, scored on today's profile and opportunity.

    The time of an outcome is when it became known (its last outcome event, else the referral's
    ``updated_at``), so training only ever sees outcomes known before the held-out period.
    Outcomes recorded at the same instant (an import, the demo data) are ordered by referral id,
    which is the order the referrals were made. Group labels are the support level and the
    country (from the region): gender, age, nationality and ethnicity are not portal fields.
    """
    rows = (
        await Referral.select(
            Referral.id, Referral.participant, Referral.opportunity, Referral.status, Referral.updated_at
        )
        .where(Referral.status.is_in([*GOOD, *BAD]))
        .order_by(Referral.id)
    )
    if not rows:
        return TrainingData([], {"support level": {}, "country": {}})
    known_at: dict[int, dt.datetime] = {}
    for event in await ReferralEvent.select(ReferralEvent.referral, ReferralEvent.changed_at).where(
        ReferralEvent.to_status.is_in([*GOOD, *BAD])
    ):
        when = event["changed_at"]
        if event["referral"] not in known_at or when > known_at[event["referral"]]:
            known_at[event["referral"]] = when
    # Sub-selects, not lists of ids: at a country's scale those are over PostgreSQL's 32,767 arguments.
    finished = Referral.status.is_in([*GOOD, *BAD])
    people = await Participant.select(
        *records.columns(Participant, records.PERSON_COLUMNS), Participant.support_level, Participant.region
    ).where(Participant.id.is_in(Referral.select(Referral.participant).where(finished)))
    places = await Opportunity.select(*records.columns(Opportunity, records.OPPORTUNITY_COLUMNS)).where(
        Opportunity.id.is_in(Referral.select(Referral.opportunity).where(finished))
    )
    ordered = sorted(rows, key=lambda r: (as_utc(known_at.get(r["id"], r["updated_at"])), r["id"]))
    outcomes = await anyio.to_thread.run_sync(_scored, ordered, people, places)
    groups = {
        "support level": {p["id"]: p["support_level"] or "unknown" for p in people},
        "country": {p["id"]: _COUNTRY_OF_REGION.get(p["region"], "unknown") for p in people},
    }
    return TrainingData(outcomes, groups)


def _scored(
    rows: list[dict[str, Any]], people: list[dict[str, Any]], places: list[dict[str, Any]]
) -> list[matching.Outcome]:
    """Component scores of each referred pair; the position in time order is the outcome's time."""
    persons = {p["id"]: records.person(p) for p in people}
    opportunities = {o["id"]: records.opportunity(o) for o in places}
    # The components do not depend on the weights; one similarity table serves every pair.
    scoring = portal_scoring(matching.DEFAULT_WEIGHTS)
    table = scoring.text.table(
        (t for o in opportunities.values() for s in (*o.required_skills, *o.optional_skills) for t in s.texts),
        (t for p in persons.values() for s in p.skills for t in s.texts),
    )
    outcomes = []
    for position, row in enumerate(rows):
        person, place = persons.get(row["participant"]), opportunities.get(row["opportunity"])
        if person is None or place is None:
            continue
        pair = matching.score_pair(person, place, scoring, similarity=table)
        outcomes.append(matching.Outcome(person.id, place.id, position, dict(pair.components), row["status"] in GOOD))
    return outcomes


# --- training and evaluation (CPU-bound, run in a worker thread) ---------------------------------


def _number(value: float | None) -> float | None:
    """JSON has no NaN: an undefined figure is stored as null."""
    return None if value is None or not math.isfinite(value) else round(float(value), 4)


def _method(result: Any, exposure: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "ndcg": _number(result.ndcg),
        "ndcg_low": _number(result.ndcg_low),
        "ndcg_high": _number(result.ndcg_high),
        "precision": _number(result.precision),
        "brier": _number(result.brier),
        "ece": _number(result.ece),
        "reliability": [
            [_number(b.low), _number(b.high), _number(b.predicted), _number(b.observed), b.count]
            for b in result.reliability
        ],
        "exposure": {
            label: {
                group: {
                    "people": e.people,
                    "appearances": e.appearances,
                    "mean_rank": _number(e.mean_rank),
                    "exposure": _number(e.exposure),
                    "ratio": _number(e.ratio),
                }
                for group, e in by_group.items()
            }
            for label, by_group in exposure.items()
        },
    }


def _decision_code(choice: matching.WeightChoice, n: int, good: int) -> str:
    if choice.learned:
        return "better"
    if n < MIN_OUTCOMES or good in (0, n):
        return "too_few"
    return choice.code or "split"


def evaluate_outcomes(data: TrainingData) -> tuple[matching.Weights, bool, dict[str, Any]]:
    """The weights to store, whether to use them, and the report as plain JSON-ready data.

    With fewer than :data:`MIN_OUTCOMES` outcomes, or only good or only bad ones, nothing is
    learned and the report says so.
    """
    outcomes = data.outcomes
    n, good = len(outcomes), sum(o.success for o in outcomes)
    report: dict[str, Any] = {"outcomes": n, "good": good, "min_outcomes": MIN_OUTCOMES, "evaluation": None}
    default = matching.DEFAULT_WEIGHTS
    if n < MIN_OUTCOMES or good in (0, n):
        reason = f"only {n} outcomes ({good} good); at least {MIN_OUTCOMES} with both good and bad ones are needed"
        return default, False, {**report, "decision": "too_few", "reason": reason, "text": reason}
    groups = list(data.groups.items())
    try:
        evaluation = matching.evaluate(outcomes, groups=groups[0][1], min_outcomes=MIN_OUTCOMES)
        # The exposure tables of further groupings; the rest of these reports repeats the first.
        more = {label: matching.evaluate(outcomes, groups=by, min_outcomes=MIN_OUTCOMES) for label, by in groups[1:]}
    except ValueError as exc:  # e.g. every outcome at one time: no later period to hold out
        return default, False, {**report, "decision": "split", "reason": str(exc), "text": str(exc)}
    choice = evaluation.choice
    report.update(
        decision=_decision_code(choice, n, good),
        reason=choice.reason,
        default_ndcg=_number(choice.default_ndcg),
        learned_ndcg=_number(choice.learned_ndcg),
        text=evaluation.format(),
        evaluation={
            "n_train": evaluation.n_train,
            "n_test": evaluation.n_test,
            "lists": evaluation.lists,
            "by": evaluation.by,
            "counts": {
                by: {"lists": c.lists, "two_or_more": c.two_or_more, "informative": c.informative}
                for by, c in evaluation.counts.items()
            },
            "level": evaluation.level,
            "gain_low": _number(choice.gain_low),
            "gain_high": _number(choice.gain_high),
            "base_rate": _number(evaluation.base_rate),
            "k": evaluation.k,
            "precision_k": evaluation.precision_k,
            "default_weights": evaluation.default_weights.as_dict(),
            "learned_weights": evaluation.learned_weights.as_dict() if evaluation.learned_weights else None,
            "methods": {
                name: _method(
                    result,
                    {groups[0][0]: result.exposure, **{label: r.methods[name].exposure for label, r in more.items()}},
                )
                for name, result in evaluation.methods.items()
            },
        },
    )
    return choice.weights, choice.learned, report


# --- runs ----------------------------------------------------------------------------------------


async def train(user_id: int | None = None) -> int:
    """Train now and wait for it; returns the stored model's id (the command line uses this)."""
    model_id = await _start_row(user_id)
    await run_training(model_id)
    return model_id


async def start_training(user_id: int | None) -> int:
    """Start a training in the background (awaited under tests) unless one is under way; returns its id."""
    running = await RUNS.newest_running()
    if running is not None:
        return running["id"]
    model_id = await _start_row(user_id)
    await enqueue("model_training", model_id=model_id)
    return model_id


async def _start_row(user_id: int | None) -> int:
    return await RUNS.start(trained_by=user_id, outcomes=0, weights="{}", in_use=False, report="{}")


async def run_training(model_id: int) -> None:
    """One training; a failure is stored on the row with its reason, never raised."""
    started = time.perf_counter()
    async with RUNS.recorded(model_id, logger, "outcome model training"):
        data = await gather_outcomes()
        weights, in_use, report = await anyio.to_thread.run_sync(evaluate_outcomes, data)
        # Fairness is measured with the weights that will be in use after this training.
        scoring = portal_scoring(weights if in_use else await current_weights())
        measured = await fairness.gather(data.outcomes)
        report["fairness"] = await anyio.to_thread.run_sync(fairness.compute, measured, scoring)
        report["fairness_text"] = fairness.format_report(report["fairness"])
        report["seconds"] = round(time.perf_counter() - started, 2)
        await RUNS.finish(
            model_id,
            outcomes=len(data.outcomes),
            weights=json.dumps(weights.as_dict()),
            in_use=in_use,
            report=json.dumps(report),
        )
    forget_weights()  # the next request reads the newest model in use


async def model_history(limit: int = 20) -> list[dict[str, Any]]:
    """The newest trainings first, reports and weights parsed; ``current`` marks the one in use."""
    rows = (
        await OutcomeModel.select(
            OutcomeModel.id,
            OutcomeModel.status,
            OutcomeModel.started_at,
            OutcomeModel.finished_at,
            OutcomeModel.outcomes,
            OutcomeModel.weights,
            OutcomeModel.in_use,
            OutcomeModel.report,
            OutcomeModel.error,
            OutcomeModel.trained_by.display_name.as_alias("trained_by_name"),
        )
        .order_by(OutcomeModel.id, ascending=False)
        .limit(limit)
    )
    in_use = await _newest_in_use()
    for row in rows:
        row["report"] = json.loads(row["report"] or "{}")
        row["weights"] = json.loads(row["weights"] or "{}")
        row["current"] = in_use is not None and row["id"] == in_use["id"]
        row["status"] = RUNS.shown_status(row)
    return rows


# --- the weights in use ----------------------------------------------------------------------------


async def _newest_in_use() -> dict[str, Any] | None:
    return (
        await OutcomeModel.select(OutcomeModel.id, OutcomeModel.weights)
        .where((OutcomeModel.status == "done") & (OutcomeModel.in_use.eq(True)))
        .order_by(OutcomeModel.id, ascending=False)
        .first()
    )


class _Cache:
    scoring: matching.Scoring | None = None
    read_at: float = 0.0


_cache = _Cache()


def forget_weights() -> None:
    """Read the weights again on next use (after a training, and between tests)."""
    _cache.scoring = None


def portal_scoring(weights: matching.Weights) -> matching.Scoring:
    """Scoring with ``weights``, the catalogue-fitted text model and the related concepts the portal can name."""
    return matching.Scoring(weights=weights, text=shared_text(), related=narrower_forms())


async def current_scoring() -> matching.Scoring:
    """How pairs are scored now: the newest learned weights in use, else the defaults."""
    if _cache.scoring is None or time.monotonic() - _cache.read_at > CACHE_SECONDS:
        row = await _newest_in_use()
        weights = matching.DEFAULT_WEIGHTS
        if row is not None:
            try:
                weights = matching.Weights(**json.loads(row["weights"]))
            except (ValueError, TypeError):
                logger.warning("outcome model %s has unreadable weights; using the defaults", row["id"])
        _cache.scoring, _cache.read_at = portal_scoring(weights), time.monotonic()
    return _cache.scoring


async def current_weights() -> matching.Weights:
    """The weights of :func:`current_scoring`."""
    return (await current_scoring()).weights
