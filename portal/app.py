"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import logging

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.static_files import create_static_files_router
from threadpoolctl import threadpool_limits

from portal.audit.pages import AuditPages
from portal.auth.account_pages import AccountPages, PasswordResetPages
from portal.auth.guards import TwoFactorEnrolmentRequired, deny_by_default
from portal.auth.pages import AuthPages
from portal.auth.two_factor_pages import LoginCodePages, TwoFactorPages, enrolment_required
from portal.cases.pages import CasePages
from portal.db.engine import close_pool, open_pool, prepare_sqlite
from portal.downloads.export_pages import ExportPages
from portal.downloads.pages import CaseloadDownloads, DirectoryDownloads, ReferralDownloads
from portal.employers.pages import EmployerPages, IntroductionPages
from portal.home.health import health
from portal.home.pages import home
from portal.indicators.pages import IndicatorPages
from portal.jobs import clock as job_clock
from portal.jobs import queue as job_queue
from portal.jobs.pages import JobPages
from portal.map.pages import MapPages
from portal.matching_service.fairness_pages import FairnessPages
from portal.matching_service.model_pages import ModelPages
from portal.matching_service.pages import CandidatePages, PlacementPages
from portal.matching_service.round_pages import RoundPages
from portal.memory import PeriodicRelease
from portal.network import jobs as network_jobs
from portal.network.api import NetworkApi
from portal.network.pages import NetworkPages
from portal.network.plan_pages import PlanPages
from portal.notifications.pages import NotificationPages
from portal.opportunities.api import OpportunityApi
from portal.opportunities.pages import OpportunityPages
from portal.organisations.api import OrganisationApi, RelationshipApi
from portal.organisations.pages import DirectoryPages, RelationshipPages
from portal.placements.pages import AttendancePages, CaseResponsePages, PlacementRecordPages
from portal.privacy.pages import CasePrivacyPages, PrivacyAdminPages
from portal.referrals.pages import CaseReferralPages, ReferralPages
from portal.settings import PROJECT_ROOT, get_settings
from portal.skills.pages import SkillPages
from portal.training.certificate_pages import CertificatePages, CompetencePages, TrainedPages
from portal.training.feed_pages import FeedPages
from portal.training.pages import TrainingPages
from portal.training.registration_pages import RegistrationPages
from portal.users.pages import InvitationPages, UserAdminPages
from portal.web.context import request_context_middleware
from portal.web.errors import http_exception_handler
from portal.web.favicon import favicon
from portal.web.input_guard import input_guard_middleware
from portal.web.security import add_security_headers
from portal.web.templating import template_config

CSRF_HEADER = "x-csrftoken"


async def _on_startup() -> None:
    from portal.db.piccolo_conf import DB

    # One BLAS thread per worker process (OpenBLAS's count is process-wide): on 2 shared cores more threads
    # wait on each other; a round's preference lists took twice as long (bench/matching_allocation.py).
    threadpool_limits(1, user_api="blas")
    settings = get_settings()
    if settings.is_production and not settings.smtp_host:
        logging.getLogger(__name__).warning(
            "PORTAL_SMTP_HOST is not set: invitations and password resets go to %s, not to people", settings.outbox_dir
        )
    await prepare_sqlite(DB)
    await open_pool(DB)
    _releasing.start()
    await network_jobs.on_startup()
    await _warm_opportunity_index()
    warming = asyncio.create_task(_warm_network_snapshot())
    _background.add(warming)
    warming.add_done_callback(_background.discard)
    if settings.redis_url:
        return  # `portal worker` runs the jobs, resumes rounds and runs the schedule (portal.jobs)
    _background.add(asyncio.create_task(_resume_sending_rounds()))
    if settings.environment != "test":
        job_clock.start()  # retention daily, clean-ups hourly: in this process (portal.jobs.clock)


# Start-up work that runs on after the server answers; kept here so the tasks are not garbage-collected.
_background: set[asyncio.Task] = set()
# Free memory handed back to the system now and then while serving (portal.memory).
_releasing = PeriodicRelease()


