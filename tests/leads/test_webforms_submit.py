"""The public web-to-lead endpoint: a valid post makes exactly one lead; invalid, spam, flooding and
unknown forms store none."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rapport.core import customfields
from rapport.core.models import AuditEntry, CustomField, Notification
from rapport.leads.models import (
    AssignmentRule,
    Lead,
    RuleOperator,
    ScoringRule,
    Tag,
    WebForm,
    WebFormSubmission,
)
from rapport.leads.services import webforms as service
from tests.factories import lead_source

IP = "203.0.113.7"
OTHER_IP = "198.51.100.23"


@pytest.fixture
def webform(org: Any) -> WebForm:
    return service.webform_create(
        actor=org.admin,
        name="Contact us",
        fields=[
            {"name": "first_name"},
            {"name": "last_name"},
            {"name": "company", "required": True, "label": "Organisation"},
            {"name": "email", "required": True},
            {"name": "country"},
        ],
        source="event",
        campaign="Fair 2026",
        owner=org.salesperson.pk,
    )


def _url(form: WebForm) -> str:
    return reverse("leads:webform_public", args=[form.key])


def _valid(**overrides: Any) -> dict[str, Any]:
    return {"first_name": "Anna", "last_name": "Nowak", "company": "Acme", "email": "anna@acme.example", **overrides}


def _post(form: WebForm, data: dict[str, Any], ip: str = IP, **extra: Any) -> Any:
    return Client().post(_url(form), data, REMOTE_ADDR=ip, **extra)


def _post_json(form: WebForm, data: Any, ip: str = IP, **extra: Any) -> Any:
    body = data if isinstance(data, str) else json.dumps(data)
    return Client().post(_url(form), body, content_type="application/json", REMOTE_ADDR=ip, **extra)


def _stored() -> dict[str, int]:
    return {
        "leads": Lead.objects.count(),
        "tags": Tag.objects.count(),
        "notifications": Notification.objects.count(),
        "accepted": WebFormSubmission.objects.filter(accepted=True).count(),
        "audit": AuditEntry.objects.filter(record_type="lead").count(),
    }


NOTHING = {"leads": 0, "tags": 0, "notifications": 0, "accepted": 0, "audit": 0}


def test_a_valid_post_makes_one_lead_with_its_attribution(org: Any, webform: WebForm) -> None:
    ScoringRule.objects.create(name="Poland", field="country", operator=RuleOperator.EQUALS, value="PL", points=15)
    data = _valid(country="PL", utm_source="newsletter", utm_medium="email", utm_campaign="spring", status="x")
    response = _post(webform, data)

    assert response.status_code == 303
    assert response["Location"] == reverse("leads:webform_thanks", args=[webform.key])
    assert response["Access-Control-Allow-Origin"] == "*"
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, lead.company, lead.email, lead.country) == (
        "Anna",
        "Nowak",
        "Acme",
        "anna@acme.example",
        "PL",
    )
    assert (lead.source, lead.campaign, lead.web_form, lead.status) == (
        lead_source("event"),
        "Fair 2026",
        webform,
        "new",
    )
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign, lead.utm_term) == ("newsletter", "email", "spring", "")
    assert (lead.owner, lead.created_by, lead.score, lead.email_key) == (org.salesperson, None, 15, "anna@acme.example")

    note = Notification.objects.get()
    assert (note.recipient, note.url) == (org.salesperson, lead.get_absolute_url())
    assert note.message == "New lead Anna Nowak from the web form Contact us."
    entry = AuditEntry.objects.get(record_type="lead", record_id=lead.pk)
    assert (entry.action, entry.actor, entry.note) == ("create", None, "Web form Contact us")

    submission = WebFormSubmission.objects.get()
    assert (submission.accepted, submission.lead) == (True, lead)
    assert re.fullmatch(r"[0-9a-f]{64}", submission.client) and IP not in submission.client
    assert submission.client == service.client_hash(IP) != service.client_hash(OTHER_IP)

    assert Client().get(response["Location"]).status_code == 200


def test_the_thank_you_page_of_the_form_and_the_assignment_rules(org: Any, webform: WebForm) -> None:
    service.webform_update(actor=org.admin, form_id=webform.pk, thank_you_url="https://www.example.com/thanks?x=1")
    AssignmentRule.objects.create(name="Germany", country="DE", assign_to_user=org.colleague)

    german = _post(webform, _valid(country="Germany"))
    assert (german.status_code, german["Location"]) == (303, "https://www.example.com/thanks?x=1")
    polish = _post(webform, _valid(email="jan@acme.example", country="Poland"), ip=OTHER_IP)
    assert polish.status_code == 303

    owners = dict(Lead.objects.values_list("email", "owner"))
    assert owners == {"anna@acme.example": org.colleague.pk, "jan@acme.example": org.salesperson.pk}
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == sorted(
        [org.colleague.pk, org.salesperson.pk]
    )
    # The hosted page may send visitors on to the thank-you site (browsers check form-action on redirects).
    csp = Client().get(_url(webform))["Content-Security-Policy"]
    assert "form-action 'self' https://www.example.com" in csp


def test_an_invalid_post_answers_400_with_messages_and_stores_nothing(org: Any, webform: WebForm) -> None:
    data = _valid(last_name="  ", company="", email="not-an-address", first_name="<b>Anna</b>")
    response = _post(webform, data)

    assert response.status_code == 400
    fields = {f.name: f.errors for f in response.context["fields"]}
    assert fields["last_name"] == [str(customfields.REQUIRED)]
    assert fields["company"] == [str(customfields.REQUIRED)]
    assert fields["email"] == ["Enter a valid email address."]
    content = response.content.decode()
    assert str(customfields.REQUIRED) in content and "Enter a valid email address." in content
    assert 'value="&lt;b&gt;Anna&lt;/b&gt;"' in content  # what was typed, shown again as text
    assert _stored() == NOTHING
    assert WebFormSubmission.objects.filter(accepted=False).count() == 1  # counted by the rate limit


def test_one_contact_channel_is_needed_when_neither_is_required(org: Any) -> None:
    form = service.webform_create(
        actor=org.admin, name="Callback", fields=["last_name", "email", "phone"], owner=org.salesperson
    )
    response = _post_json(form, {"last_name": "Nowak"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "email": [str(service.CONTACT_NEEDED)],
        "phone": [str(service.CONTACT_NEEDED)],
    }
    assert _post_json(form, {"last_name": "Nowak", "phone": "+48 600 100 200"}).status_code == 201
    assert Lead.objects.get().phone_key == "+48600100200"


def test_json_posts_and_cors(org: Any, webform: WebForm) -> None:
    preflight = Client().options(
        _url(webform), HTTP_ORIGIN="https://www.example.com", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST"
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert preflight["Access-Control-Allow-Headers"] == "Content-Type"

    bad = _post_json(webform, {"last_name": ["Nowak"], "company": "Acme", "email": "anna@acme.example"})
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert bad["Access-Control-Allow-Origin"] == "*"
    assert bad.json()["errors"] == {"last_name": [str(service.NOT_TEXT)]}
    assert _stored() == NOTHING

    good = _post_json(webform, _valid(utm_term="crm"), HTTP_ORIGIN="https://www.example.com")
    assert (good.status_code, good.json()) == (201, {"ok": True})
    assert good["Access-Control-Allow-Origin"] == "*"
    assert Lead.objects.get().utm_term == "crm"

    for body in ("[1, 2]", "{not json"):
        refused = _post_json(webform, body, ip=OTHER_IP)
        assert refused.status_code == 400 and refused.json()["status"] == 400
    assert Lead.objects.count() == 1


def test_the_honeypot_is_answered_as_accepted_but_makes_no_lead(org: Any, webform: WebForm) -> None:
    response = _post(webform, _valid(**{service.HONEYPOT: "http://spam.example"}))
    assert (response.status_code, response["Location"]) == (303, reverse("leads:webform_thanks", args=[webform.key]))
    json_bot = _post_json(webform, _valid(**{service.HONEYPOT: "x"}))
    assert (json_bot.status_code, json_bot.json()) == (201, {"ok": True})
    assert _stored() == NOTHING
    assert WebFormSubmission.objects.filter(accepted=False).count() == 2


def test_the_rate_limit_counts_per_address_and_form(org: Any, webform: WebForm) -> None:
    for n in range(5):
        assert _post(webform, _valid(email=f"a{n}@acme.example")).status_code == 303
    refused = _post(webform, _valid(email="a5@acme.example"))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert str(service.TOO_MANY_SUBMISSIONS) in refused.content.decode()
    refused_json = _post_json(webform, _valid(email="a6@acme.example"))
    assert refused_json.status_code == 429 and refused_json.json()["detail"] == str(service.TOO_MANY_SUBMISSIONS)
    assert Lead.objects.count() == 5

    assert _post(webform, _valid(email="b@acme.example"), ip=OTHER_IP).status_code == 303  # another sender
    # A minute later the first sender may post again.
    WebFormSubmission.objects.filter(client=service.client_hash(IP)).update(
        at=webform.created_at - timedelta(minutes=2)
    )
    assert _post(webform, _valid(email="a7@acme.example")).status_code == 303
    assert Lead.objects.count() == 7


def test_the_hourly_window_and_retry_after(org: Any, webform: WebForm, settings: Any) -> None:
    settings.RAPPORT_WEBFORM_RATE_LIMIT = [(2, 3600)]
    for n in range(2):
        assert _post(webform, _valid(email=f"a{n}@acme.example")).status_code == 303
    WebFormSubmission.objects.update(at=webform.created_at - timedelta(minutes=50))
    refused = _post(webform, _valid(email="a2@acme.example"))
    assert refused.status_code == 429
    assert 9 * 60 <= int(refused["Retry-After"]) <= 11 * 60  # the older post leaves the hour in about 10 minutes
    settings.RAPPORT_WEBFORM_RATE_LIMIT = []
    assert _post(webform, _valid(email="a3@acme.example")).status_code == 303


def test_behind_a_proxy_the_forwarded_address_tells_senders_apart(org: Any, webform: WebForm, settings: Any) -> None:
    settings.RAPPORT_TRUSTED_PROXY_COUNT = 1
    settings.RAPPORT_WEBFORM_RATE_LIMIT = [(1, 60)]
    proxy = "10.0.0.2"
    assert _post(webform, _valid(), ip=proxy, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {IP}").status_code == 303
    assert _post(webform, _valid(), ip=proxy, HTTP_X_FORWARDED_FOR=OTHER_IP).status_code == 303
    assert _post(webform, _valid(), ip=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {IP}").status_code == 429
    assert WebFormSubmission.objects.filter(client=service.client_hash(IP)).count() == 1


def test_unknown_and_inactive_forms_are_not_found(org: Any, webform: WebForm) -> None:
    missing = reverse("leads:webform_public", args=["no-such-form"])
    assert Client().get(missing).status_code == 404
    assert Client().post(missing, _valid()).status_code == 404
    service.webform_update(actor=org.admin, form_id=webform.pk, active=False)
    assert Client().get(_url(webform)).status_code == 404
    assert _post(webform, _valid()).status_code == 404
    assert _post_json(webform, _valid()).json()["status"] == 404
    assert _stored() == NOTHING
    assert WebFormSubmission.objects.count() == 0


def test_only_the_forms_fields_are_read(org: Any, webform: WebForm) -> None:
    data = _valid(owner=org.admin.pk, status="qualified", score="999", city="Kraków", web_form="", source="partner")
    assert _post(webform, data).status_code == 303
    lead = Lead.objects.get()
    assert (lead.owner, lead.status, lead.score, lead.city, lead.source) == (
        org.salesperson,
        "new",
        0,
        "",
        lead_source("event"),
    )


def test_oversized_and_unstorable_posts_are_refused(org: Any, webform: WebForm) -> None:
    huge = _post(webform, _valid(description="x" * 70_000))
    assert huge.status_code == 413
    nul = _post_json(webform, _valid(company="Acme\u0000Corp"))
    assert nul.status_code == 400
    assert nul.json()["errors"] == {"company": [str(service.UNSTORABLE_TEXT)]}
    assert _stored() == NOTHING


def test_utm_values_fall_back_to_the_referring_pages_address(org: Any, webform: WebForm) -> None:
    referer = "https://www.example.com/offer?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_content=ad%201"
    assert _post(webform, _valid(utm_medium="display"), HTTP_REFERER=referer).status_code == 303
    lead = Lead.objects.get()
    assert (lead.utm_source, lead.utm_medium, lead.utm_campaign, lead.utm_content) == (
        "google",
        "display",
        "brand",
        "ad 1",
    )


def test_custom_fields_on_the_form(org: Any) -> None:
    CustomField.objects.create(record_type="lead", key="budget", label="Budget", field_type="number")
    CustomField.objects.create(
        record_type="lead", key="size", label="Size", field_type="choice", choices=["1-10", "11-50"]
    )
    form = service.webform_create(
        actor=org.admin,
        name="Quote",
        fields=["last_name", "email", {"name": "cf_budget", "required": True}, "cf_size"],
        owner=org.salesperson,
    )
    bad = _post(form, {"last_name": "Nowak", "email": "n@example.com", "cf_budget": "lots", "cf_size": "huge"})
    assert bad.status_code == 400
    errors = {f.name: f.errors for f in bad.context["fields"]}
    assert errors["cf_budget"] == [str(customfields.NOT_A_NUMBER)]
    assert errors["cf_size"] == [str(customfields.NOT_A_CHOICE % {"choices": "1-10, 11-50"})]
    missing = _post_json(form, {"last_name": "Nowak", "email": "n@example.com"})
    assert missing.json()["errors"] == {"cf_budget": [str(customfields.REQUIRED)]}
    assert _stored() == NOTHING

    good = _post(form, {"last_name": "Nowak", "email": "n@example.com", "cf_budget": "12 500,50", "cf_size": "1-10"})
    assert good.status_code == 303
    assert Lead.objects.get().custom == {"budget": "12500.5", "size": "1-10"}


def test_the_hosted_page_stands_alone(org: Any, webform: WebForm, client_for: Any) -> None:
    response = client_for(org.admin).get(_url(webform), {"utm_source": "linkedin", "utm_campaign": '"><script>'})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'class="mainnav"' not in content and "topbar" not in content  # no navigation, even when signed in
    assert '<label for="rapport-company">Organisation<span class="required-mark"' in content
    assert 'name="email"' in content and 'name="city"' not in content
    assert '<div class="trap" aria-hidden="true">' in content and f'name="{service.HONEYPOT}"' in content
    assert '<input type="hidden" name="utm_source" value="linkedin">' in content
    assert 'value="&quot;&gt;&lt;script&gt;"' in content
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in content
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response


def test_hostile_input_is_stored_as_text_and_shown_as_text(org: Any, webform: WebForm, client_for: Any) -> None:
    hostile = '<script>alert("x")</script>'
    assert _post(webform, _valid(first_name=hostile, company="<img src=x onerror=alert(1)>")).status_code == 303
    lead = Lead.objects.get()
    assert lead.first_name == hostile  # stored as typed

    owner = client_for(org.salesperson)
    notifications = owner.get(reverse("notification_list")).content.decode()
    assert hostile not in notifications
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in notifications

    page = owner.get(lead.get_absolute_url()).content.decode()
    if lead.last_name not in page:
        pytest.skip("the lead record page is not built yet")
    assert hostile not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
