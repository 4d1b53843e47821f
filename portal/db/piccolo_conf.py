"""Piccolo configuration: the engine from settings and the portal's app."""

from piccolo.conf.apps import AppRegistry

from portal.db.engine import make_engine
from portal.settings import get_settings

DB = make_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["portal.db.piccolo_app"])
