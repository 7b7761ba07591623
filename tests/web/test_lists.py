"""List pages: search, filters, sorting, pagination, empty states, htmx fragments, saved views, exports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rapport.core.listing import NOT_A_DATE, UNKNOWN_ORDER
from rapport.core.models import CustomField, CustomFieldType, Job, JobStatus, SavedView
from rapport.core.services.views import NAME_TAKEN
from rapport.customers import services
from rapport.customers.models import Account, CustomerCategory
from rapport.customers.selectors import ACCOUNT_LIST
from rapport.web.views import VIEW_DELETED
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [str(r) for r in response.context["rows"]]


@pytest.fixture
def three(org):
    gold = CustomField.objects.create(
        record_type="account", key="tier", label="Tier", field_type=CustomFieldType.CHOICE, choices=["Gold", "Silver"]
    )
    category = CustomerCategory.objects.create(name="Key account")
    sp, colleague = org.salesperson, org.colleague
    services.account_create(actor=sp, name="Beta", type="customer", country="Poland", custom_fields={"tier": "Gold"})
    services.account_create(actor=sp, name="Alpha", category=category.pk, country="Germany")
    services.account_create(actor=colleague, name="Gamma", type="customer", country="Poland")
    return gold, category


def test_default_order_search_and_filters(client_for, org, three) -> None:
    _gold, category = three
    client = client_for(org.emea_manager)
    assert names(client.get("/accounts/")) == ["Alpha", "Beta", "Gamma"]
    assert names(client.get("/accounts/?q=gam")) == ["Gamma"]
    assert names(client.get("/accounts/?type=customer")) == ["Beta", "Gamma"]
    assert names(client.get(f"/accounts/?category={category.pk}")) == ["Alpha"]
    assert names(client.get(f"/accounts/?owner={org.colleague.pk}")) == ["Gamma"]
    assert names(client.get("/accounts/?country=pol&type=customer")) == ["Beta", "Gamma"]
    assert names(client.get("/accounts/?cf_tier=Gold")) == ["Beta"]
    assert names(client.get(f"/accounts/?team={org.poland.pk}")) == ["Alpha", "Beta", "Gamma"]
    assert names(client.get(f"/accounts/?team={org.americas.pk}")) == []
    salesperson = client_for(org.salesperson)
    assert names(salesperson.get("/accounts/?owner=me")) == ["Alpha", "Beta"]


def test_created_range_filter(client_for, org, three) -> None:
    client = client_for(org.emea_manager)
    assert len(names(client.get("/accounts/?created_after=2000-01-01"))) == 3
    assert names(client.get("/accounts/?created_before=2000-01-01")) == []


def test_sorting_toggles_and_keeps_filters(client_for, org, three) -> None:
    client = client_for(org.emea_manager)
    assert names(client.get("/accounts/?ordering=-name")) == ["Gamma", "Beta", "Alpha"]
    page = client.get("/accounts/?type=customer").content.decode()
    assert 'href="?type=customer&amp;ordering=-name"' in page  # sorted by name now: the next click reverses
    assert 'href="?type=customer&amp;ordering=country"' in page
    page = client.get("/accounts/?type=customer&ordering=-name").content.decode()
    assert 'href="?type=customer&amp;ordering=name"' in page


def test_pagination_with_counts(client_for, org) -> None:
    AccountFactory.create_batch(53, owner=org.salesperson)
    client = client_for(org.salesperson)
    first = client.get("/accounts/")
    assert len(first.context["rows"]) == 50
    assert "1–50 of 53" in first.content.decode()  # noqa: RUF001
    assert 'href="?page=2"' in first.content.decode()
    second = client.get("/accounts/?page=2")
    assert len(second.context["rows"]) == 3
    assert "51–53 of 53" in second.content.decode()  # noqa: RUF001
    assert "Page 2 of 2" in second.content.decode()
    # A page past the end shows the last one rather than an error.
    assert client.get("/accounts/?page=99").context["page"].page == 2


def test_thousands_are_grouped() -> None:
    from rapport.web.templatetags.web import page_range_text

    class FakePage:
        count, page, limit = 1234, 1, 50

    assert page_range_text(FakePage()) == "1–50 of 1,234"  # type: ignore[arg-type]  # noqa: RUF001


def test_empty_states(client_for, org, three) -> None:
    client = client_for(org.other_salesperson)
    empty = client.get("/accounts/").content.decode()
    assert "No accounts yet" in empty
    assert "Create the first account" in empty
    filtered = client_for(org.emea_manager).get("/accounts/?q=nothing-like-this").content.decode()
    assert "No accounts match these filters" in filtered
    assert "Clear filters" in filtered
    executive_empty = client_for(org.executive).get("/contacts/").content.decode()
    assert "No contacts yet" in executive_empty
    assert "Create the first contact" not in executive_empty


def test_invalid_filters_are_explained_not_a_500(client_for, org, three) -> None:
    client = client_for(org.emea_manager)
    response = client.get("/accounts/?created_after=yesterday&ordering=shoe-size&type=customer")
    assert response.status_code == 200
    content = response.content.decode()
    assert str(NOT_A_DATE) in content
    choices = ", ".join(ACCOUNT_LIST.ordering_choices())
    assert str(UNKNOWN_ORDER % {"choices": choices}) in content
    # The valid filter still applies.
    assert names(response) == ["Beta", "Gamma"]
    assert client.get("/accounts/?owner=abc&team=-1&category=x").status_code == 200
    assert client.get("/contacts/?consent=maybe&account=zzz").status_code == 200


def test_htmx_request_gets_only_the_table(client_for, org, three) -> None:
    client = client_for(org.emea_manager)
    response = client.get(
        "/accounts/?type=customer&owner=", headers={"HX-Request": "true", "HX-Target": "list-results"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="list-results"')
    assert "<html" not in content
    assert 'id="filter-form"' not in content
    assert "Beta" in content and "Alpha" not in content
    assert response["HX-Push-Url"] == "/accounts/?type=customer"
    assert 'hx-swap-oob="true"' in content  # export and save-view forms follow the filters


def test_contact_list_filters(client_for, org, scene) -> None:
    services.contact_create(actor=org.salesperson, last_name="Nowak", do_not_contact=True, marketing_consent="given")
    client = client_for(org.salesperson)
    assert names(client.get("/contacts/")) == ["Jan Kowalski", "Nowak"]
    assert names(client.get(f"/contacts/?account={scene.account.pk}")) == ["Jan Kowalski"]
    assert names(client.get("/contacts/?do_not_contact=true")) == ["Nowak"]
    assert names(client.get("/contacts/?consent=given")) == ["Nowak"]
    assert names(client.get("/contacts/?q=jan@acme")) == ["Jan Kowalski"]
    page = client.get(f"/contacts/?account={scene.account.pk}").content.decode()
    assert "Acme Polska" in page  # the account filter shows the chosen account's name


def test_saved_views(client_for, org, three) -> None:
    client = client_for(org.emea_manager)
    response = client.post("/views/account/save/", {"name": "Customers", "query": "type=customer"})
    assert response["Location"] == "/accounts/?type=customer"
    view = SavedView.objects.get(owner=org.emea_manager)
    page = client.get("/accounts/?type=customer")
    assert page.context["active_view"] == view
    assert 'href="/accounts/?type=customer">Customers' in page.content.decode()
    again = client.post("/views/account/save/", {"name": "Customers", "query": "type=prospect"}, follow=True)
    assert str(NAME_TAKEN) in again.content.decode()
    # Only the owner can delete, after confirming.
    assert client_for(org.salesperson).post(f"/views/{view.pk}/delete/").status_code == 404
    assert client.get(f"/views/{view.pk}/delete/").status_code == 200
    assert SavedView.objects.filter(pk=view.pk).exists()
    deleted = client.post(f"/views/{view.pk}/delete/", follow=True)
    assert str(VIEW_DELETED % {"name": "Customers"}) in deleted.content.decode()
    assert not SavedView.objects.exists()


def test_export_starts_a_job_and_only_its_creator_downloads(
    client_for, org, three, django_capture_on_commit_callbacks
) -> None:
    client = client_for(org.emea_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/export/?type=customer", {"format": "csv"})
    job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.params["filters"] == {"type": "customer"}
    page = client.get(f"/jobs/{job.pk}/")
    content = page.content.decode()
    assert '<progress max="100" value="100"' in content
    assert reverse("job_download", args=[job.pk]) in content
    assert "hx-trigger" not in content.split('id="job-progress"')[1].split(">")[0]  # polling stopped
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Beta" in body and "Gamma" in body and "Alpha" not in body
    other = client_for(org.salesperson)
    assert other.get(f"/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert client_for(org.admin).get(f"/jobs/{job.pk}/download/").status_code == 200


def test_running_job_polls_itself(client_for, org) -> None:
    job = Job.objects.create(kind="customers.export", title="Export", created_by=org.salesperson, progress=40)
    job.status = JobStatus.RUNNING
    job.save()
    client = client_for(org.salesperson)
    content = client.get(f"/jobs/{job.pk}/").content.decode()
    assert '<progress max="100" value="40"' in content
    assert 'hx-trigger="every 1s"' in content
    fragment = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true", "HX-Target": "job-progress"})
    assert fragment.content.decode().lstrip().startswith('<div id="job-progress"')
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404  # not done yet


def test_failed_job_shows_its_errors(client_for, org) -> None:
    job = Job.objects.create(
        kind="customers.export",
        title="Export",
        created_by=org.salesperson,
        status=JobStatus.FAILED,
        errors=["Disk full."],
    )
    content = client_for(org.salesperson).get(f"/jobs/{job.pk}/").content.decode()
    assert "Disk full." in content
    assert "The job failed." in content


def test_bad_export_format_is_a_message(client_for, org) -> None:
    response = client_for(org.salesperson).post("/accounts/export/", {"format": "pdf"}, follow=True)
    assert "Choose csv or xlsx." in response.content.decode()
    assert not Job.objects.exists()
    assert Account.objects.count() == 0
