"""The "Plan d'actions" menu of the admin: the plans and their governance bodies.

A plan's tree (orientation > objective > action), its default action per event kind
and its committees come from the YAML files in indicators/data/action_plans/, and
the import command brings them in again whenever a file changes. An edit made here
would be overwritten by the next import, and a plan added here would have no tree:
so plans are read-only in the admin (the inspect view shows the whole tree) and
only deletion is left, to superusers.

Committees stay editable by organisers, as their role grants: a committee's minimum
meetings can change between two revisions of the plan. A new import resets the ones the
file's `governance` list names and keeps the others, so the form says so.

Targets and committee meetings are the organisers' own input, not the file's: edited
here. The plan's dashboard (admin_dashboard.py) compares the computed values with them.

An organiser sees and edits the plans, committees, meetings and targets of the territories
they act for only (territory/access.py): every list, filter and form choice is narrowed,
and another territory's object answers 404 on every page of its own.
"""

import functools

from django import forms
from django.contrib.admin.utils import unquote
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_filters import ModelChoiceFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from events.models import EventKind
from territory.access import territories_for
from territory.admin_views import FoldedSearchIndexView, ReadableInspectView

from . import admin_dashboard, admin_report  # noqa: F401 - their hooks (dashboard, home panel, report) register on import
from .admin_dashboard import plans_for
from .models import Action, ActionPlan, Committee, CommitteeMeeting, IndicatorTarget, Objective
from .rollups import BY_KEY, INDICATORS


def committees_for(user):
    return Committee.objects.filter(plan__territory__in=territories_for(user))


def meetings_for(user):
    return CommitteeMeeting.objects.filter(committee__plan__territory__in=territories_for(user))


def targets_for(user):
    return IndicatorTarget.objects.filter(plan__territory__in=territories_for(user))


class TerritoryScopedViewSet(SnippetViewSet):
    """A snippet of the plan, narrowed to the territories the user acts for (`scoped`).

    The list reads get_queryset; Wagtail's views of one object (edit, delete, inspect,
    history, usage) look it up in the whole table, so each is wrapped to answer 404 first.
    """

    @staticmethod
    def scoped(user):
        raise NotImplementedError

    def get_queryset(self, request):
        return self.scoped(request.user)

    def construct_view(self, view_class, **kwargs):
        view = super().construct_view(view_class, **kwargs)

        @functools.wraps(view)
        def scoped_view(request, *args, **kwargs):
            pk = kwargs.get("pk")
            if pk is not None and not self.scoped(request.user).filter(pk=unquote(str(pk))).exists():
                raise Http404
            return view(request, *args, **kwargs)

        return scoped_view


class TerritoryScopedForm(WagtailAdminModelForm):
    """Offers only the choices of the territories the organiser acts for.

    `scoped_fields` maps a field to the lookup from its model to the territory. Wagtail's
    views pass `for_user`; a form built without it (a script) keeps every choice.
    """

    scoped_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is None:
            return
        territories = territories_for(self.for_user)
        for name, lookup in self.scoped_fields.items():
            if name in self.fields:
                field = self.fields[name]
                field.queryset = field.queryset.filter(**{f"{lookup}__in": territories})


def plan_period(plan) -> str:
    # Years are written without the thousands separator the French locale would add.
    return f"{plan.start_year}–{plan.end_year}"


class ImportedPlanPermissionPolicy(ModelPermissionPolicy):
    """Nobody adds or edits a plan in the admin, whatever their permissions: the YAML import owns it."""

    refused_actions = frozenset({"add", "change"})

    def user_has_permission(self, user, action):
        return action not in self.refused_actions and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.refused_actions]
        if not allowed:
            return super().users_with_any_permission([]).none()
        return super().users_with_any_permission(allowed)


