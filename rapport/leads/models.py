"""Leads — people and companies not yet qualified as customers — and what shapes how they arrive:
sources, tags, qualification criteria, scoring rules, assignment rules and web-to-lead forms."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from rapport.core import normalize
from rapport.core.money import money_fields
from rapport.core.search import SearchIndex
from rapport.customers.models import Address


class LeadSource(models.Model):
    """A configurable source channel (campaign, purchased list, web form, referral, event…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lead source")
        verbose_name_plural = _("lead sources")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        # The names Rapport starts with are in the catalogue and read in the viewer's language;
        # a name an administrator typed has no translation and shows as typed.
        return gettext(self.name)


class Tag(models.Model):
    """A free label on leads; names are stored trimmed and compared without regard to case."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


#: statuses in which a lead is still being worked (counted as "open" by assignment)
OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)


class QualificationCriterion(models.Model):
    """One item of the qualification checklist (e.g. budget, authority, need, timeline)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("qualification criterion")
        verbose_name_plural = _("qualification criteria")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        # As for LeadSource, the starting names are translated — with a context: "Timeline" here is
        # the buyer's time frame, not a record page's timeline.
        return pgettext("qualification criterion", self.name)

    @property
    def shown_description(self) -> str:
        return gettext(self.description) if self.description else ""


class Lead(Address):
    """A person at a company who may buy: captured, worked, qualified or disqualified, then converted."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    territory = models.ForeignKey(
        "core.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # No single-column index on source and owner: the composite indexes below start with them.
    # Every index costs each imported row (docs/performance.md); these would only duplicate.
    source = models.ForeignKey(
        LeadSource,
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        db_index=False,
    )
    campaign = models.CharField(_("campaign"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    disqualify_reason = models.CharField(_("reason for disqualifying"), max_length=300, blank=True)
    need_identified = models.BooleanField(_("need identified"), default=False)
    need_description = models.TextField(_("what is needed"), blank=True)
    estimated_value_amount, estimated_value_currency = money_fields(_("estimated value"), currency_index=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="leads",
        db_index=False,
    )
    score = models.IntegerField(_("score"), default=0, editable=False)
    #: criterion key → met (True) or not (False); keys of inactive criteria are kept, not shown
    qualification = models.JSONField(_("qualification"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="leads")
    description = models.TextField(_("description"), blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    # Attribution: where a web form or a tracked link says the lead came from.
    utm_source = models.CharField("utm_source", max_length=150, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=150, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=150, blank=True)
    utm_term = models.CharField("utm_term", max_length=150, blank=True)
    utm_content = models.CharField("utm_content", max_length=150, blank=True)
    web_form = models.ForeignKey(
        "WebForm",
        verbose_name=_("web form"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        db_index=False,  # a partial index below: most leads come from elsewhere
    )
    import_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    # Conversion: filled once, when the lead becomes an account + contact (+ opportunity).
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True, editable=False)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,  # users are deactivated, not deleted: nothing looks leads up by it
    )
    converted_account = models.ForeignKey(
        "customers.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="converted_leads",
        editable=False,
        db_index=False,  # a partial index below: only converted leads have one
    )
    converted_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="converted_leads",
        editable=False,
        db_index=False,  # a partial index below: only converted leads have one
    )
    #: the opportunity made at conversion (the pipeline module turns this into a link when it lands)
    converted_opportunity_id = models.BigIntegerField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Match keys for duplicate detection (rapport.core.normalize), kept in step by `refresh_match_keys`.
    email_key = models.CharField(max_length=254, blank=True, default="", editable=False)
    phone_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    name_key = models.CharField(max_length=200, blank=True, default="", editable=False)
    company_key = models.CharField(max_length=200, blank=True, default="", editable=False)

    search_index = SearchIndex(table="leads_lead", columns=("first_name", "last_name", "company", "email"))

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="leads_lead_created_idx"),
            models.Index(fields=["owner", "status"], name="leads_lead_owner_status_idx"),
            models.Index(fields=["owner", "-created_at"], name="leads_lead_owner_created_idx"),
            models.Index(fields=["status", "-created_at"], name="leads_lead_status_created_idx"),
            models.Index(fields=["-score", "-id"], name="leads_lead_score_idx"),
            models.Index(fields=["last_name", "first_name", "id"], name="leads_lead_name_idx"),
            models.Index(fields=["company", "id"], name="leads_lead_company_idx"),
            models.Index(fields=["source", "-created_at"], name="leads_lead_source_idx"),
            models.Index(fields=["-updated_at"], name="leads_lead_updated_idx"),
            models.Index(fields=["email_key"], name="leads_lead_email_key_idx"),
            models.Index(fields=["phone_key"], name="leads_lead_phone_key_idx"),
            models.Index(fields=["name_key"], name="leads_lead_name_key_idx"),
            # Most leads have no web form and are not converted: partial indexes are not written for
            # them (an import writes three index entries fewer per lead) and still serve `= id`.
            models.Index(
                fields=["web_form"], name="leads_lead_web_form_idx", condition=models.Q(web_form__isnull=False)
            ),
            models.Index(
                fields=["converted_account"],
                name="leads_lead_conv_account_idx",
                condition=models.Q(converted_account__isnull=False),
            ),
            models.Index(
                fields=["converted_contact"],
                name="leads_lead_conv_contact_idx",
                condition=models.Q(converted_contact__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(estimated_value_amount__isnull=True)
                | models.Q(estimated_value_currency__isnull=False),
                name="%(app_label)s_%(class)s_value_has_currency",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="disqualified") | ~models.Q(disqualify_reason=""),
                name="%(app_label)s_%(class)s_disqualified_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="converted") | models.Q(converted_at__isnull=False),
                name="%(app_label)s_%(class)s_converted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("leads:lead_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_converted(self) -> bool:
        return self.status == LeadStatus.CONVERTED

    def refresh_match_keys(self) -> None:
        """Recompute the duplicate-detection keys from the typed values."""
        self.email_key = normalize.email_key(self.email)
        self.phone_key = normalize.phone_key(self.phone, self.country)
        self.company_key = normalize.company_key(self.company)
        self.name_key = normalize.name_key_with(self.first_name, self.last_name, self.company_key)


class RuleOperator(models.TextChoices):
    EQUALS = "equals", _("is")
    NOT_EQUALS = "not_equals", _("is not")
    CONTAINS = "contains", _("contains")
    IS_SET = "is_set", _("is filled in")
    IS_EMPTY = "is_empty", _("is empty")
    GREATER = "gt", _("is greater than")
    LESS = "lt", _("is less than")


class ScoringRule(models.Model):
    """A condition on a lead's field → points added to its score (negative points subtract).

    `field` names a lead field (`source`, `country`, `title`, `need_identified`, `estimated_value`,
    `email_domain`…), a custom field as `cf_<key>` or a qualification criterion as `criterion_<key>`.
    """

    name = models.CharField(_("name"), max_length=100)
    field = models.CharField(_("field"), max_length=60)
    operator = models.CharField(_("condition"), max_length=12, choices=RuleOperator.choices)
    value = models.CharField(_("value"), max_length=200, blank=True)
    points = models.IntegerField(_("points"))
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gte=-1000, points__lte=1000), name="%(app_label)s_%(class)s_points_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round-robin")
    FEWEST_OPEN = "fewest_open", _("Fewest open leads")


class AssignmentRule(models.Model):
    """ "Leads that match → this user or this team". Rules are tried in order; the first match wins.

    Every condition that is filled in must hold (an empty condition matches anything). Within a
    team, members take turns (round-robin) or the one with the fewest open leads gets it.
    """

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    territory = models.ForeignKey(
        "core.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Matches leads in this territory or any of its sub-territories."),
    )
    country = models.CharField(
        _("country"), max_length=100, blank=True, help_text=_("Several countries separated by commas.")
    )
    source = models.ForeignKey(
        LeadSource, verbose_name=_("source"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    custom_field = models.CharField(_("custom field"), max_length=60, blank=True)
    custom_value = models.CharField(_("custom field value"), max_length=200, blank=True)
    assign_to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign to user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    assign_to_team = models.ForeignKey(
        "core.Team", verbose_name=_("assign to team"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team_strategy = models.CharField(
        _("within the team"), max_length=20, choices=TeamStrategy.choices, default=TeamStrategy.ROUND_ROBIN
    )
    #: the member who got the team's last lead (round-robin continues after them)
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assign_to_user__isnull=True) ^ models.Q(assign_to_team__isnull=True),
                name="%(app_label)s_%(class)s_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.name


def _new_form_key() -> str:
    return secrets.token_urlsafe(16)


class WebForm(models.Model):
    """A web-to-lead form: the fields a public page may send, and how the leads it makes are labelled.

    `fields` lists `{"name": <lead field or cf_<key>>, "required": bool, "label": str}` in display
    order. Leads from the form get its source and campaign, then go through the assignment rules;
    `owner` is who gets them when no rule matches.
    """

    name = models.CharField(_("name"), max_length=100)
    key = models.CharField(max_length=40, unique=True, default=_new_form_key, editable=False)
    fields = models.JSONField(_("fields"), default=list)
    source = models.ForeignKey(
        LeadSource, verbose_name=_("source"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.CharField(_("campaign"), max_length=150, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("default owner"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Gets the leads no assignment rule gives to someone else."),
    )
    thank_you_url = models.URLField(_("thank-you page"), max_length=500, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class WebFormSubmission(models.Model):
    """One accepted or refused post to a web form: the rate limit counts these per address."""

    form = models.ForeignKey(WebForm, on_delete=models.CASCADE, related_name="submissions")
    #: a keyed hash of the sender's IP address (the address itself is not kept)
    client = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)
    accepted = models.BooleanField(default=False)
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["client", "at"], name="leads_submission_client_idx")]

    def __str__(self) -> str:
        return f"{self.form} {self.at:%Y-%m-%d %H:%M}"
