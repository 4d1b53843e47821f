"""The fairness page for coordinators and admins: the newest training's fairness report, per group."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from portal.auth.guards import network_manager
from portal.cases.profiling import SUPPORT_LEVELS
from portal.i18n import LANGUAGES
from portal.i18n import gettext as _
from portal.matching_service import fairness, training
from portal.organisations.kinds import COUNTRIES
from portal.web.templating import render


def _labels() -> dict[str, Any]:
    return {
        "groupings": {
            "support level": _("Support level"),
            "country": _("Country"),
            "region": _("Region"),
            "age band": _("Age band"),
            "language": _("First language"),
        },
        "group_labels": {
            **SUPPORT_LEVELS,
            **COUNTRIES,
            **LANGUAGES,
            "unknown": _("Not known"),
            "other": _("Smaller groups together"),
            "under 30": _("under 30"),
            "30-49": _("30 to 49"),
            "50 and over": _("50 and over"),
        },
    }


class FairnessPages(Controller):
    path = "/matching/fairness"
    include_in_schema = False
    guards = [network_manager]

    @get("/", name="matching:fairness")
    async def index(self, request: Request) -> Template:
        latest = next(
            (
                m
                for m in await training.model_history(limit=20)
                if m["status"] == "done" and m["report"].get("fairness")
            ),
            None,
        )
        context = {
            "latest": latest,
            "report": latest["report"]["fairness"] if latest else None,
            "min_group": fairness.MIN_GROUP,
            **_labels(),
        }
        return render(request, "matching/fairness.html", context)
