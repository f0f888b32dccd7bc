"""Calendars of many events from stored VEVENTs (events/models/calendar.py).

A feed reads, in one query and without making model instances, each event's dates, its
last publication, its address and its stored fragment. A fragment is reused when it was
built from the same publication, for the same full URL, by the same FORMAT_VERSION;
otherwise (or when none exists) the event is loaded, its VEVENT built with icalendar
(components.py) and saved back, all the missing ones in one query and one upsert.
Everything else a VEVENT shows (the venue's name and address, the commune) deletes the
fragments it is in when it changes (events/ical/signals.py). The document is then a join
of bytes: envelope, the Europe/Paris VTIMEZONE for the events' span, fragments, END:
the bytes `event_calendar` writes for the same events.
"""

import datetime as dt
from types import SimpleNamespace

from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from events.models import FORMAT_VERSION, CalendarEntry, EventPage
from territory.models import PARIS

from .components import event_component, last_modified, site_host
from .envelope import join_calendar

ROW_FIELDS = (
    "pk",
    "url_path",
    "start",
    "end",
    "last_published_at",
    "latest_revision_created_at",
    "first_published_at",
    "calendar_entry__vevent",
    "calendar_entry__last_modified",
    "calendar_entry__url",
    "calendar_entry__format_version",
)


class SiteUrls:
    """Pages' full URLs from their url_path, the site root paths read once.

    The same address `Page.get_full_url()` gives (the first site whose root holds the page),
    without a reverse() per page: a feed compares thousands of them.
    """

    def __init__(self):
        self.root_paths = Site.get_site_root_paths()
        self.serve_prefix = reverse("wagtail_serve", args=("",))

    def full_url(self, url_path: str) -> str:
        for root in self.root_paths:
            if url_path.startswith(root.root_path):
                return f"{root.root_url}{self.serve_prefix}{url_path[len(root.root_path) :]}"
        return ""

    def as_request(self):
        """What Wagtail's URL methods accept in place of a request to skip their own lookup."""
        return SimpleNamespace(_wagtail_cached_site_root_paths=self.root_paths)


def build_fragment(event, *, host: str, url: str) -> str:
    return event_component(event, host=host, url=url or None).to_ical().decode("utf-8")


def rebuild_fragments(pks, urls: SiteUrls, host: str) -> dict[int, str]:
    """Build and save the VEVENTs of these events: one query to load them, one upsert."""
    entries = []
    for event in EventPage.objects.filter(pk__in=pks).select_related("venue", "commune"):
        url = urls.full_url(event.url_path)
        entries.append(
            CalendarEntry(
                event_id=event.pk,
                vevent=build_fragment(event, host=host, url=url),
                last_modified=last_modified(event),
                url=url,
                format_version=FORMAT_VERSION,
            )
        )
    # An upsert: two feeds rebuilding the same fragment at once both succeed, last one wins
    # with the same text.
    CalendarEntry.objects.bulk_create(
        entries,
        update_conflicts=True,
        unique_fields=["event"],
        update_fields=["vevent", "last_modified", "url", "format_version"],
    )
    return {entry.event_id: entry.vevent for entry in entries}


def cached_event_calendar(events, *, name: str = "", method: str | None = None) -> tuple[bytes, dt.datetime | None]:
    """The calendar of an EventPage queryset (in its order) and the latest publication among them.

    A constant number of queries whatever the number of events: one when every fragment
    is fresh, three when some must be rebuilt.
    """
    rows = events.values_list(*ROW_FIELDS)
    urls = SiteUrls()
    fragments: list[str | None] = []
    stale: dict[int, int] = {}
    first_start = last_end = newest = None
    for pk, url_path, start, end, published, revised, first_published, vevent, built_from, built_url, version in rows:
        modified = published or revised or first_published
        if (
            vevent is None
            or version != FORMAT_VERSION
            or built_from != modified
            or built_url != urls.full_url(url_path)
        ):
            stale[pk] = len(fragments)
        fragments.append(vevent)
        first_start = start if first_start is None or start < first_start else first_start
        last_end = end if last_end is None or end > last_end else last_end
        if modified is not None and (newest is None or modified > newest):
            newest = modified
    if stale:
        for pk, text in rebuild_fragments(list(stale), urls, site_host()).items():
            fragments[stale[pk]] = text
    first = timezone.localtime(first_start, PARIS).date() if first_start else None
    last = timezone.localtime(last_end, PARIS).date() if last_end else None
    # A page deleted between the two queries leaves a hole: skip it rather than fail.
    body = join_calendar([f for f in fragments if f is not None], first=first, last=last, name=name, method=method)
    return body, newest
