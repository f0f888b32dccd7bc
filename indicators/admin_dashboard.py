"""The plan's dashboard in the admin, its exports, and its summary on the admin's home.

/admin/indicateurs/              the plan's tree with every indicator, its target and progress;
                                 attendance charts, the communes reached, the governance
/admin/indicateurs/export.csv    the same tree and filters, as a spreadsheet
/admin/indicateurs/export.xlsx

Filters (GET): plan, year (a year of the plan or "all") and commune. Every figure comes
from indicators/rollups.py and indicators/charts.py: nothing is computed here. Needs
indicators.view_actionplan (the "Organisateurs" group has it, cms/migrations/0002); an
admin user without it gets a 403 in the admin's layout.
"""

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from territory.access import territories_for
from territory.models import PARIS, Commune

from . import charts, exports
from .models import ActionPlan
from .rollups import BY_KEY, INDICATORS, Scope, compute

DASHBOARD_PERMISSION = "indicators.view_actionplan"
DASHBOARD_URL = "indicators_dashboard"
CSV_URL = "indicators_export_csv"
XLSX_URL = "indicators_export_xlsx"
WHOLE_PERIOD = "all"

# The dashboard's tables, one per theme, so that none is wider than a screen can show.
# An indicator the roll-up adds later and no group names lands in "Autres indicateurs".
GROUPS = [
    (
        gettext_lazy("Événements et participation"),
        ["events_held", "registrations", "participants", "no_show_rate", "unique_participants", "young_reached"],
    ),
    (gettext_lazy("Élu·es"), ["elected_reached", "elected_communes"]),
    (gettext_lazy("Village itinérant"), ["communes_visited", "stand_visitors", "stand_organisations"]),
    (gettext_lazy("Bénévolat"), ["volunteers", "volunteer_hours", "matches_accepted"]),
    (
        gettext_lazy("Demandes des communes"),
        ["requests_received", "requests_accepted", "requests_declined", "decision_days"],
    ),
]


def plans_for(user):
    """The plans a user may see on the dashboard, its exports and the home panel: those of
    the territories they act for (territory/access.py). A plan of another territory asked
    for in the query string is then not among the choices, and the default one is shown."""
    return (
        ActionPlan.objects.filter(territory__in=territories_for(user))
        .select_related("territory")
        .order_by("territory__name", "-start_year")
    )


def plan_period(plan) -> str:
    # As in wagtail_hooks.plan_period, which imports this module: no thousands separator.
    return f"{plan.start_year}–{plan.end_year}"


def today():
    return timezone.localdate(timezone.now(), PARIS)


def forbidden(request):
    """A 403 in the admin's layout: Wagtail would turn PermissionDenied into a redirect home."""
    return render(request, "indicators/admin/forbidden.html", {"page_title": _("Accès refusé")}, status=403)


# Filters -----------------------------------------------------------------------------------------------------


class DashboardFilters(forms.Form):
    """Plan, year and commune. Choices depend on the plan, so the plan is read first;
    a value that is not among the choices is reported and its default used instead."""

    plan = forms.ChoiceField(label=gettext_lazy("Plan d'actions"))
    year = forms.ChoiceField(label=gettext_lazy("Année"))
    commune = forms.ChoiceField(label=gettext_lazy("Commune"), required=False)

    def __init__(self, params, *, plans: list, default_plan, this_year: int):
        self.plans = {str(plan.pk): plan for plan in plans}
        self.plan = self.plans.get(params.get("plan", ""), default_plan)
        years = list(range(self.plan.start_year, self.plan.end_year + 1))
        # Past its end, the plan in force goes on counting the current year (ActionPlanQuerySet.in_force).
        if self.plan == default_plan and this_year > self.plan.end_year:
            years.append(this_year)
        self.default_year = str(this_year) if this_year in years else WHOLE_PERIOD
        self.communes = {str(c.pk): c for c in Commune.objects.filter(territory=self.plan.territory_id)}
        data = {
            "plan": params.get("plan") or str(default_plan.pk),
            "year": params.get("year") or self.default_year,
            "commune": params.get("commune", ""),
        }
        super().__init__(data)
        self.fields["plan"].choices = [
            (key, f"{plan.short_title} · {plan.territory} ({plan_period(plan)})") for key, plan in self.plans.items()
        ]
        self.fields["year"].choices = [(str(year), str(year)) for year in years] + [
            (WHOLE_PERIOD, _("Toute la durée du plan"))
        ]
        self.fields["commune"].choices = [("", _("Toutes les communes"))] + [
            (key, commune.name) for key, commune in self.communes.items()
        ]

    def scope(self) -> Scope:
        self.is_valid()
        year = self.cleaned_data.get("year", self.default_year)
        commune = self.communes.get(self.cleaned_data.get("commune") or "")
        return Scope(self.plan, year=None if year == WHOLE_PERIOD else int(year), commune=commune)

    def query_string(self, scope: Scope) -> str:
        params = {"plan": scope.plan.pk, "year": scope.year or WHOLE_PERIOD}
        if scope.commune is not None:
            params["commune"] = scope.commune.pk
        return urlencode(params)


