import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_answers_ok_without_login():
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": "x" * 64 + "production-like-secret-key-for-the-deploy-check",
        "ALLOWED_HOSTS": "crm.example.com",
        "RAPPORT_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "rapport.config.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sqlite_runs_in_wal_mode(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "RAPPORT_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "rapport.config.settings",
    }
    code = "import django; django.setup(); from django.db import connection; c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "wal", result.stderr


@pytest.mark.django_db
def test_a_forged_session_cookie_is_ignored_not_a_server_error():
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get("/health/")
    assert response.status_code == 200
    assert client.get("/accounts/").status_code == 302  # simply not signed in


@pytest.mark.django_db
def test_an_unknown_api_path_answers_problem_details(client_for, org):
    response = client_for(org.salesperson).get("/api/v1/accounts/abc")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404
    page = client_for(org.salesperson).get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_another_mail_backend_gets_no_smtp_options(tmp_path):
    """EMAIL_BACKEND=console (what `make run` uses without a mail server) prints the message instead
    of failing on the SMTP options only the SMTP backend takes."""
    env = {
        "PATH": "/usr/bin:/bin",
        "RAPPORT_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "rapport.config.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    code = "import django; django.setup(); from django.core.mail import send_mail; send_mail('Reminder', 'Call Anna', None, ['a@example.com'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Subject: Reminder" in result.stdout and "Call Anna" in result.stdout
