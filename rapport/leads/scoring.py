"""Lead scoring: the sum of the points of every active rule whose condition the lead meets.

Rules are loaded once into a `ScoreCard` and applied in memory, so scoring a batch of imported
rows costs no query per row. A service recomputes a lead's score on every change; after a rule
changes, `leads_rescore_start` recomputes every lead in the background.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core.errors import DomainError
from rapport.core.models import CustomField, CustomFieldType, Job, User
from rapport.core.money import company_currency, rate_on
from rapport.core.services.jobs import Progress, job_start
from rapport.leads.models import Lead, LeadSource, RuleOperator, ScoringRule

#: lead attributes a rule may test, besides `cf_<key>` (custom fields) and `criterion_<key>`
FIELDS: dict[str, Any] = {
    "source": gettext_lazy("Source"),
    "status": gettext_lazy("Status"),
    "country": gettext_lazy("Country"),
    "region": gettext_lazy("Region"),
    "city": gettext_lazy("City"),
    "company": gettext_lazy("Company"),
    "title": gettext_lazy("Job title"),
    "industry": gettext_lazy("Industry"),
    "campaign": gettext_lazy("Campaign"),
    "email": gettext_lazy("E-mail"),
    "email_domain": gettext_lazy("E-mail domain"),
    "phone": gettext_lazy("Phone"),
    "website": gettext_lazy("Website"),
    "need_identified": gettext_lazy("Need identified"),
    "estimated_value": gettext_lazy("Estimated value (company currency)"),
    "tags": gettext_lazy("Tags"),
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "utm_campaign": "utm_campaign",
}
RESCORE_BATCH = 2000


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value).strip()


def _number(value: Any) -> Decimal | None:
    """A finite number from a value or text ("1 234,5" too), else None (NaN would make comparisons raise)."""
    if value is None or isinstance(value, bool | list | dict):
        return None
    try:
        number = Decimal("".join(str(value).split()).replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _is_number(value: Any) -> bool:
    return isinstance(value, Decimal | int | float) and not isinstance(value, bool)


def condition_holds(operator: str, actual: Any, expected: str) -> bool:
    """Whether one rule's condition holds for a value (text compared without regard to case)."""
    if isinstance(actual, list):  # tags, multi-choice custom fields: any element may match
        if operator in (RuleOperator.EQUALS, RuleOperator.CONTAINS):
            return any(condition_holds(operator, item, expected) for item in actual)
        if operator == RuleOperator.NOT_EQUALS:
            return not any(condition_holds(RuleOperator.EQUALS, item, expected) for item in actual)
    if operator in (RuleOperator.EQUALS, RuleOperator.NOT_EQUALS) and _is_number(actual):
        # 1000.00 is 1000: amounts are compared as numbers, not as the text they print as
        left, right = _number(actual), _number(expected)
        if left is not None and right is not None:
            return (left == right) == (operator == RuleOperator.EQUALS)
    text = _text(actual).casefold()
    wanted = expected.strip().casefold()
    match operator:
        case RuleOperator.IS_SET:
            return text not in ("", "false")
        case RuleOperator.IS_EMPTY:
            return text in ("", "false")
        case RuleOperator.EQUALS:
            return text == wanted
        case RuleOperator.NOT_EQUALS:
            return text != wanted
        case RuleOperator.CONTAINS:
            return bool(wanted) and wanted in text
        case RuleOperator.GREATER | RuleOperator.LESS:
            left, right = _number(actual), _number(expected)
            if left is None or right is None:
                return False
            return left > right if operator == RuleOperator.GREATER else left < right
    return False


