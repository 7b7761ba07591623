"""`/api/v1/accounts` and `/api/v1/contacts` through the API: lists, writes, merge, history, vCard."""

from __future__ import annotations

from rapport.core.listing import UNKNOWN_ORDER
from rapport.core.models import AuditEntry
from rapport.customers.models import Account, AccountContact, Contact
from rapport.customers.selectors import ACCOUNT_LIST
from rapport.customers.services import MERGE_SAME
from rapport.customers.vcard import contact_vcard, escape
from tests.api.conftest import assert_problem, db_snapshot
from tests.factories import AccountFactory, ContactFactory


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [a["name"] for a in response.json()["items"]]


# --- accounts: lists ---------------------------------------------------------------------------


def test_account_list_envelope_and_visibility(org, api_for):
    mine = AccountFactory.create(owner=org.salesperson, name="Mine")
    AccountFactory.create(owner=org.colleague, name="Colleague's")
    AccountFactory.create(owner=org.other_salesperson, name="Other team's")
    body = api_for(org.salesperson).get("accounts").json()
    assert set(body) == {"items", "count"}
    assert body["count"] == 1
    assert body["items"][0]["id"] == mine.pk and body["items"][0]["owner"] == org.salesperson.pk
    assert _names(api_for(org.emea_manager).get("accounts")) == ["Colleague's", "Mine"]
    assert api_for(org.admin).get("accounts").json()["count"] == 3


def test_account_filters(org, api_for):
    AccountFactory.create(owner=org.emea_manager, name="Managers prospect", type="prospect")
    AccountFactory.create(owner=org.salesperson, name="Acme Polska", type="customer", city="Kraków")
    AccountFactory.create(owner=org.salesperson, name="Beta Widgets", type="prospect")
    AccountFactory.create(owner=org.colleague, name="Acme Deutschland", type="customer")
    api = api_for(org.emea_manager)
    assert _names(api.get("accounts", owner="me")) == ["Managers prospect"]
    assert _names(api.get("accounts", owner=org.salesperson.pk)) == ["Acme Polska", "Beta Widgets"]
    assert _names(api.get("accounts", type="customer")) == ["Acme Deutschland", "Acme Polska"]
    assert _names(api.get("accounts", q="acme")) == ["Acme Deutschland", "Acme Polska"]
    assert _names(api.get("accounts", q="acme pol")) == ["Acme Polska"]
    assert _names(api.get("accounts", q="acme", owner=org.colleague.pk)) == ["Acme Deutschland"]
    assert _names(api.get("accounts", team=org.poland.pk, type="prospect")) == ["Beta Widgets"]


def test_account_ordering_and_bad_ordering(org, api_for):
    for name, country in [("B", "Poland"), ("A", "Spain"), ("C", "Austria")]:
        AccountFactory.create(owner=org.salesperson, name=name, country=country)
    api = api_for(org.salesperson)
    assert _names(api.get("accounts")) == ["A", "B", "C"]
    assert _names(api.get("accounts", ordering="-name")) == ["C", "B", "A"]
    assert _names(api.get("accounts", ordering="country")) == ["C", "B", "A"]
    body = assert_problem(api.get("accounts", ordering="password"), 422, {"ordering"})
    assert body["errors"]["ordering"] == [str(UNKNOWN_ORDER % {"choices": ", ".join(ACCOUNT_LIST.ordering_choices())})]
    assert_problem(api.get("accounts", type="villain"), 422, {"type"})
    assert_problem(api.get("accounts", owner="someone"), 422, {"owner"})


def test_account_pagination(org, api_for):
    for i in range(7):
        AccountFactory.create(owner=org.salesperson, name=f"Account {i}")
    api = api_for(org.salesperson)
    page = api.get("accounts", limit=3, page=3).json()
    assert page["count"] == 7
    assert [a["name"] for a in page["items"]] == ["Account 6"]
    assert _names(api.get("accounts", limit=3, page=2)) == ["Account 3", "Account 4", "Account 5"]
    assert_problem(api.get("accounts", limit=201), 422, {"limit"})
    assert_problem(api.get("accounts", page=0), 422, {"page"})


# --- accounts: writes --------------------------------------------------------------------------


def test_create_account_defaults_owner_to_creator(org, api_for):
    response = api_for(org.salesperson).post("accounts", {"name": "  Acme  ", "city": "Gdańsk"})
    assert response.status_code == 201, response.content
    body = response.json()
    account = Account.objects.get(pk=body["id"])
    assert (account.name, account.owner, account.created_by, account.type) == (
        "Acme",
        org.salesperson,
        org.salesperson,
        "prospect",
    )
    assert body["owner"] == org.salesperson.pk and body["city"] == "Gdańsk"


def test_create_account_validation(org, api_for):
    api = api_for(org.salesperson)
    before = db_snapshot()
    assert_problem(api.post("accounts", {}), 422, {"name"})
    assert_problem(api.post("accounts", {"name": "A", "employees": -1}), 422, {"employees"})
    assert_problem(api.post("accounts", {"name": "A", "category": 999999}), 422, {"category"})
    assert_problem(api.post("accounts", {"name": "A", "website": "not a url"}), 422, {"website"})
    assert_problem(api.post("accounts", {"name": "A", "annual_revenue_amount": "10"}), 422, {"annual_revenue_currency"})
    assert db_snapshot() == before


