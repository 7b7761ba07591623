"""Web-to-lead forms: administrators define them; the public endpoint turns a visitor's post into a lead.

A form lists the lead fields (and lead custom fields as `cf_<key>`) a page may send; anything else
posted is ignored, so a visitor cannot choose the owner, the status or the score. Every post is logged
in `WebFormSubmission` under a keyed hash of the sender's address (never the address itself): the rate
limit counts those rows, so it holds across processes and servers. A post that fills the hidden
honeypot field is answered as accepted but makes no lead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from rapport.core import audit, customfields
from rapport.core.errors import DomainError, InvalidInput, RecordNotFound
from rapport.core.models import CustomField, CustomFieldType, RoleCode, User
from rapport.core.services._common import CANNOT_BE_SET, full_clean_or_raise, require_admin
from rapport.core.services.notifications import notify
from rapport.leads.assignment import Assigner
from rapport.leads.models import Lead, LeadSource, LeadStatus, WebForm, WebFormSubmission
from rapport.leads.scoring import lead_rescore
from rapport.leads.services.leads import check_lead, resolve

#: the lead fields a web form may ask for, in the order the settings page offers them
FORM_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "title",
    "email",
    "phone",
    "website",
    "industry",
    "street",
    "city",
    "postal_code",
    "region",
    "country",
    "need_description",
    "description",
)
CONTACT_FIELDS = ("email", "phone")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
#: hidden from people by CSS; a bot that fills every input gives itself away
HONEYPOT = "website_url_2"
CUSTOM_PREFIX = "cf_"
DEFAULT_SOURCE = "web_form"
LABEL_LIMIT = 100
UTM_LIMIT = 150
#: (posts, seconds): at most 5 a minute and 30 an hour per sender and form
DEFAULT_RATE_LIMIT = ((5, 60), (30, 3600))
EDITABLE = ("name", "fields", "source", "campaign", "owner", "thank_you_url", "active")

UNKNOWN_FIELD = gettext_lazy("A web form cannot ask for %(name)s.")
REPEATED_FIELD = gettext_lazy("%(name)s is listed more than once.")
NOT_A_FIELD_LIST = gettext_lazy("Give the fields as a list.")
NO_CONTACT_FIELD = gettext_lazy(
    "Ask for an e-mail address or a phone number (or both), so that the lead can be reached."
)
LABEL_TOO_LONG = gettext_lazy("A label has at most %(limit)s characters.")
BAD_THANK_YOU_URL = gettext_lazy("Enter an address that starts with http:// or https://.")
OWNER_NEEDED = gettext_lazy("Choose who gets the leads that no assignment rule gives to someone else.")
CONTACT_NEEDED = gettext_lazy("Give an e-mail address or a phone number.")
NOT_TEXT = gettext_lazy("Enter text.")
UNSTORABLE_TEXT = gettext_lazy("Remove the characters that cannot be stored (NUL characters and unpaired surrogates).")
TOO_MANY_SUBMISSIONS = gettext_lazy("Too many submissions from your address. Please try again later.")


class TooManySubmissions(DomainError):
    """The sender has used up the form's rate limit; `retry_after` says in how many seconds to retry."""

    status = 429
    default_message = TOO_MANY_SUBMISSIONS

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


# --- what a form may ask for -------------------------------------------------------------------------


def custom_fields_for_forms() -> list[CustomField]:
    """Lead custom fields a public form can collect (money fields need an amount and a currency: not offered)."""
    return [f for f in customfields.fields_for("lead") if f.field_type != CustomFieldType.MONEY]


def lead_field(name: str) -> models.Field[Any, Any]:
    field = Lead._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def field_label(name: str) -> str:
    """A lead field's name as a person reads it, in the current language ("E-mail", "Postal code")."""
    return str(capfirst(lead_field(name).verbose_name))


def field_choices() -> list[tuple[str, str]]:
    """(name, label) of every field a form may ask for: lead fields, then lead custom fields as `cf_<key>`."""
    lead_fields = [(name, field_label(name)) for name in FORM_FIELDS]
    return lead_fields + [(f"{CUSTOM_PREFIX}{f.key}", f.label) for f in custom_fields_for_forms()]


def truthy(value: Any) -> bool:
    """A posted yes: a ticked checkbox (`on`), `1`, `true` or `yes`."""
    return value is True or str(value).strip().lower() in {"1", "true", "yes", "on"}


