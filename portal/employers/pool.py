"""Who is in the candidate pool employers browse, and the pseudonym each employer knows them by."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from portal.db.tables import CandidatePseudonym, Consent, Participant, Referral

__all__ = ["FINISHED_PROGRAMME", "POOL_STAGES", "consented", "in_pool", "pool_ids", "pseudonyms_for", "resolve"]

# A person is shown once their activation has borne fruit: in a placement, or still in
# activation but with a completed programme behind them. Intake and profiling are too early;
# employment and exit mean they no longer look for work through the programme.
POOL_STAGES = ("placement",)
FINISHED_PROGRAMME = ("completed", "hired")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as case codes: no 0/O or 1/I
_ATTEMPTS = 5


async def consented(participant_ids: Iterable[int], scope: str) -> set[int]:
    """Those whose newest decision for ``scope`` is "given" (never decided counts as not given)."""
    ids = list(set(participant_ids))
    if not ids:
        return set()
    rows = (
        await Consent.select(Consent.participant, Consent.given)
        .where((Consent.scope == scope) & Consent.participant.is_in(ids))
        .order_by(Consent.id)
    )
    current: dict[int, bool] = {}
    for row in rows:
        current[row["participant"]] = row["given"]
    return {pid for pid, given in current.items() if given}


async def pool_ids(among: Iterable[int] | None = None) -> set[int]:
    """Every participant an employer may see now (or those of ``among``): the right stage and the
    profile consent in force.

    Read on every request, so a withdrawn consent or a stage change takes effect at once.
    """
    staged_where = Participant.stage.is_in(list(POOL_STAGES))
    finished_where = (Referral.participant.stage == "activation") & Referral.status.is_in(list(FINISHED_PROGRAMME))
    if among is not None:
        ids = list(set(among)) or [0]
        staged_where &= Participant.id.is_in(ids)
        finished_where &= Referral.participant.is_in(ids)
    staged = await Participant.select(Participant.id).where(staged_where)
    finished = await Referral.select(Referral.participant).where(finished_where)
    candidates = {r["id"] for r in staged} | {r["participant"] for r in finished}
    return await consented(candidates, "employer_profile")


async def in_pool(participant_id: int) -> bool:
    return participant_id in await pool_ids([participant_id])


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
        if missing:
            rows = await CandidatePseudonym.select(CandidatePseudonym.participant, CandidatePseudonym.pseudonym).where(
                (CandidatePseudonym.organisation == organisation_id)
                & CandidatePseudonym.participant.is_in(list(missing))
            )
            found.update({r["participant"]: r["pseudonym"] for r in rows})
            missing = wanted - set(found)
        if not missing:
            return found
        if attempt == _ATTEMPTS:
            break
        now = dt.datetime.now(dt.UTC)
        # DO NOTHING covers both races: another request naming the same pair, and the (rare)
        # pseudonym collision; the next pass reads what stuck and retries the rest.
        await CandidatePseudonym.insert(
            *[
                CandidatePseudonym(
                    organisation=organisation_id, participant=pid, pseudonym=_new_pseudonym(), created_at=now
                )
                for pid in sorted(missing)
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
