"""The employer pages' data in one call each: the candidate pool, one profile, an introduction as each side sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.cases.services import consents_in_force
from portal.employers import introductions, pool, profiles
from portal.geo import REGIONS
from portal.i18n import gettext as _
from portal.i18n import in_language
from portal.matching_service.labels import component_labels, note_texts
from portal.organisations.kinds import COUNTRIES, SPOKEN_LANGUAGES
from portal.organisations.params import is_record_id
from portal.pagination import Page
from portal.referrals.flow import STATUSES as REFERRAL_STATUSES
from portal.vocab import EDUCATION_LEVELS, OPPORTUNITY_KINDS, SECTORS

MAX_HOURS = 60


def constraint_labels() -> dict[str, str]:
    """The hard constraints an opening sets, as an employer reads them."""
    return {
        "dates": _("not available in the opening's period"),
        "languages": _("does not speak a language the opening requires"),
        "travel_radius": _("lives beyond the distance they can travel"),
        "support": _("needs support the opening does not offer"),
    }


def vocabularies() -> dict[str, Any]:
    """The code → name lists the candidate list and profile show."""
    return {
        "adjustments": in_language(profiles.ADJUSTMENTS),
        "spoken_languages": in_language(SPOKEN_LANGUAGES),
        "education_levels": in_language(EDUCATION_LEVELS),
        "sectors": in_language(SECTORS),
        "kinds": in_language(OPPORTUNITY_KINDS),
        "referral_statuses": in_language(REFERRAL_STATUSES),
        "notes": note_texts(),
        "components": component_labels(),
        "constraints": constraint_labels(),
    }


# --- the candidate list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateQuery:
    """The candidate list's filters as typed in the form (each checked by :func:`candidates_view`)."""

    skill: str = ""
    region: str = ""
    language: str = ""
    hours_min: str = ""
    hours_max: str = ""
    fit: str = ""


