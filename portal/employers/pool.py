"""Who is in the candidate pool employers browse, and the pseudonym each employer knows them by."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from portal.clock import utc_now
from portal.db.tables import CandidatePseudonym, Consent, Participant

__all__ = [
    "FINISHED_PROGRAMME",
    "POOL_STAGES",
    "consented",
    "in_pool",
    "consent_in_force",
    "pool_condition",
    "pool_ids",
    "pseudonyms_for",
    "resolve",
]

# A person is shown once their activation has borne fruit: in a placement, or still in
# activation but with a completed programme behind them. Intake and profiling are too early;
# employment and exit mean they no longer look for work through the programme.
POOL_STAGES = ("placement",)
FINISHED_PROGRAMME = ("completed", "hired")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as case codes: no 0/O or 1/I
_ATTEMPTS = 5


# Ids asked about (or written) at once: an IN list stays this long however large the pool grows.
_CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """``ids``, without repeats and in order, in lists of at most :data:`_CHUNK`."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def consent_in_force(scope: str) -> WhereRaw:
    """SQL: the ``participant`` row's newest decision for ``scope`` says given (never decided is not given)."""
    return WhereRaw(
        "COALESCE((SELECT consent.given FROM consent WHERE consent.participant = participant.id"
        " AND consent.scope = {} ORDER BY consent.id DESC LIMIT 1), {})",
        scope,
        False,
    )


def pool_condition() -> Combinable:
    """The pool as one SQL condition on ``participant`` rows: the right stage and the profile consent in force.

    Evaluated by the database, so browsing filters, counts and pages a country's pool without
    reading it, and a withdrawn consent or a stage change takes effect at once.
    """
    stages = ", ".join(f"'{stage}'" for stage in POOL_STAGES)
    finished = ", ".join(f"'{status}'" for status in FINISHED_PROGRAMME)
    # A scalar subquery with LIMIT rather than EXISTS: PostgreSQL turns an EXISTS under OR into a
    # hash of every finished referral in the country (87 ms per page); this probes the index of
    # the few rows a page looks at (1 ms).
    staged = WhereRaw(
        f"(participant.stage IN ({stages}) OR (participant.stage = 'activation' AND ("
        "SELECT 1 FROM referral WHERE referral.participant = participant.id"
        f" AND referral.status IN ({finished}) LIMIT 1) IS NOT NULL))"
    )
    # Said again plainly, the predicate of the pool's partial indexes (migration 2026-12-04T22:00):
    # PostgreSQL then sees those indexes hold only such rows, where from the OR above alone it
    # also marked every placement and activation case in the stage index to AND with them (5 ms a
    # skill-filtered page at scale).
    possible = ", ".join(f"'{stage}'" for stage in (*POOL_STAGES, "activation"))
    # A pseudonymised case is never shown to employers, whatever its stage or consents say.
    return (
        staged
        & consent_in_force("employer_profile")
        & WhereRaw(f"participant.stage IN ({possible}) AND participant.pseudonymised_at IS NULL")
    )


async def consented(participant_ids: Iterable[int], scope: str) -> set[int]:
    """Those whose newest decision for ``scope`` is "given" (never decided counts as not given)."""
    found: set[int] = set()
    for chunk in _chunks(participant_ids):
        rows = (
            await Consent.select(Consent.participant, Consent.given)
            .where((Consent.scope == scope) & Consent.participant.is_in(chunk))
            .order_by(Consent.id)
        )
        current: dict[int, bool] = {}
        for row in rows:
            current[row["participant"]] = row["given"]
        found.update(pid for pid, given in current.items() if given)
    return found


async def pool_ids() -> set[int]:
    """Every participant an employer may see now (the demo and tests use it; pages use :func:`pool_condition`)."""
    return {row["id"] for row in await Participant.select(Participant.id).where(pool_condition())}


async def in_pool(participant_id: int) -> bool:
    return await Participant.exists().where((Participant.id == participant_id) & pool_condition())


def _new_pseudonym() -> str:
    return "K-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


async def pseudonyms_for(organisation_id: int, participant_ids: Iterable[int]) -> dict[int, str]:
    """The pseudonym ``organisation_id`` knows each participant by, created on first sight.

    Random, so two organisations' pseudonyms for one person share nothing; the unique index on
    (organisation, participant) makes concurrent first sights agree on one.
    """
    wanted = set(participant_ids)
    found: dict[int, str] = {}
    for attempt in range(_ATTEMPTS + 1):
        missing = wanted - set(found)
        for chunk in _chunks(missing):
            rows = await CandidatePseudonym.select(CandidatePseudonym.participant, CandidatePseudonym.pseudonym).where(
                (CandidatePseudonym.organisation == organisation_id) & CandidatePseudonym.participant.is_in(chunk)
            )
            found.update({r["participant"]: r["pseudonym"] for r in rows})
        missing = wanted - set(found)
        if not missing:
            return found
        if attempt == _ATTEMPTS:
            break
        now = utc_now()
        # DO NOTHING covers both races: another request naming the same pair, and the (rare)
        # pseudonym collision; the next pass reads what stuck and retries the rest.
        for chunk in _chunks(missing):
            await CandidatePseudonym.insert(
                *[
                    CandidatePseudonym(
                        organisation=organisation_id, participant=pid, pseudonym=_new_pseudonym(), created_at=now
                    )
                    for pid in chunk
                ]
            ).on_conflict(action="DO NOTHING")
    raise RuntimeError("could not assign pseudonyms")  # only after repeated collisions: not a real outcome


async def resolve(organisation_id: int, pseudonym: str) -> int | None:
    """The participant behind ``organisation_id``'s pseudonym, or None (another employer's pseudonym is unknown here)."""
    row = (
        await CandidatePseudonym.select(CandidatePseudonym.participant)
        .where(
            (CandidatePseudonym.organisation == organisation_id)
            & (CandidatePseudonym.pseudonym == pseudonym.strip().upper())
        )
        .first()
    )
    return row["participant"] if row else None
