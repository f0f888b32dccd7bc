"""The volunteers' presence at an event, in the admin.

/admin/benevoles/presences/<event>/                         every shift with its volunteers: present,
                                                           absent, to mark; hours served per shift and
                                                           in all; buttons present / absent / reset
/admin/benevoles/presences/<event>/<signup>/pointer/      those buttons (POST)
/admin/benevoles/presences/<event>/badges.pdf             the volunteers' badges, 8 per A4 page

Reached from each shift's "more" menu in "Créneaux bénévoles" and from an event page's
header. Every change goes through volunteers/presence.py; a refusal is shown as a
message and nothing changes. All of it needs volunteers.change_shift; an organiser
without it gets a 403 in the admin's layout. Only the events of the territories the
organiser acts for are found (`events_for`): another territory's answers 404.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import MenuItem

from events import dates
from events.models import EventPage
from territory.access import territories_for

from . import presence
from .models import Attendance, Shift, ShiftSignup, ShiftSignupStatus
from .pdf import badges_pdf

PAGE_URL = "volunteers_presence_event"
MARK_URL = "volunteers_presence_mark"
BADGES_URL = "volunteers_presence_badges"


def presence_url(event_id: int) -> str:
    return reverse(PAGE_URL, args=[event_id])


def events_for(user):
    return EventPage.objects.filter(commune__territory__in=territories_for(user))


def forbidden(request):
    """A 403 in the admin's layout: Wagtail would turn PermissionDenied into a redirect home."""
    return render(
        request,
        "volunteers/admin/presence_forbidden.html",
        {"page_title": _("Accès refusé")},
        status=403,
    )


class EventPresenceView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "volunteers/admin/presence.html"
    header_icon = "group"
    page_title = gettext_lazy("Présences des bénévoles")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(presence.PRESENCE_PERMISSION):
            return forbidden(request)
        self.event = get_object_or_404(events_for(request.user), pk=kwargs["event_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.event.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailsnippets_volunteers_shift:list"),
                "label": capfirst(Shift._meta.verbose_name_plural),
            },
            {"url": "", "label": self.event.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shifts = list(presence.shifts_with_attendance(self.event))
        for shift in shifts:
            shift.title = presence.shift_title(shift)
            shift.when = dates.format_range(shift.starts_at, shift.ends_at)
            shift.hours = presence.to_hours(shift.served)
            for signup in shift.confirmed_signups:
                signup.marked_at = presence.clock(signup.attendance_at)
                signup.is_present = signup.attendance == Attendance.PRESENT
                signup.is_no_show = signup.attendance == Attendance.NO_SHOW
        summary = presence.attendance_summary(ShiftSignup.objects.filter(shift__event=self.event))
        context.update(
            event=self.event,
            when=dates.format_range(self.event.start, self.event.end),
            shifts=shifts,
            summary=summary,
            badges_url=reverse(BADGES_URL, args=[self.event.pk]),
            shift_list_url=reverse("wagtailsnippets_volunteers_shift:list"),
        )
        return context


MARKINGS = {
    "present": presence.mark_present,
    "no_show": presence.mark_no_show,
    "reset": presence.reset_attendance,
}


@require_POST
def mark_view(request, event_id: int, signup_id: int):
    if not request.user.has_perm(presence.PRESENCE_PERMISSION):
        return forbidden(request)
    event = get_object_or_404(events_for(request.user), pk=event_id)
    signup = get_object_or_404(ShiftSignup.objects.filter(shift__event=event), pk=signup_id)
    marking = MARKINGS.get(request.POST.get("action"))
    if marking is None:
        messages.error(request, _("Action inconnue : rien n'a été modifié."))
        return redirect(presence_url(event_id))
    try:
        result = marking(signup, by=request.user)
    except presence.PresenceError as error:
        messages.error(request, error.message)
    else:
        if isinstance(result, presence.PresenceResult):
            message = result.message
        elif result.attendance == Attendance.NO_SHOW:
            message = _("%(name)s est noté·e absent·e.") % {"name": result.name}
        else:
            message = _("%(name)s est de nouveau à pointer.") % {"name": result.name}
        messages.success(request, message)
    return redirect(f"{presence_url(event_id)}#inscription-{signup.pk}")


def badges_view(request, event_id: int):
    if not request.user.has_perm(presence.PRESENCE_PERMISSION):
        return forbidden(request)
    event = get_object_or_404(events_for(request.user), pk=event_id)
    signups = (
        ShiftSignup.objects.filter(shift__event=event, status=ShiftSignupStatus.CONFIRMED)
        .select_related("shift")
        .order_by("shift__starts_at", "name", "pk")
    )
    response = HttpResponse(badges_pdf(event, signups), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="badges-benevoles-{dates.local(event.start):%Y-%m-%d}.pdf"'
    # The badges carry private links: no shared cache keeps them.
    response["Cache-Control"] = "private, no-store"
    return response


@hooks.register("register_admin_urls")
def register_presence_urls():
    return [
        path("benevoles/presences/<int:event_id>/", EventPresenceView.as_view(), name=PAGE_URL),
        path("benevoles/presences/<int:event_id>/<int:signup_id>/pointer/", mark_view, name=MARK_URL),
        path("benevoles/presences/<int:event_id>/badges.pdf", badges_view, name=BADGES_URL),
    ]


@hooks.register("register_snippet_listing_buttons")
def shift_presence_button(snippet, user, next_url=None):
    if isinstance(snippet, Shift) and user.has_perm(presence.PRESENCE_PERMISSION):
        yield MenuItem(_("Présences de l'événement"), url=presence_url(snippet.event_id), icon_name="tick", priority=40)


def _is_event(page) -> bool:
    # specific_class reads the cached content type: no query.
    return page.specific_class is not None and issubclass(page.specific_class, EventPage)


@hooks.register("register_page_header_buttons")
def event_presence_header_button(page, user, view_name=None, next_url=None):
    if _is_event(page) and user.has_perm(presence.PRESENCE_PERMISSION):
        yield MenuItem(_("Présences des bénévoles"), url=presence_url(page.pk), icon_name="tick", priority=67)
