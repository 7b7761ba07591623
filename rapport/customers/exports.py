"""Account and contact exports, run as background jobs with a progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from rapport.core import customfields
from rapport.core.errors import InvalidInput
from rapport.core.exports import write_csv, write_xlsx
from rapport.core.listing import ListSpec
from rapport.core.models import CustomField, Job, User
from rapport.core.services.jobs import Progress, job_start
from rapport.customers.models import Account, Contact
from rapport.customers.selectors import ACCOUNT_LIST, CONTACT_LIST

UNKNOWN_RECORD_TYPE = gettext_lazy("Unknown record type.")
UNKNOWN_FORMAT = gettext_lazy("Choose csv or xlsx.")

FORMATS = ("csv", "xlsx")
BATCH = 2000

Column = tuple[str, Callable[[Any], Any]]


def _user(user: User | None) -> str:
    return user.email if user else ""


def account_columns() -> list[Column]:
    return [
        (_("ID"), lambda a: a.pk),
        (_("Name"), lambda a: a.name),
        (_("Type"), lambda a: a.get_type_display()),
        (_("Customer category"), lambda a: a.category.name if a.category else ""),
        (_("Industry"), lambda a: a.industry),
        (_("Parent account"), lambda a: a.parent.name if a.parent else ""),
        (_("Territory"), lambda a: a.territory.name if a.territory else ""),
        (_("Owner"), lambda a: _user(a.owner)),
        (_("Website"), lambda a: a.website),
        (_("Phone"), lambda a: a.phone),
        (_("E-mail"), lambda a: a.email),
        (_("Employees"), lambda a: a.employees),
        (_("Annual revenue"), lambda a: a.annual_revenue_amount),
        (_("Currency"), lambda a: a.annual_revenue_currency_id or ""),
        (_("Street"), lambda a: a.street),
        (_("City"), lambda a: a.city),
        (_("Postal code"), lambda a: a.postal_code),
        (_("Region"), lambda a: a.region),
        (_("Country"), lambda a: a.country),
        (_("Created"), lambda a: timezone.localtime(a.created_at)),
    ]


def contact_columns() -> list[Column]:
    return [
        (_("ID"), lambda c: c.pk),
        (_("First name"), lambda c: c.first_name),
        (_("Last name"), lambda c: c.last_name),
        (_("Job title"), lambda c: c.title),
        (_("Account"), lambda c: c.account.name if c.account else ""),
        (_("E-mail"), lambda c: c.email),
        (_("Phone"), lambda c: c.phone),
        (_("Mobile"), lambda c: c.mobile),
        (_("Marketing consent"), lambda c: c.get_marketing_consent_display()),
        (_("Do not contact"), lambda c: c.do_not_contact),
        (_("Owner"), lambda c: _user(c.owner)),
        (_("City"), lambda c: c.city),
        (_("Country"), lambda c: c.country),
        (_("Created"), lambda c: timezone.localtime(c.created_at)),
    ]


SPECS: dict[str, tuple[ListSpec, Callable[[], list[Column]], Any]] = {
    "account": (ACCOUNT_LIST, account_columns, Account),
    "contact": (CONTACT_LIST, contact_columns, Contact),
}


def export_start(*, actor: User, record_type: str, params: dict[str, str], file_format: str) -> Job:
    """Queue an export of the list as the actor sees it, with the same filters and order."""
    if record_type not in SPECS:
        raise InvalidInput({"record_type": [str(UNKNOWN_RECORD_TYPE)]})
    if file_format not in FORMATS:
        raise InvalidInput({"format": [str(UNKNOWN_FORMAT)]})
    spec = SPECS[record_type][0]
    spec.apply(actor, params)  # refuse bad filters now, not in the worker
    model = SPECS[record_type][2]
    title = _("Export of %(records)s (%(format)s)") % {
        "records": model._meta.verbose_name_plural,
        "format": file_format.upper(),
    }
    return job_start(
        actor=actor,
        kind="customers.export",
        title=title,
        params={"record_type": record_type, "filters": params, "format": file_format, "language": actor.language},
    )


def _rows(
    queryset: Any, columns: list[Column], fields: list[CustomField], total: int, progress: Progress
) -> Iterator[list[Any]]:
    for done, record in enumerate(queryset.iterator(chunk_size=BATCH), start=1):
        row = [getter(record) for _label, getter in columns]
        row.extend(customfields.display(f, (record.custom or {}).get(f.key)) for f in fields)
        yield row
        if done % BATCH == 0:
            progress(int(done * 95 / max(total, 1)))


def run_export(job: Job, progress: Progress) -> dict[str, Any]:
    """The job handler: reapply visibility and filters as the job's creator, write the file."""
    params = job.params
    spec, columns_for, model = SPECS[params["record_type"]]
    actor = job.created_by
    with override(params.get("language") or "en"):
        fields = customfields.fields_for(spec.record_type)
        queryset = spec.apply(actor, params.get("filters") or {}, fields)
        total = queryset.count()
        columns = columns_for()
        headers = [label for label, _getter in columns] + [f.label for f in fields]
        rows = _rows(queryset, columns, fields, total, progress)
        name = f"{model._meta.model_name}s-{timezone.now():%Y%m%d-%H%M}"
        if params["format"] == "xlsx":
            content, filename = write_xlsx(headers, rows, title=str(model._meta.verbose_name_plural)), f"{name}.xlsx"
        else:
            content, filename = write_csv(headers, rows), f"{name}.csv"
    job.file.save(filename, ContentFile(content), save=False)
    return {"rows": total, "filename": filename}
