"""(filled in by the board work)"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
