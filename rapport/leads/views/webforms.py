"""Web-to-lead: the settings pages where administrators define forms, and the public endpoint
`/web-to-lead/<key>/` (hosted page, form posts from any site, JSON posts with CORS)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db.models import Count, DateTimeField, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from rapport.core.errors import DomainError, InvalidInput, RecordNotFound
from rapport.core.listing import paginate
from rapport.leads.forms_webforms import WebFormFilterForm, WebFormForm, public_fields
from rapport.leads.models import Lead, WebForm, WebFormSubmission
from rapport.leads.services import webforms as service
from rapport.web.settings.views._common import PAGE_SIZE, _actor, _confirm, _saved, administrator_required
from rapport.web.utils import add_domain_error, client_ip, is_partial

#: a web form post is small; anything larger is refused before it is read
MAX_BODY: int = getattr(settings, "RAPPORT_WEBFORM_MAX_BYTES", 64 * 1024)
PROBLEM_JSON = "application/problem+json"

BODY_TOO_LARGE = gettext_lazy("The form data is too large.")
BODY_UNREADABLE = gettext_lazy("The form data cannot be read.")
NOT_A_JSON_OBJECT = gettext_lazy("Send the fields as one JSON object.")


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"leads/webforms/{template}", {"nav_section": "settings", **context}, status=status)


# --- settings: list, create, edit, delete --------------------------------------------------------------


def _forms_with_counts() -> QuerySet[WebForm]:
    """Every form with its number of leads and its last accepted submission (subqueries: no row explosion)."""
    leads = Lead.objects.filter(web_form=OuterRef("pk")).order_by().values("web_form").annotate(n=Count("id"))
    last = (
        WebFormSubmission.objects.filter(form=OuterRef("pk"), accepted=True)
        .order_by()
        .values("form")
        .annotate(at=Max("at"))
    )
    return WebForm.objects.select_related("source", "owner").annotate(
        lead_count=Coalesce(Subquery(leads.values("n"), output_field=IntegerField()), 0),
        last_submission=Subquery(last.values("at"), output_field=DateTimeField()),
    )


def _filtered(form: WebFormFilterForm) -> QuerySet[WebForm]:
    webforms = _forms_with_counts()
    if not form.is_valid():
        return webforms.order_by("name", "id")
    data = form.cleaned_data
    for word in data["q"].split():
        webforms = webforms.filter(Q(name__icontains=word) | Q(campaign__icontains=word))
    if data["active"]:
        webforms = webforms.filter(active=data["active"] == "yes")
    ordering = data["ordering"] or "name"
    (column,) = WebFormFilterForm.ORDERINGS[ordering.lstrip("-")]
    if ordering.startswith("-"):
        return webforms.order_by(F(column).desc(nulls_last=True), "name", "id")
    return webforms.order_by(column, "id")


@administrator_required
@require_GET
def webform_list(request: HttpRequest) -> HttpResponse:
    form = WebFormFilterForm(request.GET)
    page = paginate(_filtered(form), request.GET.get("page"), PAGE_SIZE)
    template = "list.html#results" if is_partial(request, "results") else "list.html"
    return _render(request, template, {"form": form, "page": page})


def _save(request: HttpRequest, form: WebFormForm, target: WebForm | None) -> WebForm | None:
    if not form.is_valid():
        return None
    try:
        if target is None:
            return service.webform_create(actor=_actor(request), **form.service_values())
        return service.webform_update(actor=_actor(request), form_id=target.pk, **form.service_values())
    except InvalidInput as exc:
        # The field list has no single input of its own: its messages go above the table.
        for message in exc.errors.get("fields", []):
            form.add_error(None, message)
        others = {name: messages for name, messages in exc.errors.items() if name != "fields"}
        if others:
            add_domain_error(form, InvalidInput(others))
        return None
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


@administrator_required
@require_http_methods(["GET", "POST"])
def webform_create(request: HttpRequest) -> HttpResponse:
    form = WebFormForm(request.POST or None, default_owner=_actor(request))
    if request.method == "POST":
        saved = _save(request, form, None)
        if saved is not None:
            done = _("The web form %(name)s was created. Copy its snippet below.") % {"name": saved.name}
            return _saved(request, done, "leads:webform_edit", saved.pk)
    return _render(request, "form.html", {"form": form, "target": None})


def _snippet(request: HttpRequest, webform: WebForm) -> str:
    action = request.build_absolute_uri(reverse("leads:webform_public", args=[webform.key]))
    context = {
        "webform": webform,
        "action": action,
        "fields": public_fields(webform),
        "honeypot": service.HONEYPOT,
        "utm_fields": service.UTM_FIELDS,
    }
    return render_to_string("leads/webforms/snippet.html", context).strip() + "\n"


@administrator_required
@require_http_methods(["GET", "POST"])
def webform_edit(request: HttpRequest, pk: int) -> HttpResponse:
    webform = get_object_or_404(WebForm.objects.select_related("source", "owner"), pk=pk)
    form = WebFormForm(request.POST or None, instance=webform)
    if request.method == "POST":
        saved = _save(request, form, webform)
        if saved is not None:
            return _saved(request, _("The web form %(name)s was saved.") % {"name": saved.name}, "leads:webform_list")
        webform.refresh_from_db()
    context = {
        "form": form,
        "target": webform,
        "snippet": _snippet(request, webform),
        "hosted_url": request.build_absolute_uri(reverse("leads:webform_public", args=[webform.key])),
        "lead_count": webform.leads.count(),
    }
    return _render(request, "form.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def webform_delete(request: HttpRequest, pk: int) -> HttpResponse:
    webform = get_object_or_404(WebForm, pk=pk)
    if request.method == "POST":
        service.webform_delete(actor=_actor(request), form_id=webform.pk)
        return _saved(request, _("The web form %(name)s was deleted.") % {"name": webform.name}, "leads:webform_list")
    return _confirm(
        request,
        title=_("Delete the web form %(name)s?") % {"name": webform.name},
        message=gettext_lazy(
            "Pages that still carry its snippet will get an error when visitors send it. "
            "Leads that came through it stay. To stop it for a while, make it inactive instead."
        ),
        button=gettext_lazy("Delete"),
        cancel_url=reverse("leads:webform_edit", args=[webform.pk]),
    )


# --- the public endpoint -----------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or (
        request.accepts("application/json") and not request.accepts("text/html")
    )


def _cors(response: HttpResponse) -> HttpResponse:
    """Any site may post to a public form (no cookies are involved, so no credentials are allowed)."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _problem(status: int, title: str, detail: str, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return _cors(JsonResponse(body, status=status, content_type=PROBLEM_JSON))


