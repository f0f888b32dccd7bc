"""The admin form of the event pages: plan actions as grouped checkboxes, and a stop's kit and day."""

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

    def clean(self):
        from events.models.choices import EventKind

        cleaned_data = super().clean()
        if self.instance.event_kind == EventKind.ITINERANT_VILLAGE:
            self._check_village_stop(cleaned_data)
        return cleaned_data

    def _check_village_stop(self, data):
        """A stop holds one day and one kit: refuse a stop over two days, or on a day whose kits
        are all taken (naming the stops that hold them).

        The same rules as services/village.py, which the editor bypasses since it saves the page
        itself. This check does not lock the territory: two editors saving stops on the same
        day at the same second could both pass; scheduling from a commune's request locks.
        """
        from events.models.choices import EventStatus
        from events.services import village

        start, end = data.get("start"), data.get("end")
        if not start or not end or end <= start:
            return  # EventPage.clean() says what is missing or in the wrong order.
        try:
            village.check_times(start, end)  # the service's own rule: one local day
        except village.VillageError as error:
            self.add_error("end", error.message)
            return
        place = data.get("venue") or data.get("commune")
        commune = getattr(place, "commune", place)
        if commune is None or data.get("status") != EventStatus.SCHEDULED:
            return
        clash = village.kit_clash(
            commune.territory, timezone.localtime(start, PARIS).date(), exclude_pk=self.instance.pk
        )
        if clash is not None:
            self.add_error("start", clash.message)

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
