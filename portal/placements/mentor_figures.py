"""How many of a host's placements have a mentor named: the numbers behind "offers a mentor"."""

from __future__ import annotations

from typing import Any

from portal.db.tables import Opportunity, Referral
from portal.disclosure import rounded
from portal.vocab import split_codes

MENTOR = "mentor"
# A placement is a referral that started; it stays one after it ends.
PLACEMENT_STATUSES = ("started", "completed", "dropped_out", "hired")

# One statement, counted in the database (never the placements read): the referral index on
# opportunity and the mentor index on referral keep it small for one organisation.
_COUNTS = """
SELECT
  COUNT(*) AS all_total,
  COALESCE(SUM(CASE WHEN m.referral IS NOT NULL THEN 1 ELSE 0 END), 0) AS all_mentored,
  COALESCE(SUM(CASE WHEN r.status = 'started' THEN 1 ELSE 0 END), 0) AS now_total,
  COALESCE(SUM(CASE WHEN r.status = 'started' AND m.referral IS NOT NULL THEN 1 ELSE 0 END), 0) AS now_mentored
FROM referral r
JOIN opportunity o ON o.id = r.opportunity
LEFT JOIN (SELECT DISTINCT referral FROM placement_mentor) m ON m.referral = r.id
WHERE o.organisation = {} AND r.status IN ('started', 'completed', 'dropped_out', 'hired')
"""


def offers_mentor(support_offered: Any) -> bool:
    """Whether a support list (codes, or the stored comma-separated text) offers a mentor."""
    codes = split_codes(support_offered) if isinstance(support_offered, str) else support_offered or []
    return MENTOR in codes


async def organisation_offers_mentor(organisation_id: int) -> bool:
    """Whether one of the organisation's open opportunities says it offers a mentor."""
    return await Opportunity.exists().where(
        (Opportunity.organisation == organisation_id)
        & (Opportunity.status == "open")
        & (
            (Opportunity.support_offered == MENTOR)
            | Opportunity.support_offered.like(f"{MENTOR},%")
            | Opportunity.support_offered.like(f"%,{MENTOR}")
            | Opportunity.support_offered.like(f"%,{MENTOR},%")
        )
    )


async def counts(organisation_id: int) -> dict[str, int]:
    """Placements of the organisation now and in all, and how many of each have a mentor named."""
    rows = await Referral.raw(_COUNTS, organisation_id)
    row = rows[0] if rows else {}
    return {key: int(row.get(key) or 0) for key in ("now_total", "now_mentored", "all_total", "all_mentored")}


async def figures(organisation_id: int) -> dict[str, int | None]:
    """:func:`counts` as they may be shown, as the indicators show counts of people (a placement is a person's):
    each of 1–4 is None ("fewer than 5"), the others rounded to the nearest 5, each on its own."""
    return {key: rounded(value) for key, value in (await counts(organisation_id)).items()}
