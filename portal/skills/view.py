"""The skills picker's "Add" in one call: the field's text with the chosen ESCO skill as a new line, and what happened."""

from __future__ import annotations

import re
from dataclasses import dataclass

from portal.i18n import gettext as _
from portal.skills import services
from portal.skills.entries import ESCO_SKILL_URI, parse_skills

# A skills field of any form (required_skills, optional_skills, skills...): also an element id.
_FIELD = re.compile(r"^[a-z][a-z_]{0,39}$")


def field_name(value: str) -> str:
    """``value`` if it may name a skills field, else ""."""
    return value if _FIELD.match(value) else ""


@dataclass(frozen=True)
class AddedSkill:
    """The names ``skills/added.html`` reads: the field, its text now, and the message to show."""

    field: str
    text: str
    message: str

    def template_context(self) -> dict[str, str]:
        return {"field": self.field, "text": self.text, "message": self.message}


async def add_skill(requested_field: str, uri: str, text: str, language: str) -> AddedSkill:
    """Append the concept ``uri`` as "label <uri>" to ``text``, unless it is there already (nothing is stored)."""
    field = field_name(requested_field)
    uri = uri.strip()
    text = text if field else ""
    label = await services.label_for(uri, language) if ESCO_SKILL_URI.match(uri) else None
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
    return AddedSkill(field=field, text=text, message=message)
