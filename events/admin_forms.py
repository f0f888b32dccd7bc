"""The admin form of the event pages: plan actions as grouped checkboxes."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from territory.models import PARIS


class EventPageForm(WagtailAdminPageForm):
    """Offers the actions of the plans in force as checkboxes grouped by objective.

    The default multiple select lists every action of every plan ever imported (the
    Lille 2015-2020 plan next to the current one), one code after another. Organisers
    need each territory's plan in force (the rule EventPage.default_plan_action() follows),
    grouped the way the plan reads, with the default action of the page's kind pointed
    out since leaving the field empty picks it. Actions already linked stay offered even
    when their plan is no longer in force, so editing an old event does not drop them.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "plan_actions" in self.fields:
            self._offer_plan_actions(self.fields["plan_actions"])

    def _offer_plan_actions(self, field):
        # Imported here, as in EventPage.default_plan_action(): indicators reads events, not the reverse.
        from indicators.models import Action, ActionPlan

        this_year = timezone.localtime(timezone.now(), PARIS).year
        territories = ActionPlan.objects.order_by().values_list("territory_id", flat=True).distinct()
        plans = [ActionPlan.objects.for_territory(territory).in_force(this_year) for territory in territories]
        linked = [action.pk for action in self.instance.plan_actions.all()]
        offered = (
            Action.objects.filter(Q(objective__orientation__plan__in=[p for p in plans if p]) | Q(pk__in=linked))
            .select_related("objective__orientation__plan")
            .order_by(
                "-objective__orientation__plan__start_year",
                "objective__orientation__plan__short_title",
                "objective__orientation__position",
                "objective__position",
                "position",
            )
        )
        field.queryset = offered
        field.widget = forms.CheckboxSelectMultiple()
        field.choices = self._grouped_choices(list(offered))

    def _grouped_choices(self, actions):
        kind = getattr(self.instance, "event_kind", None) or self.instance.kind
        several_plans = len({action.objective.orientation.plan_id for action in actions}) > 1
        groups: dict[str, list] = {}
        for action in actions:
            objective = action.objective
            plan = objective.orientation.plan
            label = f"{objective.code} {objective.title}"
            if several_plans:
                label = f"{plan.short_title} · {label}"
            choice = f"{action.code} {action.title}"
            if kind and plan.default_action_codes.get(kind) == action.code:
                choice = _("%(action)s (par défaut pour ce type d'événement)") % {"action": choice}
            groups.setdefault(label, []).append((action.pk, choice))
        return list(groups.items())
