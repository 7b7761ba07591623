from django.urls import path

from rapport.activities import views, views_calendar, views_forms, views_today

app_name = "activities"
urlpatterns = [
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("activities/<int:activity_id>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:activity_id>/ics/", views.activity_ics, name="activity_ics"),
    *views_calendar.urlpatterns,  # the calendar pages, drag and resize
    *views_forms.urlpatterns,  # the activity dialogs
    *views_today.urlpatterns,  # the Today page
]
