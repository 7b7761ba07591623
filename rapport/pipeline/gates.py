"""Stage gates: what an opportunity must have before it may enter a stage.

A stage lists required fields (standard or `custom.<key>`), contact roles and artefacts. Artefacts
are pluggable: a module registers a key, a label and a check (`register_artefact`) — the quotes
module adds "a sent quote", activities "a completed meeting". `missing_for` answers the complete
list of what is missing; the move service (`services.moves`) refuses a move while it is not empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rapport.core.models import CustomField

if TYPE_CHECKING:
    from rapport.pipeline.models import Opportunity, Stage

#: standard fields a gate may require, with how they read
GATE_FIELDS: dict[str, Promise] = {
    "amount": _("amount"),
    "close_date": _("expected close date"),
    "next_step": _("next step"),
    "closed_reason": _("won/lost reason"),
    "description": _("description"),
    "campaign": _("campaign"),
    "source_lead": _("source lead"),
    "lines": _("product lines"),
    "competitors": _("competitors"),
}


@dataclass(frozen=True)
class Artefact:
    key: str
    label: str | Promise
    check: Callable[[Opportunity], bool]


@dataclass(frozen=True)
class Missing:
    """One thing a stage needs that the opportunity lacks."""

    kind: str  # "field", "role" or "artefact"
    key: str
    label: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "key": self.key, "label": self.label}


_artefacts: dict[str, Artefact] = {}


def register_artefact(key: str, label: str | Promise, check: Callable[[Opportunity], bool]) -> None:
    _artefacts[key] = Artefact(key, label, check)


def artefacts() -> list[Artefact]:
    return list(_artefacts.values())


def register_builtin_artefacts() -> None:
    register_artefact("product_line", _("at least one product line"), lambda o: o.lines.exists())
    register_artefact("decision_maker", _("a decision maker among the contacts"), _has_decision_maker)


def _has_decision_maker(opportunity: Opportunity) -> bool:
    return opportunity.contact_roles.filter(role="decision_maker").exists()


def field_choices() -> list[tuple[str, str]]:
    """Every field a gate may require: the standard ones, then the opportunity's custom fields."""
    standard = [(key, str(label)) for key, label in GATE_FIELDS.items()]
    custom = [
        (f"custom.{f.key}", str(f.label))
        for f in CustomField.objects.filter(record_type="opportunity").order_by("position", "id")
    ]
    return standard + custom


def _is_filled(opportunity: Opportunity, name: str, values: dict[str, Any]) -> bool:
    if name in values:
        value = values[name]
    elif name.startswith("custom."):
        value = (opportunity.custom or {}).get(name.removeprefix("custom."))
    elif name == "lines":
        return opportunity.pk is not None and opportunity.lines.exists()
    elif name == "competitors":
        return opportunity.pk is not None and opportunity.competitors.exists()
    elif name == "amount":
        return bool(opportunity.amount_amount)
    else:
        value = getattr(opportunity, f"{name}_id" if name == "source_lead" else name, None)
    return value not in (None, "", [], {}) and not (isinstance(value, str) and not value.strip())


def _field_label(name: str, custom_labels: dict[str, str]) -> str:
    if name.startswith("custom."):
        return custom_labels.get(name.removeprefix("custom."), name)
    return str(GATE_FIELDS.get(name, name))


def missing_for(opportunity: Opportunity, stage: Stage, values: dict[str, Any] | None = None) -> list[Missing]:
    """Everything `stage` requires that `opportunity` (with `values` about to be set) lacks.

    A won or lost stage always requires the won/lost reason."""
    values = values or {}
    required = list(stage.required_fields or [])
    if stage.is_closed and "closed_reason" not in required:
        required.append("closed_reason")
    custom_labels = (
        dict(CustomField.objects.filter(record_type="opportunity").values_list("key", "label"))
        if any(name.startswith("custom.") for name in required)
        else {}
    )
    missing = [
        Missing("field", name, _field_label(name, custom_labels))
        for name in required
        if not _is_filled(opportunity, name, values)
    ]
    roles = set(opportunity.contact_roles.values_list("role", flat=True)) if opportunity.pk else set()
    from rapport.pipeline.models import ContactRole

    labels = dict(ContactRole.choices)
    missing += [
        Missing("role", role, str(_("a contact with the role “%(role)s”") % {"role": labels.get(role, role)}))
        for role in stage.required_roles or []
        if role not in roles
    ]
    for key in stage.required_artefacts or []:
        artefact = _artefacts.get(key)
        if artefact is None or opportunity.pk is None or not artefact.check(opportunity):
            missing.append(Missing("artefact", key, str(artefact.label if artefact else key)))
    return missing
