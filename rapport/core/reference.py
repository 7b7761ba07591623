"""Reference data every installation starts with: roles and their default rights, currencies,
the organisation settings row. Run after every migrate (idempotent: only missing rows are added,
an administrator's changes are kept), so a record type registered by a new app gets default rights.
"""

from __future__ import annotations

from typing import Any

from rapport.core import records
from rapport.core.models import Currency, OrganisationSettings, Role, RoleCode, RolePermission, Scope

# (create, read, edit, delete, scope) per role; a record type may override below.
DEFAULT_RIGHTS: dict[str, tuple[bool, bool, bool, bool, str]] = {
    RoleCode.ADMINISTRATOR: (True, True, True, True, Scope.ALL),
    RoleCode.SALES_MANAGER: (True, True, True, True, Scope.TEAM),
    RoleCode.SALESPERSON: (True, True, True, False, Scope.OWN),
    RoleCode.MARKETING: (True, True, False, False, Scope.ALL),
    RoleCode.EXECUTIVE: (False, True, False, False, Scope.ALL),
    RoleCode.DEPARTMENT_MEMBER: (False, True, False, False, Scope.TEAM),
}
OVERRIDES: dict[tuple[str, str], tuple[bool, bool, bool, bool, str]] = {
    # Marketing keeps contact consent and channels up to date.
    (RoleCode.MARKETING, "contact"): (True, True, True, False, Scope.ALL),
    # Marketing brings leads in (imports, web forms) and works them until sales takes over.
    (RoleCode.MARKETING, "lead"): (True, True, True, False, Scope.ALL),
    # Activities are a salesperson's own diary: they plan, change and remove their own.
    (RoleCode.SALESPERSON, "activity"): (True, True, True, True, Scope.OWN),
    # Marketing keeps its own diary too (events, calls to campaign members).
    (RoleCode.MARKETING, "activity"): (True, True, True, True, Scope.OWN),
}

CURRENCIES = [
    ("EUR", "Euro", "€"),
    ("USD", "US dollar", "$"),
    ("PLN", "Polish złoty", "zł"),
    ("GBP", "Pound sterling", "£"),
    ("IDR", "Indonesian rupiah", "Rp"),
    ("TWD", "New Taiwan dollar", "NT$"),
]


def ensure_reference_data(**_kwargs: Any) -> None:
    for code, label in RoleCode.choices:
        Role.objects.get_or_create(code=code, defaults={"name": str(label)})
    for record_type in records.all_types():
        for code, _name in RoleCode.choices:
            create, read, edit, delete, scope = OVERRIDES.get((code, record_type.key), DEFAULT_RIGHTS[code])
            RolePermission.objects.get_or_create(
                role_id=code,
                record_type=record_type.key,
                defaults={
                    "can_create": create,
                    "can_read": read,
                    "can_edit": edit,
                    "can_delete": delete,
                    "scope": scope,
                },
            )
    for code, currency_name, symbol in CURRENCIES:
        Currency.objects.get_or_create(code=code, defaults={"name": currency_name, "symbol": symbol})
    OrganisationSettings.objects.get_or_create(pk=1, defaults={"company_currency_id": "EUR"})
