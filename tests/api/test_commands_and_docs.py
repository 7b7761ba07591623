"""issue_token, export_openapi, createsuperuser --noinput, and the docs page under our CSP."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from rapport.core.management.commands.export_openapi import REGENERATE, openapi_document
from rapport.core.models import ApiToken, User
from rapport.core.services.customfields import custom_field_create
from tests.api.conftest import ApiClient
from tests.factories import PASSWORD


def _match(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    found = re.search(pattern, text, flags)
    assert found is not None, pattern
    return found


COMMITTED = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"


# --- issue_token -------------------------------------------------------------------------------


def test_issue_token_prints_only_the_token(org):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_token", "SALES@example.com", "--name", "ci", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and err.getvalue() == ""
    token = ApiToken.objects.get(user=org.salesperson)
    assert token.name == "ci" and lines[0].startswith(token.prefix)
    assert ApiClient(lines[0]).get("users/me").json()["email"] == "sales@example.com"


@pytest.mark.parametrize("email", ["nobody@example.com", "colleague@example.com"])
def test_issue_token_refuses_unknown_or_inactive_users_with_exit_code_1(org, email):
    User.objects.filter(email="colleague@example.com").update(is_active=False)
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("issue_token", email, stdout=out)
    assert raised.value.returncode == 1
    assert email in str(raised.value)
    assert out.getvalue() == ""
    assert not ApiToken.objects.exists()


# --- export_openapi ----------------------------------------------------------------------------


def test_committed_openapi_document_is_up_to_date(db):
    assert COMMITTED.read_text(encoding="utf-8") == openapi_document(), f"Run `{REGENERATE}`."
    call_command("export_openapi", "--check", stdout=io.StringIO())


def test_export_openapi_writes_sorted_json_and_check_names_the_command(db, tmp_path):
    target = tmp_path / "openapi.json"
    call_command("export_openapi", "--output", str(target), stdout=io.StringIO())
    text = target.read_text(encoding="utf-8")
    assert (
        text.endswith("}\n")
        and text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    document = json.loads(text)
    assert document["openapi"].startswith("3.1") and "/api/v1/accounts/{account_id}/history" in document["paths"]
    call_command("export_openapi", "--check", "--output", str(target), stdout=io.StringIO())

    target.write_text(text.replace("Rapport API", "Old API"), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("export_openapi", "--check", "--output", str(target), stdout=io.StringIO())
    assert raised.value.returncode == 1 and REGENERATE in str(raised.value)
    assert "Old API" in target.read_text(encoding="utf-8")  # --check writes nothing


def test_exported_document_leaves_out_this_databases_custom_fields(org):
    custom_field_create(actor=org.admin, record_type="account", key="tier", label="Tier", field_type="text")
    document = json.loads(openapi_document())
    custom = document["components"]["schemas"]["AccountOut"]["properties"]["custom_fields"]
    assert "tier" not in json.dumps(custom) and custom["additionalProperties"] is True


def test_openapi_documents_problem_answers(db, client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/accounts/{account_id}"]["patch"]
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "404", "409", "422"}
    assert operation["responses"]["422"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    assert set(document["components"]["schemas"]["Problem"]["properties"]) == {
        "type",
        "title",
        "status",
        "detail",
        "errors",
    }
    assert "password" not in document["components"]["schemas"]["UserOut"]["properties"]


# --- createsuperuser ---------------------------------------------------------------------------


def test_createsuperuser_noinput_from_the_environment_is_an_administrator(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Root@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", stdout=io.StringIO())
    user = User.objects.get(email__iexact="root@example.com")
    assert (user.role_id, user.is_superuser, user.is_staff, user.is_active) == ("administrator", True, True, True)
    assert user.check_password(PASSWORD)
    assert user.is_administrator


# --- the docs page -----------------------------------------------------------------------------


def test_docs_page_loads_swagger_from_our_static_files_with_the_csp_nonce(db, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    nonce = _match(r"'nonce-([^']+)'", policy).group(1)
    assert "unsafe-inline" not in policy
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    executable = [attrs for attrs, _body in scripts if 'type="application/json"' not in attrs]
    assert len(executable) == 2
    for attrs in executable:
        src = _match(r'src="([^"]+)"', attrs).group(1)
        assert src.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL)
        assert f'nonce="{nonce}"' in attrs
    assert all(not body.strip() for attrs, body in scripts if attrs in executable)
    stylesheets = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html)
    assert stylesheets and all(href.startswith("/static/") for href in stylesheets)
    assert "cdn" not in html.lower()
    settings_block = json.loads(_match(r'id="swagger-settings"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert settings_block["url"] == "/api/v1/openapi.json"


def test_docs_static_files_are_served(db, client):
    for name in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        response = client.get(f"/static/ninja/{name}")
        assert response.status_code == 200, name
