"""Catalogue pages (filled in by the catalogue UI work)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
