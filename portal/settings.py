"""Settings read once from PORTAL_* environment variables."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from portal.auth.roles import ROLES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "test", "production")
# OpenStreetMap's public tile server (its usage policy asks for the attribution below and light use).
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"


class SettingsError(RuntimeError):
    """The environment describes a configuration the portal refuses to run with."""


@dataclass(frozen=True)
class Settings:
    """Everything the portal reads from its environment."""

    environment: str
    database_url: str
    data_dir: Path
    secret_key: str
    host: str
    port: int
    debug: bool
    # "auto": recompute the network analytics in the background after changes; "manual": only
    # when asked (the Recompute button, `portal network recompute`).
    network_recompute: str = "auto"
    # Without Redis, whether the request that starts a job (a recompute, a round, a training, a plan)
    # waits for it to finish (PORTAL_JOBS=inline, the tests' default: no task outlives a test) or it
    # runs as a task of the web process (background).
    jobs_inline: bool = False
    # Where links in e-mails point (invitations, password resets): the address users reach the portal at.
    public_url: str = "http://127.0.0.1:8000"
    # Outgoing mail: SMTP when a host is set; otherwise each message is written to `outbox_dir` as an
    # .eml file (development, and production until SMTP is configured: the start-up log says so).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_security: str = "starttls"  # starttls, ssl or none
    mail_from: str = "portal@localhost"
    outbox_dir: Path = PROJECT_ROOT / "var" / "outbox"
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks); the client address
    # that throttling counts is the last one in the chain that is not one of these.
    trusted_proxies: tuple[str, ...] = ()
    # Closed cases (exit or employment) are pseudonymised this many days after closing.
    retention_days: int = 1825
    # PostgreSQL connections per worker process, and how long a request waits for one before a 503.
    db_pool_size: int = 10
    db_pool_timeout: float = 5.0
    # Key that `portal backup` encrypts with and `portal restore` decrypts with; empty: not encrypted.
    backup_key: str = ""
    # Roles that must use two-factor sign-in (PORTAL_TWO_FACTOR_ROLES, comma-separated; empty: none).
    two_factor_roles: tuple[str, ...] = ("admin",)
    # Redis for the job queue (PORTAL_REDIS_URL): background work then runs in `portal worker` processes;
    # empty: it runs in the web process, as asyncio tasks (portal.jobs).
    redis_url: str = ""
    # Map tiles (PORTAL_MAP_TILES_URL, a {z}/{x}/{y} template) and their attribution; empty: the map draws
    # markers on a blank background and loads nothing from elsewhere (the default under tests).
    map_tiles_url: str = ""
    map_tiles_attribution: str = ""
    # Unexcused absences in a row on a placement that tell the case team (PORTAL_ABSENCE_ALERT_WEEKS).
    absence_alert_weeks: int = 2
    # Staff to train (PORTAL_TRAINING_TARGET): the Slovenian plan's 480, unless a coordinator set an
    # indicator target for "staff_trained" (portal.training.indicators).
    training_target: int = 480

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _secret_from_data_dir(data_dir: Path) -> str:
    """Keep a generated key beside the data so sessions survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key


