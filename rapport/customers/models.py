"""Accounts (companies) and contacts (people), the customers every other module works with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rapport.core import normalize
from rapport.core.money import money_fields
from rapport.core.search import SearchIndex


class CustomerCategory(models.Model):
    """A configurable grouping of customers (e.g. Key account, SMB, Public sector)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("customer category")
        verbose_name_plural = _("customer categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class AccountType(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    PARTNER = "partner", _("Partner")
    COMPETITOR = "competitor", _("Competitor")


class Address(models.Model):
    """Postal address columns shared by accounts (billing) and contacts (mailing)."""

    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)

    class Meta:
        abstract = True


class Account(Address):
    """A company: prospect, customer, partner or competitor."""

    name = models.CharField(_("name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    category = models.ForeignKey(
        CustomerCategory,
        verbose_name=_("customer category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    type = models.CharField(_("type"), max_length=20, choices=AccountType.choices, default=AccountType.PROSPECT)
    territory = models.ForeignKey(
        "core.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="accounts"
    )
    website = models.URLField(_("website"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue_amount, annual_revenue_currency = money_fields(_("annual revenue"))
    description = models.TextField(_("description"), blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    search_index = SearchIndex(table="customers_account", columns=("name",))

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="customers_account_name_idx"),
            models.Index(fields=["owner", "name"], name="customers_account_owner_idx"),
            # "My team's customers": counted from the index alone (docs/performance.md).
            models.Index(fields=["owner", "type"], name="customers_acct_owner_type_idx"),
            models.Index(fields=["-created_at"], name="customers_account_created_idx"),
            models.Index(fields=["-updated_at"], name="customers_account_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")), name="%(app_label)s_%(class)s_not_own_parent"
            ),
            models.CheckConstraint(
                condition=models.Q(annual_revenue_amount__isnull=True)
                | models.Q(annual_revenue_currency__isnull=False),
                name="%(app_label)s_%(class)s_revenue_has_currency",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:account_detail", args=[self.pk])


class PurchaseRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    TECHNICAL_BUYER = "technical_buyer", _("Technical buyer")
    INFLUENCER = "influencer", _("Influencer")
    CHAMPION = "champion", _("Champion")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    OTHER = "other", _("Other")


class Consent(models.TextChoices):
    UNKNOWN = "unknown", _("Not asked")
    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PreferredChannel(models.TextChoices):
    ANY = "", _("Any")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    MOBILE = "mobile", _("Mobile")
    MEETING = "meeting", _("In person")


class Contact(Address):
    """A person; works at one main account and may be linked to others, with a role in the purchase."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    title = models.CharField(_("job title"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    account = models.ForeignKey(
        Account, verbose_name=_("account"), null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="contacts"
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=PreferredChannel.choices, blank=True, default=""
    )
    marketing_consent = models.CharField(
        _("marketing consent"), max_length=10, choices=Consent.choices, default=Consent.UNKNOWN
    )
    consent_changed_at = models.DateTimeField(_("consent changed"), null=True, blank=True, editable=False)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    description = models.TextField(_("description"), blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Match keys for duplicate detection (rapport.core.normalize), kept in step by `refresh_match_keys`.
    email_key = models.CharField(max_length=254, blank=True, default="", editable=False)
    phone_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    mobile_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    name_key = models.CharField(max_length=200, blank=True, default="", editable=False)

    search_index = SearchIndex(table="customers_contact", columns=("first_name", "last_name", "email"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="customers_contact_name_idx"),
            models.Index(fields=["owner", "last_name"], name="customers_contact_owner_idx"),
            models.Index(fields=["email"], name="customers_contact_email_idx"),
            models.Index(fields=["-created_at"], name="customers_contact_created_idx"),
            models.Index(fields=["email_key"], name="customers_contact_ekey_idx"),
            models.Index(fields=["phone_key"], name="customers_contact_pkey_idx"),
            models.Index(fields=["mobile_key"], name="customers_contact_mkey_idx"),
            models.Index(fields=["name_key"], name="customers_contact_nkey_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("customers:contact_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def refresh_match_keys(self) -> None:
        """Recompute the duplicate-detection keys from the typed values."""
        self.email_key = normalize.email_key(self.email)
        self.phone_key = normalize.phone_key(self.phone, self.country)
        self.mobile_key = normalize.phone_key(self.mobile, self.country)
        # The company of a contact is their main account's (kept in step when it is renamed).
        self.name_key = normalize.name_key(self.first_name, self.last_name, self.account.name if self.account else "")


class AccountContact(models.Model):
    """A contact's link to an account and the part they play in its purchases."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contact_links")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="account_links")
    purchase_role = models.CharField(
        _("role in the purchase"), max_length=20, choices=PurchaseRole.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("account link")
        verbose_name_plural = _("account links")
        constraints = [
            models.UniqueConstraint(fields=["account", "contact"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.account}"
