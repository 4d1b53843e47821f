"""The introduction page's data in one call: the request, and what each side may see of the person."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.cases.services import consents_in_force
from portal.employers import introductions, pool


@dataclass(frozen=True)
class IntroductionView:
    """One introduction as its ``side`` sees it: the employer (by pseudonym) or the lead counsellor."""

    introduction: dict[str, Any]  # for the employer, ``code`` is its own pseudonym for the person
    side: str
    available: bool = False  # employer: the person is still in the pool
    contact: dict[str, Any] | None = None  # employer: the person's contact details, when agreed
    arranger: dict[str, Any] | None = None  # employer: who arranges the meeting when they are not
    consents: dict[str, bool] = field(default_factory=dict)  # counsellor: the consents in force

    def template_context(self) -> dict[str, Any]:
        """The names ``employers/introduction.html`` reads (besides the statuses and the notice)."""
        context: dict[str, Any] = {"i": self.introduction, "side": self.side}
        if self.side == "employer":
            context["available"], context["contact"] = self.available, self.contact
            if self.arranger is not None:
                context["arranger"] = self.arranger
        else:
            context["consents"] = self.consents
        return context


async def introduction_for(user: CurrentUser, introduction_id: int) -> tuple[dict[str, Any], str] | None:
    """The introduction and the user's side of it, or None when it does not exist or is not theirs."""
    try:
        introduction = await introductions.get(introduction_id)
    except introductions.NotFound:
        return None
    side = introductions.side_of(user, introduction)
    return None if side is None else (introduction, side)


async def introduction_view(user: CurrentUser, address: str, introduction_id: int) -> IntroductionView | None:
    """The introduction page for ``user``, or None when not theirs; the read of the person is audited."""
    found = await introduction_for(user, introduction_id)
    if found is None:
        return None
    introduction, side = found
    if side == "employer":
        # The employer never learns the case code: swap in its own pseudonym.
        names = await pool.pseudonyms_for(user.organisation_id, [introduction["participant"]])
        introduction["code"] = names[introduction["participant"]]
        available = await pool.in_pool(introduction["participant"])
        contact = await introductions.contact_for(introduction)
        arranger = None
        if introduction["status"] == "accepted" and contact is None:
            arranger = await introductions.counsellor_contact(introduction)
        view = IntroductionView(introduction, side, available=available, contact=contact, arranger=arranger)
        detail = f"introduction {introduction_id}" + (" with contact details" if contact else "")
    else:
        # What the counsellor needs to know before answering: which consents are in force.
        in_force = await consents_in_force(introduction["participant"])
        view = IntroductionView(introduction, side, consents={scope: row["given"] for scope, row in in_force.items()})
        detail = f"introduction {introduction_id}"
    await audit.record(user, address, "read", "participant", introduction["participant"], detail)
    return view
