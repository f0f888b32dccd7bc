"""The PDF ticket (its QR decodes into the ticket's link) and the event calendar (.ics)."""

import datetime as dt
import subprocess

import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image

from events.ical import event_calendar
from events.models import EventKind, EventStatus, Ticket
from events.pdf.tickets import tickets_pdf
from events.services import registrations as service
from territory.models import PARIS

from .conftest import group, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(registration_now):
    pass


def render_pages(pdf: bytes, tmp_path) -> list[Image.Image]:
    source = tmp_path / "tickets.pdf"
    source.write_bytes(pdf)
    subprocess.run(  # noqa: S603 - fixed arguments, our own temporary file
        ["pdftoppm", "-r", "150", "-png", str(source), str(tmp_path / "page")],  # noqa: S607
        check=True,
    )
    return [Image.open(png) for png in sorted(tmp_path.glob("page*.png"))]


def pdf_text(pdf: bytes, tmp_path) -> str:
    source = tmp_path / "tickets.pdf"
    source.write_bytes(pdf)
    output = subprocess.run(  # noqa: S603 - fixed arguments, our own temporary file
        ["pdftotext", "-layout", str(source), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    )
    return " ".join(output.stdout.split())


def loaded(ticket):
    return Ticket.objects.select_related("registration__event__venue", "registration__event__commune").get(pk=ticket.pk)


# PDF --------------------------------------------------------------------------------------------


def test_the_pdf_qr_decodes_into_the_ticket_link(registration, ticket_code, tmp_path):
    pdf = tickets_pdf([(loaded(registration.ticket), ticket_code)])

    (page,) = render_pages(pdf, tmp_path)
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(page)]

    assert decoded == [f"http://testserver/billet/{ticket_code}/"]


def test_the_pdf_names_the_event_date_place_and_person(breakfast, venue, registration, ticket_code, tmp_path):
    breakfast.venue = venue
    breakfast.save()

    text = pdf_text(tickets_pdf([(loaded(registration.ticket), ticket_code)]), tmp_path)

    assert "Le Village de l'ESS" in text
    assert "Petit-déjeuner : manger local" in text
    assert "jeudi 10 décembre 2026, 8 h 30 – 10 h 00" in text
    assert "Salle des fêtes, Valenciennes" in text
    assert "Camille Martin" in text
    assert "Habitant·e" in text


def test_one_a6_page_per_ticket_in_one_query(make_event, tmp_path, django_assert_num_queries):
    event = make_event(kind=EventKind.YOUTH_OUTREACH)
    issued = [service.register(event, **group(email=f"class{n}@example.org", headcount=20 + n)) for n in range(3)]
    codes = {registration.ticket.pk: code for registration, code in issued}

    with django_assert_num_queries(1):
        tickets = list(
            Ticket.objects.select_related("registration__event__venue", "registration__event__commune").filter(
                registration__event=event
            )
        )
        pdf = tickets_pdf([(ticket, codes[ticket.pk]) for ticket in tickets])

    pages = render_pages(pdf, tmp_path)
    assert len(pages) == 3
    # A6 at 150 dpi: 105 x 148 mm, 620 x 874 pixels give or take rounding.
    width, height = pages[0].size
    assert abs(width - 620) <= 2 and abs(height - 874) <= 2
    decoded = sorted(zxingcpp.read_barcodes(page)[0].text for page in pages)
    assert decoded == sorted(f"http://testserver/billet/{code}/" for code in codes.values())
    assert "Groupe de 21 personnes" in pdf_text(pdf, tmp_path)


def test_a_name_outside_the_pdf_fonts_still_prints(breakfast, tmp_path):
    registration, code = service.register(breakfast, **person(name="Łucja Wałęsa"))

    text = pdf_text(tickets_pdf([(loaded(registration.ticket), code)]), tmp_path)

    assert "?ucja Wa??sa" in text


# Calendar ---------------------------------------------------------------------------------------