def _message_page(request: HttpRequest, status: int, message: str, webform: WebForm | None = None) -> HttpResponse:
    context = {"message": message, "webform": webform}
    return _cors(_public_response(render(request, "leads/webforms/public_message.html", context, status=status)))


def _public_response(response: HttpResponse, webform: WebForm | None = None) -> HttpResponse:
    """The hosted page may be framed by any site, and may send visitors on to the form's thank-you page."""
    form_action: list[str] = [CSP.SELF]
    if webform is not None and webform.thank_you_url:
        parts = urlsplit(webform.thank_you_url)
        form_action.append(f"{parts.scheme}://{parts.netloc}")  # browsers check redirects after a post too
    response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": ["*"], "form-action": form_action}  # type: ignore[attr-defined]
    return response


def _hosted_page(
    request: HttpRequest,
    webform: WebForm,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "webform": webform,
        "fields": public_fields(webform, values, errors),
        "has_errors": bool(errors),
        "other_errors": _other_errors(webform, errors or {}),
        "utm": service.utm_values(values),
        "honeypot": service.HONEYPOT,
        "action": reverse("leads:webform_public", args=[webform.key]),
    }
    response = render(request, "leads/webforms/public_form.html", context, status=status)
    return _cors(_public_response(response, webform))


def _other_errors(webform: WebForm, errors: dict[str, list[str]]) -> list[str]:
    """Messages about something other than the form's inputs (shown above the form)."""
    shown = {spec["name"] for spec in webform.fields}
    return [message for name, messages in errors.items() if name not in shown for message in messages]