def clean_field_list(raw: Any) -> list[dict[str, Any]]:
    """The form's field list in its stored shape `{"name", "required", "label"}`, checked.

    The last name is always asked for and required (a lead cannot exist without it); the list must
    include an e-mail address or a phone number.
    """
    if not isinstance(raw, list | tuple):
        raise InvalidInput({"fields": [str(NOT_A_FIELD_LIST)]})
    labels = dict(field_choices())
    cleaned: list[dict[str, Any]] = []
    errors: list[str] = []
    for item in raw:
        spec = {"name": item} if isinstance(item, str) else item
        name = str(spec.get("name", "")).strip() if isinstance(spec, Mapping) else ""
        if not isinstance(spec, Mapping) or name not in labels:
            errors.append(str(UNKNOWN_FIELD % {"name": name[:60] or "?"}))
            continue
        if any(c["name"] == name for c in cleaned):
            errors.append(str(REPEATED_FIELD % {"name": labels[name]}))
            continue
        label = " ".join(str(spec.get("label") or "").split())
        if len(label) > LABEL_LIMIT:
            errors.append(str(LABEL_TOO_LONG % {"limit": LABEL_LIMIT}))
            continue
        cleaned.append({"name": name, "required": truthy(spec.get("required", False)), "label": label})
    names = [c["name"] for c in cleaned]
    if "last_name" in names:
        cleaned[names.index("last_name")]["required"] = True
    else:
        at = names.index("first_name") + 1 if "first_name" in names else 0
        cleaned.insert(at, {"name": "last_name", "required": True, "label": ""})
    if not set(CONTACT_FIELDS) & set(names):
        errors.append(str(NO_CONTACT_FIELD))
    if errors:
        raise InvalidInput({"fields": errors})
    return cleaned


# --- administrators: create, change, delete ----------------------------------------------------------


def _default_source() -> LeadSource | None:
    return LeadSource.objects.filter(code=DEFAULT_SOURCE).first()


