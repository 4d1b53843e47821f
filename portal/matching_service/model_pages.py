"""The outcome model page for admins: the newest training's report, the history, and "train now"."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from portal.auth.guards import admin_only, signed_in_user
from portal.cases.profiling import SUPPORT_LEVELS
from portal.i18n import gettext as _
from portal.matching_service import training
from portal.matching_service.labels import component_labels
from portal.organisations.kinds import COUNTRIES
from portal.web.templating import is_partial_request, render


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


async def _context() -> dict[str, Any]:
    history = await training.model_history()
    return {
        "latest": history[0] if history else None,
        "history": history,
        "running": any(m["status"] == "running" for m in history),
        "weights": (await training.current_weights()).as_dict(),
        "min_outcomes": training.MIN_OUTCOMES,
        **_labels(),
    }


class ModelPages(Controller):
    path = "/matching/model"
    include_in_schema = False
    guards = [admin_only]

    @get("/", name="matching:model")
    async def index(self, request: Request) -> Template:
        return render(request, "matching/model.html", await _context(), block="training")

    @post("/train", status_code=303)
    async def train(self, request: Request) -> Redirect | Template:
        await training.start_training(signed_in_user(request).id)
        if is_partial_request(request):
            return render(request, "matching/model.html", await _context(), block="training")
        return Redirect(path="/matching/model", status_code=303)
