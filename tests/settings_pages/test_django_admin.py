"""Django's admin: every model registered, the audit trail and login history read-only."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from rapport.core import audit
from rapport.core.models import AuditEntry, LoginEvent
from tests.factories import AccountFactory, UserFactory


def test_every_rapport_model_is_registered_and_its_list_opens(db: None, client_for: Any) -> None:
    operator = UserFactory.create(email="root@example.com", role_id="administrator", is_staff=True, is_superuser=True)
    AccountFactory.create(owner=operator)
    client: Client = client_for(operator)
    for app_label in ("core", "customers", "leads"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.auto_created:
                continue
            registered = admin.site.is_registered(model)
            inline_only = model.__name__ in {"RolePermission", "ExchangeRate", "AccountContact"}
            assert registered or inline_only, model.__name__
            if registered:
                url = reverse(f"admin:{app_label}_{model._meta.model_name}_changelist")
                assert client.get(url).status_code == 200, url


def test_audit_entries_cannot_be_added_changed_or_deleted_in_the_admin(db: None, client_for: Any, rf: Any) -> None:
    operator = UserFactory.create(email="root@example.com", role_id="administrator", is_staff=True, is_superuser=True)
    account = AccountFactory.create(owner=operator)
    entry = audit.log_create(operator, account)
    request = rf.get("/")
    request.user = operator
    for model in (AuditEntry, LoginEvent):
        model_admin = admin.site.get_model_admin(model)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, None)
        assert not model_admin.has_delete_permission(request, None)
        assert model_admin.has_view_permission(request, None)

    client: Client = client_for(operator)
    change_url = reverse("admin:core_auditentry_change", args=[entry.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    client.post(change_url, {"record_repr": "rewritten", "action": "delete"})
    assert client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403
    entry.refresh_from_db()
    assert (entry.record_repr, entry.action, AuditEntry.objects.count()) == (str(account), "create", 1)
