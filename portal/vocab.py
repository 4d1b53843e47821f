"""Shared vocabularies of cases, opportunities and referrals, with the names the UI shows."""

from portal.i18n import lazy_gettext as _l

STAGES = {
    "intake": _l("Intake"),
    "profiling": _l("Profiling"),
    "activation": _l("Activation"),
    "placement": _l("Placement"),
    "employment": _l("Employment"),
    "exit": _l("Exit"),
}

EDUCATION_LEVELS = {
    "none": _l("No completed schooling"),
    "primary": _l("Primary school"),
    "vocational": _l("Vocational (lower secondary)"),
    "secondary": _l("Secondary school"),
    "tertiary": _l("Higher education"),
}

SUPPORT = {
    "mentor": _l("Mentor"),
    "flexible_hours": _l("Flexible hours"),
    "accessible_premises": _l("Accessible premises"),
    "part_time": _l("Part-time"),
    "transport": _l("Transport"),
    "childcare_compatible": _l("Childcare-compatible hours"),
    "adapted_workplace": _l("Adapted workplace"),
    "language_support": _l("Language support"),
}

SECTORS = {
    "reuse_repair": _l("Re-use and repair"),
    "food": _l("Food and catering"),
    "care": _l("Care and social services"),
    "agriculture": _l("Agriculture and gardening"),
    "crafts": _l("Crafts and woodwork"),
    "cleaning": _l("Cleaning and maintenance"),
    "retail": _l("Retail and logistics"),
    "textiles": _l("Textiles"),
    "construction": _l("Construction"),
    "office": _l("Office and IT"),
    "tourism": _l("Tourism"),
    "culture": _l("Culture and community"),
}

OPPORTUNITY_KINDS = {
    "programme_place": _l("Activation programme place"),
    "work_trial": _l("Work trial"),
    "training": _l("Training"),
    "volunteering": _l("Volunteering"),
    "supported_employment": _l("Supported employment"),
    "job": _l("Job"),
}

OPPORTUNITY_STATUSES = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}

CONSENT_SCOPES = {
    "case_team": _l("Share the case with the case team in other organisations"),
    "employer_profile": _l("Show an anonymised profile to employers"),
    "employer_contact": _l("Let employers receive contact details after an agreed introduction"),
}

# A referral in one of these statuses is live: it holds the person's turn for the opportunity, so
# no second referral to it is made, an allocation round does not offer the person again, and a
# step taken back into one of them is refused while another live referral exists.
LIVE_REFERRAL_STATUSES = ("proposed", "sent", "accepted", "started")


def split_codes(stored: str | None) -> list[str]:
    """A list of codes as a row stores it (comma-separated, as ``portal.web.fields.codes`` writes it), in order.

    >>> split_codes("mentor,transport"), split_codes(""), split_codes(None), split_codes("sl, ,hr")
    (['mentor', 'transport'], [], [], ['sl', 'hr'])
    """
    return [code for code in (part.strip() for part in (stored or "").split(",")) if code]