def vevents(data: bytes):
    return Calendar.from_ical(data).walk("VEVENT")


def test_the_calendar_has_paris_time_and_a_stable_uid(breakfast, venue):
    breakfast.venue = venue
    breakfast.save_revision().publish()
    breakfast.refresh_from_db()

    data = event_calendar([breakfast])
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")

    assert event["UID"] == f"event-{breakfast.pk}@testserver"
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS)
    assert event.decoded("DTSTART").tzinfo.key == "Europe/Paris"
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTEND") == dt.datetime(2026, 12, 10, 10, 0, tzinfo=PARIS)
    assert str(event["SUMMARY"]) == "Petit-déjeuner : manger local"
    assert str(event["LOCATION"]) == "Salle des fêtes, 59300 Valenciennes"
    assert str(event["URL"]) == f"http://testserver/agenda/{breakfast.slug}/"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED") == breakfast.last_published_at
    assert isinstance(event["SEQUENCE"], int)
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Europe/Paris"
    assert b"BEGIN:VTIMEZONE" in data and data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")
    # Same event, same bytes: calendars can be cached per event.
    assert event_calendar([breakfast]) == data


def test_summer_time_is_plus_two_hours(make_event):
    summer = make_event(start=dt.datetime(2027, 6, 3, 18, 0, tzinfo=PARIS))

    (event,) = vevents(event_calendar([summer]))

    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(hours=2)
    assert event.decoded("DTSTART").astimezone(dt.UTC) == dt.datetime(2027, 6, 3, 16, 0, tzinfo=dt.UTC)


def test_an_event_across_the_change_of_time_keeps_its_wall_clock_times(make_event):
    # Paris goes back from 3:00 to 2:00 on 31 October 2027, during this night event.
    night = make_event(
        start=dt.datetime(2027, 10, 30, 22, 0, tzinfo=PARIS), end=dt.datetime(2027, 10, 31, 4, 0, tzinfo=PARIS)
    )

    (event,) = vevents(event_calendar([night]))

    assert event["DTEND"].to_ical() == b"20271031T040000"
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(hours=2)
    assert event.decoded("DTEND").utcoffset() == dt.timedelta(hours=1)
    utc = [event.decoded(name).astimezone(dt.UTC) for name in ("DTSTART", "DTEND")]
    assert utc[1] - utc[0] == dt.timedelta(hours=7)


def test_a_cancelled_event_is_marked_cancelled_with_a_higher_sequence(breakfast, time_machine):
    breakfast.save_revision().publish()
    breakfast.refresh_from_db()
    (before,) = vevents(event_calendar([breakfast]))

    time_machine.move_to(dt.datetime(2026, 11, 25, 9, 0, tzinfo=PARIS), tick=False)
    breakfast.status = EventStatus.CANCELLED
    breakfast.save_revision().publish()
    breakfast.refresh_from_db()
    (after,) = vevents(event_calendar([breakfast]))

    assert str(after["STATUS"]) == "CANCELLED"
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")


def test_several_events_and_the_publish_method(breakfast, make_event):
    other = make_event(kind=EventKind.ELECTED_AWARENESS, title="L'ESS pour les communes")

    calendar = Calendar.from_ical(event_calendar([breakfast, other], method="PUBLISH", name="Agenda"))

    assert calendar["METHOD"] == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Agenda"
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "Petit-déjeuner : manger local",
        "L'ESS pour les communes",
    ]
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_a_page_never_published_through_a_revision_has_sequence_zero(breakfast):
    # Pages created live by add_child (the demo loader) have no publication date.
    (event,) = vevents(event_calendar([breakfast]))

    assert event["SEQUENCE"] == 0
    assert "DTSTAMP" in event
    assert "LAST-MODIFIED" not in event


def test_an_empty_calendar_is_valid():
    calendar = Calendar.from_ical(event_calendar([]))

    assert calendar.walk("VEVENT") == []
