"""The skills picker: ESCO suggestions as you type, and adding a chosen skill to a skills text area.

Without JavaScript the finder is a plain search page listing the concepts and the line to copy;
with htmx it fills a list of "Add" buttons under the text area, and each button replaces the text
area with one that has the chosen skill as a new line.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template

from portal.auth.guards import login_required
from portal.i18n import current_language
from portal.organisations.params import Filter
from portal.skills import services
from portal.skills.view import add_skill, field_name
from portal.web.templating import is_partial_request, render

# Where "back to the form" may lead: a path on this site.
_BACK = re.compile(r"^/[A-Za-z0-9/_-]{0,200}$")
MIN_QUERY = 2


class SkillPages(Controller):
    path = "/skills"
    include_in_schema = False

    @get("/suggest", name="skills:suggest", opt={"access": "public"})
    async def suggest(self, request: Request, q: Filter = "", field: Filter = "", back: Filter = "") -> Template:
        """ESCO skills matching ``q``: a fragment of "Add" buttons for htmx, else a search page."""
        query = q.strip()
        found = await services.suggest(query, current_language()) if len(query) >= MIN_QUERY else []
        context: dict[str, Any] = {
            "q": query,
            "field": field_name(field),
            "back": back if _BACK.match(back) and not back.startswith("//") else "",
            "found": found,
            "too_short": len(query) < MIN_QUERY,
            "interactive": is_partial_request(request) and bool(field_name(field)),
        }
        return render(request, "skills/suggest.html", context, block="suggestions")

    @post("/add", name="skills:add", guards=[login_required], status_code=200)
    async def add(self, request: Request) -> Template:
        """Append the chosen concept as "label <uri>" to the field's text, unless it is there already."""
        form = await request.form()
        field = str(form.get("field") or "")
        # The text of the field the form names (the view drops it when that name is refused).
        added = await add_skill(field, str(form.get("uri") or ""), str(form.get(field) or ""), current_language())
        return render(request, "skills/added.html", added.template_context())
