"""What the audit log's stored codes mean, in the reader's language (the events keep the codes)."""

from __future__ import annotations

from portal.i18n import lazy_gettext as _l

ACTIONS = {
    "read": _l("Read"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "share": _l("Shared"),
    "refer": _l("Referred"),
    "export": _l("Exported"),
    "pseudonymise": _l("Pseudonymised"),
}

RECORD_TYPES = {
    "participant": _l("Case"),
    "user": _l("User account"),
}