async def _resume_sending_rounds() -> None:
    """Finish allocation rounds whose sending a crash or restart cut short (safe if another worker does too)."""
    from portal.matching_service import rounds

    try:
        if resumed := await rounds.resume_interrupted():
            logging.getLogger(__name__).info("finished sending %d interrupted allocation round(s)", resumed)
    except Exception:  # the round page offers "Continue sending"; a start must not fail for it
        logging.getLogger(__name__).exception("could not resume interrupted allocation rounds")


async def _warm_opportunity_index() -> None:
    """Start building the suggestions index in the background, so the first counsellor need not wait."""
    from portal.matching_service import live_index, training

    try:
        live_index.warm(await training.current_scoring())
    except Exception:  # the first request tries again; a start must not fail for it
        logging.getLogger(__name__).exception("could not start building the opportunity index")


async def _warm_network_snapshot() -> None:
    """Read and prepare the latest network snapshot in the background (threads), so the first network page
    need not wait: 3-4 s at a country's scale, and under load each worker's first visitor waited that long."""
    from portal.network import services as network_services
    from portal.network import view as network_view

    try:
        snapshot = await network_services.latest_snapshot()
        if snapshot is not None:
            await network_view.prepared(snapshot)
    except Exception:  # the first network page tries again; a start must not fail for it
        logging.getLogger(__name__).exception("could not prepare the network snapshot")


async def _on_shutdown() -> None:
    from portal.db.piccolo_conf import DB
    from portal.matching_service import live_index

    # Start-up work still under way would go on reading through a closing pool, and log that as a
    # failure (a server stopped in its first seconds did): it is given up; all of it is redone at
    # the next start, and a round's sending resumes then.
    live_index.cancel_build()
    for task in list(_background):
        task.cancel()
    await job_clock.stop()
    await _releasing.stop()
    await job_queue.close()
    await close_pool(DB)


def create_app() -> Litestar:
    settings = get_settings()
    logging.basicConfig(level=logging.DEBUG if settings.debug else logging.INFO)
    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="portal_csrf",
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_secure=settings.is_production,
        header_name=CSRF_HEADER,
    )
    return Litestar(
        route_handlers=[
            home,
            health,
            AuthPages,
            LoginCodePages,
            TwoFactorPages,
            AccountPages,
            PasswordResetPages,
            DirectoryPages,
            RelationshipPages,
            CasePages,
            AuditPages,
            CaseReferralPages,
            PlacementPages,
            ReferralPages,
            NotificationPages,
            AttendancePages,
            PlacementRecordPages,
            CaseResponsePages,
            OrganisationApi,
            RelationshipApi,
            OpportunityPages,
            CandidatePages,
            OpportunityApi,
            SkillPages,
            NetworkPages,
            PlanPages,
            NetworkApi,
            RoundPages,
            ModelPages,
            FairnessPages,
            EmployerPages,
            IntroductionPages,
            CasePrivacyPages,
            PrivacyAdminPages,
            UserAdminPages,
            InvitationPages,
            JobPages,
            IndicatorPages,
            MapPages,
            DirectoryDownloads,
            CaseloadDownloads,
            ReferralDownloads,
            ExportPages,
            TrainingPages,
            CertificatePages,
            CompetencePages,
            TrainedPages,
            RegistrationPages,
            FeedPages,
            favicon,
            create_static_files_router(
                path="/static", directories=[PROJECT_ROOT / "static"], opt={"access": "public"}, include_in_schema=False
            ),
        ],
        middleware=[request_context_middleware, input_guard_middleware],
        before_send=[add_security_headers],
        guards=[deny_by_default],
        csrf_config=csrf,
        template_config=template_config(),
        exception_handlers={
            TwoFactorEnrolmentRequired: enrolment_required,
            HTTPException: http_exception_handler,
            Exception: http_exception_handler,
        },
        openapi_config=OpenAPIConfig(
            title="Social activation portal API",
            version="1.0.0",
            path="/schema",
            # Machine-readable only: the browsable renderers load scripts from the internet.
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],
        ),
        on_startup=[_on_startup],
        on_shutdown=[_on_shutdown],
        debug=settings.debug,
    )
