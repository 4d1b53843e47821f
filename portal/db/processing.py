"""Why each table exists, on what legal basis, and for how long its rows are kept (records of processing, GDPR Art. 30).

Kept beside portal/db/tables.py: a new table needs an entry here, or tests/portal/test_processing.py
fails. The page /admin/processing joins this with the tables' own docstrings and column help texts.
``%(retention_days)s`` in a retention text is replaced by the configured PORTAL_RETENTION_DAYS.
The legal bases are the portal's defaults; the controller's data-protection officer confirms them.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class Processing:
    purpose: object
    legal_basis: object
    retention: object
    personal: bool = True  # whether rows hold or point at personal data


_PUBLIC_TASK = _l("Public task (GDPR Art. 6(1)(e)) under social-protection and employment law")
_SPECIAL = _l(
    "Public task (Art. 6(1)(e)); special categories under social-protection law (Art. 9(2)(b)) and for "
    "social care (Art. 9(2)(h))"
)
_CONSENT = _l("The participant's consent (Art. 6(1)(a), Art. 9(2)(a)), recorded and revocable in the case")
_SECURITY = _l("Security of processing (Art. 32) and the controller's legitimate interest (Art. 6(1)(f))")
_ACCOUNTABILITY = _l("Legal obligation of accountability and security (Art. 5(2), Art. 32; Art. 6(1)(c))")
_NOT_PERSONAL = _l("Not personal data")
_CASE_LIFE = _l(
    "As long as the case: %(retention_days)s days after the case closes (exit or employment) the personal "
    "data is cleared and only the code and non-identifying facts stay"
)
_CASE_TEXT = _l(
    "As long as the case; the free text is cleared when the case is pseudonymised "
    "(%(retention_days)s days after it closes, or on erasure)"
)
_UNTIL_CHANGED = _l("Until changed or removed by a coordinator or administrator")
_ACCOUNT = _l("While the account exists; deactivated accounts stay so that the records they signed stay readable")

PROCESSING: dict[str, Processing] = {
    "organisation": Processing(
        _l("Directory of the partner network"),
        _l("Public task (Art. 6(1)(e)); a contact person's name by legitimate interest (Art. 6(1)(f))"),
        _UNTIL_CHANGED,
        personal=False,
    ),
    "relationship": Processing(_l("The partner network's ties"), _NOT_PERSONAL, _UNTIL_CHANGED, personal=False),
    "portal_user": Processing(_l("Staff accounts: who may sign in and with which role"), _PUBLIC_TASK, _ACCOUNT),
    "user_session": Processing(
        _l("Keeping a signed-in user signed in"), _SECURITY, _l("Until it expires; removed daily after")
    ),
    "account_token": Processing(
        _l("Invitation and password-reset links"), _SECURITY, _l("Removed 30 days after use or expiry")
    ),
    "recovery_code": Processing(
        _l("Signing in when the authenticator is lost"), _SECURITY, _l("Until used or replaced by new codes")
    ),
    "login_attempt": Processing(_l("Throttling password guessing"), _SECURITY, _l("One day")),
    "password_reset_request": Processing(
        _l("Throttling password-reset e-mails"),
        _SECURITY,
        _l("The throttling window (an hour); older rows go with the next request or the daily retention job"),
    ),
    "participant": Processing(_l("The case file of a person in an activation programme"), _SPECIAL, _CASE_LIFE),
    "stage_change": Processing(_l("The case's activation stages over time"), _PUBLIC_TASK, _CASE_TEXT),
    "case_team_member": Processing(_l("Who shares the case with the lead counsellor"), _PUBLIC_TASK, _CASE_LIFE),
    "consent": Processing(_l("The participant's decisions about sharing, with their history"), _CONSENT, _CASE_TEXT),
    "profiling_assessment": Processing(_l("Transparent profiling of the support a person needs"), _SPECIAL, _CASE_TEXT),
    "opportunity": Processing(
        _l("Places organisations offer: programmes, work trials, jobs"), _NOT_PERSONAL, _UNTIL_CHANGED, personal=False
    ),
    "referral": Processing(_l("Proposing a person for a place and following it through"), _PUBLIC_TASK, _CASE_TEXT),
    "referral_event": Processing(_l("The history of each referral"), _PUBLIC_TASK, _CASE_TEXT),
    "notification": Processing(
        _l("Telling users about steps the other side took"),
        _PUBLIC_TASK,
        _l("Read ones 180 days; those about a case are removed when it is pseudonymised"),
    ),
    "audit_event": Processing(
        _l("Who read or changed which personal record, when and from where"),
        _ACCOUNTABILITY,
        _l("Kept; the detail of a case's events is cleared when the case is pseudonymised"),
    ),
    "skill": Processing(
        _l("The skills vocabulary (ESCO)"),
        _NOT_PERSONAL,
        _l("Replaced when the vocabulary is reloaded"),
        personal=False,
    ),
    "plan_step": Processing(_l("The person's activation plan"), _PUBLIC_TASK, _CASE_TEXT),
    "case_note": Processing(_l("Notes in the case file"), _SPECIAL, _l("Removed when the case is pseudonymised")),
    "network_snapshot": Processing(
        _l("Analytics of the partner network (counts only)"), _NOT_PERSONAL, _l("Kept as history"), personal=False
    ),
    "candidate_pseudonym": Processing(
        _l("The name one employer knows a candidate by"), _CONSENT, _l("As long as the case; random, it names no one")
    ),
    "introduction": Processing(_l("An employer's request to meet a candidate, and the answer"), _CONSENT, _CASE_TEXT),
    "introduction_event": Processing(_l("The history of each request to meet"), _CONSENT, _CASE_TEXT),
    "allocation_round": Processing(
        _l("Allocation of places over an intake (figures only)"), _PUBLIC_TASK, _l("Kept as history"), personal=False
    ),
    "allocation_proposal": Processing(
        _l("A person's proposed placement in an allocation round"), _PUBLIC_TASK, _CASE_LIFE
    ),
    "outcome_model": Processing(
        _l("Weights learnt from past referral outcomes (no person's data)"),
        _NOT_PERSONAL,
        _l("Kept as history"),
        personal=False,
    ),
    "training_programme": Processing(
        _l("Training programmes for staff"), _NOT_PERSONAL, _UNTIL_CHANGED, personal=False
    ),
    "training_event": Processing(
        _l("Training modules, seminars, peer reviews and other events for staff"),
        _NOT_PERSONAL,
        _l("Kept as the record of the programme's events"),
        personal=False,
    ),
    "training_event_organiser": Processing(
        _l("Which organisations organise an event"), _NOT_PERSONAL, _UNTIL_CHANGED, personal=False
    ),
    "training_material": Processing(
        _l("Links and files handed out for an event"), _NOT_PERSONAL, _UNTIL_CHANGED, personal=False
    ),
    "training_registration": Processing(
        _l("Who registered for an event, who attended, and their certificates"),
        _l(
            "Public task (Art. 6(1)(e)) for staff of the partner organisations; consent (Art. 6(1)(a)) of "
            "external people, given on the public form"
        ),
        _l(
            "Staff: kept as their record of training. External people: their name, organisation and e-mail are "
            "cleared %(retention_days)s days after the event"
        ),
    ),
    "training_signup_attempt": Processing(
        _l("Throttling the public training registration form"), _SECURITY, _l("One day")
    ),
    "training_reminder": Processing(
        _l("Which registrations were reminded of their event, so none is reminded twice"),
        _PUBLIC_TASK,
        _l("As long as the registration"),
    ),
    "indicator_target": Processing(
        _l("Coordinators' targets for the programme's indicators"), _NOT_PERSONAL, _UNTIL_CHANGED, personal=False
    ),
    "attendance_week": Processing(
        _l("A placement's attendance, week by week, as the host recorded it"), _PUBLIC_TASK, _CASE_TEXT
    ),
    "absence_alert": Processing(
        _l("Repeated absence on a placement, raised for the case team"), _PUBLIC_TASK, _CASE_TEXT
    ),
    "attendance_response": Processing(
        _l("The counsellor's response to repeated absence, with the reason"), _PUBLIC_TASK, _CASE_TEXT
    ),
    "placement_mentor": Processing(
        _l("The mentor a host named for a placement, with their contact"),
        _l("Public task (Art. 6(1)(e)); the mentor's contact by the host's legitimate interest (Art. 6(1)(f))"),
        _CASE_TEXT,
    ),
    "network_plan": Processing(
        _l("Coordinators' what-if plans for the network (figures only)"),
        _NOT_PERSONAL,
        _UNTIL_CHANGED,
        personal=False,
    ),
    "network_plan_place": Processing(
        _l("A hypothetical place in a what-if plan"), _NOT_PERSONAL, _UNTIL_CHANGED, personal=False
    ),
    "network_plan_removal": Processing(
        _l("An existing place a what-if plan takes away"), _NOT_PERSONAL, _UNTIL_CHANGED, personal=False
    ),
    "export_file": Processing(
        _l(
            "A big download (the HSDS directory, the network) built in the background for the person who asked, "
            "or the public copy of the directory (without contact persons) rebuilt every night"
        ),
        _l("Public task (Art. 6(1)(e)); contact persons in the directory by legitimate interest (Art. 6(1)(f))"),
        _l(
            "Removed by the daily retention job once it expired: 24 hours after it was asked for; a public copy "
            "once a newer one is ready (at most 7 days)"
        ),
    ),
    "indicator_stage_month": Processing(
        _l("Monthly totals of stage changes per region and organisation, for the indicators"),
        _NOT_PERSONAL,
        _l("Rebuilt from the case and referral histories by the summary job; replaced whole on each refresh"),
        personal=False,
    ),
    "indicator_first_placement_month": Processing(
        _l("Monthly counts of first placements per region and organisation, for the indicators"),
        _NOT_PERSONAL,
        _l("Rebuilt from the case and referral histories by the summary job; replaced whole on each refresh"),
        personal=False,
    ),
    "indicator_funnel_month": Processing(
        _l(
            "Monthly counts of referrals reaching each step of the funnel per region and organisation, for the indicators"
        ),
        _NOT_PERSONAL,
        _l("Rebuilt from the case and referral histories by the summary job; replaced whole on each refresh"),
        personal=False,
    ),
    "indicator_step_month": Processing(
        _l(
            "Monthly counts of referrals sent, started, ended and hired per region and organisation, for the indicators"
        ),
        _NOT_PERSONAL,
        _l("Rebuilt from the case and referral histories by the summary job; replaced whole on each refresh"),
        personal=False,
    ),
    "indicator_summary_state": Processing(
        _l("How far the indicators' summary reaches and whether it is up to date"),
        _NOT_PERSONAL,
        _l("Rebuilt from the case and referral histories by the summary job; replaced whole on each refresh"),
        personal=False,
    ),
}