class ScoreCard:
    """The active rules, ready to score any number of leads without further queries per lead."""

    def __init__(self, rules: list[ScoringRule] | None = None) -> None:
        self.rules = rules if rules is not None else list(ScoringRule.objects.filter(active=True))
        self._currency: str | None = None
        self._rates: dict[str, Decimal | None] = {}
        self._sources: dict[int, str] | None = None
        self._custom_types: dict[str, str] | None = None

    def _source_code(self, source_id: int | None) -> str:
        if source_id is None:
            return ""
        if self._sources is None:
            self._sources = dict(LeadSource.objects.values_list("id", "code"))
        return self._sources.get(source_id, "")

    def _custom_type(self, key: str) -> str:
        if self._custom_types is None:
            self._custom_types = dict(CustomField.objects.filter(record_type="lead").values_list("key", "field_type"))
        return self._custom_types.get(key, "")

    def _custom_value(self, lead: Lead, key: str) -> Any:
        """A custom field's value; numbers and amounts (in company currency) as numbers."""
        value = (lead.custom or {}).get(key)
        match self._custom_type(key):
            case CustomFieldType.NUMBER:
                return _number(value)
            case CustomFieldType.MONEY if isinstance(value, dict):
                return self._in_company_currency(_number(value.get("amount")), str(value.get("currency") or ""))
        return value

    def _in_company_currency(self, amount: Decimal | None, code: str | None) -> Decimal | None:
        if amount is None or not code:
            return None
        if self._currency is None:
            self._currency = company_currency()
        if code == self._currency:
            return amount
        if code not in self._rates:
            try:
                self._rates[code] = rate_on(code, timezone.localdate())
            except DomainError:
                self._rates[code] = None  # no rate yet: the amount is compared as it is
        rate = self._rates[code]
        return amount * rate if rate is not None else amount

    def value_of(self, lead: Lead, field: str, tags: list[str] | None) -> Any:
        if field.startswith("cf_"):
            return self._custom_value(lead, field[3:])
        if field.startswith("criterion_"):
            return bool((lead.qualification or {}).get(field[len("criterion_") :]))
        match field:
            case "source":
                return self._source_code(lead.source_id)
            case "email_domain":
                return lead.email.rpartition("@")[2] if "@" in lead.email else ""
            case "estimated_value":
                return self._in_company_currency(_number(lead.estimated_value_amount), lead.estimated_value_currency_id)
            case "tags":
                return tags or []
        return getattr(lead, field, None)

    def score(self, lead: Lead, tags: list[str] | None = None) -> int:
        """The lead's score under these rules. `tags` are the lead's tag names (read when not given)."""
        if tags is None and lead.pk and any(r.field == "tags" for r in self.rules):
            tags = list(lead.tags.values_list("name", flat=True))
        return sum(
            rule.points
            for rule in self.rules
            if condition_holds(rule.operator, self.value_of(lead, rule.field, tags), rule.value)
        )


def lead_rescore(lead: Lead, card: ScoreCard | None = None) -> bool:
    """Recompute one saved lead's score; True when it changed (the row is then updated)."""
    score = (card or ScoreCard()).score(lead)
    if score == lead.score:
        return False
    lead.score = score
    Lead.objects.filter(pk=lead.pk).update(score=score)
    return True


@transaction.atomic
def leads_rescore_start(*, actor: User) -> Job:
    """Queue the recomputation of every lead's score (after a scoring rule changed)."""
    return job_start(actor=actor, kind="leads.rescore", title=_("Recalculating lead scores"))


def run_rescore(job: Job, progress: Progress) -> dict[str, Any]:
    """Job handler: score every lead in batches; only changed scores are written."""
    card = ScoreCard()
    total = Lead.objects.count()
    changed = seen = 0
    last_id = 0
    needs_tags = any(r.field == "tags" for r in card.rules)
    while True:
        batch = list(Lead.objects.filter(pk__gt=last_id).order_by("pk")[:RESCORE_BATCH])
        if not batch:
            break
        tags = _tags_of(batch) if needs_tags else {}
        updates = []
        for lead in batch:
            score = card.score(lead, tags.get(lead.pk, []))
            if score != lead.score:
                lead.score = score
                updates.append(lead)
        with transaction.atomic():
            Lead.objects.bulk_update(updates, ["score"], batch_size=500)
        changed += len(updates)
        seen += len(batch)
        last_id = batch[-1].pk
        progress(int(seen * 100 / max(total, 1)))
    return {"leads": seen, "changed": changed}


def _tags_of(batch: list[Lead]) -> dict[int, list[str]]:
    through = Lead.tags.through
    tags: dict[int, list[str]] = {}
    rows = through.objects.filter(lead_id__in=[lead.pk for lead in batch]).values_list("lead_id", "tag__name")
    for lead_id, name in rows:
        tags.setdefault(lead_id, []).append(name)
    return tags