def read_filters(request):
    """The filter form and its scope, or (None, None) when no plan is visible at all."""
    plans = list(plans_for(request.user))
    if not plans:
        return None, None
    this_year = today().year
    default_plan = plans_for(request.user).in_force(this_year) or plans[0]
    form = DashboardFilters(request.GET, plans=plans, default_plan=default_plan, this_year=this_year)
    return form, form.scope()


def describe(scope: Scope) -> list[tuple[str, str]]:
    """The scope in words: for the page's subtitle and the exports."""
    return [
        (_("Plan d'actions"), f"{scope.plan.short_title} ({plan_period(scope.plan)})"),
        (_("Période"), str(scope.year) if scope.year else _("Toute la durée du plan")),
        (_("Commune"), scope.commune.name if scope.commune is not None else _("Toutes les communes")),
    ]


# Presentation ------------------------------------------------------------------------------------------------


def number(value) -> str:
    if value is None:
        return "—"
    if value == int(value):
        value = int(value)
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def with_unit(value, unit: str) -> str:
    shown = number(value)
    return f"{shown} {unit}" if unit and value is not None else shown


def cell(node, indicator) -> dict:
    value, target = node.values.get(indicator.key), node.targets.get(indicator.key)
    progress = node.progress(indicator.key)
    return {
        "value": with_unit(value, indicator.unit),
        "target": with_unit(target, indicator.unit) if target is not None else "",
        "percent": round(100 * progress) if progress is not None else None,
        # <meter> stops at its max: the text says how far beyond the target it went.
        "meter": min(round(100 * progress), 100) if progress is not None else None,
        "reached": progress is not None and progress >= 1,
    }


def indicator_tables(rollup) -> list[dict]:
    grouped = {key for _label, keys in GROUPS for key in keys}
    groups = [(label, [BY_KEY[key] for key in keys if key in BY_KEY]) for label, keys in GROUPS]
    others = [indicator for indicator in INDICATORS if indicator.key not in grouped]
    if others:
        groups.append((_("Autres indicateurs"), others))
    nodes = list(rollup.walk())
    return [
        {
            "slug": slugify(str(label)),
            "title": label,
            "indicators": indicators,
            "rows": [
                {"node": node, "depth": depth, "cells": [cell(node, indicator) for indicator in indicators]}
                for node, depth in nodes
            ],
        }
        for label, indicators in groups
        if indicators
    ]


