"""Settings → leads: sources, qualification criteria, scoring rules and assignment rules (administrators)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.core.errors import DomainError, InvalidInput
from rapport.core.models import CustomField, Team, User
from rapport.leads.forms_config import (
    AssignmentRuleForm,
    AssignmentTestForm,
    CriterionForm,
    LeadSourceForm,
    ScoringRuleForm,
    value_suggestions,
)
from rapport.leads.models import (
    AssignmentRule,
    LeadSource,
    QualificationCriterion,
    RuleOperator,
    ScoringRule,
    TeamStrategy,
)
from rapport.leads.services import config as services
from rapport.leads.services.config import AssignmentPreview, RuleField
from rapport.web.settings.views._common import _actor, _confirm, _saved, administrator_required
from rapport.web.utils import add_domain_error, http_errors, is_partial

SAVED = gettext_lazy("%(name)s was saved.")
#: what a form page shows in its breadcrumbs and, for a new record, as its title
_FORM_PAGES: dict[str, dict[str, Any]] = {
    "source": {
        "list_url": "leads:settings_sources",
        "list_title": gettext_lazy("Lead sources"),
        "new_title": gettext_lazy("New source"),
    },
    "criterion": {
        "list_url": "leads:settings_criteria",
        "list_title": gettext_lazy("Qualification criteria"),
        "new_title": gettext_lazy("New criterion"),
    },
    "scoring": {
        "list_url": "leads:settings_scoring",
        "list_title": gettext_lazy("Lead scoring"),
        "new_title": gettext_lazy("New scoring rule"),
    },
    "assignment": {
        "list_url": "leads:settings_assignment",
        "list_title": gettext_lazy("Lead assignment rules"),
        "new_title": gettext_lazy("New assignment rule"),
    },
}


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"leads/settings/{template}", {"nav_section": "settings", **context})


def _save(form: forms.Form, call: Callable[[], Any]) -> Any | None:
    """Run a service with the form's input; its refusal goes onto the form (None is returned)."""
    if not form.is_valid():
        return None
    try:
        return call()
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


def _move(request: HttpRequest, move: Callable[..., Any], url_name: str, **ids: Any) -> HttpResponseRedirect:
    """Run a move-up/down service and go back to the list (a refusal is shown there)."""
    with http_errors():
        try:
            move(actor=_actor(request), **ids)
        except InvalidInput as exc:
            messages.error(request, " ".join(m for field in exc.errors.values() for m in field) or exc.message)
    return redirect(url_name)


def _set_active(
    request: HttpRequest, record: Any, active: bool, save: Callable[[], Any], url_name: str, what: str
) -> HttpResponse:
    """Ask first, then (on POST) deactivate or reactivate."""
    names = {"name": record}
    if request.method == "POST":
        with http_errors():
            save()
        done = _("%(name)s was reactivated.") if active else _("%(name)s was deactivated.")
        return _saved(request, done % names, url_name)
    if active:
        return _confirm(
            request,
            title=_("Reactivate %(name)s?") % names,
            message=what,
            button=gettext_lazy("Reactivate"),
            cancel_url=reverse(url_name),
            danger=False,
        )
    return _confirm(
        request,
        title=_("Deactivate %(name)s?") % names,
        message=what,
        button=gettext_lazy("Deactivate"),
        cancel_url=reverse(url_name),
    )


# --- sources -------------------------------------------------------------------------------------------


@administrator_required
@require_GET
def source_list(request: HttpRequest) -> HttpResponse:
    sources = LeadSource.objects.annotate(lead_count=Count("leads")).order_by("position", "name")
    return _page(request, "sources.html", {"sources": sources})


@administrator_required
@require_http_methods(["GET", "POST"])
def source_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    source = get_object_or_404(LeadSource, pk=pk) if pk is not None else None
    form = LeadSourceForm.for_source(request.POST or None, source)
    if request.method == "POST":
        actor = _actor(request)
        if source is None:
            saved = _save(form, lambda: services.lead_source_create(actor=actor, **form.cleaned_data))
        else:
            saved = _save(
                form, lambda: services.lead_source_update(actor=actor, source_id=source.pk, **form.cleaned_data)
            )
        if saved is not None:
            return _saved(request, SAVED % {"name": saved}, "leads:settings_sources")
    return _page(request, "source_form.html", {"form": form, "target": source, **_FORM_PAGES["source"]})


