"""/le-plan-en-chiffres/: the plan in force, in figures, for everyone.

Only aggregated figures reach the page: counts, hours, rates and the number of meetings of
the plan's bodies. The roll-up hands out no person, and the committees' attendee lists stay
in the admin. The figures change when an event ends, not from one minute to the next, so the
page may be cached by browsers and proxies for a few minutes.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from territory.forms import CommuneFilterField
from territory.models import Territory

from .models import ActionPlan, Committee
from .rollups import BY_KEY, INDICATORS, Indicator, Node, Scope, compute

CACHE_MAX_AGE = 300
WHOLE_PERIOD = "tout"
# The figures shown under each orientation, when they are not zero: the ones a reader
# follows from year to year. The full list is given for the plan.
ORIENTATION_KEYS = (
    "events_held",
    "participants",
    "unique_participants",
    "elected_reached",
    "young_reached",
    "stand_visitors",
    "stand_organisations",
    "volunteers",
    "volunteer_hours",
    "matches_accepted",
    "requests_received",
)
HEADLINE_KEYS = ("events_held", "participants", "unique_participants")


class FiguresFilterForm(forms.Form):
    """Year and commune. Both live in the URL; a bad value is reported and its default applies."""

    year = forms.ChoiceField(label=gettext_lazy("Année"), required=False)
    commune = CommuneFilterField(
        help_text=gettext_lazy("Les événements tenus dans la commune et ses demandes de passage du village."),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Cette commune n'est pas dans le territoire. Voici les chiffres de toutes les communes."
            )
        },
    )

    def __init__(self, *args, plan: ActionPlan, default_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_year = default_year
        years = range(plan.end_year, plan.start_year - 1, -1)
        self.fields["year"].choices = [
            *((str(year), str(year)) for year in years),
            (
                WHOLE_PERIOD,
                _("Toute la durée du plan (%(start)s-%(end)s)") % {"start": plan.start_year, "end": plan.end_year},
            ),
        ]
        self.fields["year"].initial = str(default_year)
        self.fields["year"].error_messages["invalid_choice"] = _(
            "Le plan couvre les années %(start)s à %(end)s : choisissez l'une d'elles, ou toute la durée du plan. "
            "Voici les chiffres de %(default)s."
        ) % {"start": plan.start_year, "end": plan.end_year, "default": default_year}
        self.fields["commune"].scope_to_territory(plan.territory_id)

    def chosen(self) -> tuple[int | None, object | None]:
        """(year or None for the whole period, commune or None): each field's value if valid, else its default."""
        if not self.is_bound:
            return self.default_year, None
        self.is_valid()
        year = self.cleaned_data.get("year") or str(self.default_year)
        commune = self.cleaned_data.get("commune")
        # The fields then show what the figures below are for, not the refused value, which
        # the error next to the field reports; the errors were computed above and stay.
        self.data = self.data.copy()
        self.data["year"] = year
        self.data["commune"] = commune.insee_code if commune else ""
        return (None if year == WHOLE_PERIOD else int(year)), commune


@dataclass
class Figure:
    indicator: Indicator
    value: object
    target: object = None
    progress: int | None = None  # percent of the target reached


def figures(node: Node, keys=None, *, skip_zeros: bool = False) -> list[Figure]:
    indicators = INDICATORS if keys is None else [BY_KEY[key] for key in keys]
    shown = []
    for indicator in indicators:
        value = node.values.get(indicator.key)
        if skip_zeros and not value:
            continue
        progress = node.progress(indicator.key)
        shown.append(
            Figure(
                indicator,
                value,
                target=node.targets.get(indicator.key),
                progress=None if progress is None else round(100 * progress),
            )
        )
    return shown


def governance(plan: ActionPlan, scope: Scope) -> list[dict]:
    """Each body of the plan with its meetings in the scope and the minimum it owes: counts only."""
    years = 1 if scope.year else plan.end_year - plan.start_year + 1
    in_scope = Q(meetings__date__gte=scope.first_day, meetings__date__lte=scope.last_day)
    committees = Committee.objects.filter(plan=plan).annotate(meeting_count=Count("meetings", filter=in_scope))
    return [
        {
            "name": committee.name,
            "meetings": committee.meeting_count,
            "expected": committee.min_meetings_per_year * years if committee.min_meetings_per_year else None,
        }
        for committee in committees
    ]


def default_year(plan: ActionPlan, today) -> int:
    # Past its end a plan stays in force until the next one (ActionPlan.in_force): its
    # last year is then the most recent one it has figures for.
    return min(max(today.year, plan.start_year), plan.end_year)


@require_GET
@cache_control(public=True, max_age=CACHE_MAX_AGE)
def plan_in_figures(request):
    today = timezone.localdate()
    territory = Territory.for_request(request)
    plan = ActionPlan.objects.for_territory(territory).in_force(today.year) if territory else None
    if plan is None:
        return render(request, "indicators/public/plan_in_figures.html", {"plan": None})

    form = FiguresFilterForm(request.GET or None, plan=plan, default_year=default_year(plan, today))
    year, commune = form.chosen()
    scope = Scope(plan, year=year, commune=commune)
    rollup = compute(scope)
    plan_values = rollup.plan.values
    orientations = [
        {"node": node, "figures": figures(node, ORIENTATION_KEYS, skip_zeros=True)} for node in rollup.plan.children
    ]
    return render(
        request,
        "indicators/public/plan_in_figures.html",
        {
            "plan": plan,
            "territory": territory,
            "form": form,
            "scope": scope,
            "commune": commune,
            "headline": figures(rollup.plan, HEADLINE_KEYS),
            "communes_visited": plan_values["communes_visited"],
            "commune_count": rollup.commune_count,
            "plan_figures": figures(rollup.plan),
            "orientations": orientations,
            "committees": governance(plan, scope),
            "filtered": bool(request.GET),
        },
    )
