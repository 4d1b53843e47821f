"""UI languages: gettext catalogs per request, language negotiation, locale-aware formatting."""

from portal.i18n.core import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    current_language,
    gettext,
    in_language,
    lazy_gettext,
    negotiate_language,
    ngettext,
    use_language,
)
from portal.i18n.formatting import format_date, format_datetime, format_number

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "current_language",
    "format_date",
    "format_datetime",
    "format_number",
    "gettext",
    "in_language",
    "lazy_gettext",
    "negotiate_language",
    "ngettext",
    "use_language",
]
