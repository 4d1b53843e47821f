"""Why a partnership is suggested, in the reader's language, from the reason codes `network` returns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.lists import format_list

from portal.i18n import current_language, format_number, ngettext
from portal.i18n import gettext as _
from portal.organisations.kinds import ORGANISATION_KINDS


def _one(reason: dict[str, Any], name_of: Callable[[Any], str]) -> str | None:
    code = reason.get("code")
    if code == "met_at":
        events = int(reason.get("events", 0))
        years = [str(year) for year in reason.get("years", [])]
        if not years:
            return ngettext("met at %(count)s training event", "met at %(count)s training events", events) % {
                "count": format_number(events)
            }
        return ngettext(
            "met at %(count)s training event in %(years)s", "met at %(count)s training events in %(years)s", events
        ) % {"count": format_number(events), "years": format_list(years, locale=current_language())}
    if code == "common_partners":
        names = [name_of(partner) for partner in reason.get("partners", [])]
        if reason.get("more"):
            names.append(_("%(count)s more") % {"count": format_number(reason["more"])})
        if not names:
            return None
        return _("both work with %(names)s") % {"names": format_list(names, locale=current_language())}
    if code == "near":
        return _("less than 1 km apart")
    if code == "distance":
        return _("%(km)s km apart") % {"km": format_number(reason["km"])}
    if code == "complementary":
        return _("one refers, the other hosts")
    if code == "same_kind":
        kind = reason.get("kind", "")
        return _("same kind: %(kind)s") % {"kind": ORGANISATION_KINDS.get(kind, kind.replace("_", " "))}
    return None  # a code from a newer library: say nothing rather than something wrong


def describe(suggestion: dict[str, Any], name_of: Callable[[Any], str]) -> str:
    """The suggestion's reasons as one sentence in the current language.

    Snapshots computed before the library returned codes carry only the English sentence: shown as it is.
    """
    reasons = suggestion.get("reasons")
    if reasons is None:
        return suggestion.get("reason", "")
    return "; ".join(text for reason in reasons if (text := _one(reason, name_of)))
