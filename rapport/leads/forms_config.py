"""Forms of the lead settings pages. They only collect input; `rapport.leads.services.config` checks it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rapport.core.models import CustomField, CustomFieldType, Team, Territory, User
from rapport.leads.models import LeadSource, QualificationCriterion, RuleOperator, TeamStrategy
from rapport.leads.services.config import RuleField
from rapport.web.settings.forms import TreeChoiceField, UserChoiceField

CODE_HELP = _(
    "Lower-case letters, digits, hyphens and underscores; made from the name when left empty. Fixed once saved."
)


class _CodeForm(forms.Form):
    """A name plus a code or key that can be typed once, when the record is made."""

    code_field = "code"

    def __init__(self, *args: Any, fixed_code: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_code is not None:
            field = self.fields[self.code_field]
            field.disabled = True
            field.initial = fixed_code
            field.help_text = _("Fixed once saved: imports, the API and scoring rules use it.")


class LeadSourceForm(_CodeForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=40, required=False, help_text=CODE_HELP)
    active = forms.BooleanField(label=_("Active (offered on lead forms)"), required=False, initial=True)

    @classmethod
    def for_source(cls, data: Any, source: LeadSource | None) -> LeadSourceForm:
        if source is None:
            return cls(data)
        # The stored name, not its translation: saving must not turn "Event" into the editor's language.
        initial = {"name": source.name, "active": source.active}
        return cls(data, initial=initial, fixed_code=source.code)


class CriterionForm(_CodeForm):
    code_field = "key"

    name = forms.CharField(label=_("Name"), max_length=100)
    key = forms.CharField(label=_("Key"), max_length=40, required=False, help_text=CODE_HELP)
    description = forms.CharField(
        label=_("Description"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    active = forms.BooleanField(label=_("Active (shown on the checklist)"), required=False, initial=True)

    @classmethod
    def for_criterion(cls, data: Any, criterion: QualificationCriterion | None) -> CriterionForm:
        if criterion is None:
            return cls(data)
        initial = {"name": criterion.name, "description": criterion.description, "active": criterion.active}
        return cls(data, initial=initial, fixed_code=criterion.key)


def _grouped(fields: dict[str, RuleField]) -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for spec in fields.values():
        groups.setdefault(spec.group, []).append((spec.key, spec.label))
    return list(groups.items())


def value_suggestions(fields: dict[str, RuleField]) -> list[str]:
    """What the value box offers: yes/no and every value some field allows (a source's code…)."""
    suggestions = [str(_("yes")), str(_("no"))]
    for spec in fields.values():
        suggestions.extend(code for code, _label in spec.choices if code not in suggestions)
    return suggestions


class ScoringRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    field = forms.ChoiceField(label=_("Field"))
    operator = forms.ChoiceField(label=_("Condition"), choices=RuleOperator.choices)
    value = forms.CharField(
        label=_("Value"),
        max_length=200,
        required=False,
        help_text=_(
            "Text is compared without regard to case. Yes/no fields take yes or no; a source takes its code; "
            "the estimated value is in the company currency. Not needed for “is filled in” and “is empty”."
        ),
        widget=forms.TextInput(attrs={"list": "rule-values", "autocomplete": "off"}),
    )
    points = forms.IntegerField(label=_("Points"), help_text=_("From -1000 to 1000; negative points lower the score."))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, fields: dict[str, RuleField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", "—"), *_grouped(fields)]  # type: ignore[attr-defined]


def _custom_field_choices() -> list[tuple[str, str]]:
    fields = CustomField.objects.filter(record_type="lead").exclude(field_type=CustomFieldType.MONEY)
    return [("", "—"), *((f.key, f.label) for f in fields)]


class AssignmentRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    territory = TreeChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.all(),
        required=False,
        empty_label=_("Any territory"),
        help_text=_("Matches leads in this territory or any of its sub-territories."),
    )
    country = forms.CharField(
        label=_("Countries"),
        max_length=100,
        required=False,
        help_text=_("Separated by commas; names or two-letter codes (Poland, DE, UK)."),
    )
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=LeadSource.objects.all(), required=False, empty_label=_("Any source")
    )
    custom_field = forms.ChoiceField(label=_("Custom field"), required=False)
    custom_value = forms.CharField(label=_("Custom field value"), max_length=200, required=False)
    assign_to_user = UserChoiceField(
        label=_("Assign to user"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    assign_to_team = TreeChoiceField(
        label=_("or to team"), queryset=Team.objects.all(), required=False, empty_label="—"
    )
    team_strategy = forms.ChoiceField(
        label=_("Within the team"),
        choices=TeamStrategy.choices,
        initial=TeamStrategy.ROUND_ROBIN,
        help_text=_("Only for a team: members take turns, or the one with the fewest open leads gets it."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, current_user_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["custom_field"].choices = _custom_field_choices()  # type: ignore[attr-defined]
        # A rule may still name someone who has left; keep them selectable so the form can be saved.
        users = User.objects.filter(Q(is_active=True) | Q(pk=current_user_id)).order_by("first_name", "last_name")
        self.fields["assign_to_user"].queryset = users  # type: ignore[attr-defined]


class AssignmentTestForm(forms.Form):
    """The "Test" box: an existing lead, or made-up values (which replace the lead's)."""

    lead = forms.IntegerField(label=_("Lead number"), required=False, min_value=1)
    country = forms.CharField(label=_("Country"), max_length=100, required=False)
    source = forms.ModelChoiceField(
        label=_("Source"), queryset=LeadSource.objects.all(), required=False, empty_label="—"
    )
    territory = TreeChoiceField(label=_("Territory"), queryset=Territory.objects.all(), required=False, empty_label="—")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def is_filled(self) -> bool:
        return any(self.data.get(name) for name in self.fields)
