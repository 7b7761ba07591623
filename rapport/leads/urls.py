from django.urls import path

from rapport.leads import views

app_name = "leads"
urlpatterns = [
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
]
