"""The outcome model page's data in one call, and "train now"; from plain values, never a request."""

from __future__ import annotations

from typing import Any

from portal.auth.current_user import CurrentUser
from portal.cases.profiling import SUPPORT_LEVELS
from portal.i18n import gettext as _
from portal.matching_service import training
from portal.matching_service.labels import component_labels
from portal.organisations.kinds import COUNTRIES
from portal.outcomes import PageOutcome


def _labels() -> dict[str, Any]:
    return {
        "methods": {
            "default weights": _("Default weights"),
            "learned weights": _("Learned weights"),
            "random": _("Random order"),
            "distance only": _("Distance only"),
            "skill only": _("Skills only"),
        },
        "decisions": {
            "better": _(
                "The learned weights ranked the held-out outcomes better than the defaults by more than "
                "chance would, so they are in use."
            ),
            "not_better": _(
                "The learned weights did not rank the held-out outcomes better than the defaults by more "
                "than chance would, so the defaults stay."
            ),
            "few_lists": _(
                "Too few held-out lists hold both a good and a bad outcome to tell a better ranking from "
                "chance. The defaults stay."
            ),
            "too_few": _(
                "Too few finished referrals to learn from: at least %(min)s are needed, with both good and "
                "bad outcomes. The defaults stay."
            )
            % {"min": training.MIN_OUTCOMES},
            "split": _(
                "The outcomes cannot be split into an earlier part to learn from and a later part to test on. "
                "The defaults stay."
            ),
        },
        "groupings": {"support level": _("Support level"), "country": _("Country")},
        "group_labels": {**SUPPORT_LEVELS, **COUNTRIES, "unknown": _("Not known")},
        "components": component_labels(),
    }


async def model_context() -> dict[str, Any]:
    """The names ``matching/model.html`` reads: the newest training, the history, the weights in use."""
    history = await training.model_history()
    return {
        "latest": history[0] if history else None,
        "history": history,
        "running": any(m["status"] == "running" for m in history),
        "weights": (await training.current_weights()).as_dict(),
        "min_outcomes": training.MIN_OUTCOMES,
        **_labels(),
    }


async def train(user: CurrentUser, *, fragment: bool) -> PageOutcome:
    """Start a training now; the page's training part again for a ``fragment``, else back to the page."""
    await training.start_training(user.id)
    if fragment:
        return PageOutcome.show(await model_context())
    return PageOutcome.go("/matching/model")
