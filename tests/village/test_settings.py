import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from village.settings.env import envbool, envint, envlist

ROOT = Path(__file__).resolve().parents[2]


def load_settings(module: str, **env: str) -> subprocess.CompletedProcess:
    """Import a settings module in a fresh interpreter with exactly these variables."""
    clean_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    clean_env.update(env, DJANGO_SETTINGS_MODULE=module)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = load_settings("village.settings.production", ALLOWED_HOSTS="village.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = load_settings("village.settings.production", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_starts_with_both_and_is_not_in_debug():
    result = load_settings(
        "village.settings.production", SECRET_KEY="x" * 60, ALLOWED_HOSTS="village.example.org", DEBUG="true"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_malformed_boolean_stops_the_start(monkeypatch):
    monkeypatch.setenv("DEBUG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be a boolean"):
        envbool("DEBUG", False)


def test_env_helpers_read_their_types(monkeypatch):
    monkeypatch.setenv("Q_WORKERS", "4")
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example.org, b.example.org,")
    monkeypatch.setenv("EMAIL_USE_TLS", "yes")
    assert envint("Q_WORKERS", 2) == 4
    assert envlist("ALLOWED_HOSTS") == ["a.example.org", "b.example.org"]
    assert envbool("EMAIL_USE_TLS", False) is True
    monkeypatch.setenv("Q_WORKERS", "deux")
    with pytest.raises(ImproperlyConfigured, match="Q_WORKERS must be an integer"):
        envint("Q_WORKERS", 2)


def test_embedded_default_is_sqlite_with_wal_and_immediate_transactions(tmp_path):
    # Checked in a fresh interpreter without DATABASE_URL, so it holds on the PostgreSQL CI run too.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="village.settings.dev", VAR_DIR=str(tmp_path))
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]


def test_site_speaks_french_in_paris_time(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.USE_TZ is True


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readme_documents_every_environment_variable():
    import re

    read = set()
    for path in (ROOT / "village" / "settings").glob("*.py"):
        read |= set(re.findall(r'env(?:str|bool|int|list)\("([A-Z_]+)"', path.read_text()))
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(name for name in read if f"`{name}`" not in readme)
    assert read, "no environment variable found: the pattern above is out of date"
    assert undocumented == []


@pytest.mark.django_db
def test_admin_pages_load_no_avatar_from_a_third_party(client, organiser):
    client.force_login(organiser)
    html = client.get("/admin/").content.decode()
    assert "gravatar" not in html.lower()
