"""The agenda's calendar feed over 10,000 events: from scratch with icalendar, or joined from stored VEVENTs."""

import sys
import time

from bench.timing import Table, elapsed_ms, timed


def run(args) -> list[Table]:
    from icalendar import Calendar

    from bench.fixtures import build_agenda
    from events.ical import cached_event_calendar, event_calendar
    from events.ical.fragments import SiteUrls
    from events.models import CalendarEntry, EventPage

    count = args.calendar_events
    have = EventPage.objects.count()
    if have < count:
        began = time.perf_counter()
        build_agenda(count - have, seed=have + 1)
        print(f"built {count - have} events in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    events = EventPage.objects.live().public().order_by("start", "pk")[:count]
    ids = list(events.values_list("pk", flat=True))
    feed = EventPage.objects.filter(pk__in=ids).order_by("start", "pk")

    def from_scratch() -> bytes:
        # What each poll cost before: load the events, build every VEVENT with icalendar.
        pages = list(feed.select_related("venue", "commune"))
        request = SiteUrls().as_request()
        return event_calendar(pages, name="Agenda", urls={page.pk: page.get_full_url(request) for page in pages})

    def cached() -> bytes:
        return cached_event_calendar(feed, name="Agenda")[0]

    def cold() -> bytes:
        CalendarEntry.objects.filter(pk__in=ids).delete()
        return cached()

    repeat = max(args.repeat // 4, 3)
    scratch_median, scratch_best = timed(from_scratch, repeat)
    cold_ms = [elapsed_ms(cold) for _ in range(3)]
    cached_median, cached_best = timed(cached, repeat)

    reference, joined = from_scratch(), cached()
    assert joined == reference, "the joined feed differs from icalendar's"
    assert Calendar.from_ical(joined) == Calendar.from_ical(reference)

    table = Table(
        f"Calendar feed: {count:,} events, {len(reference) / 1e6:.1f} MB, median of {repeat} runs",
        ["how", "median ms", "best ms", "events/s", "vs from scratch"],
    )
    for label, median, best in [
        ("(a) from scratch with icalendar (the old feeds)", scratch_median, scratch_best),
        ("(b) stored VEVENTs, all fresh (one query, a join)", cached_median, cached_best),
        ("(c) first build: every VEVENT built and saved", sorted(cold_ms)[1], min(cold_ms)),
    ]:
        table.rows.append(
            [label, f"{median:.0f}", f"{best:.0f}", f"{count / median * 1000:,.0f}", f"{scratch_median / median:.1f}x"]
        )
    table.notes.append("The outputs of (a) and (b) are byte-identical (asserted).")
    return [table]
