"""Settings from the environment, and what production refuses."""

from __future__ import annotations

import pytest

from portal.settings import SettingsError, load_settings


def test_defaults_use_a_sqlite_file_in_the_data_dir_and_keep_a_generated_secret(tmp_path):
    settings = load_settings({"PORTAL_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/portal.sqlite3"
    assert settings.is_sqlite and settings.port == 8000 and settings.host == "127.0.0.1" and not settings.debug
    assert (tmp_path / "secret_key").read_text() == settings.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert load_settings({"PORTAL_DATA_DIR": str(tmp_path)}).secret_key == settings.secret_key


def test_values_are_read_from_the_environment(tmp_path):
    settings = load_settings(
        {
            "PORTAL_DATA_DIR": str(tmp_path),
            "PORTAL_DATABASE_URL": "postgresql://u@db:5432/portal",
            "PORTAL_HOST": "0.0.0.0",
            "PORTAL_PORT": "9000",
            "PORTAL_DEBUG": "true",
            "PORTAL_SECRET_KEY": "k" * 40,
        }
    )
    assert (settings.database_url, settings.host, settings.port, settings.debug) == (
        "postgresql://u@db:5432/portal",
        "0.0.0.0",
        9000,
        True,
    )
    assert settings.secret_key == "k" * 40 and not settings.is_sqlite


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"PORTAL_ENV": "production"}, "PORTAL_SECRET_KEY"),
        ({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "short"}, "32 characters"),
        ({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "k" * 40, "PORTAL_DEBUG": "1"}, "PORTAL_DEBUG"),
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV"),
        ({"PORTAL_PORT": "eighty"}, "PORTAL_PORT"),
        ({"PORTAL_DATABASE_URL": "mysql://x"}, "PORTAL_DATABASE_URL"),
        ({"PORTAL_TRUSTED_PROXIES": "10.0.0.1, proxy.local"}, "PORTAL_TRUSTED_PROXIES"),
        ({"PORTAL_PUBLIC_URL": "portal.example.org"}, "PORTAL_PUBLIC_URL"),
        ({"PORTAL_RETENTION_DAYS": "7"}, "PORTAL_RETENTION_DAYS"),
        ({"PORTAL_SMTP_SECURITY": "tls"}, "PORTAL_SMTP_SECURITY"),
        ({"PORTAL_SMTP_PORT": "x"}, "PORTAL_SMTP_PORT"),
        ({"PORTAL_TWO_FACTOR_ROLES": "admin, superuser"}, "PORTAL_TWO_FACTOR_ROLES"),
    ],
)
def test_refused_configurations(tmp_path, env, problem):
    with pytest.raises(SettingsError, match=problem):
        load_settings({"PORTAL_DATA_DIR": str(tmp_path), **env})


def test_production_with_an_explicit_secret_starts(tmp_path):
    settings = load_settings(
        {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "k" * 40}
    )
    assert settings.is_production and not (tmp_path / "secret_key").exists()


def test_mail_proxy_and_retention_settings(tmp_path):
    settings = load_settings(
        {
            "PORTAL_DATA_DIR": str(tmp_path),
            "PORTAL_PUBLIC_URL": "https://portal.example.org/",
            "PORTAL_SMTP_HOST": "smtp.example.org",
            "PORTAL_SMTP_SECURITY": "ssl",
            "PORTAL_TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12",
            "PORTAL_RETENTION_DAYS": "365",
        }
    )
    assert settings.public_url == "https://portal.example.org"
    assert settings.smtp_port == 465 and settings.trusted_proxies == ("10.0.0.1", "172.16.0.0/12")
    assert settings.retention_days == 365 and settings.outbox_dir == (tmp_path / "outbox").resolve()


def test_two_factor_roles_default_to_admin_and_may_be_none(tmp_path):
    assert load_settings({"PORTAL_DATA_DIR": str(tmp_path)}).two_factor_roles == ("admin",)
    roles = load_settings({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_TWO_FACTOR_ROLES": " Admin, counsellor ,"})
    assert roles.two_factor_roles == ("admin", "counsellor")
    assert load_settings({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_TWO_FACTOR_ROLES": ""}).two_factor_roles == ()


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, ("auto", False)),
        ({"PORTAL_ENV": "test"}, ("manual", True)),
        ({"PORTAL_NETWORK_RECOMPUTE": "manual"}, ("manual", False)),
        ({"PORTAL_JOBS": "inline"}, ("auto", True)),
        # The older spelling, from before PORTAL_JOBS: manual recomputes, every job awaited.
        ({"PORTAL_NETWORK_RECOMPUTE": "inline"}, ("manual", True)),
        ({"PORTAL_ENV": "test", "PORTAL_JOBS": "background"}, ("manual", False)),
    ],
)
def test_network_recompute_and_where_jobs_run_are_two_settings(tmp_path, env, expected):
    settings = load_settings({"PORTAL_DATA_DIR": str(tmp_path), **env})
    assert (settings.network_recompute, settings.jobs_inline) == expected


def test_where_jobs_run_is_background_or_inline(tmp_path):
    with pytest.raises(SettingsError, match="PORTAL_JOBS"):
        load_settings({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_JOBS": "sometimes"})
