"""A page outcome (portal.outcomes) as the HTTP answer: a 303 redirect, or the rendered page; Forbidden as 403."""

from __future__ import annotations

from litestar import Request
from litestar.response import Redirect, Template

from portal.outcomes import PageOutcome
from portal.web.templating import render


def answer(
    request: Request, template_name: str, outcome: PageOutcome, *, block: str | None = None
) -> Redirect | Template:
    if outcome.redirect is not None:
        return Redirect(path=outcome.redirect, status_code=303)
    template = outcome.template or template_name
    response = render(request, template, outcome.context, block=block, status_code=outcome.status_code)
    for name, value in outcome.headers.items():
        response.headers[name] = value
    return response