@administrator_required
@require_http_methods(["GET", "POST"])
def source_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    source = get_object_or_404(LeadSource, pk=pk)
    if active:
        what = _("%(name)s will be offered again on lead forms and imports.")
    else:
        what = _("%(name)s will no longer be offered on lead forms. Leads from it keep it.")
    return _set_active(
        request,
        source,
        active,
        lambda: services.lead_source_update(actor=_actor(request), source_id=source.pk, active=active),
        "leads:settings_sources",
        what % {"name": source},
    )


@administrator_required
@require_POST
def source_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    return _move(request, services.lead_source_move, "leads:settings_sources", source_id=pk, direction=direction)


# --- qualification criteria ------------------------------------------------------------------------------


@administrator_required
@require_GET
def criterion_list(request: HttpRequest) -> HttpResponse:
    return _page(request, "criteria.html", {"criteria": QualificationCriterion.objects.all()})


@administrator_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    criterion = get_object_or_404(QualificationCriterion, pk=pk) if pk is not None else None
    form = CriterionForm.for_criterion(request.POST or None, criterion)
    if request.method == "POST":
        actor = _actor(request)
        if criterion is None:
            saved = _save(form, lambda: services.qualification_criterion_create(actor=actor, **form.cleaned_data))
        else:
            saved = _save(
                form,
                lambda: services.qualification_criterion_update(
                    actor=actor, criterion_id=criterion.pk, **form.cleaned_data
                ),
            )
        if saved is not None:
            return _saved(request, SAVED % {"name": saved}, "leads:settings_criteria")
    return _page(request, "criterion_form.html", {"form": form, "target": criterion, **_FORM_PAGES["criterion"]})


@administrator_required
@require_http_methods(["GET", "POST"])
def criterion_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    criterion = get_object_or_404(QualificationCriterion, pk=pk)
    if active:
        what = _("%(name)s will be shown again on every lead's checklist.")
    else:
        what = _("%(name)s will no longer be shown on the checklist. What was ticked on leads is kept.")
    return _set_active(
        request,
        criterion,
        active,
        lambda: services.qualification_criterion_update(
            actor=_actor(request), criterion_id=criterion.pk, active=active
        ),
        "leads:settings_criteria",
        what % {"name": criterion},
    )


@administrator_required
@require_POST
def criterion_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    move = services.qualification_criterion_move
    return _move(request, move, "leads:settings_criteria", criterion_id=pk, direction=direction)


# --- scoring rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoringRow:
    rule: ScoringRule
    field: str
    condition: str
    value: str
    missing: bool


def _scoring_row(rule: ScoringRule, fields: dict[str, RuleField]) -> ScoringRow:
    spec = fields.get(rule.field)
    value = rule.value
    if spec is not None and spec.kind == "yes_no":
        value = _("yes") if value == "true" else _("no")
    elif spec is not None:
        value = dict(spec.choices).get(value, value)
    operator = RuleOperator(rule.operator).label if rule.operator in RuleOperator.values else rule.operator
    label = spec.label if spec is not None else rule.field
    return ScoringRow(rule, label, str(operator), value, spec is None)


def _rescore_context() -> dict[str, Any]:
    job = services.rescore_job_latest()
    return {"job": job, "running": job is not None and not job.finished}


@administrator_required
@require_GET
def scoring_list(request: HttpRequest) -> HttpResponse:
    if is_partial(request, "rescore-progress"):
        return render(request, "leads/settings/scoring.html#rescore", _rescore_context())
    fields = services.rule_fields()
    rows = [_scoring_row(rule, fields) for rule in ScoringRule.objects.all()]
    return _page(request, "scoring.html", {"rows": rows, **_rescore_context()})