def _posted_data(request: HttpRequest, as_json: bool) -> dict[str, Any]:
    """The post as name → value (a list when a name came more than once); ValueError when unreadable."""
    if as_json:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError(str(NOT_A_JSON_OBJECT))
        return data
    return {name: values[0] if len(values) == 1 else values for name, values in request.POST.lists()}


def _body_too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY
    except ValueError:
        return True


def _preflight() -> HttpResponse:
    response = _cors(HttpResponse(status=204))
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    return response


def _not_found(request: HttpRequest, as_json: bool) -> HttpResponse:
    message = _("This form does not exist or no longer takes submissions.")
    if as_json:
        return _problem(404, _("Not found"), message)
    return _message_page(request, 404, message)


@csrf_exempt  # posted from other sites by design; it changes nothing a session could be tricked into
@xframe_options_exempt
@require_http_methods(["GET", "HEAD", "POST", "OPTIONS"])
def webform_public(request: HttpRequest, key: str) -> HttpResponse:
    """GET: the hosted form page. POST: a submission (form-encoded, multipart or JSON). OPTIONS: CORS preflight."""
    if request.method == "OPTIONS":
        return _preflight()
    as_json = _wants_json(request)
    try:
        webform = service.active_webform(key)
    except RecordNotFound:
        return _not_found(request, as_json)
    if request.method != "POST":
        return _hosted_page(request, webform, dict(request.GET.items()))
    if _body_too_large(request):
        if as_json:
            return _problem(413, _("Too large"), str(BODY_TOO_LARGE))
        return _message_page(request, 413, str(BODY_TOO_LARGE), webform)
    try:
        data = _posted_data(request, request.content_type == "application/json")
    except (ValueError, SuspiciousOperation, MultiPartParserError):
        if as_json:
            return _problem(400, _("Bad request"), str(BODY_UNREADABLE))
        return _message_page(request, 400, str(BODY_UNREADABLE), webform)
    return _submit(request, webform, data, as_json)


def _submit(request: HttpRequest, webform: WebForm, data: dict[str, Any], as_json: bool) -> HttpResponse:
    try:
        service.webform_submit(
            form_key=webform.key, data=data, client_ip=client_ip(request), referer=request.headers.get("Referer", "")
        )
    except service.TooManySubmissions as exc:
        response = (
            _problem(429, _("Too many requests"), exc.message)
            if as_json
            else _message_page(request, 429, exc.message, webform)
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    except InvalidInput as exc:
        if as_json:
            return _problem(400, _("Invalid input"), exc.message, exc.errors)
        return _hosted_page(request, webform, data, exc.errors, status=400)
    except RecordNotFound:
        return _not_found(request, as_json)
    if as_json:
        return _cors(JsonResponse({"ok": True}, status=201))
    target = webform.thank_you_url or reverse("leads:webform_thanks", args=[webform.key])
    return _cors(HttpResponseRedirect(target, status=303))


@xframe_options_exempt
@require_GET
def webform_thanks(request: HttpRequest, key: str) -> HttpResponse:
    """Rapport's own thank-you page, for forms without a thank-you address of their own."""
    get_object_or_404(WebForm, key=key[:40])
    message = _("We have received your details and will be in touch soon.")
    return _public_response(render(request, "leads/webforms/public_message.html", {"message": message, "thanks": True}))


urlpatterns: list[URLPattern] = [
    path("settings/leads/web-forms/", webform_list, name="webform_list"),
    path("settings/leads/web-forms/new/", webform_create, name="webform_create"),
    path("settings/leads/web-forms/<int:pk>/", webform_edit, name="webform_edit"),
    path("settings/leads/web-forms/<int:pk>/delete/", webform_delete, name="webform_delete"),
    path("web-to-lead/<str:key>/", webform_public, name="webform_public"),
    path("web-to-lead/<str:key>/thanks/", webform_thanks, name="webform_thanks"),
]
