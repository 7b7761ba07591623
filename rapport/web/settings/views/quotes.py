"""Settings → quotes: numbering, validity, the discounts above which a quote needs approval, and
the default terms (administrators; the service checks every value)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rapport.core.errors import DomainError
from rapport.pipeline.models import Pipeline
from rapport.quotes.forms import AcceptanceStagesForm, QuoteSettingsForm
from rapport.quotes.models import QuoteSettings
from rapport.quotes.services.acceptance import acceptance_stage_set, acceptance_stages
from rapport.quotes.services.settings import SETTINGS_FIELDS, quote_settings_update
from rapport.web.settings.views._common import _actor, _page, _saved, administrator_required
from rapport.web.utils import add_domain_error


@administrator_required
@require_http_methods(["GET", "POST"])
def quote_settings_edit(request: HttpRequest) -> HttpResponse:
    current = QuoteSettings.current()
    form = QuoteSettingsForm(request.POST or None, initial={name: getattr(current, name) for name in SETTINGS_FIELDS})
    pipelines = list(Pipeline.objects.prefetch_related("stages").order_by("name"))
    stages = AcceptanceStagesForm(request.POST or None, pipelines=pipelines, current=acceptance_stages())
    if request.method == "POST" and form.is_valid() and stages.is_valid():
        changes = {name: form.cleaned_data[name] for name in SETTINGS_FIELDS}
        try:
            with transaction.atomic():  # all of the page or nothing
                quote_settings_update(actor=_actor(request), **changes)
                for pipeline_id, stage_id in stages.chosen().items():
                    acceptance_stage_set(actor=_actor(request), pipeline_id=pipeline_id, stage_id=stage_id or None)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _saved(request, _("Quote settings were saved."), "settings:quotes")
    return _page(request, "quote_settings.html", {"form": form, "stages": stages})
