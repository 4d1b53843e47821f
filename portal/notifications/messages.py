"""The one registry of notification messages: each key's template and which parameters are codes to translate.

A notification stores a key and plain parameters; the text is made when it is read, in the reader's
language of that moment (see :func:`portal.notifications.services.text`). Templates are lazy so each
rendering picks the current catalog; their msgids are the ones the notifications always had.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.i18n import lazy_gettext as _l


def _referral_statuses() -> Mapping[str, Any]:
    from portal.referrals.flow import STATUSES

    return STATUSES


def _introduction_statuses() -> Mapping[str, Any]:
    # Imported when read: introductions imports the notifications service, which imports this module.
    from portal.employers.introductions import STATUSES

    return STATUSES


@dataclass(frozen=True)
class Message:
    template: Any  # a lazy gettext string with %(name)s placeholders
    # Parameters stored as codes (a status) and shown as that vocabulary's label in the reader's language.
    labels: dict[str, Callable[[], Mapping[str, Any]]] = field(default_factory=dict)


MESSAGES: dict[str, Message] = {
    "referral.new": Message(_l("New referral %(code)s in your inbox")),
    "referral.status": Message(_l("Referral of %(code)s: %(status)s"), {"status": _referral_statuses}),
    "referral.withdrawn": Message(_l("Referral %(code)s was withdrawn by the counsellor")),
    "referral.undone": Message(
        _l("Referral of %(code)s: %(status)s was undone by the host"), {"status": _referral_statuses}
    ),
    "attendance.absent": Message(
        _l("Repeated absence on the placement of %(code)s: %(weeks)s unexcused weeks in a row")
    ),
    "introduction.requested": Message(_l("An employer asks to meet %(code)s")),
    "introduction.status": Message(
        _l("Your request to meet %(pseudonym)s: %(status)s"), {"status": _introduction_statuses}
    ),
    "training.promoted": Message(_l("A place came free at “%(title)s”: you moved up from the waiting list")),
    "training.reminder": Message(_l("Reminder: “%(title)s” starts on %(when)s")),
}


def render(key: str, params: Mapping[str, Any]) -> str | None:
    """The message in the current language, or None for an unknown key or parameters that do not fit."""
    message = MESSAGES.get(key)
    if message is None:
        return None
    values = dict(params)
    for name, vocabulary in message.labels.items():
        if name in values:
            values[name] = str(vocabulary().get(values[name], values[name]))
    try:
        return str(message.template) % values
    except (KeyError, TypeError, ValueError):
        return None
