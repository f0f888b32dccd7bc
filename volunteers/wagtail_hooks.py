"""The volunteers' shifts in the admin: organisers set the shifts of an event and place volunteers on them.

Organisers also maintain the list of skills volunteers offer ("Compétences").

Self sign-up, offers, missions and matching come with the volunteering work; until then
organisers record here who holds which shift, which the stand plan PDF and the notices
of a cancelled or moved stop read (events/signals.py). An organiser sees and edits the
shifts of their territories' events only (`shifts_for`). Skills are one list for the
whole installation: a volunteer's skills do not depend on where they live.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import NumberColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from territory.access import territories_for

from . import admin_missions, admin_presence  # noqa: F401 - their hooks register on import
from .admin_missions import scoped_to
from .models import Shift, ShiftSignupStatus, Skill


def shifts_for(user):
    return Shift.objects.filter(event__commune__territory__in=territories_for(user))


class ShiftViewSet(SnippetViewSet):
    model = Shift
    icon = "group"
    menu_label = _("Créneaux bénévoles")
    menu_order = 330
    add_to_admin_menu = True
    list_display = [
        "event",
        "role",
        "starts_at",
        "ends_at",
        NumberColumn("taken", label=_("Bénévoles")),
        NumberColumn("capacity", label=_("Places")),
    ]
    list_filter = ["role"]
    search_fields = ["label", "event__title"]
    ordering = ["-starts_at"]

    # For territory.admin_views.refuse_deleting_other_territories (bulk deletion).
    scoped = staticmethod(shifts_for)

    def get_queryset(self, request):
        return (
            shifts_for(request.user)
            .select_related("event")
            .annotate(taken=Count("signups", filter=Q(signups__status=ShiftSignupStatus.CONFIRMED)))
        )

    def construct_view(self, view_class, **kwargs):
        # Edit, delete, history...: another territory's shift is not found.
        return scoped_to(super().construct_view(view_class, **kwargs), shifts_for)


register_snippet(ShiftViewSet)


class SkillViewSet(SnippetViewSet):
    """The skills volunteers tick on their profile. Each keeps its bit of the profiles' mask
    for life (Skill.bit): rename a skill rather than delete and recreate it."""

    model = Skill
    icon = "tick-inverse"
    menu_label = _("Compétences")
    menu_order = 331
    add_to_admin_menu = True
    list_display = ["name", "position", NumberColumn("volunteer_count", label=_("Bénévoles"))]
    search_fields = ["name"]
    ordering = ["position", "name"]
    form_fields = ["name", "slug", "position"]

    def get_queryset(self, request):
        return Skill.objects.annotate(volunteer_count=Count("volunteers"))


register_snippet(SkillViewSet)
