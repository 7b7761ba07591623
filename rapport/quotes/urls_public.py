"""The customer's pages: a quote opened from the secret link in its e-mail (no sign-in)."""

from django.urls import path

from rapport.quotes import views_public

app_name = "quotes_public"

urlpatterns = [
    path("offer/<int:pk>/<str:key>/", views_public.offer, name="offer"),
    path("offer/<int:pk>/<str:key>/pdf/", views_public.offer_pdf, name="offer_pdf"),
]
