"""The feeds as a calendar client reads them: ical.js, Thunderbird's iCalendar parser, in Chromium.

The server tests read every feed with icalendar and allenporter's `ical`; this one adds the
parser of a calendar application people use, in the engine it runs in. Times are compared in
UTC, where a wrong time zone or a missed change of hour shows.
"""

import datetime as dt
from pathlib import Path

import pytest

from events.ical import site_host
from events.models import EventStatus
from territory.models import PARIS, VenueClosure

pytestmark = pytest.mark.browser

ICAL_JS = Path(__file__).parent / "vendor" / "ical.es5.min.js"

READ_EVENTS = """(text) => {
    const calendar = new ICAL.Component(ICAL.parse(text));
    for (const zone of calendar.getAllSubcomponents("vtimezone")) {
        ICAL.TimezoneService.register(zone);
    }
    return calendar.getAllSubcomponents("vevent").map((vevent) => {
        const event = new ICAL.Event(vevent);
        return {
            uid: event.uid,
            summary: event.summary,
            status: vevent.getFirstPropertyValue("status"),
            zone: event.startDate.zone.tzid,
            start: event.startDate.toJSDate().toISOString(),
            end: event.endDate.toJSDate().toISOString(),
        };
    });
}"""

# The market's next occurrences after a date, expanded by ical.js from its RRULE and EXDATEs.
EXPAND = """([text, after, count]) => {
    const calendar = new ICAL.Component(ICAL.parse(text));
    for (const zone of calendar.getAllSubcomponents("vtimezone")) {
        ICAL.TimezoneService.register(zone);
    }
    const event = new ICAL.Event(calendar.getFirstSubcomponent("vevent"));
    const iterator = event.iterator();
    const starts = [];
    for (let next = iterator.next(); next && starts.length < count; next = iterator.next()) {
        const start = next.toJSDate();
        if (start >= new Date(after)) {
            starts.push(start.toISOString());
        }
    }
    return starts;
}"""


def utc(*args) -> str:
    moment = dt.datetime(*args, tzinfo=PARIS).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def read_with_ical_js(page, live_server, path: str, script: str, *args):
    response = page.request.get(live_server.url + path)
    assert response.status == 200, path
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    page.goto("about:blank")
    page.add_script_tag(path=str(ICAL_JS))
    return page.evaluate(script, [response.text(), *args] if args else response.text())


def test_thunderbirds_parser_reads_the_agenda_across_both_changes_of_hour(live_server, desktop, make_event):
    today = dt.date.today()
    # The last Sundays of March and October after today: the clocks change at 2:00 and 3:00.
    march = max(
        dt.date(today.year + 1, 3, day) for day in range(25, 32) if dt.date(today.year + 1, 3, day).weekday() == 6
    )
    october = max(
        dt.date(today.year + 1, 10, day) for day in range(25, 32) if dt.date(today.year + 1, 10, day).weekday() == 6
    )
    spring = make_event(title="Le jour du passage à l'heure d'été", start=dt.datetime.combine(march, dt.time(9), PARIS))
    autumn = make_event(
        title="Le jour du retour à l'heure d'hiver", start=dt.datetime.combine(october, dt.time(9), PARIS)
    )
    cancelled = make_event(
        title="Un rendez-vous annulé",
        start=dt.datetime.combine(march + dt.timedelta(days=3), dt.time(8, 30), PARIS),
        status=EventStatus.CANCELLED,
    )

    events = {e["summary"]: e for e in read_with_ical_js(desktop, live_server, "/agenda/calendrier.ics", READ_EVENTS)}

    assert events[spring.title]["zone"] == "Europe/Paris"
    # 9:00 in Paris is 8:00 UTC in winter and 7:00 UTC in summer: the day of each change says which.
    assert events[spring.title]["start"] == utc(march.year, march.month, march.day, 9)
    assert events[spring.title]["start"].startswith(f"{march.isoformat()}T07:00")
    assert events[autumn.title]["start"].startswith(f"{october.isoformat()}T08:00")
    assert events[autumn.title]["end"].startswith(f"{october.isoformat()}T09:30")
    assert events[cancelled.title]["status"] == "CANCELLED"
    assert events[spring.title]["status"] == "CONFIRMED"
    assert events[spring.title]["uid"] == f"event-{spring.pk}@{site_host()}"


def test_thunderbirds_parser_repeats_the_market_and_skips_its_closure(live_server, desktop, agenda_page, market):
    # A Saturday market at 8:00; closed on the Saturday of the change of hour in October 2027.
    VenueClosure.objects.create(venue=market, date=dt.date(2027, 10, 30), reason="Braderie")

    starts = read_with_ical_js(
        desktop, live_server, f"{agenda_page.url}marches/{market.pk}/marche.ics", EXPAND, "2027-10-16T00:00:00Z", 3
    )

    assert starts == [utc(2027, 10, 16, 8), utc(2027, 10, 23, 8), utc(2027, 11, 6, 8)]
    # 8:00 in Paris on both sides of the change: 6:00 UTC before it, 7:00 after.
    assert starts[1].startswith("2027-10-23T06:00") and starts[2].startswith("2027-11-06T07:00")
