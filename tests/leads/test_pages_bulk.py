"""Bulk actions of the lead list (reassign, status, tag, delete after asking) and the CSV/Excel export;
the services behind them touch only the leads the actor may act on."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from django.utils import timezone

from rapport.core.errors import ActionNotAllowed, InvalidInput
from rapport.core.models import Job, JobStatus, Notification
from rapport.leads.exports import UNKNOWN_FORMAT, leads_export_start
from rapport.leads.models import Lead, LeadStatus, Tag
from rapport.leads.services import bulk
from rapport.leads.services.leads import REASON_REQUIRED
from rapport.leads.views.actions import CHOOSE_OWNER, NOTHING_CHOSEN
from tests.leads.ui_support import make_lead, shown_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(org):
    """Two leads of the salesperson, one of the colleague (all EMEA), one of Americas, one converted."""
    sp = org.salesperson
    first = make_lead(sp, "First")
    second = make_lead(sp, "Second")
    colleagues = make_lead(org.colleague, "Colleague's")
    hidden = make_lead(org.other_salesperson, "Hidden")
    converted = make_lead(sp, "Converted")
    Lead.objects.filter(pk=converted.pk).update(status=LeadStatus.CONVERTED, converted_at=timezone.now())
    return first, second, colleagues, hidden, converted


def ids(*records) -> list[str]:
    return [str(r.pk) for r in records]


def test_bulk_reassign_changes_the_visible_open_leads_and_notifies_the_new_owner_once(client_for, org, leads) -> None:
    first, second, _colleagues, hidden, converted = leads
    client = client_for(org.emea_manager)
    response = client.post(
        "/leads/bulk/",
        {
            "action": "reassign",
            "owner": org.colleague.pk,
            "ids": ids(first, second, hidden, converted),
            "next": "/leads/?q=x",
        },
    )
    assert response["Location"] == "/leads/?q=x"
    assert shown_messages(response) == ["2 leads reassigned."]
    owners = dict(Lead.objects.values_list("last_name", "owner_id"))
    assert owners["First"] == owners["Second"] == org.colleague.pk
    assert owners["Hidden"] == org.other_salesperson.pk
    assert owners["Converted"] == org.salesperson.pk
    assert Notification.objects.filter(recipient=org.colleague).count() == 1


def test_bulk_reassign_without_an_owner_says_so(client_for, org, leads) -> None:
    client = client_for(org.emea_manager)
    response = client.post("/leads/bulk/", {"action": "reassign", "ids": ids(leads[0])})
    assert shown_messages(response) == [str(CHOOSE_OWNER)]
    assert Lead.objects.get(pk=leads[0].pk).owner == org.salesperson


def test_nothing_ticked_changes_nothing(client_for, org, leads) -> None:
    response = client_for(org.emea_manager).post("/leads/bulk/", {"action": "status", "status": "contacted"})
    assert shown_messages(response) == [str(NOTHING_CHOSEN)]
    assert not Lead.objects.filter(status="contacted").exists()


def test_bulk_status_for_every_lead_on_the_page(client_for, org, leads) -> None:
    first, second, colleagues, hidden, _converted = leads
    client = client_for(org.emea_manager)
    page_ids = ",".join(ids(first, second, colleagues, hidden))
    response = client.post(
        "/leads/bulk/", {"action": "status", "status": "contacted", "all_on_page": "1", "page_ids": page_ids}
    )
    assert shown_messages(response) == ["Status changed on 3 leads."]
    statuses = dict(Lead.objects.values_list("last_name", "status"))
    assert statuses == {
        "First": "contacted",
        "Second": "contacted",
        "Colleague's": "contacted",
        "Hidden": "new",
        "Converted": "converted",
    }


def test_bulk_disqualify_needs_a_reason(client_for, org, leads) -> None:
    first, second, *_ = leads
    client = client_for(org.emea_manager)
    response = client.post(
        "/leads/bulk/", {"action": "status", "status": "disqualified", "ids": ids(first, second)}, follow=True
    )
    assert str(REASON_REQUIRED) in response.content.decode()
    assert not Lead.objects.filter(status="disqualified").exists()
    response = client.post(
        "/leads/bulk/",
        {"action": "status", "status": "disqualified", "reason": "Student project", "ids": ids(first, second)},
    )
    assert shown_messages(response) == ["Status changed on 2 leads."]
    assert set(Lead.objects.filter(status="disqualified").values_list("disqualify_reason", flat=True)) == {
        "Student project"
    }


def test_bulk_add_tag(client_for, org, leads) -> None:
    first, second, _colleagues, hidden, _converted = leads
    Tag.objects.create(name="Fair 2026")
    first.tags.add(Tag.objects.get())
    client = client_for(org.salesperson)
    response = client.post("/leads/bulk/", {"action": "tag", "tag": " fair 2026 ", "ids": ids(first, second, hidden)})
    assert shown_messages(response) == ["Tag added to 1 lead."]
    assert list(second.tags.values_list("name", flat=True)) == ["Fair 2026"]
    assert not hidden.tags.exists()
    assert Tag.objects.count() == 1


def test_bulk_delete_asks_first_with_the_count(client_for, org, leads) -> None:
    first, second, _colleagues, hidden, _converted = leads
    client = client_for(org.emea_manager)
    response = client.post("/leads/bulk/", {"action": "delete", "ids": ids(first, second, hidden)})
    assert response.status_code == 200
    assert "Delete 2 leads?" in response.content.decode()
    assert Lead.objects.count() == 5
    response = client.post("/leads/bulk/", {"action": "delete", "confirm": "1", "ids": ids(first, second, hidden)})
    assert shown_messages(response) == ["2 leads deleted."]
    assert set(Lead.objects.values_list("last_name", flat=True)) == {"Colleague's", "Hidden", "Converted"}


def test_bulk_delete_is_refused_without_the_right(client_for, org, leads) -> None:
    client = client_for(org.salesperson)
    assert client.post("/leads/bulk/", {"action": "delete", "confirm": "1", "ids": ids(leads[0])}).status_code == 403
    assert Lead.objects.count() == 5
    assert "Delete…" not in client.get("/leads/").content.decode()


def test_the_bulk_services_only_touch_what_the_actor_may_act_on(org, leads) -> None:
    first, second, colleagues, hidden, converted = leads
    sp = org.salesperson
    assert bulk.leads_set_status(actor=sp, lead_ids=ids(first, colleagues, hidden, converted), status="qualified") == 1
    assert bulk.leads_set_status(actor=sp, lead_ids=ids(first), status="qualified") == 0  # already qualified
    with pytest.raises(InvalidInput) as caught:
        bulk.leads_set_status(actor=sp, lead_ids=ids(second), status="new")
    assert caught.value.errors == {"status": [str(bulk.BULK_STATUS_ONLY)]}
    with pytest.raises(InvalidInput) as caught:
        bulk.leads_add_tag(actor=sp, lead_ids=ids(second), tag="  ")
    assert caught.value.errors == {"tag": [str(bulk.TAG_REQUIRED)]}
    with pytest.raises(ActionNotAllowed):
        bulk.leads_delete(actor=sp, lead_ids=ids(first))
    with pytest.raises(ActionNotAllowed):
        bulk.leads_set_status(actor=org.executive, lead_ids=ids(first), status="contacted")
    assert bulk.leads_delete(actor=org.emea_manager, lead_ids=ids(first, hidden)) == 1
    assert Lead.objects.filter(pk=hidden.pk).exists()


# --- export -------------------------------------------------------------------------------------------


def test_the_export_has_the_leads_the_actor_sees_with_the_filters(
    client_for, org, leads, django_capture_on_commit_callbacks
) -> None:
    make_lead(org.salesperson, "=HYPERLINK(1)", company="Evil")
    client = client_for(org.salesperson)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/leads/export/?status=new&ordering=name", {"format": "csv"})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.DONE
    with job.file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8").removeprefix(codecs.BOM_UTF8.decode()))))
    job.file.delete(save=False)
    assert rows[0][:4] == ["ID", "First name", "Last name", "Company"]
    assert [row[2] for row in rows[1:]] == ["'=HYPERLINK(1)", "First", "Second"]


def test_a_bad_export_request_is_refused(org) -> None:
    with pytest.raises(InvalidInput) as caught:
        leads_export_start(actor=org.salesperson, params={}, file_format="pdf")
    assert caught.value.errors == {"format": [str(UNKNOWN_FORMAT)]}
    assert not Job.objects.exists()
