"""Case-file pages for counsellors: caseload, new case, the case file and its parts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth.guards import login_required, roles_allowed, signed_in_user
from portal.auth.roles import COUNSELLOR, ENTERPRISE
from portal.cases import services
from portal.cases.profiling import CRITERIA, SUPPORT_LEVELS, assess
from portal.cases.services import CaseAccess
from portal.cases.validation import clean_participant
from portal.cases.view import case_view, caseload_view, vocabularies
from portal.i18n import current_language
from portal.i18n import gettext as _
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.referrals.view import choice_view
from portal.skills.entries import dumps, loads, skills_text
from portal.skills.services import recognise
from portal.vocab import CONSENT_SCOPES, STAGES
from portal.web.client import client_address
from portal.web.templating import is_partial_request, render

RECORD = "participant"
MemberId = RecordId


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {key: form.get(key) for key in form.keys()}
    for many in ("languages", "interests", "support_needs"):
        data[many] = form.getall(many) if many in form else []
    return data


async def _access(request: Request, participant_id: int, lead_only: bool = False) -> CaseAccess:
    """The caller's standing on this case, or 404: whether a case exists is itself personal."""
    access = await services.access_for(signed_in_user(request), participant_id)
    if access is None:
        raise NotFoundException()
    if lead_only and not access.is_lead:
        raise PermissionDeniedException("only the lead counsellor may do this")
    if access.pseudonymised and request.route_handler.name != "cases:detail":
        raise PermissionDeniedException(_("This case was pseudonymised: it can no longer be changed."))
    return access


async def _case_page(request: Request, participant_id: int, access: CaseAccess, **kwargs: Any) -> Template:
    """The case page again after a refused form on it (``errors`` and ``form``), access already checked."""
    view = await case_view(signed_in_user(request), client_address(request), participant_id, access=access, **kwargs)
    if view is None:
        raise NotFoundException()
    return render(request, "cases/detail.html", view.template_context(), status_code=view.status_code)