def _thank_you_url(value: Any) -> str:
    url = str(value or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as exc:
            raise InvalidInput({"thank_you_url": [str(BAD_THANK_YOU_URL)]}) from exc
    return url


def _owner(actor: User, value: Any) -> User:
    owner = resolve(actor, "owner", value)  # active users only
    if owner is None:
        raise InvalidInput({"owner": [str(OWNER_NEEDED)]})
    assert isinstance(owner, User)
    return owner


def _cleaned(actor: User, name: str, value: Any) -> Any:
    match name:
        case "name" | "campaign":
            return " ".join(str(value or "").split())
        case "fields":
            return clean_field_list(value)
        case "source":
            return resolve(actor, "source", value) if value not in (None, "") else _default_source()
        case "owner":
            return _owner(actor, value)
        case "thank_you_url":
            return _thank_you_url(value)
        case "active":
            return truthy(value)
    raise InvalidInput({name: [str(CANNOT_BE_SET)]})


def _apply(actor: User, form: WebForm, changes: Mapping[str, Any]) -> None:
    """Set every change, then validate the whole form; all the wrong fields are reported at once."""
    errors: dict[str, list[str]] = {}
    for name, value in changes.items():
        try:
            setattr(form, name, _cleaned(actor, name, value))
        except InvalidInput as exc:
            errors.update(exc.errors)
    try:
        full_clean_or_raise(form, exclude=list(errors))
    except InvalidInput as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def webform_create(
    *,
    actor: User,
    name: str,
    fields: Iterable[Any],
    owner: Any,
    source: Any = None,
    campaign: str = "",
    thank_you_url: str = "",
    active: bool = True,
) -> WebForm:
    """Define a web-to-lead form (administrators). Without a source, its leads come from "Web form"."""
    require_admin(actor)
    form = WebForm()
    values = {"name": name, "fields": list(fields), "owner": owner, "source": source, "campaign": campaign}
    _apply(actor, form, {**values, "thank_you_url": thank_you_url, "active": active})
    form.save()
    return form


def _form(form_id: Any, *, lock: bool = False) -> WebForm:
    forms_qs = WebForm.objects.select_for_update() if lock else WebForm.objects.all()
    try:
        return forms_qs.get(pk=form_id)
    except (WebForm.DoesNotExist, ValueError, TypeError) as exc:
        raise RecordNotFound() from exc


@transaction.atomic
def webform_update(*, actor: User, form_id: Any, **changes: Any) -> WebForm:
    """Change a form's name, fields, source, campaign, default owner, thank-you page or active flag."""
    require_admin(actor)
    unknown = [name for name in changes if name not in EDITABLE]
    if unknown:
        raise InvalidInput({name: [str(CANNOT_BE_SET)] for name in unknown})
    form = _form(form_id, lock=True)
    _apply(actor, form, changes)
    form.save()
    return form


@transaction.atomic
def webform_delete(*, actor: User, form_id: Any) -> None:
    """Delete a form (administrators). Its leads stay; pages that still post to it get a 404."""
    require_admin(actor)
    _form(form_id, lock=True).delete()


# --- the public endpoint -----------------------------------------------------------------------------


def active_webform(key: str) -> WebForm:
    """The active form with this key; an unknown or inactive key is not found."""
    form = WebForm.objects.select_related("source", "owner").filter(key=str(key)[:40], active=True).first()
    if form is None:
        raise RecordNotFound()
    return form


def client_hash(client_ip: str) -> str:
    """A keyed hash of the sender's address: it tells two senders apart but cannot be turned back."""
    return salted_hmac("rapport.leads.webform.client", client_ip, algorithm="sha256").hexdigest()


def rate_limits() -> list[tuple[int, int]]:
    """(posts, seconds) pairs from `RAPPORT_WEBFORM_RATE_LIMIT`; an empty list switches the limit off."""
    configured = getattr(settings, "RAPPORT_WEBFORM_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    return [(int(posts), int(seconds)) for posts, seconds in configured if int(posts) > 0 and int(seconds) > 0]


def _check_rate(form: WebForm, client: str, now: datetime) -> None:
    """Refuse the post when the sender already sent the most each window allows; say when to retry."""
    earlier = WebFormSubmission.objects.filter(form=form, client=client)
    wait = 0
    for posts, seconds in rate_limits():
        window = timedelta(seconds=seconds)
        times = list(earlier.filter(at__gt=now - window).order_by("-at").values_list("at", flat=True)[:posts])
        if len(times) >= posts:  # the oldest of them must leave the window first
            wait = max(wait, math.ceil((times[-1] + window - now).total_seconds()))
    if wait:
        raise TooManySubmissions(retry_after=max(1, wait))


def _storable(text: str) -> bool:
    """PostgreSQL refuses NUL in text and JSON, and no database stores half of a surrogate pair."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(raw: Any) -> str:
    """A posted value as trimmed text; a list or an object is not text, and some characters cannot be stored."""
    if raw is None:
        return ""
    if isinstance(raw, bool | list | tuple | dict):
        raise ValidationError(NOT_TEXT)
    text = str(raw).strip()
    if not _storable(text):
        raise ValidationError(UNSTORABLE_TEXT)
    return text


def _website(text: str) -> str:
    """People type "example.com": read it as https://example.com, as the app's own forms do."""
    try:
        return str(forms.URLField(assume_scheme="https").to_python(text))
    except ValidationError:
        return text  # the model's validation reports it


def _filled(raw: Any) -> bool:
    return raw not in (None, "", [], {}) and not (isinstance(raw, str) and not raw.strip())


def _form_values(form: WebForm, data: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any], dict[str, list[str]]]:
    """The lead fields, the custom field values and the errors, for the fields this form asks for only."""
    values: dict[str, str] = {}
    custom_raw: dict[str, Any] = {}
    custom_used: list[CustomField] = []
    errors: dict[str, list[str]] = {}
    custom_defs = {f.key: f for f in custom_fields_for_forms()}
    for spec in form.fields:
        name, raw = spec["name"], data.get(spec["name"])
        if name.startswith(CUSTOM_PREFIX):
            field = custom_defs.get(name.removeprefix(CUSTOM_PREFIX))
            if field is None:  # deleted since the form was defined: nothing to collect
                continue
            texts = raw if isinstance(raw, list) else [raw]
            if any(isinstance(t, str) and not _storable(t) for t in texts):
                errors[name] = [str(UNSTORABLE_TEXT)]
            elif spec.get("required") and not _ticked_or_filled(field, raw):
                errors[name] = [str(customfields.REQUIRED)]
            else:
                custom_raw[field.key] = raw
                custom_used.append(field)
            continue
        try:
            text = _text(raw)
        except ValidationError as exc:
            errors[name] = [str(m) for m in exc.messages]
            continue
        if spec.get("required") and not text:
            errors[name] = [str(customfields.REQUIRED)]
            continue
        values[name] = _website(text) if name == "website" and text else text
    try:
        custom = customfields.clean_values(
            "lead", custom_raw, existing={}, partial=True, fields=custom_used, error_prefix=CUSTOM_PREFIX
        )
    except InvalidInput as exc:
        custom = {}
        errors.update(exc.errors)
    _require_contact(form, values, errors)
    return values, custom, errors


def _ticked_or_filled(field: CustomField, raw: Any) -> bool:
    if field.field_type == CustomFieldType.CHECKBOX:
        return truthy(raw)
    return _filled(raw)


def _require_contact(form: WebForm, values: Mapping[str, str], errors: dict[str, list[str]]) -> None:
    """A lead must be reachable: the e-mail address or the phone number the form asks for."""
    asked = [spec["name"] for spec in form.fields if spec["name"] in CONTACT_FIELDS]
    if asked and not any(values.get(name) for name in asked) and not any(name in errors for name in asked):
        for name in asked:
            errors[name] = [str(CONTACT_NEEDED)]


def _utm_text(raw: Any) -> str:
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    if not isinstance(raw, str):
        return ""
    return "".join(ch for ch in raw if ch.isprintable() and _storable(ch)).strip()[:UTM_LIMIT]


def utm_values(data: Mapping[str, Any], referer: str = "") -> dict[str, str]:
    """Each `utm_*` from the post, else from the query string of the page that sent it."""
    query = parse_qs(urlsplit(referer[:4000]).query) if referer else {}
    return {name: _utm_text(data.get(name)) or _utm_text(query.get(name)) for name in UTM_FIELDS}


def _default_owner(form: WebForm) -> User:
    """The form's owner; if they were deactivated since, an active administrator (the lead is not lost)."""
    if form.owner.is_active:
        return form.owner
    stand_in = User.objects.filter(is_active=True, role_id=RoleCode.ADMINISTRATOR).order_by("id").first()
    return stand_in or form.owner


def _notify_owner(lead: Lead, form: WebForm) -> None:
    with override(lead.owner.language or settings.LANGUAGE_CODE):  # stored as text: the recipient's language
        message = _("New lead %(name)s from the web form %(form)s.") % {"name": lead, "form": form.name}
    notify(recipient=lead.owner, message=message, url=lead.get_absolute_url())


def webform_submit(*, form_key: str, data: Mapping[str, Any], client_ip: str, referer: str = "") -> Lead | None:
    """Turn a visitor's post into a lead, or refuse it; None when the honeypot caught a bot.

    Not one transaction on purpose: the post is logged first (its own row), so that refused and
    invalid posts count towards the rate limit too; the lead itself is made in a transaction of its
    own, so an invalid post stores no lead, tag or notification.
    """
    form = active_webform(form_key)
    client = client_hash(client_ip)
    _check_rate(form, client, timezone.now())
    submission = WebFormSubmission.objects.create(form=form, client=client, accepted=False)
    if _filled(data.get(HONEYPOT)):
        return None
    return _create_lead(form=form, submission=submission, data=data, referer=referer)


@transaction.atomic
def _create_lead(*, form: WebForm, submission: WebFormSubmission, data: Mapping[str, Any], referer: str) -> Lead:
    """The lead as `lead_create` makes it (validation, assignment rules, match keys, score, audit,
    notification), with no user as its author: the audit entry names the form instead."""
    values, custom, errors = _form_values(form, data)
    lead = Lead(
        **values,
        **utm_values(data, referer),
        owner=_default_owner(form),
        created_by=None,
        status=LeadStatus.NEW,
        source=form.source or _default_source(),
        campaign=form.campaign,
        web_form=form,
        custom=custom,
    )
    try:
        check_lead(lead)
    except InvalidInput as exc:
        errors = {**exc.errors, **errors}  # the form's own message wins for a field that has both
    if errors:
        raise InvalidInput(errors)
    assigner = Assigner(lock=True)
    picked = assigner.owner_for(lead)
    if picked is not None:
        lead.owner = picked[0]
        assigner.save()
    lead.refresh_match_keys()
    lead.save()
    lead_rescore(lead)
    with override(settings.LANGUAGE_CODE):
        note = _("Web form %(name)s") % {"name": form.name}
    audit.log_create(None, lead, note=note)
    _notify_owner(lead, form)
    WebFormSubmission.objects.filter(pk=submission.pk).update(accepted=True, lead=lead)
    return lead
