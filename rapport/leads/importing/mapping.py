"""Which column goes into which lead field: the targets, suggestions from header names, validation.

A mapping is `{column header: target}`. Targets are the lead fields (`LEAD_FIELDS` without the
utm_* attribution fields), `full_name` (split into first and last name), `estimated_value` (an
amount, maybe with its currency), `tags` (comma-separated), `owner` (a user's e-mail or name),
`status` (new, contacted or qualified), custom fields as `cf_<key>`, and `ignore`.

Headers are compared without case, accents or punctuation, in English, Polish, Chinese and
Indonesian, and as the Salesforce, HubSpot and Pipedrive exports write them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from rapport.core.errors import InvalidInput
from rapport.core.models import CustomField
from rapport.core.search import fold
from rapport.leads.importing.headers import FALLBACKS, SYNONYMS
from rapport.leads.models import Lead
from rapport.leads.services.leads import LEAD_FIELDS

IGNORE = "ignore"
#: targets that are not a model field of the same name
VIRTUAL_TARGETS = ("full_name", "estimated_value", "tags", "status")
#: targets more than one column may feed (their values are joined)
REPEATABLE = frozenset({IGNORE, "tags"})

NOT_AN_OBJECT = _("Send the mapping as a JSON object: column name → lead field.")
NO_SUCH_COLUMN = _("The file has no column with this name.")
UNKNOWN_TARGET = _("Unknown lead field: %(target)s.")
MAPPED_TWICE = _("Two columns are mapped to %(target)s; map only one.")
NEEDS_LAST_NAME = _("Map a column to the last name or to the full name.")
NAME_TWICE = _("Map either the full name or the first and last name, not both.")
VALUE_TWICE = _("Map either the estimated value or its amount, not both.")
REQUIRED_CUSTOM = _("Map a column to the required field %(label)s.")

_PUNCTUATION = re.compile(r"[^\w]+", re.UNICODE)


def normalise_header(header: str) -> str:
    """ "Zip/Postal Code" → "zip postal code"; "Imię" → "imie"; "Person - Name" → "person name"."""
    return " ".join(_PUNCTUATION.split(fold(header))).strip().replace("_", " ")


def _index() -> dict[str, tuple[int, str]]:
    index: dict[str, tuple[int, str]] = {}
    for rank, table in enumerate((SYNONYMS, FALLBACKS)):
        for target, names in table.items():
            for name in names:
                index.setdefault(normalise_header(name), (rank, target))
    return index


_INDEX = _index()


def targets(fields: Iterable[CustomField]) -> list[tuple[str, str]]:
    """(target, label) for every mapping choice, in the order a person expects them."""
    meta = Lead._meta
    labels: dict[str, Any] = {
        "full_name": _("full name (first and last)"),
        "estimated_value": _("estimated value (amount, maybe with currency)"),
        "estimated_value_amount": _("estimated value: amount"),
        "estimated_value_currency": _("estimated value: currency"),
        "tags": _("tags (comma-separated)"),
        "owner": _("owner (user's e-mail or name)"),
        "status": _("status (new, contacted or qualified)"),
    }
    choices: list[tuple[str, str]] = [(IGNORE, str(_("— do not import —")))]
    for name in ("first_name", "last_name", "full_name"):
        choices.append((name, str(labels.get(name) or getattr(meta.get_field(name), "verbose_name", name))))
    for name in LEAD_FIELDS:
        if name.startswith("utm_") or name in ("first_name", "last_name"):
            continue
        if name == "estimated_value_amount":
            choices.append(("estimated_value", str(labels["estimated_value"])))
        choices.append((name, str(labels.get(name) or getattr(meta.get_field(name), "verbose_name", name))))
        if name == "campaign":
            choices.append(("status", str(labels["status"])))
    choices.append(("tags", str(labels["tags"])))
    choices.extend((f"cf_{field.key}", field.label) for field in fields)
    return choices


def target_names(fields: Iterable[CustomField]) -> set[str]:
    return {name for name, _label in targets(fields)}


def suggest(headers: list[str], fields: Iterable[CustomField]) -> dict[str, str]:
    """The likeliest target of each column (`ignore` when none); each target at most once."""
    custom: dict[str, str] = {}
    for field in fields:
        for name in (field.label, field.key, f"cf {field.key}"):
            custom.setdefault(normalise_header(name), f"cf_{field.key}")
    proposals: list[tuple[int, int, str, str]] = []  # (rank, column, header, target)
    for column, header in enumerate(headers):
        key = normalise_header(header)
        if key in custom:
            proposals.append((0, column, header, custom[key]))
        elif key in _INDEX:
            rank, target = _INDEX[key]
            proposals.append((rank + 1, column, header, target))
    mapping = dict.fromkeys(headers, IGNORE)
    taken: set[str] = set()
    for _rank, _column, header, target in sorted(proposals):
        if target in taken and target not in REPEATABLE:
            continue
        mapping[header] = target
        taken.add(target)
    return _without_conflicts(mapping)


def _without_conflicts(mapping: dict[str, str]) -> dict[str, str]:
    """A suggestion never contradicts itself: first + last name beat a full name, and so on."""
    chosen = set(mapping.values())
    drop = set()
    if "full_name" in chosen and ("last_name" in chosen or "first_name" in chosen):
        drop.add("full_name")
    if "estimated_value" in chosen and "estimated_value_amount" in chosen:
        drop.add("estimated_value_amount")
    return {header: (IGNORE if target in drop else target) for header, target in mapping.items()}


def validate(mapping: Any, headers: list[str], fields: list[CustomField]) -> dict[str, str]:
    """The mapping for these headers (unmapped columns ignored), or InvalidInput naming each problem."""
    if not isinstance(mapping, Mapping) or not all(isinstance(v, str) for v in mapping.values()):
        raise InvalidInput({"mapping": [str(NOT_AN_OBJECT)]})
    allowed = target_names(fields)
    errors: dict[str, list[str]] = {}
    known = set(headers)
    for header, target in mapping.items():
        if header not in known:
            errors[f"mapping.{header}"] = [str(NO_SUCH_COLUMN)]
        elif target not in allowed:
            errors[f"mapping.{header}"] = [str(UNKNOWN_TARGET % {"target": target[:60]})]
    result = {header: str(mapping.get(header, IGNORE)) for header in headers}
    chosen = [t for t in result.values() if t in allowed]
    for target in sorted(set(chosen)):
        if target not in REPEATABLE and chosen.count(target) > 1:
            errors.setdefault("mapping", []).append(str(MAPPED_TWICE % {"target": target}))
    chosen_set = set(chosen)
    if "last_name" not in chosen_set and "full_name" not in chosen_set:
        errors.setdefault("mapping", []).append(str(NEEDS_LAST_NAME))
    if "full_name" in chosen_set and chosen_set & {"first_name", "last_name"}:
        errors.setdefault("mapping", []).append(str(NAME_TWICE))
    if "estimated_value" in chosen_set and "estimated_value_amount" in chosen_set:
        errors.setdefault("mapping", []).append(str(VALUE_TWICE))
    for field in fields:
        if field.required and field.field_type != "checkbox" and f"cf_{field.key}" not in chosen_set:
            errors.setdefault("mapping", []).append(str(REQUIRED_CUSTOM % {"label": field.label}))
    if errors:
        raise InvalidInput(errors)
    return result