class CasePages(Controller):
    path = "/cases"
    include_in_schema = False
    guards = [login_required]

    @get("/", name="cases:list", guards=[roles_allowed(COUNSELLOR, ENTERPRISE)])
    async def caseload(
        self,
        request: Request,
        q: Filter = "",
        stage: Filter = "",
        support_level: Filter = "",
        region: Filter = "",
        overdue: Annotated[bool, QueryParameter()] = False,
        page: PageNumber = 1,
    ) -> Template:
        filters = services.CaseloadFilters(
            q=q, stage=stage, support_level=support_level, region=region, overdue=overdue
        )
        result = await caseload_view(signed_in_user(request), client_address(request), filters, page)
        return render(
            request, "cases/list.html", {"filters": filters, "result": result, **vocabularies()}, block="results"
        )

    @get("/new", name="cases:new", guards=[roles_allowed(COUNSELLOR)])
    async def new_form(self, request: Request) -> Template:
        return render(
            request,
            "cases/form.html",
            {"form": {"hours_per_week": 20, "travel_km": 20}, "errors": {}, "duplicates": [], **vocabularies()},
        )

    @post("/new", guards=[roles_allowed(COUNSELLOR)], status_code=303)
    async def create(self, request: Request) -> Redirect | Template:
        user = signed_in_user(request)
        data = await _form(request)
        values, errors = clean_participant(data, await services.organisation_country(user.organisation_id))
        duplicates = [] if errors else await services.possible_duplicates(values)
        # A possible duplicate stops the first submission; the counsellor confirms to go on.
        if duplicates and data.get("confirm_duplicate") != "yes":
            errors["duplicate"] = _(
                "A case with the same birth year, initials and municipality exists. "
                "Check it is not the same person, then confirm."
            )
        if errors:
            for duplicate in duplicates:
                # Showing that a case exists elsewhere reveals something about a person: keep a record.
                await audit.record(
                    user, client_address(request), "read", RECORD, duplicate["id"], "shown as a possible duplicate"
                )
            return render(
                request,
                "cases/form.html",
                {"form": data, "errors": errors, "duplicates": duplicates, **vocabularies()},
                status_code=422,
            )
        values["skills"] = dumps(await recognise(values["skills"], current_language()))
        participant_id = await services.create_case(user, values)
        await audit.record(
            user,
            client_address(request),
            "create",
            RECORD,
            participant_id,
            "possible duplicate confirmed" if duplicates else "",
        )
        return Redirect(path=f"/cases/{participant_id}", status_code=303)

    @get("/{participant_id:int}", name="cases:detail")
    async def detail(
        self,
        request: Request,
        participant_id: RecordId,
        notice: Filter = "",
        opportunity_q: Filter = "",
        team_q: Filter = "",
        referral: Filter = "",
    ) -> Template:
        view = await case_view(
            signed_in_user(request),
            client_address(request),
            participant_id,
            notice=notice,
            opportunity_q=opportunity_q,
            team_q=team_q,
            referral=referral,
        )
        if view is None:
            raise NotFoundException()  # whether a case exists is itself personal
        template = "privacy/pseudonymised_case.html" if view.pseudonymised else "cases/detail.html"
        return render(request, template, view.template_context())

    @get("/{participant_id:int}/team-choices", name="cases:team_choices")
    async def team_choices(
        self, request: Request, participant_id: RecordId, team_q: Filter = ""
    ) -> Template | Redirect:
        """The team form's list of people for a search, as the case page's fragment (the lead's only)."""
        await _access(request, participant_id, lead_only=True)
        if not is_partial_request(request):
            return Redirect(path=f"/cases/{participant_id}?{urlencode({'team_q': team_q})}#team", status_code=303)
        candidates, more = await services.team_candidates(participant_id, team_q)
        context = {"team_q": team_q, "candidates": candidates, "more_candidates": more, "errors": {}}
        return render(request, "cases/detail.html", context, block="team_choices")

    @get("/{participant_id:int}/opportunity-choices", name="cases:opportunity_choices")
    async def opportunity_choices(
        self, request: Request, participant_id: RecordId, opportunity_q: Filter = "", region: Filter = ""
    ) -> Template:
        """Places to refer the person to, ranked by fit, with the hard constraints each breaks
        (portal.referrals.guidance): a page of its own, or its list for htmx on the case page.

        Ranking reads the person's profile (skills, place, languages, support needs), so each
        search is audited.
        """
        await _access(request, participant_id)
        view = await choice_view(
            signed_in_user(request), client_address(request), participant_id, opportunity_q, region
        )
        context = view.template_context()
        return render(request, "referrals/choose.html", context, block="opportunity_choices")

    @get("/{participant_id:int}/edit", name="cases:edit")
    async def edit_form(self, request: Request, participant_id: RecordId) -> Template:
        await _access(request, participant_id)
        case = await services.get_case(participant_id)
        await audit.record(
            signed_in_user(request), client_address(request), "read", RECORD, participant_id, "edit form"
        )
        form = {
            **case,
            "skills": skills_text(loads(case["skills"])),
            **{k: (case[k] or "").split(",") for k in ("languages", "interests", "support_needs")},
        }
        return render(
            request, "cases/form.html", {"form": form, "case": case, "errors": {}, "duplicates": [], **vocabularies()}
        )

    @post("/{participant_id:int}/edit", status_code=303)
    async def update(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        await _access(request, participant_id)
        case = await services.get_case(participant_id)
        data = await _form(request)
        values, errors = clean_participant(data, case["country"])
        if errors:
            await audit.record(
                signed_in_user(request), client_address(request), "read", RECORD, participant_id, "edit form again"
            )
            return render(
                request,
                "cases/form.html",
                {"form": data, "case": case, "errors": errors, "duplicates": [], **vocabularies()},
                status_code=422,
            )
        values["skills"] = dumps(await recognise(values["skills"], current_language()))
        await services.update_profile(participant_id, values)
        await audit.record(
            signed_in_user(request), client_address(request), "update", RECORD, participant_id, "profile"
        )
        return Redirect(path=f"/cases/{participant_id}", status_code=303)

    @post("/{participant_id:int}/stage", status_code=303)
    async def change_stage(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        access = await _access(request, participant_id)
        form = await request.form()
        stage, note = str(form.get("stage") or ""), str(form.get("stage_note") or "").strip()[:1000]
        if stage not in STAGES:
            return await _case_page(request, participant_id, access, errors={"stage": _("Choose a stage.")})
        await services.change_stage(participant_id, stage, note, signed_in_user(request))
        await audit.record(
            signed_in_user(request), client_address(request), "update", RECORD, participant_id, f"stage {stage}"
        )
        return Redirect(path=f"/cases/{participant_id}#stage-section", status_code=303)

    @post("/{participant_id:int}/consents", status_code=303)
    async def record_consent(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        access = await _access(request, participant_id, lead_only=True)
        form = await request.form()
        scope, decision = str(form.get("scope") or ""), str(form.get("decision") or "")
        note = str(form.get("consent_note") or "").strip()[:500]
        if scope not in CONSENT_SCOPES or decision not in ("give", "withdraw"):
            return await _case_page(
                request, participant_id, access, errors={"consent": _("Choose what and a decision.")}
            )
        await services.record_consent(participant_id, scope, decision == "give", note, signed_in_user(request))
        await audit.record(
            signed_in_user(request),
            client_address(request),
            "update",
            RECORD,
            participant_id,
            f"consent {scope} {decision}",
        )
        return Redirect(path=f"/cases/{participant_id}?notice=consent_{decision}#consents", status_code=303)

    @post("/{participant_id:int}/team", status_code=303)
    async def add_member(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        access = await _access(request, participant_id, lead_only=True)
        form = await request.form()
        user_id, role = str(form.get("user_id") or ""), str(form.get("role") or "").strip()[:100]
        errors = {}
        if not role:
            errors["role"] = _("Say what this person does in the case, e.g. mentor.")
        if not is_record_id(user_id):
            errors["user_id"] = _("Choose a person from the list.")
        if not errors and not await services.add_team_member(
            participant_id, int(user_id), role, signed_in_user(request)
        ):
            errors["user_id"] = _("Choose a person from the list.")
        if errors:
            return await _case_page(request, participant_id, access, errors=errors, form=dict(form))
        await audit.record(
            signed_in_user(request),
            client_address(request),
            "share",
            RECORD,
            participant_id,
            f"team + user {user_id} as {role}",
        )
        return Redirect(path=f"/cases/{participant_id}#team", status_code=303)

    @post("/{participant_id:int}/team/{member_id:int}/remove", status_code=303)
    async def remove_member(self, request: Request, participant_id: RecordId, member_id: MemberId) -> Redirect:
        await _access(request, participant_id, lead_only=True)
        if not await services.remove_team_member(participant_id, member_id):
            raise NotFoundException()
        await audit.record(
            signed_in_user(request),
            client_address(request),
            "share",
            RECORD,
            participant_id,
            f"team - member {member_id}",
        )
        return Redirect(path=f"/cases/{participant_id}#team", status_code=303)

    @get("/{participant_id:int}/profiling", name="cases:profiling")
    async def profiling_form(self, request: Request, participant_id: RecordId) -> Template:
        await _access(request, participant_id)
        case = await services.get_case(participant_id)
        await audit.record(
            signed_in_user(request), client_address(request), "read", RECORD, participant_id, "profiling form"
        )
        latest = case["assessments"][0] if case["assessments"] else None
        form = {**(latest["answers"] if latest else {})}
        return render(
            request,
            "cases/profiling.html",
            {"case": case, "form": form, "errors": {}, "result": None, **vocabularies()},
        )

    @post("/{participant_id:int}/profiling", status_code=303)
    async def save_profiling(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        await _access(request, participant_id)
        form = dict(await request.form())
        answers = {criterion.code: str(form.get(criterion.code) or "") for criterion in CRITERIA}
        result, errors = assess(answers)
        override = str(form.get("override_level") or "")
        reason = str(form.get("override_reason") or "").strip()[:2000]
        if override and override not in SUPPORT_LEVELS:
            errors["override_level"] = _("Choose a support level.")
        if override and not reason:
            errors["override_reason"] = _("Write why you override the computed level.")
        if result and override == result.level:
            override, reason = "", ""  # agreeing with the computation is not an override
        if errors:
            case = await services.get_case(participant_id)
            await audit.record(
                signed_in_user(request), client_address(request), "read", RECORD, participant_id, "profiling form again"
            )
            context = {"case": case, "form": form, "errors": errors, "result": result, **vocabularies()}
            return render(request, "cases/profiling.html", context, status_code=422)
        assert result is not None  # assess() gives a result whenever it finds no error
        await services.save_assessment(participant_id, result, answers, override, reason, signed_in_user(request))
        await audit.record(
            signed_in_user(request),
            client_address(request),
            "update",
            RECORD,
            participant_id,
            f"profiling {result.points} points, {override or result.level}",
        )
        return Redirect(path=f"/cases/{participant_id}#profiling", status_code=303)

    @post("/{participant_id:int}/plan", status_code=303)
    async def add_step(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        access = await _access(request, participant_id)
        form = await request.form()
        goal, step = str(form.get("goal") or "").strip()[:200], str(form.get("step") or "").strip()[:300]
        errors: dict[str, str] = {}
        due_on = None
        try:
            due_on = dt.date.fromisoformat(str(form.get("due_on"))) if form.get("due_on") else None
        except ValueError:
            errors["due_on"] = _("Enter a date as YYYY-MM-DD.")
        if not goal:
            errors["goal"] = _("This is required.")
        if not step:
            errors["step"] = _("This is required.")
        if errors:
            return await _case_page(request, participant_id, access, errors=errors, form=dict(form))
        await services.add_plan_step(participant_id, goal, step, due_on, signed_in_user(request))
        await audit.record(
            signed_in_user(request), client_address(request), "update", RECORD, participant_id, "plan step added"
        )
        return Redirect(path=f"/cases/{participant_id}#plan", status_code=303)

    @post("/{participant_id:int}/plan/{step_id:int}/done", status_code=303)
    async def step_done(self, request: Request, participant_id: RecordId, step_id: MemberId) -> Redirect:
        await _access(request, participant_id)
        if not await services.mark_step_done(participant_id, step_id):
            raise NotFoundException()
        await audit.record(
            signed_in_user(request),
            client_address(request),
            "update",
            RECORD,
            participant_id,
            f"plan step {step_id} done",
        )
        return Redirect(path=f"/cases/{participant_id}#plan", status_code=303)

    @post("/{participant_id:int}/notes", status_code=303)
    async def add_note(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        access = await _access(request, participant_id)
        form = await request.form()
        text = str(form.get("text") or "").strip()
        if not text or len(text) > 5000:
            return await _case_page(
                request,
                participant_id,
                access,
                errors={"text": _("Write a note of at most 5,000 characters.")},
                form=dict(form),
            )
        await services.add_note(participant_id, text, signed_in_user(request))
        await audit.record(
            signed_in_user(request), client_address(request), "update", RECORD, participant_id, "note added"
        )
        return Redirect(path=f"/cases/{participant_id}#notes", status_code=303)
