"""Liveness and database state for monitoring."""

import logging

import msgspec
from litestar import get
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Response

from portal.db.tables import Organisation
from portal.settings import get_settings

logger = logging.getLogger("portal")


class Health(msgspec.Struct):
    status: str
    database: str
    engine: str


@get(
    "/health",
    opt={"access": "public"},
    tags=["health"],
    responses={503: ResponseSpec(data_container=Health, description="The database does not answer")},
)
async def health() -> Response[Health]:
    """200 when the database answers, 503 when it does not."""
    engine = "sqlite" if get_settings().is_sqlite else "postgresql"
    try:
        await Organisation.raw("SELECT 1")
    except Exception:  # any failure means the database is not usable
        logger.exception("health check: database unreachable")
        return Response(Health(status="error", database="unreachable", engine=engine), status_code=503)
    return Response(Health(status="ok", database="ok", engine=engine))
