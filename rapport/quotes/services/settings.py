"""The administrators' quote settings: numbering, validity, default terms, approval thresholds."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rapport.core.errors import InvalidInput
from rapport.core.models import User
from rapport.core.services._common import full_clean_or_raise, require_admin
from rapport.quotes.models import QuoteSettings

SETTINGS_FIELDS = (
    "number_prefix",
    "number_padding",
    "validity_days",
    "max_line_discount",
    "max_total_discount",
    "default_terms",
)
CANNOT_BE_SET = _("This field cannot be set.")


@transaction.atomic
def quote_settings_update(*, actor: User, **changes: Any) -> QuoteSettings:
    """Change how quotes are numbered, how long they are valid and the discounts (%) above which
    the owner's manager must approve. Administrators only; a new prefix applies to new quotes."""
    require_admin(actor)
    unknown = [name for name in changes if name not in SETTINGS_FIELDS]
    if unknown:
        raise InvalidInput({name: [str(CANNOT_BE_SET)] for name in unknown})
    QuoteSettings.current()
    row = QuoteSettings.objects.select_for_update().get(pk=1)
    for name, value in changes.items():
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(row)
    row.save()
    return row
