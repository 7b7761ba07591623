"""Small helpers the pages share: domain errors → HTTP, service errors → form errors, safe redirects."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from rapport.core.errors import ActionNotAllowed, DomainError, InvalidInput, RecordNotFound

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

T = TypeVar("T")

CUSTOM_PREFIX = "custom_fields."


@contextmanager
def http_errors() -> Iterator[None]:
    """Hidden record → 404; seen but not allowed → 403."""
    try:
        yield
    except RecordNotFound as exc:
        raise Http404(exc.message) from exc
    except ActionNotAllowed as exc:
        raise PermissionDenied(exc.message) from exc


def fetch(getter: Callable[..., T], **kwargs: Any) -> T:
    """Call a selector and turn its domain errors into 404/403."""
    with http_errors():
        return getter(**kwargs)


def form_field_name(error_key: str, renames: Mapping[str, str] | None = None) -> str:
    if error_key.startswith(CUSTOM_PREFIX):
        return "cf_" + error_key[len(CUSTOM_PREFIX) :]
    return (renames or {}).get(error_key, error_key)


def add_domain_error(form: forms.Form, exc: DomainError, renames: Mapping[str, str] | None = None) -> None:
    """Put a service's error on the form: each field's messages next to it, the rest on top."""
    if isinstance(exc, InvalidInput):
        for key, messages in exc.errors.items():
            name = form_field_name(key, renames)
            target = name if name in form.fields else None
            for message in messages:
                if target is None and key not in ("detail", "__all__"):
                    label = key.removeprefix(CUSTOM_PREFIX)
                    form.add_error(None, f"{label}: {message}")
                else:
                    form.add_error(target, message)
        if not exc.errors:
            form.add_error(None, exc.message)
    else:
        form.add_error(None, exc.message)


def submit_form(
    request: HttpRequest, form: forms.Form, save: Callable[[], Model], success: StrOrPromise
) -> HttpResponse | None:
    """Validate the form and run the service that saves it.

    Saved → a success message (`success` may name the record as `%(name)s`) and a redirect to the
    record; invalid or refused → None, with the service's messages put on the form.
    """
    if not form.is_valid():
        return None
    try:
        record = save()
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
    messages.success(request, str(success) % {"name": record})
    return redirect(record.get_absolute_url())  # type: ignore[attr-defined]


def safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def query_without(params: QueryDict, *names: str) -> str:
    """The query string without some parameters (and without empty values)."""
    copy = params.copy()
    for name in names:
        copy.pop(name, None)
    for key in list(copy.keys()):
        values = [v for v in copy.getlist(key) if v != ""]
        if values:
            copy.setlist(key, values)
        else:
            del copy[key]
    return copy.urlencode()


def is_partial(request: HttpRequest, target: str) -> bool:
    """An htmx request that only wants one fragment of the page (not a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.history_restore_request and htmx.target == target)


def client_ip(request: HttpRequest) -> str:
    """The sender's address: with `RAPPORT_TRUSTED_PROXY_COUNT` proxies in front, as the first of them saw it."""
    proxies = int(getattr(settings, "RAPPORT_TRUSTED_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        chain = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(chain) >= proxies:
            return chain[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))
