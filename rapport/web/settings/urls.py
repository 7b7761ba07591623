"""Settings pages, under /settings/ (namespace "settings")."""

from django.urls import path

from rapport.web.settings import views

app_name = "settings"

urlpatterns = [
    path("", views.index, name="index"),
    # people
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", views.user_set_active, {"active": False}, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_set_active, {"active": True}, name="user_reactivate"),
    # structure
    path("teams/", views.tree_list, {"kind": "team"}, name="teams"),
    path("teams/new/", views.tree_edit, {"kind": "team"}, name="team_create"),
    path("teams/<int:pk>/", views.tree_edit, {"kind": "team"}, name="team_edit"),
    path("teams/<int:pk>/delete/", views.tree_delete, {"kind": "team"}, name="team_delete"),
    path("territories/", views.tree_list, {"kind": "territory"}, name="territories"),
    path("territories/new/", views.tree_edit, {"kind": "territory"}, name="territory_create"),
    path("territories/<int:pk>/", views.tree_edit, {"kind": "territory"}, name="territory_edit"),
    path("territories/<int:pk>/delete/", views.tree_delete, {"kind": "territory"}, name="territory_delete"),
    # rights
    path("roles/", views.role_list, name="roles"),
    path("roles/<str:code>/", views.role_matrix, name="role"),
    # custom fields
    path("custom-fields/", views.custom_field_list, name="custom_fields"),
    path("custom-fields/<str:record_type>/new/", views.custom_field_create, name="custom_field_create"),
    path("custom-fields/<int:pk>/", views.custom_field_edit, name="custom_field_edit"),
    path("custom-fields/<int:pk>/delete/", views.custom_field_delete, name="custom_field_delete"),
    # customer categories
    path("categories/", views.category_list, name="categories"),
    path("categories/new/", views.category_edit, name="category_create"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("categories/<int:pk>/deactivate/", views.category_set_active, {"active": False}, name="category_deactivate"),
    path("categories/<int:pk>/reactivate/", views.category_set_active, {"active": True}, name="category_reactivate"),
    # money and organisation
    path("currencies/", views.currency_list, name="currencies"),
    path("currencies/new/", views.currency_create, name="currency_create"),
    path("currencies/<str:code>/", views.currency_detail, name="currency"),
    path("organisation/", views.organisation_edit, name="organisation"),
    # security
    path("logins/", views.login_list, name="logins"),
]
