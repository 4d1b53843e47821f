"""Piccolo configuration: the engine from settings and the portal's app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portal.db.engine import make_engine
from portal.settings import get_settings

if TYPE_CHECKING:
    from piccolo.conf.apps import AppRegistry

DB = make_engine(get_settings().database_url)

_registry: list[AppRegistry] = []


def __getattr__(name: str) -> Any:
    """``APP_REGISTRY``, made when Piccolo's migrations first ask for it.

    ``piccolo.conf.apps`` imports the migration tooling (black among it, 8.5 MB): a web worker,
    which only needs ``DB``, need not load it.
    """
    if name != "APP_REGISTRY":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not _registry:
        from piccolo.conf.apps import AppRegistry

        _registry.append(AppRegistry(apps=["portal.db.piccolo_app"]))
    return _registry[0]
