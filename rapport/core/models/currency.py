"""Currencies and dated exchange rates to the company currency."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Currency(models.Model):
    """An ISO 4217 currency the company deals in."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=80)
    symbol = models.CharField(_("symbol"), max_length=8, blank=True)
    decimal_places = models.PositiveSmallIntegerField(_("decimal places"), default=2)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[A-Z]{3}$"), name="%(app_label)s_%(class)s_iso_code"
            ),
            models.CheckConstraint(condition=models.Q(decimal_places__lte=4), name="%(app_label)s_%(class)s_decimals"),
        ]

    def __str__(self) -> str:
        return self.code


class ExchangeRate(models.Model):
    """How many units of the company currency one unit of `currency` is worth from `valid_from` on."""

    currency = models.ForeignKey(Currency, on_delete=models.CASCADE, related_name="rates")
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="%(app_label)s_%(class)s_one_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="%(app_label)s_%(class)s_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id} {self.valid_from}: {self.rate}"