@administrator_required
@require_http_methods(["GET", "POST"])
def scoring_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(ScoringRule, pk=pk) if pk is not None else None
    fields = services.rule_fields()
    initial = None
    if rule is not None:
        initial = {name: getattr(rule, name) for name in ("name", "field", "operator", "value", "points", "active")}
    form = ScoringRuleForm(request.POST or None, initial=initial, fields=fields)
    if request.method == "POST":
        actor = _actor(request)
        if rule is None:
            saved = _save(form, lambda: services.scoring_rule_create(actor=actor, **form.cleaned_data))
        else:
            saved = _save(form, lambda: services.scoring_rule_update(actor=actor, rule_id=rule.pk, **form.cleaned_data))
        if saved is not None:
            done = _("%(name)s was saved. Scores are being recalculated.") % {"name": saved}
            return _saved(request, done, "leads:settings_scoring")
    context = {"form": form, "target": rule, "suggestions": value_suggestions(fields), **_FORM_PAGES["scoring"]}
    return _page(request, "scoring_form.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def scoring_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(ScoringRule, pk=pk)
    if request.method == "POST":
        with http_errors():
            services.scoring_rule_delete(actor=_actor(request), rule_id=rule.pk)
        return _saved(request, _("%(name)s was deleted.") % {"name": rule}, "leads:settings_scoring")
    return _confirm(
        request,
        title=_("Delete the scoring rule %(name)s?") % {"name": rule},
        message=gettext_lazy("Every lead's score is recalculated without it."),
        button=gettext_lazy("Delete"),
        cancel_url=reverse("leads:settings_scoring"),
    )


@administrator_required
@require_POST
def scoring_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    return _move(request, services.scoring_rule_move, "leads:settings_scoring", rule_id=pk, direction=direction)


@administrator_required
@require_POST
def scoring_recalculate(request: HttpRequest) -> HttpResponse:
    services.lead_scores_recalculate(actor=_actor(request))
    messages.success(request, _("Every lead's score is being recalculated."))
    return redirect("leads:settings_scoring")


# --- assignment rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentRow:
    rule: AssignmentRule
    conditions: list[str]
    target: str
    warning: str


def _conditions(rule: AssignmentRule, custom_labels: dict[str, str]) -> list[str]:
    parts = []
    if rule.territory is not None:
        parts.append(_("Territory: %(name)s and below") % {"name": rule.territory})
    if rule.country:
        parts.append(_("Countries: %(list)s") % {"list": rule.country})
    if rule.source is not None:
        parts.append(_("Source: %(name)s") % {"name": rule.source})
    if rule.custom_field:
        label = custom_labels.get(rule.custom_field, rule.custom_field)
        parts.append(_("%(field)s is %(value)s") % {"field": label, "value": rule.custom_value})
    return parts


def _assignment_rows() -> list[AssignmentRow]:
    rules = AssignmentRule.objects.select_related("territory", "source", "assign_to_user", "assign_to_team")
    custom_labels = dict(CustomField.objects.filter(record_type="lead").values_list("key", "label"))
    staffed = _staffed_teams([rule.assign_to_team for rule in rules if rule.assign_to_team is not None])
    rows = []
    for rule in rules:
        warning = ""
        if rule.assign_to_user is not None:
            target = str(rule.assign_to_user)
            if not rule.assign_to_user.is_active:
                warning = _("This user is deactivated: the rule is skipped.")
        else:
            strategy = TeamStrategy(rule.team_strategy).label
            target = _("Team %(team)s (%(strategy)s)") % {"team": rule.assign_to_team, "strategy": strategy}
            if rule.assign_to_team_id not in staffed:
                warning = _("The team has no active members: the rule is skipped.")
        rows.append(AssignmentRow(rule, _conditions(rule, custom_labels), target, warning))
    return rows


def _staffed_teams(teams: list[Team]) -> set[int]:
    """The teams (sub-teams included) with at least one active member, in one query."""
    if not teams:
        return set()
    paths = set(User.objects.filter(is_active=True, team__isnull=False).values_list("team__path", flat=True))
    return {team.pk for team in teams if any(p.startswith(team.path) for p in paths)}


def _assignment_test(request: HttpRequest) -> dict[str, Any]:
    form = AssignmentTestForm(request.GET if "test" in request.GET else None)
    preview: AssignmentPreview | None = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            preview = services.assignment_preview(
                actor=_actor(request),
                lead_id=data["lead"],
                country=data["country"],
                source=data["source"],
                territory=data["territory"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    return {"test_form": form, "preview": preview}


@administrator_required
@require_GET
def assignment_list(request: HttpRequest) -> HttpResponse:
    test = _assignment_test(request)
    if is_partial(request, "assignment-test"):
        return render(request, "leads/settings/assignment.html#test", test)
    return _page(request, "assignment.html", {"rows": _assignment_rows(), **test})


@administrator_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk) if pk is not None else None
    initial = None
    if rule is not None:
        initial = {
            "name": rule.name,
            "territory": rule.territory_id,
            "country": rule.country,
            "source": rule.source_id,
            "custom_field": rule.custom_field,
            "custom_value": rule.custom_value,
            "assign_to_user": rule.assign_to_user_id,
            "assign_to_team": rule.assign_to_team_id,
            "team_strategy": rule.team_strategy,
            "active": rule.active,
        }
    current_user = rule.assign_to_user_id if rule is not None else None
    form = AssignmentRuleForm(request.POST or None, initial=initial, current_user_id=current_user)
    if request.method == "POST":
        actor = _actor(request)
        if rule is None:
            saved = _save(form, lambda: services.assignment_rule_create(actor=actor, **form.cleaned_data))
        else:
            saved = _save(
                form, lambda: services.assignment_rule_update(actor=actor, rule_id=rule.pk, **form.cleaned_data)
            )
        if saved is not None:
            return _saved(request, SAVED % {"name": saved}, "leads:settings_assignment")
    return _page(request, "assignment_form.html", {"form": form, "target": rule, **_FORM_PAGES["assignment"]})


@administrator_required
@require_http_methods(["GET", "POST"])
def assignment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AssignmentRule, pk=pk)
    if request.method == "POST":
        with http_errors():
            services.assignment_rule_delete(actor=_actor(request), rule_id=rule.pk)
        return _saved(request, _("%(name)s was deleted.") % {"name": rule}, "leads:settings_assignment")
    return _confirm(
        request,
        title=_("Delete the assignment rule %(name)s?") % {"name": rule},
        message=gettext_lazy("Leads it assigned keep their owner; new leads go to the next rule that matches."),
        button=gettext_lazy("Delete"),
        cancel_url=reverse("leads:settings_assignment"),
    )


@administrator_required
@require_POST
def assignment_move(request: HttpRequest, pk: int, direction: str) -> HttpResponse:
    move = services.assignment_rule_move
    return _move(request, move, "leads:settings_assignment", rule_id=pk, direction=direction)


S = "settings/leads/"
urlpatterns: list[URLPattern] = [
    path(f"{S}sources/", source_list, name="settings_sources"),
    path(f"{S}sources/new/", source_edit, name="settings_source_create"),
    path(f"{S}sources/<int:pk>/", source_edit, name="settings_source_edit"),
    path(f"{S}sources/<int:pk>/move/<str:direction>/", source_move, name="settings_source_move"),
    path(f"{S}sources/<int:pk>/deactivate/", source_set_active, {"active": False}, name="settings_source_deactivate"),
    path(f"{S}sources/<int:pk>/reactivate/", source_set_active, {"active": True}, name="settings_source_reactivate"),
    path(f"{S}qualification/", criterion_list, name="settings_criteria"),
    path(f"{S}qualification/new/", criterion_edit, name="settings_criterion_create"),
    path(f"{S}qualification/<int:pk>/", criterion_edit, name="settings_criterion_edit"),
    path(f"{S}qualification/<int:pk>/move/<str:direction>/", criterion_move, name="settings_criterion_move"),
    path(
        f"{S}qualification/<int:pk>/deactivate/",
        criterion_set_active,
        {"active": False},
        name="settings_criterion_deactivate",
    ),
    path(
        f"{S}qualification/<int:pk>/reactivate/",
        criterion_set_active,
        {"active": True},
        name="settings_criterion_reactivate",
    ),
    path(f"{S}scoring/", scoring_list, name="settings_scoring"),
    path(f"{S}scoring/new/", scoring_edit, name="settings_scoring_create"),
    path(f"{S}scoring/recalculate/", scoring_recalculate, name="settings_scoring_recalculate"),
    path(f"{S}scoring/<int:pk>/", scoring_edit, name="settings_scoring_edit"),
    path(f"{S}scoring/<int:pk>/move/<str:direction>/", scoring_move, name="settings_scoring_move"),
    path(f"{S}scoring/<int:pk>/delete/", scoring_delete, name="settings_scoring_delete"),
    path(f"{S}assignment/", assignment_list, name="settings_assignment"),
    path(f"{S}assignment/new/", assignment_edit, name="settings_assignment_create"),
    path(f"{S}assignment/<int:pk>/", assignment_edit, name="settings_assignment_edit"),
    path(f"{S}assignment/<int:pk>/move/<str:direction>/", assignment_move, name="settings_assignment_move"),
    path(f"{S}assignment/<int:pk>/delete/", assignment_delete, name="settings_assignment_delete"),
]
