from django.contrib import admin
from django.urls import include, path

from rapport.config.api import api
from rapport.config.health import health

handler404 = "rapport.config.errors.not_found"

urlpatterns = [
    path("api/v1/", api.urls),
    path("health/", health, name="health"),
    path("django-admin/", admin.site.urls),
    path("", include("rapport.customers.urls")),
    path("", include("rapport.leads.urls")),
    path("", include("rapport.pipeline.urls")),
    path("", include("rapport.catalog.urls")),
    path("", include("rapport.quotes.urls")),
    path("", include("rapport.activities.urls")),
    path("", include("rapport.quotes.urls_public")),
    path("", include("rapport.web.urls")),
]