class ActionPlanInspectView(ReadableInspectView):
    """The whole plan on one page, in a number of queries that does not grow with the plan."""

    template_name = "indicators/admin/action_plan_inspect.html"
    field_labels = {"period": _("Période")}

    def get_object(self, queryset=None):
        plans = ActionPlan.objects.select_related("territory").prefetch_related(
            "orientations",
            Prefetch("orientations__objectives", queryset=Objective.objects.order_by("position")),
            Prefetch("orientations__objectives__actions", queryset=Action.objects.order_by("position")),
            "committees",
        )
        return get_object_or_404(plans, pk=unquote(str(self.pk)))

    def get_period_display_value(self):
        return plan_period(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        orientations = list(plan.orientations.all())
        objectives = [objective for orientation in orientations for objective in orientation.objectives.all()]
        actions = {action.code: action for objective in objectives for action in objective.actions.all()}
        context.update(
            plan=plan,
            orientations=orientations,
            objective_count=len(objectives),
            action_count=len(actions),
            default_actions=self.default_actions(plan, actions),
            committees=list(plan.committees.all()),
        )
        return context

    @staticmethod
    def default_actions(plan, actions_by_code):
        """(label, code, action) for each event kind the plan names a default for, then volunteering.

        The action is None when the code names no action of the plan: shown as such, so
        a typo in the YAML file is visible here rather than silently linking nothing.
        """
        rows = []
        for kind, label in EventKind.choices:
            if code := plan.default_action_codes.get(kind):
                rows.append((label, code, actions_by_code.get(code)))
        if plan.volunteering_action_code:
            code = plan.volunteering_action_code
            rows.append((_("Bénévolat"), code, actions_by_code.get(code)))
        return rows


# The filters' choices: a list filter naming another territory's plan or committee would leak it.
def territories_filter(request):
    return territories_for(getattr(request, "user", None))


def plans_filter(request):
    return plans_for(getattr(request, "user", None))


def committees_filter(request):
    return committees_for(getattr(request, "user", None)).select_related("plan")


class ActionPlanFilterSet(WagtailFilterSet):
    territory = ModelChoiceFilter(label=_("Territoire"), queryset=territories_filter)

    class Meta:
        model = ActionPlan
        fields = []


class ActionPlanViewSet(TerritoryScopedViewSet):
    model = ActionPlan
    icon = "list-ol"
    menu_label = _("Plans d'actions")
    list_display = [
        "short_title",
        "territory",
        Column(
            "period",
            label=_("Période"),
            accessor=plan_period,
            sort_key="start_year",
        ),
    ]
    filterset_class = ActionPlanFilterSet
    index_view_class = FoldedSearchIndexView
    search_fields = ["short_title", "title"]
    inspect_view_enabled = True
    inspect_view_class = ActionPlanInspectView
    inspect_view_fields = ["title", "territory", "period", "source"]
    copy_view_enabled = False

    @cached_property
    def permission_policy(self):
        return ImportedPlanPermissionPolicy(self.model)

    @staticmethod
    def scoped(user):
        return plans_for(user)


class CommitteeForm(TerritoryScopedForm):
    scoped_fields = {"plan": "territory"}


class CommitteeFilterSet(WagtailFilterSet):
    plan = ModelChoiceFilter(label=_("Plan"), queryset=plans_filter)

    class Meta:
        model = Committee
        fields = []


class CommitteeViewSet(TerritoryScopedViewSet):
    model = Committee
    icon = "group"
    menu_label = _("Instances de gouvernance")
    list_display = [
        "name",
        "plan",
        # Blank rather than "None" when the plan sets no figure.
        Column("min_meetings", label=_("Réunions minimum par an"), accessor=lambda c: c.min_meetings_per_year or ""),
        Column("every_years", label=_("Tous les N ans"), accessor=lambda c: c.every_years or ""),
    ]
    filterset_class = CommitteeFilterSet
    index_view_class = FoldedSearchIndexView
    search_fields = ["name"]
    edit_handler = ObjectList(
        [
            HelpPanel(
                content=_(
                    "Les instances sont aussi décrites dans le fichier du plan : un nouvel import "
                    "remet les valeurs du fichier pour les instances qu'il nomme. Une instance ajoutée "
                    "ici est conservée."
                )
            ),
            FieldPanel("plan"),
            FieldPanel("name"),
            FieldPanel("role"),
            FieldRowPanel([FieldPanel("min_meetings_per_year"), FieldPanel("every_years")]),
        ],
        base_form_class=CommitteeForm,
    )

    @staticmethod
    def scoped(user):
        return committees_for(user).select_related("plan")


class PlanNodeChoiceField(forms.ModelChoiceField):
    """An action or objective named with its plan: two plans may share a code."""

    def label_from_instance(self, obj):
        plan = obj.objective.orientation.plan if isinstance(obj, Action) else obj.orientation.plan
        return f"{plan.short_title} · {obj.code} {obj.title}"


class IndicatorTargetForm(TerritoryScopedForm):
    scoped_fields = {
        "plan": "territory",
        "action": "objective__orientation__plan__territory",
        "objective": "orientation__plan__territory",
    }

    indicator = forms.ChoiceField(label=_("Indicateur"), choices=[(i.key, i.label) for i in INDICATORS])
    action = PlanNodeChoiceField(
        label=_("Action"),
        required=False,
        queryset=Action.objects.select_related("objective__orientation__plan"),
        help_text=_("Laisser vide avec l'objectif : cible pour tout le plan."),
    )
    objective = PlanNodeChoiceField(
        label=_("Objectif"),
        required=False,
        queryset=Objective.objects.select_related("orientation__plan").order_by(
            "orientation__plan", "orientation__position", "position"
        ),
        help_text=_("Une cible porte sur une action ou sur un objectif, pas les deux."),
    )

    def clean(self):
        data = super().clean()
        plan, action, objective = data.get("plan"), data.get("action"), data.get("objective")
        if plan and action and action.objective.orientation.plan_id != plan.pk:
            self.add_error("action", _("Cette action n'appartient pas au plan choisi."))
        if plan and objective and objective.orientation.plan_id != plan.pk:
            self.add_error("objective", _("Cet objectif n'appartient pas au plan choisi."))
        return data


def target_node(target) -> str:
    if target.action_id:
        return f"{target.action.code} {target.action.title}"
    if target.objective_id:
        return f"{target.objective.code} {target.objective.title}"
    return _("Tout le plan")


class IndicatorTargetFilterSet(WagtailFilterSet):
    plan = ModelChoiceFilter(label=_("Plan"), queryset=plans_filter)

    class Meta:
        model = IndicatorTarget
        fields = ["year"]


class IndicatorTargetViewSet(TerritoryScopedViewSet):
    model = IndicatorTarget
    icon = "crosshairs"
    menu_label = _("Cibles des indicateurs")
    list_display = [
        Column(
            "indicator",
            label=_("Indicateur"),
            accessor=lambda t: getattr(BY_KEY.get(t.indicator), "label", t.indicator),
        ),
        Column("node", label=_("Porte sur"), accessor=target_node),
        Column("year", label=_("Année"), accessor=lambda t: t.year or _("Toute la durée"), sort_key="year"),
        "value",
        "plan",
    ]
    filterset_class = IndicatorTargetFilterSet
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            HelpPanel(
                content=_(
                    "Sans action ni objectif, la cible porte sur tout le plan ; sans année, sur toute "
                    "la durée du plan. Les valeurs comparées aux cibles sont calculées, jamais saisies."
                )
            ),
            FieldPanel("plan"),
            FieldPanel("indicator"),
            FieldRowPanel([FieldPanel("action"), FieldPanel("objective")]),
            FieldRowPanel([FieldPanel("year"), FieldPanel("value")]),
        ],
        base_form_class=IndicatorTargetForm,
    )

    @staticmethod
    def scoped(user):
        return targets_for(user).select_related("plan", "action", "objective")


class CommitteeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.plan.short_title}"


class CommitteeMeetingForm(TerritoryScopedForm):
    scoped_fields = {"committee": "plan__territory"}

    committee = CommitteeChoiceField(label=_("Instance"), queryset=Committee.objects.select_related("plan"))


class CommitteeMeetingFilterSet(WagtailFilterSet):
    committee = ModelChoiceFilter(label=_("Instance"), queryset=committees_filter)

    class Meta:
        model = CommitteeMeeting
        fields = []


class CommitteeMeetingViewSet(TerritoryScopedViewSet):
    model = CommitteeMeeting
    icon = "calendar-check"
    menu_label = _("Réunions des instances")
    list_display = ["date", "committee", "title", "attendee_count"]
    filterset_class = CommitteeMeetingFilterSet
    index_view_class = FoldedSearchIndexView
    search_fields = ["title", "notes"]
    ordering = ["-date"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("committee"), FieldPanel("date")]),
            FieldPanel("title"),
            FieldPanel("attendees"),
            FieldPanel(
                "attendee_count",
                help_text=_("Laisser à 0 : compté d'après la liste des participant·es."),
            ),
            FieldPanel("notes"),
        ],
        base_form_class=CommitteeMeetingForm,
    )

    @staticmethod
    def scoped(user):
        return meetings_for(user).select_related("committee")


class ActionPlanGroup(SnippetViewSetGroup):
    menu_label = _("Plan d'actions")
    menu_icon = "tasks"
    menu_order = 210
    items = (ActionPlanViewSet, CommitteeViewSet, CommitteeMeetingViewSet, IndicatorTargetViewSet)


register_snippet(ActionPlanGroup)
