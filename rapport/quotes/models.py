"""Quotes: numbered, versioned offers built from an opportunity, their lines, the yearly number
sequence and the administrators' quote settings (PRODUCT §5, decision 0011)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rapport.core.money import AMOUNT_DIGITS, AMOUNT_PLACES

PERCENT = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


def amount_field(verbose_name: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, default=Decimal("0")
    )


def percent_field(verbose_name: Any, **options: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, **PERCENT, **options)  # type: ignore[arg-type]


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("quote status", "draft")
    PENDING_APPROVAL = "pending_approval", pgettext_lazy("quote status", "pending approval")
    APPROVED = "approved", pgettext_lazy("quote status", "approved")
    RETURNED = "returned", pgettext_lazy("quote status", "returned")
    SENT = "sent", pgettext_lazy("quote status", "sent")
    ACCEPTED = "accepted", pgettext_lazy("quote status", "accepted")
    REJECTED = "rejected", pgettext_lazy("quote status", "rejected")
    EXPIRED = "expired", pgettext_lazy("quote status", "expired")
    #: an earlier version replaced by a revision: readable, never changed again
    SUPERSEDED = "superseded", pgettext_lazy("quote status", "superseded")


#: statuses in which the lines and the header may change
EDITABLE = (QuoteStatus.DRAFT, QuoteStatus.RETURNED)


class QuoteLanguage(models.TextChoices):
    """The language a quote is written in (its PDF, its e-mail) — not only the UI languages."""

    ENGLISH = "en", _("English")
    POLISH = "pl", _("Polish")
    INDONESIAN = "id", _("Indonesian")
    TRADITIONAL_CHINESE = "zh-hant", _("Traditional Chinese")


class QuoteSettings(models.Model):
    """One row: how quotes are numbered, how long they stay valid, and the discounts above which
    the owner's manager must approve a quote."""

    number_prefix = models.CharField(_("number prefix"), max_length=20, default="Q", blank=True)
    number_padding = models.PositiveSmallIntegerField(
        _("digits in the number"), default=5, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    validity_days = models.PositiveSmallIntegerField(
        _("valid for (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    #: a line discount above this (%) needs approval
    max_line_discount = percent_field(_("line discount allowed without approval (%)"), default=Decimal("15"))
    #: the quote's whole discount (discounts ÷ subtotal) above this (%) needs approval
    max_total_discount = percent_field(_("whole discount allowed without approval (%)"), default=Decimal("10"))
    default_terms = models.TextField(_("default terms"), blank=True)

    class Meta:
        verbose_name = _("quote settings")
        verbose_name_plural = _("quote settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="%(app_label)s_%(class)s_single_row"),
            models.CheckConstraint(
                condition=models.Q(number_padding__gte=1, number_padding__lte=12),
                name="%(app_label)s_%(class)s_padding",
            ),
            models.CheckConstraint(
                condition=models.Q(max_line_discount__gte=0, max_line_discount__lte=100)
                & models.Q(max_total_discount__gte=0, max_total_discount__lte=100),
                name="%(app_label)s_%(class)s_thresholds",
            ),
        ]

    def __str__(self) -> str:
        return str(_("quote settings"))

    @classmethod
    def current(cls) -> QuoteSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class QuoteSequence(models.Model):
    """The last number given in one year. Incremented under a row lock (`numbering.next_number`),
    so two quotes never get the same number; a rolled-back quote gives its number back."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("quote number sequence")
        verbose_name_plural = _("quote number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Quote(models.Model):
    """One version of an offer. Versions of a series share `number` and `root` (the first
    version); only the latest may be revised, and only a draft or returned one changes."""

    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="quotes",
        db_index=False,  # the (opportunity, status) index starts with it
    )
    account = models.ForeignKey(
        "customers.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="quotes"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
    )
    #: the opportunity's owner when the quote was last written; approval goes to their manager
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="quotes",
        db_index=False,  # the composite index below starts with it
    )
    number = models.CharField(_("number"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    root = models.ForeignKey(
        "self",
        verbose_name=_("first version"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="versions",
        db_index=False,  # the unique (root, version) constraint starts with it
    )
    status = models.CharField(_("status"), max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    currency = models.ForeignKey(
        "core.Currency", verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    language = models.CharField(
        _("language"), max_length=10, choices=QuoteLanguage.choices, default=QuoteLanguage.ENGLISH
    )
    valid_until = models.DateField(_("valid until"))
    terms = models.TextField(_("terms"), blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    # Totals, stored so lists and reports read them without the lines (decision 0011).
    subtotal = amount_field(_("subtotal"))
    discount_total = amount_field(_("discounts"))
    net_total = amount_field(_("net total"))
    tax_total = amount_field(_("tax"))
    total = amount_field(_("total"))
    #: {"23.00": {"net": "100.00", "tax": "23.00"}, …}: tax per rate, decimal strings
    tax_breakdown = models.JSONField(_("tax per rate"), default=dict, blank=True)

    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    closed_at = models.DateTimeField(_("accepted, rejected or expired"), null=True, blank=True)
    decision_note = models.CharField(_("customer's answer"), max_length=500, blank=True)
    #: the name the customer typed when answering on the quote's page, and where they answered from
    customer_name = models.CharField(_("answered by"), max_length=200, blank=True)
    decision_ip = models.GenericIPAddressField(_("answered from"), null=True, blank=True)
    #: the random half of the customer's link (`rapport.quotes.acceptance`); empty until first sent
    link_nonce = models.CharField(max_length=32, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The list (500,000 quotes): newest first, by status, by owner, by number; each filter
            # is followed by the sort column so a page of 50 is an index walk.
            models.Index(fields=["-created_at", "-id"], name="quotes_quote_created_idx"),
            models.Index(fields=["status", "-created_at"], name="quotes_quote_status_idx"),
            models.Index(fields=["owner", "-created_at"], name="quotes_quote_owner_idx"),
            models.Index(fields=["owner", "status", "-created_at"], name="quotes_quote_owner_status_idx"),
            # The biggest or the latest-valid first, company-wide (an index walked backwards serves "-").
            models.Index(fields=["total", "id"], name="quotes_quote_total_idx"),
            models.Index(fields=["valid_until", "id"], name="quotes_quote_valid_until_idx"),
            # Sorting by number walks the unique (number, version) constraint's index.
            # The gate artefacts and an opportunity's quotes.
            models.Index(fields=["opportunity", "status"], name="quotes_quote_opp_status_idx"),
            # The scheduler's expiry: only sent quotes, by date.
            models.Index(
                fields=["valid_until"],
                name="quotes_quote_sent_valid_idx",
                condition=models.Q(status="sent"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="%(app_label)s_%(class)s_unique_number"),
            models.UniqueConstraint(fields=["root", "version"], name="%(app_label)s_%(class)s_unique_version"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="%(app_label)s_%(class)s_version"),
            models.CheckConstraint(
                condition=models.Q(subtotal__gte=0, discount_total__gte=0, tax_total__gte=0, total__gte=0),
                name="%(app_label)s_%(class)s_totals",
            ),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        """The number people quote back: "Q-2026-00042", with "/2" from the second version on."""
        return self.number if self.version == 1 else f"{self.number}/{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class QuoteLine(models.Model):
    """A product (or free text) on a quote: quantity * unit price, less a discount (%), plus tax."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quote_lines",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    unit_price = models.DecimalField(
        _("unit price"), max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, validators=[MinValueValidator(0)]
    )
    discount = percent_field(_("discount (%)"), default=Decimal("0"))
    tax_rate = percent_field(_("tax rate (%)"), default=Decimal("0"))
    # Stored per line by `totals.line_amounts`, so a line's figures never change after the fact.
    gross_amount = amount_field(_("amount before discount"))
    net_amount = amount_field(_("net amount"))

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="%(app_label)s_%(class)s_quantity"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="%(app_label)s_%(class)s_price"),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0, discount__lte=100), name="%(app_label)s_%(class)s_discount"
            ),
            models.CheckConstraint(
                condition=models.Q(tax_rate__gte=0, tax_rate__lte=100), name="%(app_label)s_%(class)s_tax_rate"
            ),
            models.CheckConstraint(
                condition=models.Q(product__isnull=False) | ~models.Q(description=""),
                name="%(app_label)s_%(class)s_product_or_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description or self.product_id} x {self.quantity}"


class AcceptanceStage(models.Model):
    """Where an opportunity of this pipeline moves when a quote of it is accepted (through the
    stage's gate, like any move); a pipeline without a row stays where it is."""

    pipeline = models.OneToOneField(
        "pipeline.Pipeline", verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="+"
    )
    stage = models.ForeignKey("pipeline.Stage", verbose_name=_("stage"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("stage after an accepted quote")
        verbose_name_plural = _("stages after an accepted quote")

    def __str__(self) -> str:
        return f"{self.pipeline_id} → {self.stage_id}"
