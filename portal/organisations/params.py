"""Path and query parameters shared by the pages and the API of this area."""

from typing import Annotated

from litestar.params import Parameter

# Bounded so a huge number is a 400, never a database error.
RecordId = Annotated[int, Parameter(ge=1, le=2**31 - 1)]
PageNumber = Annotated[int, Parameter(ge=1, le=10_000, description="Page number, from 1.")]
PerPage = Annotated[int, Parameter(ge=1, le=100, description="Items per page (at most 100).")]
Filter = Annotated[str, Parameter(max_length=200)]
