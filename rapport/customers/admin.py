"""Django's admin for customer tables: a fallback for operators. People use Rapport's own pages,
which keep the audit trail and visibility rules; changes made here bypass them."""

from __future__ import annotations

from django.contrib import admin

from rapport.customers.models import Account, AccountContact, Contact, CustomerCategory


@admin.register(CustomerCategory)
class CustomerCategoryAdmin(admin.ModelAdmin[CustomerCategory]):
    list_display = ("name", "position", "active")
    list_filter = ("active",)
    search_fields = ("name",)


class AccountContactInline(admin.TabularInline[AccountContact, Account]):
    model = AccountContact
    extra = 0
    autocomplete_fields = ("contact",)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin[Account]):
    list_display = ("name", "type", "category", "owner", "city", "country", "updated_at")
    list_filter = ("type", "category")
    search_fields = ("name", "email", "city")
    list_select_related = ("category", "owner")
    autocomplete_fields = ("parent", "owner", "territory")
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [AccountContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    list_display = ("last_name", "first_name", "email", "account", "owner", "updated_at")
    list_filter = ("marketing_consent", "do_not_contact")
    search_fields = ("last_name", "first_name", "email")
    list_select_related = ("account", "owner")
    autocomplete_fields = ("account", "owner")
    readonly_fields = ("created_by", "created_at", "updated_at", "consent_changed_at")
