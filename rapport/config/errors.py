"""Error pages: under /api/ a problem-details JSON answer, elsewhere the site's own page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {"type": "about:blank", "title": _("Not found"), "status": 404, "detail": _("Not found.")}
        return JsonResponse(body, status=404, content_type="application/problem+json")
    return page_not_found(request, exception or Exception())
