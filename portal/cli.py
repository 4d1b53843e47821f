"""The `portal` command: serve, migrate, demo data, users."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from portal.clock import utc_now
from portal.downloads.cli import directory
from portal.matching_service.cli import matching_group
from portal.network.cli import network
from portal.settings import SettingsError, get_settings


def _settings_or_exit():
    try:
        return get_settings()
    except SettingsError as exc:
        click.echo(f"portal: {exc}", err=True)
        sys.exit(2)


# Seconds a `portal serve` worker may go without answering uvicorn's health ping before it is killed.
WORKER_HEALTHCHECK_SECONDS = 30


@click.group()
def main() -> None:
    """Social activation partner network portal."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (default PORTAL_HOST or 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default PORTAL_PORT or 8000).")
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@click.option(
    "--workers",
    default=1,
    type=click.IntRange(1, 64),
    help="Worker processes on one port (each keeps its own suggestions index). Background work runs in "
    "`portal worker` processes when PORTAL_REDIS_URL is set, else in the web worker that started it.",
)
def serve(host: str | None, port: int | None, reload: bool, workers: int) -> None:
    """Serve the portal over HTTP."""
    import uvicorn

    settings = _settings_or_exit()
    uvicorn.run(
        "portal.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        workers=None if reload else workers,
        proxy_headers=False,
        # uvicorn kills a worker that misses its health ping for this long (default 5 s). The ping is
        # answered by a thread, which waits while one long C call holds the GIL: parsing a country's
        # network snapshot took 5 s on a loaded machine, and a busy worker was killed mid-request.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )


@main.command()
@click.option(
    "--concurrency", default=4, type=click.IntRange(1, 64), help="Jobs this process runs at once (default 4)."
)
def worker(concurrency: int) -> None:
    """Run background jobs from the Redis queue (PORTAL_REDIS_URL), and the scheduled ones.

    Start as many as needed, on any machine that reaches the database and Redis: each job runs once.
    """
    settings = _settings_or_exit()
    if not settings.redis_url:
        click.echo(
            "portal: `portal worker` needs PORTAL_REDIS_URL (without it the jobs run in `portal serve`)", err=True
        )
        sys.exit(2)
    import logging

    from portal.jobs.worker import run_worker

    logging.basicConfig(level=logging.DEBUG if settings.debug else logging.INFO)
    run_worker(concurrency)


@main.command()
def migrate() -> None:
    """Create or update the database tables."""
    _settings_or_exit()
    from portal.db.migrate import migrate_database

    asyncio.run(migrate_database())
    click.echo("database is up to date")


@main.command()
@click.option("--if-empty", is_flag=True, help="Only when the database has no organisations yet.")
def demo(if_empty: bool) -> None:
    """Load the demo network and demo users (idempotent)."""
    if _settings_or_exit().is_production:
        click.echo("portal: demo data (with password 'demo') is refused in production", err=True)
        sys.exit(2)
    from portal.demo.loader import load_demo

    summary = asyncio.run(load_demo(only_if_empty=if_empty))
    click.echo(summary)


@main.command("demo-logins")
def demo_logins() -> None:
    """Print the demo accounts."""
    from portal.demo.loader import DEMO_USERS

    settings = _settings_or_exit()
    click.echo(f"\nPortal on http://{settings.host}:{settings.port}  — demo logins (password: demo)")
    for user in DEMO_USERS:
        click.echo(f"  {user['username']:<12} {user['role']:<12} {user['organisation']}")
    if settings.two_factor_roles:
        roles = ", ".join(settings.two_factor_roles)
        click.echo(
            f"Two-factor sign-in is required for: {roles} (PORTAL_TWO_FACTOR_ROLES). At the first login such a"
            "\nuser sets it up: scan the QR code with an authenticator app, or type the key shown into one."
        )
    else:
        click.echo(
            "Two-factor sign-in is required for no role in this run (PORTAL_TWO_FACTOR_ROLES is empty; the"
            "\ndefault is admin). Anyone may turn it on at /account/two-factor."
        )
    if not settings.smtp_host:
        click.echo(
            f"E-mail (invitations, password resets) is not sent: each message is written to {settings.outbox_dir}"
        )
    click.echo("")


@main.command("create-user")
@click.option("--username", required=True)
@click.option(
    "--role", required=True, type=click.Choice(["admin", "coordinator", "counsellor", "enterprise", "employer"])
)
@click.option("--organisation", "organisation_slug", required=True, help="The organisation's key (slug).")
@click.option("--display-name", default="")
@click.option("--language", default="", type=click.Choice(["", "sl", "hr", "en"]))
@click.option("--email", default="", help="For password reset links (and invitations).")
@click.password_option()
def create_user(
    username: str, role: str, organisation_slug: str, display_name: str, language: str, email: str, password: str
) -> None:
    """Add a user who can log in."""
    _settings_or_exit()
    from portal.auth.accounts import AccountError
    from portal.auth.accounts import create_user as create

    try:
        user_id = asyncio.run(create(username, password, role, organisation_slug, display_name, language, email))
    except AccountError as exc:
        click.echo(f"portal: {exc}", err=True)
        sys.exit(2)
    click.echo(f"created user {username} (id {user_id})")


def _backup_summary(manifest: dict, file: Path) -> str:
    rows = sum(manifest["row_counts"].values())
    return (
        f"{file}: {rows} rows in {len(manifest['row_counts'])} tables, {manifest['engine']} at migration "
        f"{manifest['last_migration']}, made {manifest['created_at']} by portal {manifest['portal_version']}, "
        f"{'encrypted' if manifest['encrypted'] else 'NOT encrypted'}, {file.stat().st_size} bytes"
    )


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write the whole database to FILE, consistently while the portal serves.

    Encrypted with PORTAL_BACKUP_KEY when it is set. FILE appears only once complete.
    """
    settings = _settings_or_exit()
    from portal.backup.archive import BackupError
    from portal.backup.service import backup as make_backup

    if not settings.backup_key:
        click.echo(
            "portal: PORTAL_BACKUP_KEY is not set: this backup is NOT encrypted (it holds personal data)", err=True
        )
    try:
        manifest = asyncio.run(make_backup(file, settings.backup_key))
    except (BackupError, OSError) as exc:
        click.echo(f"portal: backup failed: {exc}", err=True)
        sys.exit(1)
    click.echo(f"backup written in {manifest['seconds']} s: {_backup_summary(manifest, file)}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Restore into a database that holds data: EVERYTHING in it is replaced.")
@click.option("--check", "check_only", is_flag=True, help="Only read and check FILE (key, checksum, counts).")
def restore(file: Path, force: bool, check_only: bool) -> None:
    """Replace the database's contents with the backup in FILE, all or nothing; then migrate it to this version.

    Stop the portal first. Refuses a database that holds data unless --force, a backup from a newer
    schema, a wrong key and a damaged file; in every refusal nothing is changed.
    """
    settings = _settings_or_exit()
    from portal.backup.archive import BackupError
    from portal.backup.service import check
    from portal.backup.service import restore as run_restore

    try:
        if check_only:
            manifest = check(file, settings.backup_key)
            click.echo(f"backup is sound: {_backup_summary(manifest, file)}")
            return
        if force:
            click.echo(
                "portal: --force: once the backup is checked, EVERY ROW in the portal's database is replaced by its contents",
                err=True,
            )
        manifest = asyncio.run(run_restore(file, settings.backup_key, force=force))
    except (BackupError, OSError) as exc:
        click.echo(f"portal: restore refused, nothing was changed: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"restored in {manifest['seconds']} s and migrated to {manifest['migrated_to']}: {_backup_summary(manifest, file)}"
    )


main.add_command(network)
main.add_command(directory)
main.add_command(matching_group)


@main.group()
def skills() -> None:
    """The skills vocabulary (ESCO) behind the skills picker."""


@skills.command("load")
def skills_load() -> None:
    """Load the ESCO skills that ship with the portal: English, and the project's Slovenian and Croatian labels (idempotent)."""
    _settings_or_exit()
    from portal.skills.importer import load_shipped

    for report in asyncio.run(load_shipped()):
        click.echo(report.summary())


@skills.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--language", required=True, help="Language of the labels in FILE, e.g. sl or hr.")
def skills_import(file: str, language: str) -> None:
    """Import an official ESCO skills CSV export (conceptUri, preferredLabel, altLabels, reuseLevel/skillType).

    Every bad row is reported with its line number; the good rows are stored all the same.
    Importing the same file again changes nothing. Exits with 1 when some rows were rejected.
    """
    _settings_or_exit()
    from portal.skills.importer import LANGUAGE_CODE, import_file

    language = language.strip().lower()
    if not LANGUAGE_CODE.match(language):
        click.echo(f"portal: --language must be a two- or three-letter code such as sl, not {language!r}", err=True)
        sys.exit(2)
    report = asyncio.run(import_file(file, language))
    for line, problem in report.problems:
        click.echo(f"{file}:{line}: {problem}", err=True)
    click.echo(report.summary())
    if report.problems:
        sys.exit(1)


@main.group()
def retention() -> None:
    """Data retention: pseudonymise closed cases past PORTAL_RETENTION_DAYS, drop expired operational records."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Only report what would go; change nothing.")
def retention_run(dry_run: bool) -> None:
    """Run the retention job now (it also runs once a day: in `portal worker` with PORTAL_REDIS_URL, else in `portal serve`)."""
    _settings_or_exit()

    from portal.privacy.retention import run_retention

    report = asyncio.run(run_retention(utc_now(), dry_run=dry_run))
    for line in report.lines():
        click.echo(line)
    if report.failed:
        sys.exit(1)
