"""Users, roles and the rights each role has per record type."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    OWN = "own", _("Own records")
    TEAM = "team", _("Team, including sub-teams")
    ALL = "all", _("All records")


class RoleCode(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SALES_MANAGER = "sales_manager", _("Sales manager")
    SALESPERSON = "salesperson", _("Salesperson")
    MARKETING = "marketing", _("Marketing")
    EXECUTIVE = "executive", _("Read-only executive")
    DEPARTMENT_MEMBER = "department_member", _("Department member")


class Role(models.Model):
    """A role; its code is its identity (`salesperson`) so API clients can rely on it."""

    code = models.CharField(_("code"), max_length=40, primary_key=True, choices=RoleCode.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        # The built-in roles read in the viewer's language, like their labels in the settings pages.
        return str(RoleCode(self.code).label) if self.code in RoleCode.values else self.name


class RolePermission(models.Model):
    """What a role may do with one record type, and which records it sees (its scope)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="permissions")
    record_type = models.CharField(_("record type"), max_length=40)
    can_create = models.BooleanField(_("create"), default=False)
    can_read = models.BooleanField(_("read"), default=False)
    can_edit = models.BooleanField(_("edit"), default=False)
    can_delete = models.BooleanField(_("delete"), default=False)
    scope = models.CharField(_("visibility"), max_length=10, choices=Scope.choices, default=Scope.OWN)

    class Meta:
        verbose_name = _("role permission")
        verbose_name_plural = _("role permissions")
        constraints = [
            models.UniqueConstraint(fields=["role", "record_type"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.role_id}:{self.record_type}"

    def allows(self, action: str) -> bool:
        return bool(getattr(self, f"can_{action}", False))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        extra.setdefault("role_id", RoleCode.SALESPERSON)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role_id", RoleCode.ADMINISTRATOR)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address."""

    email = models.EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    role = models.ForeignKey(
        Role,
        verbose_name=_("role"),
        on_delete=models.PROTECT,
        related_name="users",
        default=RoleCode.SALESPERSON,
    )
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    territory = models.ForeignKey(
        "core.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    hourly_cost_rate = models.DecimalField(
        _("hourly cost rate"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("In the company currency; used to cost activities."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use Django's admin"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_cost_rate__gte=0),
                name="%(app_label)s_%(class)s_cost_rate_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_administrator(self) -> bool:
        return self.role_id == RoleCode.ADMINISTRATOR or self.is_superuser


class LoginEvent(models.Model):
    """One successful or failed login; the platform's login history."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="logins")
    email = models.CharField(max_length=254)
    succeeded = models.BooleanField()
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.email} {'ok' if self.succeeded else 'failed'} {self.at:%Y-%m-%d %H:%M}"
