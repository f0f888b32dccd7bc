"""Event display helpers: French dates, status badges, the "what next" block, the JSON-LD."""

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from events import dates, structured_data
from events.models import EventKind, EventStatus

register = template.Library()

# The picture shared with a link (Open Graph, JSON-LD): a raster image, since the social
# networks' previews do not show SVG.
SHARE_IMAGE = "img/partage.png"

# What a person must tell the team when registering by email, per kind (DESIGN.md:
# breakfasts are individual, elected officials give their mandate, youth outreach
# registers a whole group).
REGISTRATION_HINTS = {
    EventKind.THEMATIC_BREAKFAST: _("Indiquez vos nom et prénom et, le cas échéant, votre structure."),
    EventKind.ELECTED_AWARENESS: _("Indiquez vos nom et prénom, votre mandat et votre commune."),
    EventKind.YOUTH_OUTREACH: _(
        "Les inscriptions se font par groupe : indiquez l'établissement ou la structure, "
        "l'enseignant·e ou l'encadrant·e référent·e, le niveau et l'effectif."
    ),
}


def _unbreakable_times(text: str) -> str:
    # "8 h 30" split over two lines reads badly on a phone: glue hours to minutes.
    return text.replace(" h ", "\u00a0h\u00a0")


@register.simple_tag
def event_when(event):
    """<time> with the event's French date and times, e.g. "jeudi 10 décembre 2026, 8 h 30 – 10 h 00"."""
    return event_when_range(event.start, event.end)


@register.simple_tag
def event_when_range(start, end):
    """<time> with a French date and times from `start` to `end` (a shift, a stand)."""
    return format_html(
        '<time datetime="{}">{}</time>',
        dates.local(start).isoformat(),
        _unbreakable_times(dates.format_range(start, end)),
    )


@register.filter
def french_time(value):
    """A time of day as "8 h 30"; empty for None."""
    return _unbreakable_times(dates.format_time(value)) if value else ""


@register.inclusion_tag("events/includes/status_badge.html")
def event_status_badge(event):
    """A badge for postponed and cancelled events; nothing for scheduled ones."""
    if event.status == EventStatus.SCHEDULED:
        return {"label": None}
    return {"label": event.get_status_display(), "status": event.status}


def _site_contact_email(context) -> str:
    # Through the template's `settings` (Wagtail's context processor) rather than an import
    # of cms.models: cms reads events, events does not read cms.
    site_settings = context.get("settings")
    if site_settings is None or context.get("request") is None:
        return ""
    return site_settings["cms"]["SiteContact"].email


@register.inclusion_tag("events/includes/next_step.html", takes_context=True)
def event_next_step(context, page):
    """The "Et maintenant ?" block: visit, register by email, or nothing left to do."""
    step = {"page": page, "postponed": page.status == EventStatus.POSTPONED}
    if page.status == EventStatus.CANCELLED:
        step["variant"] = "cancelled"
    elif page.is_past:
        step["variant"] = "over"
    elif page.kind == EventKind.ITINERANT_VILLAGE:
        step["variant"] = "visit"
    else:
        step["variant"] = "register"
        step["email"] = page.contact_email or _site_contact_email(context)
        step["hint"] = REGISTRATION_HINTS.get(page.kind, "")
    return step


@register.inclusion_tag("events/includes/status_notice.html")
def event_status_notice(event):
    """A notice above the event: cancelled, postponed or moved (with the organisers' note), or over."""
    if event.status == EventStatus.CANCELLED:
        variant = "cancelled"
    elif event.status == EventStatus.POSTPONED:
        variant = "postponed"
    elif event.is_past:
        variant = "over"
    elif event.status_note:
        # services.village.move_event keeps a moved event scheduled and writes where it
        # was first planned in the note ("Nouvelle date (initialement le …)").
        variant = "moved"
    else:
        variant = ""
    return {"variant": variant, "note": event.status_note if variant != "over" else ""}


@register.simple_tag(takes_context=True)
def event_json_ld(context, page):
    """The page's schema.org Event as a <script type="application/ld+json"> element."""
    request = context.get("request")
    site_settings = context.get("settings")
    contact = site_settings["cms"]["SiteContact"] if site_settings is not None and request is not None else None
    registration_url = ""
    if page.takes_registrations and request is not None:
        registration_url = request.build_absolute_uri(reverse("registration_form", args=[page.pk]))
    data = structured_data.event_json_ld(
        page,
        url=page.get_full_url(request),
        organizer_name=contact.organisation_name if contact is not None else "",
        organizer_url=request.build_absolute_uri("/") if request is not None else "",
        registration_url=registration_url,
        image_url=request.build_absolute_uri(static(SHARE_IMAGE)) if request is not None else "",
    )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(structured_data.as_script(data)))  # noqa: S308 - as_script escapes <, > and &
