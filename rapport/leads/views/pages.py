"""Lead list, record page, forms and actions (placeholder until the pages land)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("leads")


@login_required
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    return HttpResponse(str(lead_id))


urlpatterns: list[URLPattern] = [
    path("leads/", lead_list, name="lead_list"),
    path("leads/<int:lead_id>/", lead_detail, name="lead_detail"),
]
