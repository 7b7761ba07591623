"""Teams and territories (trees), and the organisation's own settings."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class TreeNode(models.Model):
    """A node in a tree stored with a materialised path ("/1/4/9/") so a subtree is one prefix query.

    `path` is maintained by `rapport.core.services.org` whenever a node is created or moved.
    """

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        abstract = True
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class Team(TreeNode):
    """A sales team; sub-teams roll up to their parent for visibility and reporting."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )

    class Meta(TreeNode.Meta):
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="%(app_label)s_%(class)s_unique_name"),
        ]


class Territory(TreeNode):
    """A sales territory (region → country → area)."""

    class Meta(TreeNode.Meta):
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="%(app_label)s_%(class)s_unique_name"),
        ]


class OrganisationSettings(models.Model):
    """One row: the company's own settings (name, address, logo, currency, follow-up period)."""

    company_name = models.CharField(_("company name"), max_length=200, default="Rapport")
    #: printed under the name on quotes, one line per line
    company_address = models.TextField(_("company address"), blank=True)
    #: PNG or JPEG, at most 1 MB (checked by `organisation_update`); printed on quotes
    company_logo = models.FileField(_("company logo"), upload_to="org/", blank=True)
    company_currency = models.ForeignKey(
        "core.Currency",
        verbose_name=_("company currency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: an open lead with no activity for this many days shows in its owner's "to follow up" list
    follow_up_days = models.PositiveSmallIntegerField(
        _("follow up leads after (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("organisation settings")
        verbose_name_plural = _("organisation settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="%(app_label)s_%(class)s_single_row"),
            models.CheckConstraint(
                condition=models.Q(follow_up_days__gte=1, follow_up_days__lte=365),
                name="%(app_label)s_%(class)s_follow_up_days",
            ),
        ]

    def __str__(self) -> str:
        return self.company_name
