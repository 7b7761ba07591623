"""Django's admin for core tables: a fallback for operators. Day-to-day administration happens in
Rapport's own settings pages (/settings/), which go through the services and their rules."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rapport.core.models import (
    ApiToken,
    AuditEntry,
    Currency,
    CustomField,
    ExchangeRate,
    Job,
    LoginEvent,
    Notification,
    OrganisationSettings,
    Role,
    RolePermission,
    SavedView,
    Team,
    Territory,
    User,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """History that nobody may add, change or delete; viewing stays possible."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RapportUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)


class RapportUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = RapportUserChangeForm
    add_form = RapportUserCreationForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "team", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff", "team")
    search_fields = ("email", "first_name", "last_name")
    list_select_related = ("role", "team")
    autocomplete_fields = ("team", "territory", "manager")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "language", "time_zone", "hourly_cost_rate")}),
        (_("Organisation"), {"fields": ("role", "team", "territory", "manager")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)


class TreeAdmin(admin.ModelAdmin[Any]):
    list_display: tuple[str, ...] = ("name", "parent", "path")
    search_fields = ("name",)
    readonly_fields = ("path",)
    ordering = ("path",)


@admin.register(Team)
class TeamAdmin(TreeAdmin):
    list_display = ("name", "parent", "manager", "path")
    autocomplete_fields = ("parent", "manager")


@admin.register(Territory)
class TerritoryAdmin(TreeAdmin):
    autocomplete_fields = ("parent",)


class RolePermissionInline(admin.TabularInline[RolePermission, Role]):
    model = RolePermission
    extra = 0


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ("code", "name")
    inlines = [RolePermissionInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # roles are identities clients rely on


class ExchangeRateInline(admin.TabularInline[ExchangeRate, Currency]):
    model = ExchangeRate
    extra = 0


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin[Currency]):
    list_display = ("code", "name", "symbol", "decimal_places", "active")
    search_fields = ("code", "name")
    inlines = [ExchangeRateInline]


@admin.register(OrganisationSettings)
class OrganisationSettingsAdmin(admin.ModelAdmin[OrganisationSettings]):
    list_display = ("company_name", "company_currency")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # exactly one row, created with the reference data

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin[CustomField]):
    list_display = ("record_type", "key", "label", "field_type", "required", "position")
    list_filter = ("record_type", "field_type")
    search_fields = ("key", "label")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "record_type", "record_id", "record_repr", "action", "actor")
    list_filter = ("record_type", "action")
    search_fields = ("record_repr",)
    list_select_related = ("actor",)
    date_hierarchy = "at"


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "email", "succeeded", "ip_address", "user")
    list_filter = ("succeeded",)
    search_fields = ("email", "ip_address")
    list_select_related = ("user",)
    date_hierarchy = "at"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    search_fields = ("name", "user__email", "prefix")
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at")
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by the person (profile page) or `manage.py issue_token`


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "status", "progress", "created_by", "created_at", "finished_at")
    list_filter = ("status", "kind")
    list_select_related = ("created_by",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("recipient", "message", "created_at", "read_at")
    search_fields = ("message", "recipient__email")
    list_select_related = ("recipient",)


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin[SavedView]):
    list_display = ("name", "record_type", "owner", "shared", "created_at")
    list_filter = ("record_type", "shared")
    list_select_related = ("owner",)
