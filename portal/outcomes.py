"""What a page's one call (a view or a form's write service) hands back: a page to go to, or a page to show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class FormErrors:
    """For a view that shows a form: its answer is 422 while the form holds ``errors`` (a field → message dict)."""

    errors: Mapping[Any, str]  # by field name; an allocation round's by proposal id

    @property
    def status_code(self) -> int:
        return 422 if self.errors else 200


@dataclass(frozen=True)
class PageOutcome:
    """Go to ``redirect`` (a 303), or else show the page's template with ``context`` and ``status_code``.

    ``template`` names another template to show instead, for a form whose result is a page of its own
    (the two-factor form's new recovery codes).
    """

    context: dict[str, Any] = field(default_factory=dict)
    status_code: int = 200
    redirect: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    template: str | None = None

    @classmethod
    def go(cls, path: str) -> PageOutcome:
        return cls(redirect=path)

    @classmethod
    def show(
        cls,
        context: dict[str, Any],
        status_code: int = 200,
        headers: dict[str, str] | None = None,
        template: str | None = None,
    ) -> PageOutcome:
        return cls(context=context, status_code=status_code, headers=headers or {}, template=template)

    @classmethod
    def refuse(cls, context: dict[str, Any]) -> PageOutcome:
        """The form again with its errors: nothing was changed."""
        return cls(context=context, status_code=422)
