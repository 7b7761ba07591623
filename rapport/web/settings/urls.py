"""Settings pages, under /settings/ (namespace "settings")."""

from django.urls import path

from rapport.web.settings.views import _common as common
from rapport.web.settings.views import fields, money, people, quotes, structure

app_name = "settings"

urlpatterns = [
    path("", common.index, name="index"),
    # people
    path("users/", people.user_list, name="users"),
    path("users/new/", people.user_create, name="user_create"),
    path("users/<int:pk>/", people.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", people.user_set_active, {"active": False}, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", people.user_set_active, {"active": True}, name="user_reactivate"),
    # structure
    path("teams/", structure.tree_list, {"kind": "team"}, name="teams"),
    path("teams/new/", structure.tree_edit, {"kind": "team"}, name="team_create"),
    path("teams/<int:pk>/", structure.tree_edit, {"kind": "team"}, name="team_edit"),
    path("teams/<int:pk>/delete/", structure.tree_delete, {"kind": "team"}, name="team_delete"),
    path("territories/", structure.tree_list, {"kind": "territory"}, name="territories"),
    path("territories/new/", structure.tree_edit, {"kind": "territory"}, name="territory_create"),
    path("territories/<int:pk>/", structure.tree_edit, {"kind": "territory"}, name="territory_edit"),
    path("territories/<int:pk>/delete/", structure.tree_delete, {"kind": "territory"}, name="territory_delete"),
    # rights
    path("roles/", structure.role_list, name="roles"),
    path("roles/<str:code>/", structure.role_matrix, name="role"),
    # custom fields
    path("custom-fields/", fields.custom_field_list, name="custom_fields"),
    path("custom-fields/<str:record_type>/new/", fields.custom_field_create, name="custom_field_create"),
    path("custom-fields/<int:pk>/", fields.custom_field_edit, name="custom_field_edit"),
    path("custom-fields/<int:pk>/delete/", fields.custom_field_delete, name="custom_field_delete"),
    # customer categories
    path("categories/", fields.category_list, name="categories"),
    path("categories/new/", fields.category_edit, name="category_create"),
    path("categories/<int:pk>/", fields.category_edit, name="category_edit"),
    path("categories/<int:pk>/deactivate/", fields.category_set_active, {"active": False}, name="category_deactivate"),
    path("categories/<int:pk>/reactivate/", fields.category_set_active, {"active": True}, name="category_reactivate"),
    # money and organisation
    path("currencies/", money.currency_list, name="currencies"),
    path("currencies/new/", money.currency_create, name="currency_create"),
    path("currencies/<str:code>/", money.currency_detail, name="currency"),
    path("organisation/", money.organisation_edit, name="organisation"),
    # quotes
    path("quotes/", quotes.quote_settings_edit, name="quotes"),
    # security
    path("logins/", people.login_list, name="logins"),
]
