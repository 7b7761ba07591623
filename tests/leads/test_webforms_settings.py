"""Web-to-lead forms in Settings: administrators create, change and delete them and get the snippet;
everyone else is refused and changes nothing."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rapport.core.errors import ActionNotAllowed, InvalidInput
from rapport.core.models import CustomField
from rapport.leads.models import WebForm, WebFormSubmission
from rapport.leads.services import webforms as service
from rapport.leads.services.leads import UNKNOWN_CHOICE
from tests.factories import LeadFactory, UserFactory, lead_source


def _page_data(org: Any, **overrides: Any) -> dict[str, Any]:
    """The settings form as a browser sends it: a few fields shown, in a chosen order."""
    data = {
        "name": "Contact us",
        "source": lead_source("event").pk,
        "campaign": "Fair 2026",
        "owner": org.salesperson.pk,
        "thank_you_url": "https://www.example.com/thanks",
        "active": "on",
        "show_email": "on",
        "required_email": "on",
        "order_email": "1",
        "show_company": "on",
        "label_company": "Your company",
        "order_company": "3",
        "order_last_name": "2",
        "show_city": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _form(org: Any, **overrides: Any) -> WebForm:
    values: dict[str, Any] = {
        "name": "Newsletter",
        "fields": [{"name": "first_name"}, {"name": "last_name"}, {"name": "email", "required": True}],
        "owner": org.salesperson.pk,
    }
    return service.webform_create(actor=org.admin, **{**values, **overrides})


def _state() -> list[tuple[Any, ...]]:
    return list(WebForm.objects.order_by("pk").values_list("pk", "name", "fields", "campaign", "active", "owner_id"))


def test_an_administrator_creates_a_form_and_gets_its_snippet(org: Any, client_for: Any) -> None:
    admin = client_for(org.admin)
    response = admin.post(reverse("leads:webform_create"), _page_data(org))
    form = WebForm.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("leads:webform_edit", args=[form.pk])
    assert form.fields == [
        {"name": "email", "required": True, "label": ""},
        {"name": "last_name", "required": True, "label": ""},
        {"name": "company", "required": False, "label": "Your company"},
    ]
    assert (form.name, form.source, form.campaign, form.owner, form.thank_you_url, form.active) == (
        "Contact us",
        lead_source("event"),
        "Fair 2026",
        org.salesperson,
        "https://www.example.com/thanks",
        True,
    )

    page = admin.get(response["Location"])
    snippet = page.context["snippet"]
    assert f'action="http://testserver/web-to-lead/{form.key}/"' in snippet
    assert snippet.index('name="email"') < snippet.index('name="last_name"') < snippet.index('name="company"')
    assert 'type="email" name="email"' in snippet
    assert "Your company" in snippet
    assert 'name="city"' not in snippet and 'name="first_name"' not in snippet
    assert f'name="{service.HONEYPOT}"' in snippet and "left:-10000px" in snippet
    for utm in service.UTM_FIELDS:
        assert f'<input type="hidden" name="{utm}" value="">' in snippet
    assert "new URLSearchParams(window.location.search)" in snippet
    # Shown in a read-only textarea (escaped once more), with a copy button and the hosted page's address.
    content = page.content.decode()
    assert html.escape(f'action="http://testserver/web-to-lead/{form.key}/"', quote=True) in content
    assert 'data-copy-target="webform-snippet"' in content
    assert f'href="http://testserver/web-to-lead/{form.key}/"' in content


def test_the_form_must_reach_the_lead_and_send_visitors_to_a_web_address(org: Any, client_for: Any) -> None:
    admin = client_for(org.admin)
    data = _page_data(org, show_email="", required_email="", thank_you_url="javascript:alert(1)")
    response = admin.post(reverse("leads:webform_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["thank_you_url"] == [str(service.BAD_THANK_YOU_URL)]
    assert str(service.NO_CONTACT_FIELD) in errors["__all__"]
    assert str(service.NO_CONTACT_FIELD) in response.content.decode()
    assert WebForm.objects.count() == 0


def test_changing_and_deleting_a_form(org: Any, client_for: Any) -> None:
    admin = client_for(org.admin)
    form = _form(org)
    LeadFactory.create(owner=org.salesperson, web_form=form)
    WebFormSubmission.objects.create(form=form, client="x" * 64, accepted=True)
    url = reverse("leads:webform_edit", args=[form.pk])
    data = _page_data(org, name="Newsletter (EN)", campaign="", active="", show_phone="on", show_email="")
    assert admin.post(url, data).status_code == 302
    form.refresh_from_db()
    assert (form.name, form.campaign, form.active) == ("Newsletter (EN)", "", False)
    assert [spec["name"] for spec in form.fields] == ["last_name", "company", "phone"]

    listing = admin.get(reverse("leads:webform_list"))
    row = listing.context["page"].items[0]
    assert (row.name, row.lead_count, row.last_submission is not None) == ("Newsletter (EN)", 1, True)
    assert admin.get(reverse("leads:webform_list"), {"active": "yes"}).context["page"].items == []

    delete = reverse("leads:webform_delete", args=[form.pk])
    assert "Delete the web form Newsletter (EN)?" in admin.get(delete).content.decode()
    assert WebForm.objects.count() == 1  # asking changed nothing
    assert admin.post(delete).status_code == 302
    assert WebForm.objects.count() == 0
    assert LeadFactory._meta.model.objects.get().web_form is None  # its leads stay


def test_the_list_has_an_empty_state_and_the_settings_index_links_to_it(org: Any, client_for: Any) -> None:
    admin = client_for(org.admin)
    assert "No web forms yet." in admin.get(reverse("leads:webform_list")).content.decode()
    assert reverse("leads:webform_list") in admin.get(reverse("settings:index")).content.decode()


def test_a_hostile_form_name_is_shown_as_text(org: Any, client_for: Any) -> None:
    _form(org, name="<img src=x onerror=alert(1)>")
    content = client_for(org.admin).get(reverse("leads:webform_list")).content.decode()
    assert "<img src=x" not in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content


@pytest.mark.parametrize("who", ["salesperson", "emea_manager", "marketing", "executive"])
def test_only_administrators_reach_the_settings_pages(org: Any, client_for: Any, who: str) -> None:
    form = _form(org)
    before = _state()
    client = client_for(getattr(org, who))
    urls = [
        reverse("leads:webform_list"),
        reverse("leads:webform_create"),
        reverse("leads:webform_edit", args=[form.pk]),
        reverse("leads:webform_delete", args=[form.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
        assert client.post(url, _page_data(org, name="Hijacked")).status_code == 403
    assert _state() == before
    anonymous = Client().get(reverse("leads:webform_list"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


def test_services_are_for_administrators(org: Any) -> None:
    form = _form(org)
    with pytest.raises(ActionNotAllowed):
        service.webform_create(actor=org.marketing, name="X", fields=["last_name", "email"], owner=org.marketing.pk)
    with pytest.raises(ActionNotAllowed):
        service.webform_update(actor=org.emea_manager, form_id=form.pk, name="X")
    with pytest.raises(ActionNotAllowed):
        service.webform_delete(actor=org.salesperson, form_id=form.pk)
    assert WebForm.objects.get().name == "Newsletter"


def test_the_field_list_is_checked_and_the_last_name_always_asked_for(org: Any) -> None:
    CustomField.objects.create(record_type="lead", key="budget", label="Budget", field_type="number")
    CustomField.objects.create(record_type="lead", key="deal", label="Deal", field_type="money")
    form = service.webform_create(
        actor=org.admin,
        name="Demo request",
        fields=[
            {"name": "first_name"},
            {"name": "phone", "required": "on"},
            {"name": "cf_budget", "label": " Budget  "},
        ],
        owner=org.colleague,
    )
    assert form.fields == [
        {"name": "first_name", "required": False, "label": ""},
        {"name": "last_name", "required": True, "label": ""},
        {"name": "phone", "required": True, "label": ""},
        {"name": "cf_budget", "required": False, "label": "Budget"},
    ]
    assert form.source == lead_source("web_form")  # the default source

    with pytest.raises(InvalidInput) as exc:
        service.webform_update(
            actor=org.admin,
            form_id=form.pk,
            fields=["last_name", "owner", "cf_deal", "email", "email"],
            thank_you_url="ftp://example.com/",
        )
    assert exc.value.errors == {
        "fields": [
            str(service.UNKNOWN_FIELD % {"name": "owner"}),
            str(service.UNKNOWN_FIELD % {"name": "cf_deal"}),  # money needs an amount and a currency
            str(service.REPEATED_FIELD % {"name": "E-mail"}),
        ],
        "thank_you_url": [str(service.BAD_THANK_YOU_URL)],
    }
    with pytest.raises(InvalidInput) as exc:
        service.webform_update(actor=org.admin, form_id=form.pk, name="  ", fields=["first_name", "last_name"])
    assert exc.value.errors["fields"] == [str(service.NO_CONTACT_FIELD)]
    assert "name" in exc.value.errors

    inactive = UserFactory.create(is_active=False)
    with pytest.raises(InvalidInput) as exc:
        service.webform_update(actor=org.admin, form_id=form.pk, owner=inactive.pk, status="qualified")
    assert exc.value.errors == {"status": ["This field cannot be set."]}
    with pytest.raises(InvalidInput) as exc:
        service.webform_update(actor=org.admin, form_id=form.pk, owner=inactive.pk)
    assert exc.value.errors == {"owner": [str(UNKNOWN_CHOICE % {"what": "user"})]}
    form.refresh_from_db()
    assert (form.name, form.owner, len(form.fields)) == ("Demo request", org.colleague, 4)
