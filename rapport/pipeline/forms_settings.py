"""Forms of the pipeline settings pages. They only collect input; `rapport.pipeline.services.config` checks it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rapport.pipeline import gates
from rapport.pipeline.models import ContactRole, ForecastCategory, Pipeline, Stage, StageKind


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    position = forms.IntegerField(
        label=_("Position"), min_value=0, initial=0, help_text=_("Pipelines are listed in this order.")
    )
    active = forms.BooleanField(label=_("Active (new opportunities may use it)"), required=False, initial=True)

    @classmethod
    def for_pipeline(cls, data: Any, pipeline: Pipeline | None) -> PipelineForm:
        if pipeline is None:
            return cls(data)
        return cls(data, initial={"name": pipeline.name, "position": pipeline.position, "active": pipeline.active})


class StageForm(forms.Form):
    """A stage and its gate: what an opportunity must have before it may enter the stage."""

    name = forms.CharField(label=_("Name"), max_length=100)
    order = forms.IntegerField(label=_("Order"), min_value=0, help_text=_("Stages run from the lowest number."))
    probability = forms.DecimalField(
        label=_("Probability (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=StageKind.choices)
    forecast_category = forms.ChoiceField(label=_("Forecast category"), choices=ForecastCategory.choices)
    stuck_after_days = forms.IntegerField(
        label=_("Stuck after (days)"),
        min_value=1,
        required=False,
        help_text=_("An opportunity that stays longer in the stage is flagged as stuck. Empty: never."),
    )
    required_fields = forms.MultipleChoiceField(
        label=_("Required fields"), required=False, widget=forms.CheckboxSelectMultiple
    )
    required_roles = forms.MultipleChoiceField(
        label=_("Required contact roles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=ContactRole.choices,
    )
    required_artefacts = forms.MultipleChoiceField(
        label=_("Required artefacts"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, pipeline: Pipeline | None = None, stage: Stage | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pipeline = pipeline
        self.stage = stage
        self.fields["required_fields"].choices = gates.field_choices()  # type: ignore[attr-defined]
        self.fields["required_artefacts"].choices = [  # type: ignore[attr-defined]
            (a.key, str(a.label)) for a in gates.artefacts()
        ]

    def clean_name(self) -> str:
        # The service's model check skips the (pipeline, name) uniqueness: ask here, so the page
        # answers with a message rather than a database error.
        name = str(self.cleaned_data["name"]).strip()
        if self.pipeline is not None:
            others = self.pipeline.stages.filter(name__iexact=name)
            if self.stage is not None:
                others = others.exclude(pk=self.stage.pk)
            if others.exists():
                raise forms.ValidationError(_("This pipeline already has a stage with this name."))
        return name

    @classmethod
    def for_stage(cls, data: Any, pipeline: Pipeline, stage: Stage | None) -> StageForm:
        if stage is None:
            initial: dict[str, Any] = {
                "order": pipeline.stages.count(),
                "probability": 10,
                "kind": StageKind.OPEN,
                "forecast_category": ForecastCategory.PIPELINE,
            }
        else:
            initial = {
                name: getattr(stage, name)
                for name in (
                    "name",
                    "order",
                    "probability",
                    "kind",
                    "forecast_category",
                    "stuck_after_days",
                    "required_fields",
                    "required_roles",
                    "required_artefacts",
                )
            }
        return cls(data, initial=initial, pipeline=pipeline, stage=stage)
