"""The lead list and record pages: filters, sorting, search, pagination, empty states, quick and full
create (with the assignment rules and duplicate warnings), edit, status actions, the checklist, and
who may see and do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from rapport.core.listing import NOT_A_NUMBER
from rapport.core.models import AuditEntry, CustomField, CustomFieldType
from rapport.leads.dedupe import SAME_EMAIL
from rapport.leads.forms import ASSIGNMENT_RULES
from rapport.leads.models import AssignmentRule, Lead, LeadStatus, ScoringRule
from rapport.leads.services.leads import CONVERTED_READ_ONLY, REASON_REQUIRED, VALUE_NEEDS_CURRENCY
from rapport.leads.views.actions import STATUS_CHANGED
from rapport.leads.views.pages import (
    LEAD_CREATED,
    LEAD_CREATED_ELSEWHERE,
    LEAD_DELETED,
    duplicates_warning,
    urlpatterns,
)
from tests.factories import ContactFactory, LeadFactory, lead_source
from tests.leads.ui_support import make_lead, names, shown_messages

pytestmark = pytest.mark.django_db


# --- the list -------------------------------------------------------------------------------------


@pytest.fixture
def three(org):
    """Three leads of the Poland team (two of the salesperson, one of the colleague) and one of Americas."""
    CustomField.objects.create(
        record_type="lead", key="size", label="Size", field_type=CustomFieldType.CHOICE, choices=["S", "L"]
    )
    ScoringRule.objects.create(name="Event", field="source", operator="equals", value="event", points=30)
    sp = org.salesperson
    anna = make_lead(sp, "Adamska", first_name="Anna", company="Zeta", country="Poland", source="event", tags=["vip"])
    bart = make_lead(
        sp,
        "Bąk",
        first_name="Bartosz",
        company="Alfa",
        country="Germany",
        need_identified=True,
        custom_fields={"size": "L"},
    )
    cyryl = make_lead(
        org.colleague, "Cichy", first_name="Cyryl", company="Beta", country="Poland", campaign="Fair 2026"
    )
    make_lead(org.other_salesperson, "Hidden", first_name="Harry", company="Zeta US")
    return anna, bart, cyryl


def test_the_manager_sees_the_team_newest_first_and_filters_narrow_it(client_for, org, three) -> None:
    anna, _bart, cyryl = three
    client = client_for(org.emea_manager)
    assert names(client.get("/leads/")) == ["Cyryl Cichy", "Bartosz Bąk", "Anna Adamska"]
    assert names(client.get(f"/leads/?owner={org.colleague.pk}")) == ["Cyryl Cichy"]
    assert names(client.get(f"/leads/?source={anna.source_id}")) == ["Anna Adamska"]
    assert names(client.get("/leads/?tag=VIP")) == ["Anna Adamska"]
    assert names(client.get("/leads/?score_min=10")) == ["Anna Adamska"]
    assert names(client.get("/leads/?score_max=10")) == ["Cyryl Cichy", "Bartosz Bąk"]
    assert names(client.get("/leads/?need_identified=true")) == ["Bartosz Bąk"]
    assert names(client.get("/leads/?country=pol")) == ["Cyryl Cichy", "Anna Adamska"]
    assert names(client.get("/leads/?campaign=fair")) == ["Cyryl Cichy"]
    assert names(client.get("/leads/?cf_size=L")) == ["Bartosz Bąk"]
    assert names(client.get(f"/leads/?team={org.americas.pk}")) == []
    assert names(client.get("/leads/?q=bak")) == ["Bartosz Bąk"]
    Lead.objects.filter(pk=cyryl.pk).update(status=LeadStatus.CONTACTED)
    assert names(client.get("/leads/?status=contacted")) == ["Cyryl Cichy"]


def test_the_created_period_filter(client_for, org, three) -> None:
    anna, _bart, _cyryl = three
    Lead.objects.filter(pk=anna.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    client = client_for(org.emea_manager)
    since = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert names(client.get(f"/leads/?created_after={since}")) == ["Cyryl Cichy", "Bartosz Bąk"]
    assert names(client.get(f"/leads/?created_before={since}")) == ["Anna Adamska"]


def test_a_salesperson_sees_only_their_own_leads(client_for, org, three) -> None:
    client = client_for(org.salesperson)
    assert names(client.get("/leads/")) == ["Bartosz Bąk", "Anna Adamska"]
    assert names(client.get("/leads/?q=zeta")) == ["Anna Adamska"]  # not Harry's "Zeta US"


def test_sorting_by_columns(client_for, org, three) -> None:
    client = client_for(org.emea_manager)
    assert names(client.get("/leads/?ordering=name")) == ["Anna Adamska", "Bartosz Bąk", "Cyryl Cichy"]
    assert names(client.get("/leads/?ordering=company")) == ["Bartosz Bąk", "Cyryl Cichy", "Anna Adamska"]
    assert names(client.get("/leads/?ordering=-score"))[0] == "Anna Adamska"
    page = client.get("/leads/?ordering=name").content.decode()
    assert 'href="?ordering=-name"' in page  # sorted by name now: the next click reverses


def test_bad_filters_are_named_and_the_rest_still_apply(client_for, org, three) -> None:
    client = client_for(org.emea_manager)
    response = client.get("/leads/?score_min=lots&country=germany")
    assert response.status_code == 200
    assert names(response) == ["Bartosz Bąk"]
    assert str(NOT_A_NUMBER) in response.content.decode()


def test_pagination(client_for, org) -> None:
    LeadFactory.create_batch(53, owner=org.salesperson)
    client = client_for(org.salesperson)
    first = client.get("/leads/")
    assert len(first.context["rows"]) == 50
    assert "1–50 of 53" in first.content.decode()  # noqa: RUF001
    second = client.get("/leads/?page=2")
    assert len(second.context["rows"]) == 3
    assert second.context["page_ids"] == ",".join(str(lead.pk) for lead in second.context["rows"])


def test_empty_states(client_for, org) -> None:
    client = client_for(org.salesperson)
    page = client.get("/leads/").content.decode()
    assert "No leads yet" in page
    assert "Create the first lead" in page
    make_lead(org.salesperson, "Nowak")
    page = client.get("/leads/?q=nobody").content.decode()
    assert "No leads match these filters" in page
    executive_page = client_for(org.executive).get("/leads/?q=nobody").content.decode()
    assert "No leads match these filters" in executive_page


def test_htmx_gets_only_the_results_with_the_address_to_show(client_for, org, three) -> None:
    client = client_for(org.emea_manager)
    response = client.get("/leads/?status=new&q=", headers={"HX-Request": "true", "HX-Target": "list-results"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="list-results"')
    assert "<html" not in html
    assert response["HX-Push-Url"] == "/leads/?status=new"


def test_the_navigation_has_leads_first(client_for, org) -> None:
    html = client_for(org.salesperson).get("/leads/").content.decode()
    nav = html[html.index('class="mainnav"') :]
    assert nav.index("/leads/") < nav.index("/accounts/")
    assert 'href="/leads/" class="active"' in nav


# --- create -------------------------------------------------------------------------------------------


def test_quick_create_makes_a_lead_and_sends_htmx_to_its_page(client_for, org) -> None:
    client = client_for(org.salesperson)
    response = client.post(
        "/leads/quick/",
        {"quick-last_name": "Tanaka", "quick-company": "Kyoto Tea", "quick-source": lead_source("referral").pk},
        headers={"HX-Request": "true"},
    )
    lead = Lead.objects.get(last_name="Tanaka")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/leads/{lead.pk}/"
    assert (lead.company, lead.source, lead.owner, lead.status) == (
        "Kyoto Tea",
        lead_source("referral"),
        org.salesperson,
        "new",
    )
    assert shown_messages(response) == [str(LEAD_CREATED % {"name": "Tanaka"})]


def test_quick_create_shows_what_is_missing_and_saves_nothing(client_for, org) -> None:
    client = client_for(org.salesperson)
    response = client.post(
        "/leads/quick/", {"quick-company": "Kyoto Tea", "quick-email": "nope"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200  # htmx swaps only successful answers
    form = response.context["quick_form"]
    assert form.errors["last_name"] == ["This field is required."]
    assert form.errors["email"] == ["Enter a valid email address."]
    assert 'id="quick-create"' in response.content.decode()
    assert client.post("/leads/quick/", {"quick-company": "Kyoto Tea"}).status_code == 422  # without htmx: a page
    assert not Lead.objects.exists()


def test_full_create_with_every_field(client_for, org) -> None:
    CustomField.objects.create(record_type="lead", key="fair", label="Fair", field_type=CustomFieldType.TEXT)
    client = client_for(org.salesperson)
    form = client.get("/leads/new/").context["form"]
    assert form.fields["owner"].required is False
    assert form.fields["owner"].help_text == ASSIGNMENT_RULES
    response = client.post(
        "/leads/new/",
        {
            "first_name": "Łucja",
            "last_name": "Żak",
            "company": "Żabka",
            "email": "lucja@zabka.example",
            "country": "Poland",
            "source": lead_source("event").pk,
            "campaign": "Targi 2026",
            "need_identified": "on",
            "need_description": "Chłodnie",
            "estimated_value_amount": "1234.56",
            "estimated_value_currency": "PLN",
            "tags": "fair 2026, VIP, vip",
            "cf_fair": "Poznań",
        },
    )
    lead = Lead.objects.get(last_name="Żak")
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/"
    assert (lead.owner, lead.need_identified, lead.need_description) == (org.salesperson, True, "Chłodnie")
    assert (lead.estimated_value_amount, lead.estimated_value_currency_id) == (Decimal("1234.56"), "PLN")
    assert sorted(t.name for t in lead.tags.all()) == ["VIP", "fair 2026"]
    assert lead.custom == {"fair": "Poznań"}
    assert AuditEntry.objects.filter(record_type="lead", record_id=lead.pk, action="create").count() == 1


def test_full_create_shows_validation_messages_and_saves_nothing(client_for, org) -> None:
    client = client_for(org.salesperson)
    response = client.post("/leads/new/", {"company": "Nameless"})
    assert response.status_code == 422
    assert response.context["form"].errors["last_name"] == ["This field is required."]
    response = client.post("/leads/new/", {"last_name": "Żak", "estimated_value_amount": "100"})
    assert response.status_code == 422
    assert response.context["form"].errors["estimated_value_currency"] == [str(VALUE_NEEDS_CURRENCY)]
    assert str(VALUE_NEEDS_CURRENCY) in response.content.decode()
    assert not Lead.objects.exists()


def test_an_empty_owner_lets_the_assignment_rules_decide(client_for, org) -> None:
    AssignmentRule.objects.create(name="Events to Poland", source=lead_source("event"), assign_to_user=org.colleague)
    client = client_for(org.emea_manager)
    response = client.post("/leads/new/", {"last_name": "Routed", "source": lead_source("event").pk})
    lead = Lead.objects.get(last_name="Routed")
    assert lead.owner == org.colleague
    assert response["Location"] == f"/leads/{lead.pk}/"
    client.post("/leads/new/", {"last_name": "Mine", "source": lead_source("partner").pk})
    assert Lead.objects.get(last_name="Mine").owner == org.emea_manager


def test_a_lead_the_rules_give_away_from_my_sight_sends_me_back_to_the_list(client_for, org) -> None:
    AssignmentRule.objects.create(name="All to Americas", assign_to_user=org.other_salesperson)
    client = client_for(org.salesperson)
    response = client.post("/leads/quick/", {"quick-last_name": "Elsewhere"})
    lead = Lead.objects.get(last_name="Elsewhere")
    assert lead.owner == org.other_salesperson
    assert response["Location"] == "/leads/"
    message = LEAD_CREATED_ELSEWHERE % {"name": "Elsewhere", "owner": org.other_salesperson}
    assert shown_messages(response) == [str(message)]


def test_possible_duplicates_are_shown_after_create_and_on_the_page(client_for, org) -> None:
    seen = ContactFactory.create(owner=org.salesperson, first_name="Jan", last_name="Kowal", email="jan@kowal.pl")
    hidden = ContactFactory.create(
        owner=org.other_salesperson, first_name="Jan", last_name="Kowal", email="jan@kowal.pl"
    )
    client = client_for(org.salesperson)
    response = client.post("/leads/new/", {"last_name": "Kowal", "email": "JAN@kowal.pl"}, follow=True)
    assert duplicates_warning(1) in response.content.decode()
    matches = response.context["duplicates"]
    assert [(m.kind, m.id, m.reason) for m in matches] == [("contact", seen.pk, str(SAME_EMAIL))]
    html = response.content.decode()
    assert f"/contacts/{seen.pk}/" in html
    assert f"/contacts/{hidden.pk}/" not in html


def test_a_lead_duplicate_has_a_merge_link_for_those_who_may_merge(client_for, org) -> None:
    first = make_lead(org.salesperson, "Kowal", email="jan@kowal.pl")
    second = make_lead(org.salesperson, "Kowal", email="jan@kowal.pl", company="Other")
    merge_link = f"/leads/{second.pk}/merge/?duplicate={first.pk}"
    assert merge_link in client_for(org.emea_manager).get(f"/leads/{second.pk}/").content.decode()
    salesperson_page = client_for(org.salesperson).get(f"/leads/{second.pk}/").content.decode()
    assert f"/leads/{first.pk}/" in salesperson_page
    assert merge_link not in salesperson_page  # a salesperson may not delete leads, so may not merge them


# --- edit, delete ----------------------------------------------------------------------------------


def test_edit_saves_fields_and_tags(client_for, org) -> None:
    lead = make_lead(org.salesperson, "Nowak", company="Old", tags=["a"])
    client = client_for(org.salesperson)
    form = client.get(f"/leads/{lead.pk}/edit/").context["form"]
    assert form.initial["tags"] == "a"
    assert form.initial["owner"] == org.salesperson.pk
    response = client.post(
        f"/leads/{lead.pk}/edit/",
        {"last_name": "Nowak", "company": "New", "owner": org.salesperson.pk, "tags": "b, c"},
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.company == "New"
    assert sorted(t.name for t in lead.tags.all()) == ["b", "c"]


def test_a_converted_lead_cannot_be_edited(client_for, org) -> None:
    lead = make_lead(org.salesperson, "Done", company="Gone")
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.CONVERTED, converted_at=timezone.now())
    client = client_for(org.salesperson)
    response = client.get(f"/leads/{lead.pk}/edit/", follow=True)
    assert response.redirect_chain[-1][0] == f"/leads/{lead.pk}/"
    assert str(CONVERTED_READ_ONLY) in response.content.decode()
    client.post(f"/leads/{lead.pk}/edit/", {"last_name": "Changed", "owner": org.salesperson.pk})
    client.post(f"/leads/{lead.pk}/status/", {"status": "contacted"})
    lead.refresh_from_db()
    assert (lead.last_name, lead.status) == ("Done", "converted")


def test_delete_asks_first_then_deletes(client_for, org) -> None:
    lead = make_lead(org.salesperson, "Gone")
    client = client_for(org.emea_manager)
    assert "Delete the lead “Gone”?" in client.get(f"/leads/{lead.pk}/delete/").content.decode()
    assert Lead.objects.filter(pk=lead.pk).exists()
    response = client.post(f"/leads/{lead.pk}/delete/")
    assert response["Location"] == "/leads/"
    assert shown_messages(response) == [str(LEAD_DELETED % {"name": "Gone"})]
    assert not Lead.objects.filter(pk=lead.pk).exists()


# --- status and checklist -------------------------------------------------------------------------------


def test_status_buttons(client_for, org) -> None:
    lead = make_lead(org.salesperson, "Nowak")
    client = client_for(org.salesperson)
    response = client.post(f"/leads/{lead.pk}/status/", {"status": "contacted"})
    assert response["Location"] == f"/leads/{lead.pk}/"
    lead.refresh_from_db()
    assert lead.status == "contacted"
    assert shown_messages(response) == [str(STATUS_CHANGED % {"name": "Nowak", "status": "Contacted"})]
    client.post(f"/leads/{lead.pk}/qualify/")
    lead.refresh_from_db()
    assert lead.status == "qualified"


def test_disqualify_needs_a_reason_and_changes_nothing_without_one(client_for, org) -> None:
    lead = make_lead(org.salesperson, "Nowak")
    client = client_for(org.salesperson)
    response = client.post(f"/leads/{lead.pk}/disqualify/", {"reason": "   "})
    assert response.status_code == 422
    assert str(REASON_REQUIRED) in response.content.decode()
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("new", "")
    client.post(f"/leads/{lead.pk}/disqualify/", {"reason": "No budget this year"})
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("disqualified", "No budget this year")
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "No budget this year" in page
    assert f"/leads/{lead.pk}/convert/" not in page  # disqualified: qualify or reopen it first
    client.post(f"/leads/{lead.pk}/status/", {"status": "new"})
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("new", "")


def test_ticking_a_criterion_saves_it_and_the_score_follows(client_for, org) -> None:
    ScoringRule.objects.create(name="Budget", field="criterion_budget", operator="is_set", points=20)
    lead = make_lead(org.salesperson, "Nowak")
    client = client_for(org.salesperson)
    response = client.post(
        f"/leads/{lead.pk}/checklist/", {"criterion": "budget", "met": "1"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    lead.refresh_from_db()
    assert (lead.qualification, lead.score) == ({"budget": True}, 20)
    assert 'data-criterion="budget">Met</button>' in html.replace('aria-pressed="true" ', "")
    assert 'id="lead-score" class="lead-score" hx-swap-oob="true"' in html
    assert "<strong>20</strong>" in html
    client.post(f"/leads/{lead.pk}/checklist/", {"criterion": "budget", "met": "0"})
    lead.refresh_from_db()
    assert (lead.qualification, lead.score) == ({"budget": False}, 0)


def test_an_unknown_criterion_is_refused(client_for, org) -> None:
    lead = make_lead(org.salesperson, "Nowak")
    client = client_for(org.salesperson)
    response = client.post(
        f"/leads/{lead.pk}/checklist/", {"criterion": "luck", "met": "1"}, headers={"HX-Request": "true"}
    )
    assert "There is no such qualification criterion." in response.content.decode()
    lead.refresh_from_db()
    assert lead.qualification == {}


# --- who may see and do what --------------------------------------------------------------------------


def test_a_lead_outside_the_scope_is_a_404_everywhere(client_for, org) -> None:
    lead = make_lead(org.salesperson, "Private")
    client = client_for(org.other_salesperson)
    for url in ("", "edit/", "delete/", "convert/", "merge/", "disqualify/"):
        assert client.get(f"/leads/{lead.pk}/{url}").status_code == 404, url
    for url, data in (
        ("status/", {"status": "contacted"}),
        ("qualify/", {}),
        ("disqualify/", {"reason": "x"}),
        ("checklist/", {"criterion": "budget", "met": "1"}),
        ("edit/", {"last_name": "Hacked", "owner": org.other_salesperson.pk}),
        ("delete/", {}),
    ):
        assert client.post(f"/leads/{lead.pk}/{url}", data).status_code == 404, url
    lead.refresh_from_db()
    assert (lead.last_name, lead.status, lead.qualification) == ("Private", "new", {})


def test_reading_without_the_right_to_change_is_a_403(client_for, org) -> None:
    lead = make_lead(org.salesperson, "Watched")
    executive = client_for(org.executive)
    page = executive.get(f"/leads/{lead.pk}/")
    assert page.status_code == 200
    assert f"/leads/{lead.pk}/edit/" not in page.content.decode()
    assert executive.get("/leads/new/").status_code == 403
    assert executive.get(f"/leads/{lead.pk}/edit/").status_code == 403
    assert executive.post(f"/leads/{lead.pk}/status/", {"status": "contacted"}).status_code == 403
    assert executive.post(f"/leads/{lead.pk}/checklist/", {"criterion": "budget", "met": "1"}).status_code == 403
    assert executive.post("/leads/quick/", {"quick-last_name": "X"}).status_code == 403
    salesperson = client_for(org.salesperson)
    assert salesperson.get(f"/leads/{lead.pk}/delete/").status_code == 403
    assert salesperson.post(f"/leads/{lead.pk}/delete/").status_code == 403
    assert client_for(org.marketing).get(f"/leads/{lead.pk}/merge/").status_code == 403
    lead.refresh_from_db()
    assert (lead.status, lead.qualification) == ("new", {})


def test_every_page_renders_for_the_manager(client_for, org) -> None:
    lead = make_lead(org.salesperson, "Nowak", company="Acme", email="a@acme.example")
    other = make_lead(org.salesperson, "Nowak", company="Acme", email="a@acme.example")
    client = client_for(org.emea_manager)
    for url in (
        "/leads/",
        "/leads/new/",
        "/leads/quick/",
        "/leads/suggest/?term=now",
        f"/leads/{lead.pk}/",
        f"/leads/{lead.pk}/edit/",
        f"/leads/{lead.pk}/delete/",
        f"/leads/{lead.pk}/disqualify/",
        f"/leads/{lead.pk}/convert/",
        f"/leads/{lead.pk}/merge/",
        f"/leads/{lead.pk}/merge/?duplicate={other.pk}",
    ):
        assert client.get(url).status_code == 200, url


def test_every_lead_page_asks_an_anonymous_visitor_to_sign_in(client, org) -> None:
    lead = make_lead(org.salesperson, "Private")
    for pattern in urlpatterns:
        url = "/" + str(pattern.pattern).replace("<int:lead_id>", str(lead.pk))
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/login/"), url
    lead.refresh_from_db()
    assert lead.last_name == "Private"


def test_the_list_links_to_the_import_when_it_exists(client_for, org) -> None:
    html = client_for(org.marketing).get("/leads/").content.decode()
    assert '<a class="button" href="/leads/import/">Import</a>' in html  # the import pages' own address
