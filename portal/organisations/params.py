"""Path and query parameters shared by the pages and the API of this area."""

import re
from typing import Annotated

from litestar.params import PathParameter, QueryParameter

_MAX_ID = 2**31 - 1
# Bounded so a huge number is a 400, never a database error.
RecordId = Annotated[int, PathParameter(ge=1, le=_MAX_ID)]
OptionalRecordIdQuery = Annotated[int | None, QueryParameter(ge=1, le=_MAX_ID)]
PageNumber = Annotated[int, QueryParameter(ge=1, le=10_000, description="Page number, from 1.")]
PerPage = Annotated[int, QueryParameter(ge=1, le=100, description="Items per page (at most 100).")]
Filter = Annotated[str, QueryParameter(max_length=200)]


def is_record_id(text: str) -> bool:
    """A form field holding a record id: ASCII digits only (str.isdigit also accepts '²')."""
    return re.fullmatch(r"[0-9]{1,9}", text) is not None
