"""Demo introductions: the demo employer has asked to meet two of the demo counsellor's people.

One request is answered (accepted, with contact details if that person agreed to them), one is
still waiting, so both sides have something to click on. Made through the services, so the
notifications, history and pseudonyms are the real ones.
"""

from __future__ import annotations

from portal.auth.current_user import CurrentUser
from portal.db.tables import Introduction, Participant, PortalUser
from portal.employers import introductions, pool


async def _user(username: str) -> CurrentUser | None:
    row = (
        await PortalUser.select(
            PortalUser.id,
            PortalUser.username,
            PortalUser.display_name,
            PortalUser.role,
            PortalUser.organisation,
            PortalUser.language,
        )
        .where(PortalUser.username == username)
        .first()
    )
    if row is None:
        return None
    return CurrentUser(
        row["id"], row["username"], row["display_name"], row["role"], row["organisation"], "", row["language"]
    )


async def load_introductions() -> int:
    """Add the two demo requests unless the demo employer has made any; return how many were added."""
    employer, counsellor = await _user("employer"), await _user("counsellor")
    if employer is None or counsellor is None:
        return 0
    if await Introduction.exists().where(Introduction.organisation == employer.organisation_id):
        return 0
    mine = (
        await Participant.select(Participant.id)
        .where(Participant.lead_counsellor == counsellor.id)
        .order_by(Participant.id)
    )
    in_pool = await pool.pool_ids()
    people = [p["id"] for p in mine if p["id"] in in_pool]
    if len(people) < 2:
        return 0
    with_contact = await pool.consented(people, "employer_contact")
    # Accept one who agreed to contact, so the demo shows what the employer then sees.
    first = next((p for p in people if p in with_contact), people[0])
    second = next(p for p in people if p != first)
    accepted = await introductions.request(
        employer, first, "We are looking for help in our workshop, 20 hours a week. Could we meet next week?", None
    )
    await introductions.answer(accepted, counsellor, True, "Talked it over with the person; glad to meet you.")
    await introductions.request(employer, second, "Would this person be interested in a work trial with us?", None)
    return 2
