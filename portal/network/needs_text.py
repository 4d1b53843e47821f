"""The needs-aware gaps in the reader's language: reason codes and proposed changes from `network.needs` as sentences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.lists import format_list

from portal.i18n import current_language, format_number, ngettext
from portal.i18n import gettext as _
from portal.organisations.kinds import SPOKEN_LANGUAGES
from portal.vocab import SUPPORT

__all__ = ["bridge_text", "change_text", "reason_label"]


def _support(code: str) -> str:
    return str(SUPPORT.get(code, code.replace("_", " ")))


def reason_label(code: str) -> str:
    """Why people have no feasible place, for one reason code of `matching.feasibility.REASONS`."""
    if code.startswith("support:"):
        return _("no place within reach offers %(support)s") % {"support": _support(code.split(":", 1)[1])}
    labels = {
        "no_location": _("no recorded location"),
        "out_of_reach": _("no open place within their travel distance"),
        "dates": _("no place within reach runs while they are available"),
        "languages": _("every place within reach asks for a language they do not speak"),
        "combination": _("places within reach meet each need, but none meets them all"),
    }
    return labels.get(code, code)


def _people(count: int | None) -> str:
    if count is None:
        return _("fewer than 5 people")
    return ngettext("%(num)s person", "%(num)s people", count) % {"num": format_number(count)}


def change_text(change: dict[str, Any]) -> str:
    """ "6 more places offering childcare-compatible hours within 15 km of Ormož would serve 9 people who have none"."""
    places = change.get("places")
    if places is None:
        added = _("A few more places")
    else:
        added = ngettext("%(num)s more place", "%(num)s more places", places) % {"num": format_number(places)}
    where = change.get("municipality") or change.get("region") or ""
    values = {"places": added, "where": where, "people": _people(change.get("people"))}
    support = [_support(code) for code in change.get("support", [])]
    if change.get("within_km") is None:
        if support:
            values["support"] = format_list(support, locale=current_language())
            text = _("%(places)s offering %(support)s near %(where)s would serve %(people)s who have none.")
        else:
            text = _("%(places)s near %(where)s would serve %(people)s who have none.")
    else:
        values["km"] = format_number(change["within_km"])
        if support:
            values["support"] = format_list(support, locale=current_language())
            text = _(
                "%(places)s offering %(support)s within %(km)s km of %(where)s would serve %(people)s who have none."
            )
        else:
            text = _("%(places)s within %(km)s km of %(where)s would serve %(people)s who have none.")
    text = text % values
    languages = [str(SPOKEN_LANGUAGES.get(code, code)) for code in change.get("languages", [])]
    if languages:
        text += " " + _("All of them speak %(language)s.") % {
            "language": format_list(languages, locale=current_language())
        }
    return text


def bridge_text(closer: dict[str, Any], name_of: Callable[[Any], str]) -> str:
    """Why a partnership would remove a bridge: both already work with the organisation at the bridge."""
    partners = [name_of(p) for reason in closer.get("reasons", []) for p in reason.get("partners", [])]
    return _("Both already work with %(names)s; a tie between them would leave a second way round.") % {
        "names": format_list(partners, locale=current_language()) if partners else "—"
    }
