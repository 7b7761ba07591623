"""Administrator-defined fields on any registered record type; values live in the record's JSON."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Money")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    CHECKBOX = "checkbox", _("Checkbox")
    EMAIL = "email", _("E-mail")
    URL = "url", _("URL")


key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,49}$",
    _("Use lower-case letters, digits and underscores, starting with a letter."),
)


class CustomField(models.Model):
    """One extra field on a record type (`account`, `contact`, … from the record registry)."""

    record_type = models.CharField(_("record type"), max_length=40)
    key = models.CharField(_("key"), max_length=50, validators=[key_validator])
    label = models.CharField(_("label"), max_length=120)
    field_type = models.CharField(_("type"), max_length=20, choices=CustomFieldType.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["record_type", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "key"], name="%(app_label)s_%(class)s_unique_key"),
        ]

    def __str__(self) -> str:
        return self.label
