"""The activity dialog's participant contacts and custom fields: contacts are chosen among those the
user sees (the service refuses any other, and keeps one the user does not see but did not add), and
the administrators' activity fields are asked, checked and shown again like on every record form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils.translation import gettext as _
from django.utils.translation import override

from rapport.activities.models import Activity
from rapport.activities.services import activity_record_outcome, activity_update
from rapport.activities.services.activities import UNKNOWN_CONTACT
from rapport.core.customfields import NOT_A_NUMBER, REQUIRED
from rapport.core.errors import InvalidInput
from rapport.core.services.customfields import custom_field_create
from rapport.core.visibility import is_visible
from tests.activities.conftest import activity_type, plan
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "activity-dialog-body"}


def new(**fields: Any) -> dict[str, Any]:
    data = {"type": activity_type("meeting").pk, "subject": "Demo", "start": "2026-01-14T10:00"}
    data.update(fields)
    return data


def errors(response: Any) -> dict[str, list[str]]:
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


@pytest.fixture
def contacts(rated):
    """Two contacts of the salesperson's and one of a salesperson in another team, hidden from them."""
    own = [
        ContactFactory.create(owner=rated.salesperson, first_name="Anna", last_name="Nowak"),
        ContactFactory.create(owner=rated.salesperson, first_name="Jan", last_name="Kowalski"),
    ]
    hidden = ContactFactory.create(owner=rated.other_salesperson, first_name="Ukryta", last_name="Osoba")
    assert not is_visible(rated.salesperson, hidden)
    return own, hidden


@pytest.fixture
def fields(rated):
    """Two activity fields: a required project name and a distance in kilometres."""
    custom_field_create(
        actor=rated.admin, record_type="activity", key="project", label="Project", field_type="text", required=True
    )
    custom_field_create(actor=rated.admin, record_type="activity", key="km", label="Kilometres", field_type="number")


# --- participant contacts -----------------------------------------------------------------------------


def test_contacts_chosen_in_the_dialog_are_saved_and_shown_again(rated, client_for, contacts):
    (anna, jan), _hidden = contacts
    client = client_for(rated.salesperson)
    page = client.get("/activities/new/", **HTMX)
    assert b"related_type=contact" in page.content  # the search select asks for contacts
    response = client.post("/activities/new/", new(participant_contacts=[anna.pk, jan.pk]), **HTMX)
    assert response.status_code == 204
    activity = Activity.objects.get()
    assert set(activity.participant_contacts.all()) == {anna, jan}
    edit = client.get(f"/activities/{activity.pk}/edit/", **HTMX)
    assert sorted(edit.context["form"].initial["participant_contacts"]) == sorted([anna.pk, jan.pk])
    assert str(anna).encode() in edit.content and str(jan).encode() in edit.content
    assert f'name="participant_contacts" value="{anna.pk}"'.encode() in edit.content
    data = new(participant_contacts=[jan.pk])  # Anna's chip taken off
    assert client.post(f"/activities/{activity.pk}/edit/", data, **HTMX).status_code == 204
    assert list(activity.participant_contacts.all()) == [jan]
    assert client.post(f"/activities/{activity.pk}/edit/", new(), **HTMX).status_code == 204  # no chip left
    assert not activity.participant_contacts.exists()


def test_the_contact_search_offers_only_visible_contacts(rated, client_for, contacts):
    client = client_for(rated.salesperson)
    found = client.get("/activities/related-suggest/?related_type=contact&term=")
    assert b"Nowak" in found.content and b"Kowalski" in found.content and b"Osoba" not in found.content


@pytest.mark.parametrize("chosen", ["hidden", "unknown", "not a number"])
def test_a_contact_out_of_scope_is_refused_and_nothing_saved(rated, client_for, contacts, chosen):
    (anna, _jan), hidden = contacts
    other = {"hidden": hidden.pk, "unknown": 999999, "not a number": "abc"}[chosen]
    client = client_for(rated.salesperson)
    response = client.post("/activities/new/", new(participant_contacts=[anna.pk, other]), **HTMX)
    assert response.status_code == 200
    assert errors(response) == {"participant_contacts": [str(UNKNOWN_CONTACT)]}
    assert b"Ukryta" not in response.content  # the refused contact is not named back
    assert not Activity.objects.exists()
    meeting = plan(rated.salesperson, participant_contacts=[anna.pk])
    response = client.post(f"/activities/{meeting.pk}/edit/", new(participant_contacts=[other]), **HTMX)
    assert errors(response) == {"participant_contacts": [str(UNKNOWN_CONTACT)]}
    assert list(meeting.participant_contacts.all()) == [anna]
    assert Activity.objects.get(pk=meeting.pk).subject == "Kick-off"


