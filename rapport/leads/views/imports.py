"""Importing a purchased lead list: upload → map the columns → preview → run → report.

The uploaded file is kept in storage under the person's own folder; its name (a random token) is
in the page address, so nobody else can reach it. The pages call the import services
(`rapport.leads.importing.service`), the same as the API.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.core.errors import DomainError, InvalidInput, RecordNotFound
from rapport.core.models import Currency, JobStatus, User
from rapport.core.selectors import job_get
from rapport.core.visibility import can
from rapport.leads.importing import service
from rapport.leads.importing.deciding import CREATED, FAILED, SKIPPED, UPDATED
from rapport.leads.models import LeadSource
from rapport.web.utils import add_domain_error, fetch, http_errors, is_partial

_SESSION_KEY = "lead-import:%s"  # the uploaded file's own name, shown and kept with the job

POLICY_CHOICES = [
    ("skip", _("Skip the row (keep the existing record as it is)")),
    ("update", _("Update the existing lead with the row's values")),
    ("create", _("Create a new lead anyway")),
]
SEPARATOR_CHOICES = [("auto", _("Recognise")), (",", _("Comma (1 234,56)")), (".", _("Point (1,234.56)"))]
DATE_CHOICES = [
    ("iso", _("Year first (2026-12-31)")),
    ("dmy", _("Day first (31.12.2026)")),
    ("mdy", _("Month first (12/31/2026)")),
]


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    if not can(request.user, "create", "lead"):
        raise PermissionDenied
    return request.user


# --- forms -------------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_("The first row names the columns. Any encoding; comma, semicolon or tab between columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,text/csv"}),
    )


class MappingForm(forms.Form):
    """One choice per column (`col_<n>`), then the import options."""

    duplicates = forms.ChoiceField(
        label=_("When a row matches an existing lead or contact"),
        choices=POLICY_CHOICES,
        initial="skip",
        widget=forms.RadioSelect,
    )
    dry_run = forms.BooleanField(label=_("Dry run: check and report, save nothing"), required=False)
    decimal_separator = forms.ChoiceField(label=_("Decimal separator"), choices=SEPARATOR_CHOICES, initial="auto")
    date_format = forms.ChoiceField(label=_("Dates"), choices=DATE_CHOICES, initial="iso")
    source = forms.ChoiceField(label=_("Source of rows without one"), initial="purchased_list")
    campaign = forms.CharField(label=_("Campaign of rows without one"), max_length=150, required=False)
    tags = forms.CharField(
        label=_("Tags for every imported lead"), max_length=500, required=False, help_text=_("Separated by commas.")
    )
    currency = forms.ChoiceField(label=_("Currency of amounts written without one"), required=False)

    def __init__(self, *args: Any, inspection: service.Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers = inspection.headers
        for index, header in enumerate(inspection.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=inspection.targets, initial=inspection.suggested.get(header, "ignore")
            )
        self.fields["source"].choices = [(s.code, str(s)) for s in LeadSource.objects.filter(active=True)]  # type: ignore[attr-defined]
        self.fields["currency"].choices = [("", _("The company currency"))] + [  # type: ignore[attr-defined]
            (c.code, f"{c.code} · {c.name}") for c in Currency.objects.filter(active=True)
        ]

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{index}"] for index in range(len(self.headers))]

    def mapping(self) -> dict[str, str]:
        return {header: self.cleaned_data[f"col_{index}"] for index, header in enumerate(self.headers)}

    def options(self) -> dict[str, Any]:
        names = ("decimal_separator", "date_format", "source", "campaign", "tags", "currency")
        return {name: self.cleaned_data.get(name) for name in names}

    def show_errors(self, exc: DomainError) -> None:
        renames = {f"mapping.{header}": f"col_{index}" for index, header in enumerate(self.headers)}
        add_domain_error(self, exc, renames)


# --- pages -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            service.forget_stale_uploads(actor)
            stored = service.import_upload(actor=actor, upload=upload, filename=upload.name or "")
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            token = stored.rsplit("/", 1)[-1]
            request.session[_SESSION_KEY % token] = service.clean_filename(upload.name or "")
            return redirect("leads:import_mapping", token=token)
    return _upload_page(request, form)


def _upload_page(request: HttpRequest, form: UploadForm) -> HttpResponse:
    return render(request, "leads/import_upload.html", {"form": form, "max_mb": service.max_bytes() // 2**20})


def _upload(actor: User, token: str) -> str:
    try:
        return service.upload_path(actor, token)
    except RecordNotFound as exc:
        raise Http404 from exc


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, token: str) -> HttpResponse:
    actor = _actor(request)
    stored = _upload(actor, token)
    filename = str(request.session.get(_SESSION_KEY % token) or token)
    try:
        with http_errors():
            inspection = service.import_inspect(actor=actor, path=stored)
    except InvalidInput as exc:
        service.forget_upload(stored)
        upload_form = UploadForm()
        add_domain_error(upload_form, exc)
        return _upload_page(request, upload_form)
    bound = request.method == "POST"
    form = MappingForm(request.POST if bound else None, inspection=inspection)
    columns = [(field, inspection.samples.get(str(field.label), [])) for field in form.column_fields()]
    context: dict[str, Any] = {"form": form, "inspection": inspection, "filename": filename, "columns": columns}
    if bound and form.is_valid():
        arguments = {"mapping": form.mapping(), "duplicates": form.cleaned_data["duplicates"]}
        try:
            if request.POST.get("action") == "run":
                job = service.import_start(
                    actor=actor,
                    path=stored,
                    filename=filename,
                    dry_run=form.cleaned_data["dry_run"],
                    options=form.options(),
                    **arguments,
                )
                request.session.pop(_SESSION_KEY % token, None)
                return redirect("leads:import_report", job_id=job.pk)
            context["preview"] = service.import_preview(actor=actor, path=stored, options=form.options(), **arguments)
        except DomainError as exc:
            form.show_errors(exc)
    return render(request, "leads/import_mapping.html", context)


@login_required
@require_GET
def import_report(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    assert isinstance(request.user, User)
    job = fetch(job_get, actor=request.user, job_id=str(job_id))
    if job.kind != service.KIND:
        raise Http404
    result = job.result or {}
    context = {
        "job": job,
        "result": result,
        "done": job.status == JobStatus.DONE,
        "counts": [
            (CREATED, _("Created"), result.get("created", 0)),
            (UPDATED, _("Updated"), result.get("updated", 0)),
            (SKIPPED, _("Skipped"), result.get("skipped", 0)),
            (FAILED, _("Failed"), result.get("failed", 0)),
        ],
    }
    if is_partial(request, "import-progress"):
        return render(request, "leads/import_report.html#progress", context)
    return render(request, "leads/import_report.html", context)


urlpatterns: list[URLPattern] = [
    path("leads/import/", import_upload, name="import_upload"),
    path("leads/import/jobs/<uuid:job_id>/", import_report, name="import_report"),
    path("leads/import/<str:token>/", import_mapping, name="import_mapping"),
]
