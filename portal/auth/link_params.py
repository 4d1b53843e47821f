"""What the pages behind an e-mailed link (password reset, invitation) share: the token parameter and headers."""

from __future__ import annotations

from typing import Annotated

from litestar.params import PathParameter

# Tokens are 43 characters; a longer path segment is refused before any query.
Token = Annotated[str, PathParameter(max_length=100)]
# Pages that carry a reset token in their URL: no copies in caches, no Referer leaving with it.
TOKEN_PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
