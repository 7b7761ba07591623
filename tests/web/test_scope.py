"""Every page renders for a permitted person; outside the scope everything is a 404 and changes nothing."""

from __future__ import annotations

import pytest

from rapport.core.models import AuditEntry
from rapport.customers.models import Account, AccountContact, Contact
from rapport.customers.views import CHOOSE_DUPLICATE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _record_urls(scene) -> list[str]:
    a, c = scene.account.pk, scene.contact.pk
    return [
        f"/accounts/{a}/",
        f"/accounts/{a}/edit/",
        f"/accounts/{a}/delete/",
        f"/accounts/{a}/merge/",
        f"/accounts/{a}/merge/?duplicate={scene.child.pk}",
        f"/contacts/{c}/",
        f"/contacts/{c}/edit/",
        f"/contacts/{c}/delete/",
        f"/contacts/{c}/vcard/",
    ]


def test_every_page_renders_for_the_sales_manager(client_for, org, scene) -> None:
    client = client_for(org.emea_manager)
    pages = [
        "/accounts/",
        "/accounts/new/",
        "/contacts/",
        "/contacts/new/",
        "/search/?q=acme",
        "/search/",
        "/profile/",
        "/notifications/",
        "/password/change/",
        *_record_urls(scene),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url


def test_salesperson_sees_own_pages_but_no_delete_or_merge(client_for, org, scene) -> None:
    client = client_for(org.salesperson)
    detail = client.get(f"/accounts/{scene.account.pk}/").content.decode()
    assert f"/accounts/{scene.account.pk}/edit/" in detail
    assert f"/accounts/{scene.account.pk}/delete/" not in detail
    assert f"/accounts/{scene.account.pk}/merge/" not in detail
    assert client.get(f"/accounts/{scene.account.pk}/delete/").status_code == 403
    assert client.post(f"/accounts/{scene.account.pk}/delete/").status_code == 403
    assert client.post(f"/contacts/{scene.contact.pk}/delete/").status_code == 403
    assert client.post(f"/accounts/{scene.account.pk}/merge/", {"duplicate": scene.child.pk}).status_code == 403
    assert Account.objects.filter(pk__in=[scene.account.pk, scene.child.pk]).count() == 2
    assert Contact.objects.filter(pk=scene.contact.pk).exists()


def test_executive_reads_but_sees_no_edit_buttons(client_for, org, scene) -> None:
    client = client_for(org.executive)
    detail = client.get(f"/contacts/{scene.contact.pk}/").content.decode()
    assert f"/contacts/{scene.contact.pk}/edit/" not in detail
    assert "/contacts/new/" not in client.get("/contacts/").content.decode()
    assert client.get(f"/contacts/{scene.contact.pk}/edit/").status_code == 403
    response = client.post(f"/contacts/{scene.contact.pk}/edit/", {"last_name": "Changed"})
    assert response.status_code == 403
    assert client.get("/accounts/new/").status_code == 403
    assert client.post("/accounts/new/", {"name": "Nope", "type": "prospect"}).status_code == 403
    scene.contact.refresh_from_db()
    assert scene.contact.last_name == "Kowalski"
    assert not Account.objects.filter(name="Nope").exists()


def test_other_team_gets_404_everywhere(client_for, org, scene) -> None:
    client = client_for(org.other_salesperson)
    for url in _record_urls(scene):
        assert client.get(url).status_code == 404, url


def test_other_team_posts_change_nothing(client_for, org, scene) -> None:
    client = client_for(org.other_salesperson)
    audit_before = AuditEntry.objects.count()
    a, c = scene.account.pk, scene.contact.pk
    posts = [
        (f"/accounts/{a}/edit/", {"name": "Hijacked", "type": "customer", "owner": org.other_salesperson.pk}),
        (f"/accounts/{a}/delete/", {}),
        (f"/accounts/{a}/merge/", {"duplicate": scene.child.pk}),
        (f"/contacts/{c}/edit/", {"last_name": "Hijacked", "marketing_consent": "unknown"}),
        (f"/contacts/{c}/delete/", {}),
        (f"/contacts/{c}/links/", {"account": scene.hidden_account.pk}),
        (f"/contacts/{c}/links/{a}/remove/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    scene.account.refresh_from_db()
    scene.contact.refresh_from_db()
    assert scene.account.name == "Acme Polska"
    assert scene.contact.last_name == "Kowalski"
    assert Account.objects.filter(pk=scene.child.pk).exists()
    assert AccountContact.objects.filter(contact=scene.contact).count() == 1
    assert AuditEntry.objects.count() == audit_before


def test_hidden_records_are_never_listed(client_for, org, scene) -> None:
    client = client_for(org.salesperson)
    accounts = client.get("/accounts/").content.decode()
    contacts = client.get("/contacts/").content.decode()
    assert "Acme Polska" in accounts
    assert "Acme Americas" not in accounts
    assert "Kowalski" in contacts
    assert "Acmeson" not in contacts
    suggestions = client.get("/accounts/suggest/?term=acme").content.decode()
    assert "Acme Polska" in suggestions
    assert "Acme Americas" not in suggestions


def test_colleague_in_the_same_team_with_own_scope_gets_404(client_for, org, scene) -> None:
    client = client_for(org.colleague)
    assert client.get(f"/accounts/{scene.account.pk}/").status_code == 404
    assert client.get(f"/contacts/{scene.contact.pk}/vcard/").status_code == 404


def test_merging_a_hidden_duplicate_is_refused(client_for, org, scene) -> None:
    americas_manager = UserFactory(role_id="sales_manager", team=org.americas)
    org.americas.manager = americas_manager
    org.americas.save()
    client = client_for(americas_manager)
    url = f"/accounts/{scene.hidden_account.pk}/merge/"
    response = client.post(url, {"duplicate": scene.account.pk})
    assert response.status_code == 422
    assert response.context["form"].errors["duplicate"] == [str(CHOOSE_DUPLICATE)]
    assert Account.objects.filter(pk=scene.account.pk).exists()
    preview = client.get(f"{url}?duplicate={scene.account.pk}")
    assert preview.context["duplicate"] is None
    assert "Acme Polska" not in preview.content.decode()