# Views -------------------------------------------------------------------------------------------------------


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "indicators/admin/dashboard.html"
    header_icon = "table"
    page_title = gettext_lazy("Tableau de bord du plan")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(DASHBOARD_PERMISSION):
            return forbidden(request)
        self.form, self.scope = read_filters(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return " · ".join(value for _label, value in describe(self.scope)) if self.scope else ""

    def get_breadcrumbs_items(self):
        # Wagtail's header shows the breadcrumbs: without this last item it read "Accueil".
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.scope is None:
            return context
        scope, user = self.scope, self.request.user
        rollup = compute(scope)
        communes = charts.communes_reached(scope)
        query = self.form.query_string(scope)
        context.update(
            form=self.form,
            scope=scope,
            rollup=rollup,
            tables=indicator_tables(rollup),
            indicators=INDICATORS,
            by_period=charts.attendance_by_period(scope),
            by_kind=charts.attendance_by_kind(scope),
            communes=communes,
            map_points=[{**c, "label": self.map_label(c)} for c in communes if c["lat"] is not None],
            commune_count=rollup.commune_count,
            map_tile_url=settings.MAP_TILE_URL,
            map_tile_attribution=settings.MAP_TILE_ATTRIBUTION,
            governance=charts.governance(scope.plan, scope.year, today()),
            csv_url=f"{reverse(CSV_URL)}?{query}",
            xlsx_url=f"{reverse(XLSX_URL)}?{query}",
            can_add_meeting=user.has_perm("indicators.add_committeemeeting"),
            can_add_target=user.has_perm("indicators.add_indicatortarget"),
        )
        return context

    @staticmethod
    def map_label(commune: dict) -> str:
        label = _("%(commune)s : %(count)s événement(s) tenu(s)") % {
            "commune": commune["name"],
            "count": commune["events"],
        }
        if commune["stops"]:
            label += _(", dont %(count)s étape(s) du village") % {"count": commune["stops"]}
        return label


def export_view(render_bytes, content_type: str, extension: str):
    def view(request):
        if not request.user.has_perm(DASHBOARD_PERMISSION):
            return forbidden(request)
        form, scope = read_filters(request)
        if scope is None:
            return forbidden(request)
        content = render_bytes(compute(scope), describe(scope))
        response = HttpResponse(content, content_type=content_type)
        parts = ["indicateurs", scope.plan.short_title, str(scope.year or _("toute la durée"))]
        if scope.commune is not None:
            parts.append(scope.commune.name)
        filename = f"{slugify(' '.join(parts))}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    return view


csv_view = export_view(lambda rollup, _scope: exports.to_csv(rollup), "text/csv; charset=utf-8", "csv")
xlsx_view = export_view(exports.to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")


# The admin's home --------------------------------------------------------------------------------------------


class PlanSummaryPanel(Component):
    """This year's key figures of the plan in force, on the admin's home."""

    name = "indicators_summary"
    template_name = "indicators/admin/home_panel.html"
    order = 90

    class Media:
        css = {"all": ["css/indicators-dashboard.css"]}

    def __init__(self, plan, year: int):
        self.plan, self.year = plan, year

    def get_context_data(self, parent_context):
        rollup = compute(Scope(self.plan, year=self.year))
        values = rollup.plan.values
        figures = [
            (BY_KEY[key].label, number(values.get(key)))
            for key in ("events_held", "participants", "stand_visitors", "volunteers")
        ]
        return {
            "plan": self.plan,
            "year": self.year,
            "figures": figures,
            "communes_visited": number(values.get("communes_visited")),
            "commune_count": rollup.commune_count,
            "dashboard_url": f"{reverse(DASHBOARD_URL)}?{urlencode({'plan': self.plan.pk, 'year': self.year})}",
        }


@hooks.register("construct_homepage_panels")
def add_plan_summary(request, panels):
    if not request.user.has_perm(DASHBOARD_PERMISSION):
        return
    year = today().year
    plan = plans_for(request.user).in_force(year)
    if plan is not None:
        panels.append(PlanSummaryPanel(plan, year))


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(DASHBOARD_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return DashboardMenuItem(
        gettext_lazy("Tableau de bord du plan"), reverse(DASHBOARD_URL), icon_name="table", order=205
    )


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    return [
        path("indicateurs/", DashboardView.as_view(), name=DASHBOARD_URL),
        path("indicateurs/export.csv", csv_view, name=CSV_URL),
        path("indicateurs/export.xlsx", xlsx_view, name=XLSX_URL),
    ]