def test_a_contact_the_editor_does_not_see_stays_but_cannot_be_added_again(rated, client_for, contacts):
    (anna, _jan), hidden = contacts
    meeting = plan(rated.admin, owner=rated.salesperson.pk, participant_contacts=[hidden.pk])
    client = client_for(rated.salesperson)
    edit = client.get(f"/activities/{meeting.pk}/edit/", **HTMX)
    assert b"Ukryta" not in edit.content  # not named to someone who does not see it
    assert (
        client.post(f"/activities/{meeting.pk}/edit/", new(participant_contacts=[anna.pk]), **HTMX).status_code == 204
    )
    assert set(meeting.participant_contacts.all()) == {anna, hidden}
    # the service: a participant already there may be kept; a new one out of scope is refused
    activity_update(actor=rated.salesperson, activity_id=meeting.pk, participant_contacts=[hidden.pk])
    assert list(meeting.participant_contacts.all()) == [hidden]
    fresh = plan(rated.salesperson)
    with pytest.raises(InvalidInput) as refused:
        activity_update(actor=rated.salesperson, activity_id=fresh.pk, participant_contacts=[hidden.pk])
    assert refused.value.errors == {"participant_contacts": [str(UNKNOWN_CONTACT)]}
    assert not fresh.participant_contacts.exists()


# --- custom fields -------------------------------------------------------------------------------------


def test_the_dialog_asks_for_the_activity_fields(rated, client_for, fields):
    page = client_for(rated.salesperson).get("/activities/new/", **HTMX)
    form = page.context["form"]
    assert {"cf_project", "cf_km"} <= set(form.fields) and form.required_custom() == {"cf_project"}
    assert b"Project" in page.content and b"Kilometres" in page.content
    assert b'aria-required="true"' in page.content and b"required-mark" in page.content


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"cf_km": "3"}, {"cf_project": [str(REQUIRED)]}),
        ({"cf_project": "   "}, {"cf_project": [str(REQUIRED)]}),
        ({"cf_project": "Alpha", "cf_km": "far"}, {"cf_km": [str(NOT_A_NUMBER)]}),
        ({"cf_km": "far"}, {"cf_project": [str(REQUIRED)], "cf_km": [str(NOT_A_NUMBER)]}),  # all at once
    ],
)
def test_wrong_custom_values_are_shown_on_their_fields_and_nothing_saved(rated, client_for, fields, data, expected):
    client = client_for(rated.salesperson)
    response = client.post("/activities/new/", new(**data), **HTMX)
    assert response.status_code == 200 and errors(response) == expected
    assert not Activity.objects.exists()
    assert client.post("/activities/new/", new(**data)).status_code == 422
    meeting = plan(rated.salesperson, custom_fields={"project": "Old"})
    response = client.post(f"/activities/{meeting.pk}/edit/", new(**data), **HTMX)
    assert errors(response) == expected
    assert Activity.objects.get(pk=meeting.pk).custom == {"project": "Old"}


def test_custom_values_are_saved_and_shown_again_on_edit(rated, client_for, fields):
    client = client_for(rated.salesperson)
    response = client.post("/activities/new/", new(cf_project="Alpha", cf_km="1 234,5"), **HTMX)
    assert response.status_code == 204
    assert "is planned" in json.loads(response["HX-Trigger"])["activitySaved"]["message"]
    activity = Activity.objects.get()
    assert activity.custom == {"project": "Alpha", "km": "1234.5"}
    edit = client.get(f"/activities/{activity.pk}/edit/", **HTMX)
    assert edit.context["form"].initial["cf_project"] == "Alpha"
    assert b'value="Alpha"' in edit.content and b'value="1234.5"' in edit.content
    response = client.post(f"/activities/{activity.pk}/edit/", new(cf_project="Beta", cf_km=""), **HTMX)
    assert response.status_code == 204
    activity.refresh_from_db()
    assert activity.custom == {"project": "Beta"}  # an emptied field is taken off


def test_dragging_keeps_the_custom_values(rated, client_for, fields):
    meeting = plan(rated.salesperson, custom_fields={"project": "Alpha"})
    client = client_for(rated.salesperson)
    moved = client.post(
        "/calendar/move/", {"activity": meeting.pk, "occurrence": "2026-01-12T09:00", "start": "2026-01-13T09:00"}
    )
    assert moved.status_code == 200 and moved.json()["ok"] is True
    assert Activity.objects.get(pk=meeting.pk).custom == {"project": "Alpha"}


def test_the_next_step_carries_the_custom_values_of_the_activity_it_follows(rated, fields):
    meeting = plan(rated.salesperson, custom_fields={"project": "Alpha", "km": "12"})
    _done, following = activity_record_outcome(
        actor=rated.salesperson,
        activity_id=meeting.pk,
        outcome_code="follow_up",
        next_activity={"type": activity_type("call").pk, "subject": "Follow-up", "due_date": "2026-01-20"},
    )
    assert following is not None
    assert Activity.objects.get(pk=following.pk).custom == {"project": "Alpha", "km": "12"}  # the required one answered

    _done, other = activity_record_outcome(
        actor=rated.salesperson,
        activity_id=plan(rated.salesperson, custom_fields={"project": "Alpha"}).pk,
        outcome_code="follow_up",
        next_activity={
            "type": activity_type("call").pk, "subject": "Offer", "due_date": "2026-01-21",
            "custom_fields": {"project": "Beta"},
        },
    )  # fmt: skip
    assert other is not None and Activity.objects.get(pk=other.pk).custom == {"project": "Beta"}  # what it says wins


def test_the_new_words_are_in_polish():
    with override("pl"):
        for text in ("Participating contacts", "Search contacts…", "Remove %(label)s"):
            assert _(text) != text, text
