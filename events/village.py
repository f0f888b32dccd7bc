"""What the village's public pages show: a season's tour (itinerary and map) and a stop's stands.

Pages call these from get_context(); they read the rows the services wrote and decide
nothing. Both run a fixed number of queries however many stops or stands there are.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from events import dates
from events.models import EventStatus, Stand, TourPage, VillageStopPage


@dataclass(frozen=True)
class TourStop:
    """One line of the itinerary, and one marker of the map."""

    number: int
    page: VillageStopPage
    url: str
    status: str  # the page's status, or MOVED for a scheduled stop with a note (see stop_status)
    status_label: str  # the badge; empty for a stop held as planned
    is_past: bool

    def map_point(self) -> dict:
        """The marker's data for static/js/tour-map.js; `label` names the marker (aria-label and title)."""
        lat, lng = coordinates(self.page)
        stop = self.page
        place = stop.commune.name if stop.commune_id else stop.title
        label = _("Étape %(number)s : %(place)s, %(day)s") % {
            "number": self.number,
            "place": place,
            "day": dates.format_day(dates.local(stop.start).date()),
        }
        if self.status_label:
            label = f"{label} ({self.status_label.lower()})"
        return {
            "number": self.number,
            "label": label,
            "title": stop.title,
            "url": self.url,
            "date": dates.format_range(stop.start, stop.end),
            "commune": stop.commune.name if stop.commune_id else "",
            "venue": stop.venue.name if stop.venue_id else "",
            "lat": lat,
            "lng": lng,
            "format": stop.get_village_format_display(),
            "status": self.status,
            "status_label": self.status_label,
            "is_past": self.is_past,
        }


def coordinates(stop) -> tuple[float | None, float | None]:
    """Where the stop's marker goes: its venue (or the venue's commune), else its commune's centre."""
    if stop.venue_id:
        return stop.venue.coordinates
    if stop.commune_id:
        return stop.commune.latitude, stop.commune.longitude
    return None, None


# Not a status of its own: a scheduled stop whose note says it changed (the CSS and the map use it).
MOVED = "moved"


def stop_status(stop) -> tuple[str, str]:
    """(key, badge label) of a stop as the public sees it; an empty label for a stop held as planned.

    A stop moved by services.village.move_event stays scheduled and says where it was
    first planned in its status note: it is shown as changed, with the note.
    """
    if stop.status == EventStatus.CANCELLED:
        return EventStatus.CANCELLED.value, str(_("Annulée"))
    if stop.status == EventStatus.POSTPONED:
        return EventStatus.POSTPONED.value, str(_("Reportée"))
    if stop.status_note:
        return MOVED, str(_("Changement"))
    return EventStatus.SCHEDULED.value, ""


def tour_stops(tour: TourPage, request=None, now=None) -> list[TourStop]:
    """The tour's live stops in date order, numbered as on the map. Two queries at most
    (the stops, and Wagtail's site root paths when they are not cached yet)."""
    now = now or timezone.now()
    stops = tour.stops().select_related("venue__commune")
    rows = []
    for number, stop in enumerate(stops, start=1):
        status, label = stop_status(stop)
        rows.append(
            TourStop(
                number=number,
                page=stop,
                url=stop.get_url(request),
                status=status,
                status_label=label,
                is_past=stop.end < now,
            )
        )
    return rows


def calendar_url(tour: TourPage, request) -> str:
    """The full address of the tour's calendar feed (the subscription block derives webcal:// from it).

    Built on the address the visitor used (the site's hostname in Wagtail may differ, behind
    a proxy or in development), so that the link they copy works from where they are.
    """
    feed_path = tour.reverse_subpage("calendar_feed")
    if request is None:
        return tour.get_full_url() + feed_path
    return request.build_absolute_uri(tour.get_url(request) + feed_path)


def tour_context(page: TourPage, request) -> dict:
    now = timezone.now()
    stops = tour_stops(page, request, now)
    upcoming = [stop for stop in stops if not stop.is_past]
    return {
        "tour_stops": stops,
        "upcoming_stops": upcoming,
        "past_stops": [stop for stop in stops if stop.is_past],
        # The next stop that will take place: where "Aller à la prochaine étape" leads.
        "next_stop": next((stop for stop in upcoming if not stop.page.is_cancelled), None),
        "map_points": [stop.map_point() for stop in stops],
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        # The season after this one, if organisers have opened it: where the village goes next.
        "next_tour": TourPage.objects.live().public().filter(season__gt=page.season).order_by("season").first(),
        "calendar_url": calendar_url(page, request),
    }


def current_tour(now=None):
    """The tour to show visitors now: the one of the next stop that will take place, else this
    season's (the year in Paris), else the next one, else the latest; None without any."""
    now = now or timezone.now()
    tours = TourPage.objects.live().public()
    next_stop = (
        VillageStopPage.objects.live().public().upcoming(now).not_cancelled().order_by("start").only("path").first()
    )
    if next_stop is not None:
        tour = tours.ancestor_of(next_stop).first()
        if tour is not None:
            return tour
    year = dates.local(now).year
    return (
        tours.filter(season=year).first()
        or tours.filter(season__gt=year).order_by("season").first()
        or tours.filter(season__lt=year).order_by("-season").first()
    )


def stop_context(stop, request=None) -> dict:
    """A stop page's stands (confirmed ones, with their organisation and pitch) and its tour. Two queries."""
    stands = (
        Stand.objects.confirmed()
        .filter(stop_id=stop.pk)
        .select_related("organisation", "pitch")
        .order_by("pitch__number", "organisation__name")
    )
    return {
        "confirmed_stands": list(stands),
        "tour": TourPage.objects.parent_of(stop).live().public().first(),
    }
