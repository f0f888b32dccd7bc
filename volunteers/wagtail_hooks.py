"""The volunteers' shifts in the admin: organisers set the shifts of an event and place volunteers on them.

Organisers also maintain the list of skills volunteers offer ("Compétences").

Self sign-up, offers, missions and matching come with the volunteering work; until then
organisers record here who holds which shift, which the stand plan PDF and the notices
of a cancelled or moved stop read (events/signals.py).
"""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import NumberColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_missions, admin_presence  # noqa: F401 - their hooks register on import
from .models import Shift, ShiftSignupStatus, Skill


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

    def get_queryset(self, request):
        return Shift.objects.select_related("event").annotate(
            taken=Count("signups", filter=Q(signups__status=ShiftSignupStatus.CONFIRMED))
        )


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
