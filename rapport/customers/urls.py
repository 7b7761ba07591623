from django.urls import path

from rapport.customers import views

app_name = "customers"
urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/suggest/", views.account_suggest, name="account_suggest"),
    path("accounts/export/", views.account_export, name="account_export"),
    path("accounts/<int:account_id>/", views.account_detail, name="account_detail"),
    path("accounts/<int:account_id>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:account_id>/delete/", views.account_delete, name="account_delete"),
    path("accounts/<int:account_id>/merge/", views.account_merge, name="account_merge"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/export/", views.contact_export, name="contact_export"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:contact_id>/vcard/", views.contact_vcard, name="contact_vcard"),
    path("contacts/<int:contact_id>/links/", views.contact_link_account, name="contact_link_account"),
    path(
        "contacts/<int:contact_id>/links/<int:account_id>/remove/",
        views.contact_unlink_account,
        name="contact_unlink_account",
    ),
]
