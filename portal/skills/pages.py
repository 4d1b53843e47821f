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
from portal.i18n import gettext as _
from portal.organisations.params import Filter
from portal.skills import services
from portal.skills.entries import ESCO_SKILL_URI, parse_skills
from portal.web.templating import is_partial_request, render

# A skills field of any form (required_skills, optional_skills, skills...): also an element id.
_FIELD = re.compile(r"^[a-z][a-z_]{0,39}$")
# Where "back to the form" may lead: a path on this site.
_BACK = re.compile(r"^/[A-Za-z0-9/_-]{0,200}$")
MIN_QUERY = 2


def _field(value: str) -> str:
    return value if _FIELD.match(value) else ""


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
            "field": _field(field),
            "back": back if _BACK.match(back) and not back.startswith("//") else "",
            "found": found,
            "too_short": len(query) < MIN_QUERY,
            "interactive": is_partial_request(request) and bool(_field(field)),
        }
        return render(request, "skills/suggest.html", context, block="suggestions")

    @post("/add", name="skills:add", guards=[login_required], status_code=200)
    async def add(self, request: Request) -> Template:
        """Append the chosen concept as "label <uri>" to the field's text, unless it is there already."""
        form = await request.form()
        field = _field(str(form.get("field") or ""))
        uri = str(form.get("uri") or "").strip()
        text = str(form.get(field) or "") if field else ""
        label = await services.label_for(uri, current_language()) if ESCO_SKILL_URI.match(uri) else None
        if not field:
            message = _("This skill cannot be added here.")
        elif label is None:
            message = _("This skill is not in the vocabulary.")
        else:
            entries, _problem = parse_skills(text)
            present = {entry["uri"] for entry in entries} | {
                entry["uri"] for entry in await services.recognise(e for e in entries if not e["uri"])
            }
            if uri in present:
                message = _("“%(label)s” is already in the list.") % {"label": label}
            else:
                text = (text.rstrip("\r\n") + "\n" if text.strip() else "") + f"{label} <{uri}>"
                message = _("Added “%(label)s”.") % {"label": label}
        return render(request, "skills/added.html", {"field": field, "text": text, "message": message})