def _hours(text: str, errors: dict[str, str], name: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 0 <= int(text) <= MAX_HOURS:
        errors[name] = _("Enter whole hours between 0 and %(max)s.") % {"max": MAX_HOURS}
        return None
    return int(text)


def clean_filters(query: CandidateQuery, own: list[dict[str, Any]]) -> tuple[profiles.CandidateFilters, dict[str, str]]:
    """The filters to apply, and an error for each one dropped; ``fit`` must be one of the ``own`` opportunities."""
    errors: dict[str, str] = {}
    low, high = _hours(query.hours_min, errors, "hours_min"), _hours(query.hours_max, errors, "hours_max")
    if low is not None and high is not None and low > high:
        errors["hours_max"] = _("The most hours must not be fewer than the least.")
        high = None
    fit, region, language = query.fit, query.region, query.language
    fit_id = int(fit) if is_record_id(fit) and any(o["id"] == int(fit) for o in own) else None
    if fit and fit_id is None:
        errors["fit"] = _("Choose one of your own opportunities.")
    known_regions = {r for names in REGIONS.values() for r in names}
    if region and region not in known_regions:
        errors["region"] = _("Choose a region from the list.")
        region = ""
    if language and language not in SPOKEN_LANGUAGES:
        errors["language"] = _("Choose a language from the list.")
        language = ""
    return profiles.CandidateFilters(query.skill.strip()[:200], region, language, low, high, fit_id), errors


@dataclass(frozen=True)
class CandidateList:
    """One page of the pool as an employer sees it, the filters as applied, and what the form held."""

    query: CandidateQuery
    filters: profiles.CandidateFilters
    errors: dict[str, str]
    own: list[dict[str, Any]]  # the employer's opportunities that are not closed (to sort by fit)
    results: Page
    fit_window: bool  # sorted by fit among the newest profiles.FIT_WINDOW only
    more: bool  # more match than profiles.COUNT_CAP

    def template_context(self) -> dict[str, Any]:
        """The names ``employers/candidates.html`` reads."""
        return {
            "results": self.results,
            "fit_window": profiles.FIT_WINDOW if self.fit_window else None,
            "count_cap": profiles.COUNT_CAP if self.more else None,
            "filters": self.filters,
            "errors": self.errors,
            "own": self.own,
            "regions": REGIONS,
            "countries": COUNTRIES,
            "form": {
                "skill": self.query.skill,
                "region": self.filters.region,
                "language": self.filters.language,
                "hours_min": self.query.hours_min,
                "hours_max": self.query.hours_max,
                "fit": self.query.fit,
            },
            **vocabularies(),
        }


async def candidates_view(user: CurrentUser, address: str, query: CandidateQuery, page: int) -> CandidateList:
    """One page of candidates for ``user``'s organisation; each person shown is audited as read."""
    own = await profiles.own_opportunities(user.organisation_id)
    filters, errors = clean_filters(query, own)
    browsed = await profiles.browse(user.organisation_id, filters, page)
    await audit.record_many(user, address, "read", "participant", browsed.shown, "employer candidate list")
    return CandidateList(query, filters, errors, own, browsed.page, browsed.fit_window, browsed.more)


# --- one candidate ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateProfile:
    """One anonymised profile, the employer's opportunities to name in a request, and the requests so far."""

    candidate: dict[str, Any]
    own: list[dict[str, Any]]
    asked: list[dict[str, Any]]  # the employer's requests to meet this person, newest first
    form: dict[str, str]
    error: str = ""
    status_code: int = 200

    def template_context(self) -> dict[str, Any]:
        """The names ``employers/candidate.html`` reads."""
        return {
            "c": self.candidate,
            "own": self.own,
            "form": self.form,
            "error": self.error,
            "asked": self.asked,
            "statuses": introductions.STATUSES,
            **vocabularies(),
        }


async def candidate_view(
    user: CurrentUser,
    address: str,
    pseudonym: str,
    form: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> CandidateProfile | None:
    """The profile behind ``user``'s organisation's ``pseudonym`` (None when not in the pool); audited as read.

    ``form``, ``error`` and ``status_code`` show a refused request to meet again."""
    found = await profiles.profile(user.organisation_id, pseudonym)
    if found is None:
        return None
    candidate, participant_id = found
    await audit.record(user, address, "read", "participant", participant_id, "employer candidate profile")
    return CandidateProfile(
        candidate,
        await profiles.own_opportunities(user.organisation_id),
        await introductions.list_for_employer(user, participant_id),
        form or {"message": "", "opportunity_id": ""},
        error,
        status_code,
    )


# --- introductions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntroductionView:
    """One introduction as its ``side`` sees it: the employer (by pseudonym) or the lead counsellor."""

    introduction: dict[str, Any]  # for the employer, ``code`` is its own pseudonym for the person
    side: str
    available: bool = False  # employer: the person is still in the pool
    contact: dict[str, Any] | None = None  # employer: the person's contact details, when agreed
    arranger: dict[str, Any] | None = None  # employer: who arranges the meeting when they are not
    consents: dict[str, bool] = field(default_factory=dict)  # counsellor: the consents in force

    def template_context(self) -> dict[str, Any]:
        """The names ``employers/introduction.html`` reads (besides the statuses and the notice)."""
        context: dict[str, Any] = {"i": self.introduction, "side": self.side}
        if self.side == "employer":
            context["available"], context["contact"] = self.available, self.contact
            if self.arranger is not None:
                context["arranger"] = self.arranger
        else:
            context["consents"] = self.consents
        return context


async def introduction_for(user: CurrentUser, introduction_id: int) -> tuple[dict[str, Any], str] | None:
    """The introduction and the user's side of it, or None when it does not exist or is not theirs."""
    try:
        introduction = await introductions.get(introduction_id)
    except introductions.NotFound:
        return None
    side = introductions.side_of(user, introduction)
    return None if side is None else (introduction, side)


async def introduction_view(user: CurrentUser, address: str, introduction_id: int) -> IntroductionView | None:
    """The introduction page for ``user``, or None when not theirs; the read of the person is audited."""
    found = await introduction_for(user, introduction_id)
    if found is None:
        return None
    introduction, side = found
    if side == "employer":
        # The employer never learns the case code: swap in its own pseudonym.
        names = await pool.pseudonyms_for(user.organisation_id, [introduction["participant"]])
        introduction["code"] = names[introduction["participant"]]
        available = await pool.in_pool(introduction["participant"])
        contact = await introductions.contact_for(introduction)
        arranger = None
        if introduction["status"] == "accepted" and contact is None:
            arranger = await introductions.counsellor_contact(introduction)
        view = IntroductionView(introduction, side, available=available, contact=contact, arranger=arranger)
        detail = f"introduction {introduction_id}" + (" with contact details" if contact else "")
    else:
        # What the counsellor needs to know before answering: which consents are in force.
        in_force = await consents_in_force(introduction["participant"])
        view = IntroductionView(introduction, side, consents={scope: row["given"] for scope, row in in_force.items()})
        detail = f"introduction {introduction_id}"
    await audit.record(user, address, "read", "participant", introduction["participant"], detail)
    return view