def test_patch_is_partial_and_delete_removes(org, api_for):
    account = AccountFactory.create(owner=org.salesperson, name="Acme", city="Łódź", phone="+48 1")
    api = api_for(org.salesperson)
    response = api.patch(f"accounts/{account.pk}", {"phone": "+48 22 000 00 00"})
    assert response.status_code == 200, response.content
    account.refresh_from_db()
    assert (account.name, account.city, account.phone) == ("Acme", "Łódź", "+48 22 000 00 00")
    # a salesperson sees and edits the account but may not delete it; their manager may
    before = db_snapshot()
    assert_problem(api.delete(f"accounts/{account.pk}"), 403)
    assert db_snapshot() == before
    assert api_for(org.emea_manager).delete(f"accounts/{account.pk}").status_code == 204
    assert not Account.objects.filter(pk=account.pk).exists()
    assert_problem(api.get(f"accounts/{account.pk}"), 404)


def test_merge_and_history(org, api_for):
    keep = AccountFactory.create(owner=org.salesperson, name="Acme", city="")
    duplicate = AccountFactory.create(owner=org.salesperson, name="ACME Ltd", city="Poznań")
    contact = ContactFactory.create(owner=org.salesperson, account=duplicate)
    AccountContact.objects.create(account=duplicate, contact=contact)
    api = api_for(org.emea_manager)
    assert_problem(api.post(f"accounts/{keep.pk}/merge", {"duplicate": keep.pk}), 422)
    assert api.post(f"accounts/{keep.pk}/merge", {"duplicate": keep.pk}).json()["errors"] == {
        "duplicate": [str(MERGE_SAME)]
    }
    merged = api.post(f"accounts/{keep.pk}/merge", {"duplicate": duplicate.pk})
    assert merged.status_code == 200, merged.content
    assert merged.json()["city"] == "Poznań"
    assert not Account.objects.filter(pk=duplicate.pk).exists()
    assert Contact.objects.get(pk=contact.pk).account_id == keep.pk

    api.patch(f"accounts/{keep.pk}", {"name": "Acme Group"})
    history = api.get(f"accounts/{keep.pk}/history").json()
    assert history[0]["action"] == "update" and history[0]["changes"] == {"name": ["Acme", "Acme Group"]}
    assert history[0]["actor"] == org.emea_manager.pk
    assert history[1]["action"] == "merge" and history[1]["changes"]["city"] == ["", "Poznań"]


# --- contacts ------------------------------------------------------------------------------------


def test_contact_create_list_patch_history_delete(org, api_for):
    account = AccountFactory.create(owner=org.salesperson, name="Acme")
    api = api_for(org.salesperson)
    created = api.post(
        "contacts",
        {
            "first_name": "Jan",
            "last_name": "Kowalski",
            "email": "jan@acme.pl",
            "account": account.pk,
            "purchase_role": "champion",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["owner"], body["account"], body["accounts"]) == (
        org.salesperson.pk,
        account.pk,
        [{"account": account.pk, "purchase_role": "champion"}],
    )
    ContactFactory.create(owner=org.other_salesperson, last_name="Hidden")
    listed = api.get("contacts").json()
    assert (listed["count"], [c["last_name"] for c in listed["items"]]) == (1, ["Kowalski"])
    assert [c["last_name"] for c in api.get("contacts", q="kowal jan").json()["items"]] == ["Kowalski"]
    assert api.get("contacts", account=account.pk).json()["count"] == 1
    assert_problem(api.get("contacts", ordering="salary"), 422, {"ordering"})

    url = f"contacts/{body['id']}"
    assert api.patch(url, {"title": "CTO"}).json()["email"] == "jan@acme.pl"
    history = api.get(f"{url}/history").json()
    assert history[0]["changes"] == {"title": ["", "CTO"]}
    assert history[-1]["action"] == "create"
    assert_problem(api.delete(url), 403)
    assert api_for(org.emea_manager).delete(url).status_code == 204
    assert_problem(api.get(url), 404)
    assert AuditEntry.objects.filter(record_type="contact", action="delete").count() == 1


def test_contact_vcard(org, api_for):
    account = AccountFactory.create(owner=org.salesperson, name="Acme; Sons, Ltd")
    contact = ContactFactory.create(
        owner=org.salesperson,
        first_name="Zażółć",
        last_name="Gęślą",
        title="Head of Things",
        account=account,
        email="z@example.com",
        phone="+48 22 111",
        mobile="+48 600 111",
        city="Kraków",
        description="Line one\nLine two, with a comma",
    )
    response = api_for(org.salesperson).get(f"contacts/{contact.pk}/vcard")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;") and ".vcf" in response["Content-Disposition"]
    text = response.content.decode()
    lines = text.split("\r\n")
    assert lines[:4] == ["BEGIN:VCARD", "VERSION:3.0", "N:Gęślą;Zażółć;;;", "FN:Zażółć Gęślą"]
    assert "ORG:Acme\\; Sons\\, Ltd" in lines
    assert "TEL;TYPE=WORK:+48 22 111" in lines and "TEL;TYPE=CELL:+48 600 111" in lines
    assert "NOTE:Line one\\nLine two\\, with a comma" in lines
    assert text.endswith("END:VCARD\r\n")


def test_vcard_of_a_hidden_contact_is_404(org, api_for):
    contact = ContactFactory.create(owner=org.other_salesperson)
    assert_problem(api_for(org.salesperson).get(f"contacts/{contact.pk}/vcard"), 404)


def test_vcard_folds_long_lines_at_75_octets_without_splitting_characters(org):
    contact = ContactFactory.create(owner=org.salesperson, last_name="Ł" * 60, description="ż" * 100 + "; done")
    text = contact_vcard(contact)
    physical = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in physical)
    assert any(line.startswith(" ") for line in physical)
    unfolded = text.replace("\r\n ", "")
    assert f"N:{'Ł' * 60};{contact.first_name};;;" in unfolded.split("\r\n")
    assert "NOTE:" + "ż" * 100 + "\\; done" in unfolded.split("\r\n")
    assert escape("a\\b,c;d\r\ne\nf") == "a\\\\b\\,c\\;d\\ne\\nf"
