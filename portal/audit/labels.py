"""What the audit log's stored codes mean, in the reader's language (the events keep the codes)."""

from __future__ import annotations

import re

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
    "training_event": _l("Training event"),
    "training_registration": _l("Training registration"),
}

# The details the portal writes (in English, as stored), shown in the reader's language when known;
# anything else (free text such as a pseudonymisation reason) is shown as it was written.
DETAILS = {
    "case file": _l("case file"),
    "certificate": _l("certificate"),
    "competence record": _l("competence record"),
    "caseload search": _l("caseload search"),
    "deactivated; sessions ended": _l("deactivated; sessions ended"),
    "edit form": _l("edit form"),
    "edit form again": _l("edit form again"),
    "employer candidate list": _l("employer candidate list"),
    "employer candidate profile": _l("employer candidate profile"),
    "erasure form": _l("erasure form"),
    "erasure form again": _l("erasure form again"),
    "home page": _l("home page"),
    "note added": _l("note added"),
    "password reset by e-mail link; all sessions ended": _l("password reset by e-mail link; all sessions ended"),
    "placement suggestions": _l("placement suggestions"),
    "trained staff list": _l("trained staff list"),
    "plan step added": _l("plan step added"),
    "possible duplicate confirmed": _l("possible duplicate confirmed"),
    "profile": _l("profile"),
    "profiling form": _l("profiling form"),
    "profiling form again": _l("profiling form again"),
    "reactivated": _l("reactivated"),
    "referral check again": _l("referral check again"),
    "referral search": _l("referral search"),
    "shown as a possible duplicate": _l("shown as a possible duplicate"),
    "signed in with a recovery code": _l("signed in with a recovery code"),
    "subject access export (JSON)": _l("subject access export (JSON)"),
    "subject access export (page)": _l("subject access export (page)"),
    "two-factor recovery codes replaced": _l("two-factor recovery codes replaced"),
    "two-factor sign-in turned off": _l("two-factor sign-in turned off"),
    "two-factor sign-in turned on": _l("two-factor sign-in turned on"),
    "two-factor sign-in: new secret, not confirmed": _l("two-factor sign-in: new secret, not confirmed"),
    "user page": _l("user page"),
    # Training events (portal/training): who read or changed an event's list of people.
    "registrations": _l("registrations"),
    "registration cancelled": _l("registration cancelled"),
    "attendance": _l("attendance"),
    "attendance list": _l("attendance list"),
    "sign-in sheet": _l("sign-in sheet"),
}

# Details with a number in them: the English pattern as written, and its template.
NUMBERED_DETAILS = (
    (re.compile(r"referral (\d+)"), _l("referral %(num)s")),
    (re.compile(r"introduction (\d+)"), _l("introduction %(num)s")),
    (re.compile(r"introduction (\d+) withdrawn"), _l("introduction %(num)s withdrawn")),
    (re.compile(r"allocation round (\d+)"), _l("allocation round %(num)s")),
    (re.compile(r"candidate list for opportunity (\d+)"), _l("candidate list for opportunity %(num)s")),
    (re.compile(r"plan step (\d+) done"), _l("plan step %(num)s done")),
    (re.compile(r"referral check (\d+)"), _l("referral check for opportunity %(num)s")),
    (re.compile(r"referral (\d+) mentor"), _l("mentor named on referral %(num)s")),
)


def detail_label(detail: str) -> str:
    """An event's detail in the current language where the portal knows it, else as stored."""
    known = DETAILS.get(detail)
    if known is not None:
        return str(known)
    for pattern, template in NUMBERED_DETAILS:
        match = pattern.fullmatch(detail)
        if match:
            return str(template) % {"num": match.group(1)}
    return detail
