"""/favicon.ico, which browsers ask for on their own: a redirect to the portal's SVG icon."""

from __future__ import annotations

from litestar import get
from litestar.response import Redirect


@get("/favicon.ico", opt={"access": "public"}, include_in_schema=False, status_code=301)
async def favicon() -> Redirect:
    # Permanent: the browser remembers it and stops asking (and logging a 404 per page).
    return Redirect(path="/static/favicon.svg", status_code=301)
