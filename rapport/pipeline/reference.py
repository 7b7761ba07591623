"""The pipeline an installation starts with (added once, when there is none; then the
administrators' own)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from rapport.pipeline.models import ForecastCategory, Pipeline, Stage, StageKind

DEFAULT_STAGES = [
    # name, probability, kind, forecast category, stuck after (days)
    (gettext_noop("Prospecting"), 10, StageKind.OPEN, ForecastCategory.PIPELINE, 30),
    (gettext_noop("Qualification"), 20, StageKind.OPEN, ForecastCategory.PIPELINE, 21),
    (gettext_noop("Needs analysis"), 40, StageKind.OPEN, ForecastCategory.PIPELINE, 21),
    (gettext_noop("Proposal"), 60, StageKind.OPEN, ForecastCategory.BEST_CASE, 14),
    (gettext_noop("Negotiation"), 80, StageKind.OPEN, ForecastCategory.COMMIT, 14),
    (gettext_noop("Won"), 100, StageKind.WON, ForecastCategory.CLOSED, None),
    (gettext_noop("Lost"), 0, StageKind.LOST, ForecastCategory.OMITTED, None),
]


def ensure_default_pipeline(**_kwargs: Any) -> None:
    if Pipeline.objects.exists():
        return
    pipeline = Pipeline.objects.create(name="Sales", position=0)
    Stage.objects.bulk_create(
        Stage(
            pipeline=pipeline,
            name=name,
            order=order,
            probability=Decimal(probability),
            kind=kind,
            forecast_category=forecast,
            stuck_after_days=stuck,
        )
        for order, (name, probability, kind, forecast, stuck) in enumerate(DEFAULT_STAGES)
    )
