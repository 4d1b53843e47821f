"""Employer pages: the candidate pool, one anonymised profile, and introductions for both sides."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth.guards import roles_allowed, signed_in_user
from portal.employers import introductions, pool, profiles
from portal.employers.view import introduction_for, introduction_view
from portal.geo import REGIONS
from portal.i18n import gettext as _
from portal.matching_service.labels import component_labels, note_texts
from portal.organisations.kinds import COUNTRIES, SPOKEN_LANGUAGES
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.referrals.flow import STATUSES as REFERRAL_STATUSES
from portal.vocab import EDUCATION_LEVELS, OPPORTUNITY_KINDS, SECTORS
from portal.web.client import client_address
from portal.web.templating import render

Pseudonym = Annotated[str, PathParameter(min_length=1, max_length=20)]
MAX_HOURS = 60


def constraint_labels() -> dict[str, str]:
    """The hard constraints an opening sets, as an employer reads them."""
    return {
        "dates": _("not available in the opening's period"),
        "languages": _("does not speak a language the opening requires"),
        "travel_radius": _("lives beyond the distance they can travel"),
        "support": _("needs support the opening does not offer"),
    }


def messages() -> dict[str, str]:
    return {
        "message": _("Please write a message for the counsellor."),
        "too_long": _("Please keep it under 2,000 characters."),
        "opportunity": _("Choose one of your own opportunities, or none."),
        "pending": _("You already asked to meet this candidate; the counsellor has not answered yet."),
        "reason": _("Please give a reason when you decline."),
        "not_allowed": _("This step is not possible from the introduction's current status."),
        "no_consent": _(
            "The person's consent to be shown to employers is no longer in force, so this can only be declined."
        ),
        "changed": _("Someone answered this request a moment ago; see its status now."),
    }


def _hours(text: str, errors: dict[str, str], name: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 0 <= int(text) <= MAX_HOURS:
        errors[name] = _("Enter whole hours between 0 and %(max)s.") % {"max": MAX_HOURS}
        return None
    return int(text)


def _filters(
    skill: str, region: str, language: str, hours_min: str, hours_max: str, fit: str, own: list[dict[str, Any]]
) -> tuple[profiles.CandidateFilters, dict[str, str]]:
    errors: dict[str, str] = {}
    low, high = _hours(hours_min, errors, "hours_min"), _hours(hours_max, errors, "hours_max")
    if low is not None and high is not None and low > high:
        errors["hours_max"] = _("The most hours must not be fewer than the least.")
        high = None
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
    return profiles.CandidateFilters(skill.strip()[:200], region, language, low, high, fit_id), errors


def _vocabularies() -> dict[str, Any]:
    return {
        "adjustments": profiles.ADJUSTMENTS,
        "spoken_languages": SPOKEN_LANGUAGES,
        "education_levels": EDUCATION_LEVELS,
        "sectors": SECTORS,
        "kinds": OPPORTUNITY_KINDS,
        "referral_statuses": REFERRAL_STATUSES,
        "notes": note_texts(),
        "components": component_labels(),
        "constraints": constraint_labels(),
    }


class EmployerPages(Controller):
    path = "/employers"
    include_in_schema = False
    guards = [roles_allowed("employer")]

    @get("/candidates", name="employers:candidates")
    async def candidates(
        self,
        request: Request,
        skill: Filter = "",
        region: Filter = "",
        language: Filter = "",
        hours_min: Filter = "",
        hours_max: Filter = "",
        fit: Filter = "",
        page: PageNumber = 1,
    ) -> Template:
        user = signed_in_user(request)
        own = await profiles.own_opportunities(user.organisation_id)
        filters, errors = _filters(skill, region, language, hours_min, hours_max, fit, own)
        browsed = await profiles.browse(user.organisation_id, filters, page)
        await audit.record_many(
            user, client_address(request), "read", "participant", browsed.shown, "employer candidate list"
        )
        context = {
            "results": browsed.page,
            "fit_window": profiles.FIT_WINDOW if browsed.fit_window else None,
            "count_cap": profiles.COUNT_CAP if browsed.more else None,
            "filters": filters,
            "errors": errors,
            "own": own,
            "regions": REGIONS,
            "countries": COUNTRIES,
            "form": {
                "skill": skill,
                "region": filters.region,
                "language": filters.language,
                "hours_min": hours_min,
                "hours_max": hours_max,
                "fit": fit,
            },
            **_vocabularies(),
        }
        return render(request, "employers/candidates.html", context, block="results")

    async def _profile_page(
        self,
        request: Request,
        pseudonym: str,
        form: dict[str, str] | None = None,
        error: str = "",
        status_code: int = 200,
    ) -> Template:
        user = signed_in_user(request)
        found = await profiles.profile(user.organisation_id, pseudonym)
        if found is None:
            raise NotFoundException()
        candidate, participant_id = found
        await audit.record(
            user, client_address(request), "read", "participant", participant_id, "employer candidate profile"
        )
        context = {
            "c": candidate,
            "own": await profiles.own_opportunities(user.organisation_id),
            "form": form or {"message": "", "opportunity_id": ""},
            "error": error,
            "asked": await introductions.list_for_employer(user, participant_id),
            "statuses": introductions.STATUSES,
            **_vocabularies(),
        }
        return render(request, "employers/candidate.html", context, status_code=status_code)

    @get("/candidates/{pseudonym:str}", name="employers:candidate")
    async def candidate(self, request: Request, pseudonym: Pseudonym) -> Template:
        return await self._profile_page(request, pseudonym)

    @post("/candidates/{pseudonym:str}/introductions", status_code=303)
    async def ask(self, request: Request, pseudonym: Pseudonym) -> Redirect | Template:
        user = signed_in_user(request)
        participant_id = await pool.resolve(user.organisation_id, pseudonym)
        if participant_id is None:
            raise NotFoundException()
        data = await request.form()
        form = {"message": str(data.get("message") or ""), "opportunity_id": str(data.get("opportunity_id") or "")}
        chosen = form["opportunity_id"]
        if chosen and not is_record_id(chosen):
            return await self._profile_page(request, pseudonym, form, messages()["opportunity"], 422)
        try:
            introduction_id = await introductions.request(
                user, participant_id, form["message"], int(chosen) if chosen else None
            )
        except introductions.Refused as refused:
            return await self._profile_page(request, pseudonym, form, messages()[refused.code], 422)
        except introductions.NotFound as exc:  # left the pool since the profile was shown
            raise NotFoundException() from exc
        await audit.record(
            user, client_address(request), "create", "participant", participant_id, f"introduction {introduction_id}"
        )
        return Redirect(path=f"/introductions/{introduction_id}", status_code=303)


class IntroductionPages(Controller):
    path = "/introductions"
    include_in_schema = False
    guards = [roles_allowed("employer", "counsellor")]

    @get("/", name="introductions:list")
    async def list_introductions(self, request: Request, page: PageNumber = 1) -> Template:
        user = signed_in_user(request)
        if user.role == "employer":
            result = await introductions.page_for_employer(user, page)
        else:
            result = await introductions.page_for_counsellor(user, page)
        context = {"items": result.items, "result": result, "statuses": introductions.STATUSES}
        return render(request, "employers/introductions.html", context)

    async def _introduction(self, request: Request, introduction_id: int) -> tuple[dict[str, Any], str]:
        found = await introduction_for(signed_in_user(request), introduction_id)
        if found is None:
            raise NotFoundException()
        return found

    @get("/{introduction_id:int}", name="introductions:detail")
    async def detail(self, request: Request, introduction_id: RecordId, notice: Filter = "") -> Template:
        page = await introduction_view(signed_in_user(request), client_address(request), introduction_id)
        if page is None:
            raise NotFoundException()
        context = {**page.template_context(), "statuses": introductions.STATUSES, "notice": messages().get(notice, "")}
        return render(request, "employers/introduction.html", context)

    @post("/{introduction_id:int}/answer", status_code=303)
    async def answer(self, request: Request, introduction_id: RecordId) -> Redirect:
        user = signed_in_user(request)
        introduction, side = await self._introduction(request, introduction_id)
        if side != "counsellor":
            raise NotFoundException()
        data = await request.form()
        decision = str(data.get("decision") or "")
        if decision not in ("accept", "decline"):
            return Redirect(path=f"/introductions/{introduction_id}?notice=not_allowed", status_code=303)
        try:
            await introductions.answer(introduction_id, user, decision == "accept", str(data.get("reason") or ""))
        except introductions.Refused as refused:
            return Redirect(path=f"/introductions/{introduction_id}?notice={refused.code}", status_code=303)
        shared = (await introductions.get(introduction_id))["contact_shared"]
        await audit.record(
            user,
            client_address(request),
            "share" if shared else "update",
            "participant",
            introduction["participant"],
            f"introduction {introduction_id} {decision}ed" + (" with contact details" if shared else ""),
        )
        return Redirect(path=f"/introductions/{introduction_id}", status_code=303)

    @post("/{introduction_id:int}/withdraw", status_code=303)
    async def withdraw(self, request: Request, introduction_id: RecordId) -> Redirect:
        introduction, side = await self._introduction(request, introduction_id)
        if side != "employer":
            raise NotFoundException()
        try:
            await introductions.withdraw(introduction_id, signed_in_user(request))
        except introductions.Refused as refused:
            return Redirect(path=f"/introductions/{introduction_id}?notice={refused.code}", status_code=303)
        await audit.record(
            signed_in_user(request),
            client_address(request),
            "update",
            "participant",
            introduction["participant"],
            f"introduction {introduction_id} withdrawn",
        )
        return Redirect(path=f"/introductions/{introduction_id}", status_code=303)
