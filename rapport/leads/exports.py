"""Lead exports (CSV or Excel), run as a background job with a progress bar: the list as its
creator sees it, with the same filters and order, re-checked in the worker."""

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
from rapport.core.models import CustomField, Job, User
from rapport.core.services.jobs import Progress, job_start
from rapport.core.visibility import require
from rapport.leads.models import Lead
from rapport.leads.selectors import LEAD_LIST

UNKNOWN_FORMAT = gettext_lazy("Choose csv or xlsx.")

FORMATS = ("csv", "xlsx")
BATCH = 2000
JOB_KIND = "leads.export"

Column = tuple[str, Callable[[Lead], Any]]


def lead_columns() -> list[Column]:
    return [
        (_("ID"), lambda lead: lead.pk),
        (_("First name"), lambda lead: lead.first_name),
        (_("Last name"), lambda lead: lead.last_name),
        (_("Company"), lambda lead: lead.company),
        (_("Job title"), lambda lead: lead.title),
        (_("E-mail"), lambda lead: lead.email),
        (_("Phone"), lambda lead: lead.phone),
        (_("City"), lambda lead: lead.city),
        (_("Country"), lambda lead: lead.country),
        (_("Source"), lambda lead: str(lead.source) if lead.source else ""),
        (_("Campaign"), lambda lead: lead.campaign),
        (_("Status"), lambda lead: lead.get_status_display()),
        (_("Reason for disqualifying"), lambda lead: lead.disqualify_reason),
        (_("Need identified"), lambda lead: lead.need_identified),
        (_("What is needed"), lambda lead: lead.need_description),
        (_("Estimated value"), lambda lead: lead.estimated_value_amount),
        (_("Currency"), lambda lead: lead.estimated_value_currency_id or ""),
        (_("Owner"), lambda lead: lead.owner.email),
        (_("Score"), lambda lead: lead.score),
        (_("Tags"), lambda lead: ", ".join(t.name for t in lead.tags.all())),
        (_("Created"), lambda lead: timezone.localtime(lead.created_at)),
    ]


def leads_export_start(*, actor: User, params: dict[str, str], file_format: str) -> Job:
    """Queue an export of the lead list as the actor sees it (bad filters are refused now, not in the worker)."""
    require(actor, "read", "lead")
    if file_format not in FORMATS:
        raise InvalidInput({"format": [str(UNKNOWN_FORMAT)]})
    LEAD_LIST.apply(actor, params)
    title = _("Export of %(records)s (%(format)s)") % {
        "records": Lead._meta.verbose_name_plural,
        "format": file_format.upper(),
    }
    return job_start(
        actor=actor,
        kind=JOB_KIND,
        title=title,
        params={"filters": params, "format": file_format, "language": actor.language},
    )


def _rows(
    queryset: Any, columns: list[Column], fields: list[CustomField], total: int, progress: Progress
) -> Iterator[list[Any]]:
    for done, lead in enumerate(queryset.iterator(chunk_size=BATCH), start=1):
        row = [getter(lead) for _label, getter in columns]
        row.extend(customfields.display(f, (lead.custom or {}).get(f.key)) for f in fields)
        yield row
        if done % BATCH == 0:
            progress(int(done * 95 / max(total, 1)))


def run_export(job: Job, progress: Progress) -> dict[str, Any]:
    """The job handler: reapply visibility and filters as the job's creator, write the file."""
    params = job.params
    actor = job.created_by
    with override(params.get("language") or "en"):
        fields = customfields.fields_for("lead")
        queryset = LEAD_LIST.apply(actor, params.get("filters") or {}, fields)
        total = queryset.count()
        columns = lead_columns()
        headers = [label for label, _getter in columns] + [f.label for f in fields]
        rows = _rows(queryset, columns, fields, total, progress)
        name = f"leads-{timezone.now():%Y%m%d-%H%M}"
        if params["format"] == "xlsx":
            content, filename = write_xlsx(headers, rows, title=str(Lead._meta.verbose_name_plural)), f"{name}.xlsx"
        else:
            content, filename = write_csv(headers, rows), f"{name}.csv"
    job.file.save(filename, ContentFile(content), save=False)
    return {"rows": total, "filename": filename}