def load_settings(env: dict[str, str] | os._Environ = os.environ) -> Settings:
    """Build settings from ``env``; raise :class:`SettingsError` on a refused combination."""
    environment = env.get("PORTAL_ENV", "development").strip().lower()
    if environment not in ENVIRONMENTS:
        raise SettingsError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}")
    data_dir = Path(env.get("PORTAL_DATA_DIR") or PROJECT_ROOT / "var").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = env.get("PORTAL_DATABASE_URL") or f"sqlite:///{data_dir / 'portal.sqlite3'}"
    if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise SettingsError("PORTAL_DATABASE_URL must start with sqlite:/// or postgresql://")
    debug = _flag(env.get("PORTAL_DEBUG"))
    explicit_secret = env.get("PORTAL_SECRET_KEY", "").strip()
    if environment == "production":
        if not explicit_secret:
            raise SettingsError("production needs PORTAL_SECRET_KEY set explicitly")
        if len(explicit_secret) < 32:
            raise SettingsError("PORTAL_SECRET_KEY must be at least 32 characters")
        if debug:
            raise SettingsError("production refuses to start with PORTAL_DEBUG on")
    try:
        port = int(env.get("PORTAL_PORT", "8000"))
    except ValueError as exc:
        raise SettingsError("PORTAL_PORT must be a number") from exc
    network_recompute = (
        env.get("PORTAL_NETWORK_RECOMPUTE", "manual" if environment == "test" else "auto").strip().lower()
    )
    if network_recompute not in ("auto", "manual", "inline"):
        raise SettingsError("PORTAL_NETWORK_RECOMPUTE must be auto or manual")
    # Before PORTAL_JOBS existed, PORTAL_NETWORK_RECOMPUTE=inline meant "manual, and jobs inline": still read so.
    legacy_inline = network_recompute == "inline"
    if legacy_inline:
        network_recompute = "manual"
    jobs = env.get("PORTAL_JOBS", "").strip().lower() or (
        "inline" if environment == "test" or legacy_inline else "background"
    )
    if jobs not in ("background", "inline"):
        raise SettingsError("PORTAL_JOBS must be background or inline")

    def number(name: str, default: int, low: int, high: int) -> int:
        raw = env.get(name, "").strip() or str(default)
        try:
            value = int(raw)
        except ValueError as exc:
            raise SettingsError(f"{name} must be a whole number") from exc
        if not low <= value <= high:
            raise SettingsError(f"{name} must be between {low} and {high}")
        return value

    smtp_security = env.get("PORTAL_SMTP_SECURITY", "starttls").strip().lower()
    if smtp_security not in ("starttls", "ssl", "none"):
        raise SettingsError("PORTAL_SMTP_SECURITY must be starttls, ssl or none")
    trusted_proxies = tuple(part.strip() for part in env.get("PORTAL_TRUSTED_PROXIES", "").split(",") if part.strip())
    for proxy in trusted_proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError as exc:
            raise SettingsError(f"PORTAL_TRUSTED_PROXIES: {proxy!r} is not an address or network") from exc
    two_factor_roles = tuple(
        part.strip().lower() for part in env.get("PORTAL_TWO_FACTOR_ROLES", "admin").split(",") if part.strip()
    )
    for role in two_factor_roles:
        if role not in ROLES:
            raise SettingsError(f"PORTAL_TWO_FACTOR_ROLES: {role!r} is not one of {', '.join(ROLES)}")
    redis_url = env.get("PORTAL_REDIS_URL", "").strip()
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError("PORTAL_REDIS_URL must start with redis://, rediss:// or unix://")
    map_tiles_url = env.get("PORTAL_MAP_TILES_URL", "" if environment == "test" else OSM_TILES).strip()
    if map_tiles_url and not (map_tiles_url.startswith("https://") or map_tiles_url.startswith("http://")):
        raise SettingsError("PORTAL_MAP_TILES_URL must start with https:// or http://, or be empty")
    if map_tiles_url and not all(part in map_tiles_url for part in ("{z}", "{x}", "{y}")):
        raise SettingsError("PORTAL_MAP_TILES_URL must hold {z}, {x} and {y}")
    host = env.get("PORTAL_HOST", "127.0.0.1")
    public_url = (env.get("PORTAL_PUBLIC_URL") or f"http://{host}:{port}").strip().rstrip("/")
    if not public_url.startswith(("http://", "https://")):
        raise SettingsError("PORTAL_PUBLIC_URL must start with http:// or https://")
    return Settings(
        environment=environment,
        database_url=database_url,
        data_dir=data_dir,
        secret_key=explicit_secret or _secret_from_data_dir(data_dir),
        host=host,
        port=port,
        debug=debug,
        network_recompute=network_recompute,
        jobs_inline=jobs == "inline",
        public_url=public_url,
        smtp_host=env.get("PORTAL_SMTP_HOST", "").strip(),
        smtp_port=number("PORTAL_SMTP_PORT", 465 if smtp_security == "ssl" else 587, 1, 65535),
        smtp_user=env.get("PORTAL_SMTP_USER", "").strip(),
        smtp_password=env.get("PORTAL_SMTP_PASSWORD", ""),
        smtp_security=smtp_security,
        mail_from=env.get("PORTAL_MAIL_FROM", "").strip() or "portal@localhost",
        outbox_dir=Path(env.get("PORTAL_MAIL_OUTBOX") or data_dir / "outbox").resolve(),
        trusted_proxies=trusted_proxies,
        retention_days=number("PORTAL_RETENTION_DAYS", 1825, 30, 36500),
        backup_key=env.get("PORTAL_BACKUP_KEY", "").strip(),
        db_pool_size=number("PORTAL_DB_POOL_SIZE", 10, 1, 500),
        db_pool_timeout=number("PORTAL_DB_POOL_TIMEOUT_MS", 5000, 10, 600_000) / 1000,
        two_factor_roles=two_factor_roles,
        redis_url=redis_url,
        map_tiles_url=map_tiles_url,
        map_tiles_attribution=env.get("PORTAL_MAP_TILES_ATTRIBUTION", OSM_ATTRIBUTION if map_tiles_url else "").strip(),
        absence_alert_weeks=number("PORTAL_ABSENCE_ALERT_WEEKS", 2, 1, 12),
        training_target=number("PORTAL_TRAINING_TARGET", 480, 1, 1_000_000),
    )


@cache
def get_settings() -> Settings:
    """The process-wide settings, read on first use."""
    return load_settings()
