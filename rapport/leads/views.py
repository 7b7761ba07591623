"""Lead pages (being built: list and detail only show the basics for now)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("leads")


@login_required
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    return HttpResponse(str(lead_id))
