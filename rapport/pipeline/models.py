"""Pipelines, their stages and gates, opportunities with their contacts, product lines,
competitors and costs, and the immutable history of stage moves (PRODUCT §3)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rapport.core.money import AMOUNT_DIGITS, AMOUNT_PLACES, CENT, money_fields
from rapport.core.search import SearchIndex

PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


def percent_field(verbose_name: Any, **options: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS, **options)


class StageKind(models.TextChoices):
    OPEN = "open", _("open")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", _("pipeline")
    BEST_CASE = "best_case", _("best case")
    COMMIT = "commit", _("commit")
    CLOSED = "closed", _("closed")
    OMITTED = "omitted", _("omitted")


class ContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("decision maker")
    ECONOMIC_BUYER = "economic_buyer", _("economic buyer")
    TECHNICAL_EVALUATOR = "technical_evaluator", _("technical evaluator")
    CHAMPION = "champion", _("champion")
    INFLUENCER = "influencer", _("influencer")
    USER = "user", _("user")
    OTHER = "other", _("other")


class Pipeline(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """One step of a pipeline and its gate: what must be filled in, present or done to enter it."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=0)
    probability = percent_field(_("probability (%)"), default=Decimal("10"))
    kind = models.CharField(_("kind"), max_length=10, choices=StageKind.choices, default=StageKind.OPEN)
    forecast_category = models.CharField(
        _("forecast category"), max_length=20, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )
    stuck_after_days = models.PositiveIntegerField(_("stuck after (days)"), null=True, blank=True)
    #: field names ("amount", "close_date", "custom.budget_code"…) that must be filled to enter
    required_fields = models.JSONField(_("required fields"), default=list, blank=True)
    #: contact roles (`ContactRole`) that must be on the opportunity to enter
    required_roles = models.JSONField(_("required contact roles"), default=list, blank=True)
    #: artefact keys (`rapport.pipeline.gates`) that must exist to enter
    required_artefacts = models.JSONField(_("required artefacts"), default=list, blank=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="%(app_label)s_%(class)s_unique_name"),
            models.CheckConstraint(
                condition=models.Q(probability__gte=0) & models.Q(probability__lte=100),
                name="%(app_label)s_%(class)s_probability",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != StageKind.OPEN


class Opportunity(models.Model):
    name = models.CharField(_("name"), max_length=200)
    account = models.ForeignKey(
        "customers.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="opportunities"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="opportunities",
        db_index=False,  # the composite indexes below start with it
    )
    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="opportunities")
    amount_amount, amount_currency = money_fields(_("amount"), null=False, currency_index=False)
    #: True: the amount is the sum of the product lines; False: typed in by hand
    amount_from_lines = models.BooleanField(_("amount from product lines"), default=True)
    probability = percent_field(_("probability (%)"))
    probability_overridden = models.BooleanField(default=False, editable=False)
    close_date = models.DateField(_("expected close date"), null=True, blank=True)
    forecast_category = models.CharField(
        _("forecast category"), max_length=20, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    closed_reason = models.CharField(_("won/lost reason"), max_length=300, blank=True)
    source_lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("source lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    campaign = models.CharField(_("campaign"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    stage_entered_at = models.DateTimeField(_("in stage since"), editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    search_index = SearchIndex(table="pipeline_opportunity", columns=("name",))

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["stage", "close_date", "id"], name="pipeline_opp_stage_close_idx"),
            # Both cover the board's column totals: counts and sums come from an index alone.
            # Owner first for a scoped user (a team's deals, wherever they are in the table: with
            # a million deals PostgreSQL otherwise read ~58,000 heap pages, 230 ms); stage first
            # for everybody's board — docs/performance.md.
            models.Index(
                fields=["owner", "stage", "amount_currency", "amount_amount", "probability"],
                name="pipeline_opp_owner_totals_idx",
            ),
            models.Index(
                fields=["stage", "amount_currency", "owner", "amount_amount", "probability"],
                name="pipeline_opp_totals_idx",
            ),
            models.Index(fields=["owner", "-created_at"], name="pipeline_opp_owner_created_idx"),
            models.Index(fields=["-created_at", "-id"], name="pipeline_opp_created_idx"),
            models.Index(fields=["close_date", "id"], name="pipeline_opp_close_idx"),
            models.Index(fields=["name", "id"], name="pipeline_opp_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__gte=0) & models.Q(probability__lte=100),
                name="%(app_label)s_%(class)s_probability",
            ),
            models.CheckConstraint(condition=models.Q(amount_amount__gte=0), name="%(app_label)s_%(class)s_amount"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pipeline:opportunity_detail", args=[self.pk])

    @property
    def weighted_amount(self) -> Decimal:
        return Decimal(self.amount_amount * self.probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)


class OpportunityContact(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="contact_roles")
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="opportunity_roles"
    )
    role = models.CharField(_("role"), max_length=30, choices=ContactRole.choices, default=ContactRole.OTHER)

    class Meta:
        verbose_name = _("contact role")
        verbose_name_plural = _("contact roles")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "contact", "role"], name="%(app_label)s_%(class)s_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.get_role_display()}"


class OpportunityLine(models.Model):
    """A product the prospect needs: quantity times unit price, less a discount (%)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="opportunity_lines"
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, validators=[MinValueValidator(0)]
    )
    discount = percent_field(_("discount (%)"), default=Decimal("0"))

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.product_id} x {self.quantity}"

    @property
    def total(self) -> Decimal:
        """quantity * unit price * (1 - discount/100), rounded half up to the cent."""
        gross = self.quantity * self.unit_price
        return Decimal(gross * (100 - self.discount) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


class CompetitorStatus(models.TextChoices):
    ACTIVE = "active", _("in the race")
    LEADING = "leading", _("leading")
    OUT = "out", _("out of the race")
    WON = "won", _("won the deal")


class OpportunityCompetitor(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="competitors")
    competitor = models.ForeignKey(
        "customers.Account", verbose_name=_("competitor"), on_delete=models.PROTECT, related_name="competing_in"
    )
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CompetitorStatus.choices, default="active")

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "competitor"], name="%(app_label)s_%(class)s_once")
        ]

    def __str__(self) -> str:
        return str(self.competitor_id)


class CostCategory(models.TextChoices):
    TRAVEL = "travel", _("travel")
    SAMPLES = "samples", _("samples and demos")
    ENTERTAINMENT = "entertainment", _("entertainment")
    EVENTS = "events", _("events")
    OTHER = "other", _("other")


class OpportunityCost(models.Model):
    """Money spent pursuing the opportunity (activity costs are added by the activities module)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="costs")
    date = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices, default="other")
    amount_amount, amount_currency = money_fields(_("amount"), null=False, currency_index=False)
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("cost")
        verbose_name_plural = _("costs")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_amount__gt=0), name="%(app_label)s_%(class)s_positive")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.amount_amount} {self.amount_currency_id}"


class StageChange(models.Model):
    """One move of an opportunity (its creation has `from_stage` empty). Never changed or deleted
    by Rapport: the pipeline's history and the time-in-stage figures are read from these rows."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    amount = models.DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
    currency = models.ForeignKey("core.Currency", on_delete=models.PROTECT, related_name="+", db_index=False)
    probability = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["opportunity", "at", "id"]
        indexes = [models.Index(fields=["to_stage", "at"], name="pipeline_change_to_at_idx")]

    def __str__(self) -> str:
        return f"{self.from_stage_id} → {self.to_stage_id} at {self.at}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Stage history is immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Stage history is immutable.")
