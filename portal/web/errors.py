"""Error responses: JSON for the API, a translated page for people, a login redirect for anonymous pages."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE

from portal.db.availability import RETRY_AFTER_SECONDS, is_unavailable
from portal.i18n import gettext as _
from portal.web.context import resolve_without_database

logger = logging.getLogger("portal")


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/schema", "/health")) or (
        "application/json" in request.headers.get("accept", "") and "text/html" not in request.headers.get("accept", "")
    )


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        401: (_("Please log in"), _("You need to log in to see this page.")),
        403: (_("Not allowed"), _("Your account may not open this page or do this.")),
        404: (_("Page not found"), _("There is nothing at this address. It may have moved or never existed.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        422: (_("Cannot process this"), _("Some of what was sent is not valid. Go back and check the form.")),
        429: (_("Too many requests"), _("Please wait a little and try again.")),
        500: (_("Something went wrong"), _("An unexpected error happened on our side. It has been logged.")),
        503: (
            _("Briefly unavailable"),
            _("The portal cannot reach its database just now. Nothing was saved; try again in a few seconds."),
        ),
    }


def json_error(status_code: int, detail: str, extra: object = None, headers: dict | None = None) -> Response:
    body: dict[str, object] = {"status_code": status_code, "detail": detail}
    if extra:
        body["extra"] = extra
    return Response(content=body, status_code=status_code, media_type=MediaType.JSON, headers=headers)


def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Turn any exception into the response its caller can use."""
    if isinstance(exc, HTTPException):
        status_code, detail, extra, headers = exc.status_code, exc.detail, exc.extra, exc.headers
    elif is_unavailable(exc):
        logger.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
        status_code, detail, extra = HTTP_503_SERVICE_UNAVAILABLE, "The database is not available", None
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    else:
        logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        status_code, detail, extra, headers = HTTP_500_INTERNAL_SERVER_ERROR, "Internal Server Error", None, None
    if wants_json(request):
        return json_error(status_code, detail, extra, headers)
    resolve_without_database(request.scope)
    if isinstance(exc, NotAuthorizedException):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login_url = f"/login?next={quote(target, safe='')}"
        if request.headers.get("hx-request") == "true":
            return Response(content="", status_code=401, headers={"HX-Redirect": login_url})
        if request.method == "GET":
            return Redirect(path=login_url, status_code=303)
    title, message = _titles().get(status_code, (_("Error"), detail))
    if isinstance(extra, dict) and extra.get("problem") == "control_character":
        message = _(
            "The field “%(field)s” contains a control character (such as a NUL byte) that cannot be stored. "
            "Remove it and send the form again; nothing was saved."
        ) % {"field": extra["field"]}
    return Template(
        template_name="error.html",
        context={"status_code": status_code, "title": title, "message": message},
        status_code=status_code,
        headers=headers,
    )
