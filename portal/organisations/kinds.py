"""Kinds of organisation and of relationship, with the names the UI shows."""

from network import records as network_records
from portal.i18n import lazy_gettext as _l

_ORGANISATION_LABELS = {
    "social_work_centre": _l("Social work centre"),
    "employment_office": _l("Employment office"),
    "ministry": _l("Ministry"),
    "development_agency": _l("Development agency"),
    "municipality": _l("Municipality or county"),
    "adult_education": _l("Adult education"),
    "ngo": _l("NGO"),
    "social_enterprise": _l("Social enterprise"),
    "employer": _l("Employer"),
    "health_provider": _l("Health provider"),
    "research": _l("Research"),
    "other": _l("Other"),
}

_RELATIONSHIP_LABELS = {
    "project_partner": _l("Project partner"),
    "associated_partner": _l("Associated partner"),
    "referral_agreement": _l("Referral agreement"),
    "cooperation": _l("Cooperation"),
    "funding": _l("Funding"),
    "membership": _l("Membership"),
}

# The kinds themselves are the network library's (the portal may import it; it may not import the portal):
# a kind added there without a name here fails at import, not on a page.
ORGANISATION_KINDS = {code: _ORGANISATION_LABELS[code] for code in network_records.ORGANISATION_KINDS}
RELATIONSHIP_KINDS = {code: _RELATIONSHIP_LABELS[code] for code in network_records.RELATIONSHIP_KINDS}
assert set(_ORGANISATION_LABELS) == set(ORGANISATION_KINDS), "a named organisation kind the network does not know"
assert set(_RELATIONSHIP_LABELS) == set(RELATIONSHIP_KINDS), "a named relationship kind the network does not know"

COUNTRIES = {
    "SI": _l("Slovenia"),
    "HR": _l("Croatia"),
    "AT": _l("Austria"),
    "HU": _l("Hungary"),
    "IT": _l("Italy"),
    "BA": _l("Bosnia and Herzegovina"),
    "RS": _l("Serbia"),
}

SPOKEN_LANGUAGES = {
    "sl": _l("Slovenian"),
    "hr": _l("Croatian"),
    "en": _l("English"),
    "de": _l("German"),
    "hu": _l("Hungarian"),
    "it": _l("Italian"),
    "bs": _l("Bosnian"),
    "sr": _l("Serbian"),
}
