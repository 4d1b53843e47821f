"""The outcome model page for admins: the newest training's report, the history, and "train now"."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from portal.auth.guards import admin_only, signed_in_user
from portal.matching_service import model_view
from portal.web.outcomes import answer
from portal.web.templating import is_partial_request, render


class ModelPages(Controller):
    path = "/matching/model"
    include_in_schema = False
    guards = [admin_only]

    @get("/", name="matching:model")
    async def index(self, request: Request) -> Template:
        return render(request, "matching/model.html", await model_view.model_context(), block="training")

    @post("/train", status_code=303)
    async def train(self, request: Request) -> Redirect | Template:
        outcome = await model_view.train(signed_in_user(request), fragment=is_partial_request(request))
        return answer(request, "matching/model.html", outcome, block="training")
