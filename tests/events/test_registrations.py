"""The registration service: seats, waiting list, promotion, cancellation, tickets, one test per error code."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from events.models import (
    AttendeeCategory,
    EventKind,
    EventPage,
    EventStatus,
    OutgoingEmail,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Ticket,
)
from events.services import registrations as service
from events.services.registrations import RegistrationError, register
from events.tokens import hash_code
from territory.models import PARIS

from .conftest import group, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(registration_now):
    pass


def refused(event, code, **overrides):
    with pytest.raises(RegistrationError) as error:
        register(event, **person(**overrides))
    assert error.value.code == code
    return error.value


def statuses(event):
    return list(event.registrations.order_by("created_at", "pk").values_list("name", "status"))


# Registering -----------------------------------------------------------------------------------


def test_a_registration_is_confirmed_with_a_ticket_whose_code_is_stored_hashed(breakfast, commune):
    registration, code = register(
        breakfast, **person(name="Camille Martin", email=" Camille@Example.org ", home_commune=commune)
    )

    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.email == "Camille@Example.org"
    assert registration.email_key == "camille@example.org"
    assert registration.seats == 1
    assert registration.home_commune == commune
    assert registration.consent_at is not None
    assert registration.confirmed_at is not None
    assert registration.source == RegistrationSource.ONLINE
    assert len(code) == 22
    assert registration.ticket.code_hash == hash_code(code)
    assert code not in registration.ticket.code_hash
    assert service.find_ticket(code) == registration.ticket


def test_outside_the_territory_no_commune_is_kept(breakfast, commune):
    registration, _ = register(breakfast, **person(home_commune=commune, outside_territory=True))

    assert registration.outside_territory is True
    assert registration.home_commune is None


def test_seats_left_counts_confirmed_seats(breakfast, register_person):
    assert breakfast.seats_left == 30
    register_person(breakfast)
    register_person(breakfast)

    assert EventPage.objects.get(pk=breakfast.pk).seats_left == 28


def test_an_event_without_capacity_takes_everyone(make_event, register_person):
    event = make_event()
    for _ in range(3):
        registration, _code = register_person(event)
        assert registration.status == RegistrationStatus.CONFIRMED
    assert event.seats_left is None


def test_when_full_people_go_on_the_waiting_list_in_order(make_event, register_person):
    event = make_event(capacity=2)
    for name in ["Ana", "Bruno", "Chloé", "Driss"]:
        register_person(event, name=name)

    assert statuses(event) == [
        ("Ana", "confirmed"),
        ("Bruno", "confirmed"),
        ("Chloé", "waitlisted"),
        ("Driss", "waitlisted"),
    ]
    chloe = event.registrations.get(name="Chloé")
    driss = event.registrations.get(name="Driss")
    assert service.waitlist_position(chloe) == 1
    assert service.waitlist_position(driss) == 2
    assert chloe.confirmed_at is None
    assert EventPage.objects.get(pk=event.pk).seats_left == 0


def test_a_group_takes_its_headcount(make_event):
    event = make_event(kind=EventKind.YOUTH_OUTREACH, capacity=30)

    first, _ = register(event, **group(headcount=24))
    second, _ = register(event, **group(headcount=10))
    third, _ = register(event, **group(headcount=6))

    assert (first.seats, first.status) == (24, RegistrationStatus.CONFIRMED)
    assert (second.seats, second.status) == (10, RegistrationStatus.WAITLISTED)
    assert (third.seats, third.status) == (6, RegistrationStatus.CONFIRMED)
    assert first.is_group and first.organisation_name == "Lycée Watteau" and first.level == "high_school"
    assert EventPage.objects.get(pk=event.pk).seats_left == 0


def test_an_elected_official_gives_mandate_and_commune(make_event, commune):
    event = make_event(kind=EventKind.ELECTED_AWARENESS)

    registration, _ = register(
        event, **person(category=AttendeeCategory.ELECTED, mandate="Adjointe au maire", mandate_commune=commune)
    )

    assert registration.mandate == "Adjointe au maire"
    assert registration.mandate_commune == commune


def test_a_mandate_given_by_someone_who_is_not_elected_is_not_kept(make_event, commune):
    registration, _ = register(
        make_event(), **person(category=AttendeeCategory.RESIDENT, mandate="Maire", mandate_commune=commune)
    )

    assert registration.mandate == ""
    assert registration.mandate_commune is None


# Refusals: one test per error code --------------------------------------------------------------


def test_no_registration_at_a_village_stop(make_event):
    refused(make_event(kind=EventKind.ITINERANT_VILLAGE), "no_registration")


def test_no_registration_to_a_cancelled_event(make_event):
    refused(make_event(status=EventStatus.CANCELLED), "event_cancelled")


def test_no_registration_to_a_postponed_event(make_event):
    refused(make_event(status=EventStatus.POSTPONED), "event_postponed")


def test_no_registration_once_the_event_has_started(make_event):
    error = refused(make_event(start=dt.datetime(2026, 11, 23, 11, 0, tzinfo=PARIS)), "event_started")
    assert str(error) == "Cet événement a déjà commencé : les inscriptions sont closes."


def test_no_registration_before_the_opening(make_event):
    refused(make_event(registration_opens_at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=PARIS)), "registration_not_open")


def test_no_registration_after_the_closing(make_event):
    refused(make_event(registration_closes_at=dt.datetime(2026, 11, 23, 11, 59, tzinfo=PARIS)), "registration_closed")


def test_registration_inside_the_window(make_event):
    event = make_event(
        registration_opens_at=dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS),
        registration_closes_at=dt.datetime(2026, 11, 23, 12, 1, tzinfo=PARIS),
    )
    registration, _ = register(event, **person())
    assert registration.status == RegistrationStatus.CONFIRMED


def test_no_registration_to_an_unpublished_event(make_event):
    event = make_event()
    event.unpublish()
    refused(event, "event_not_published")


def test_a_name_is_required(breakfast):
    refused(breakfast, "name_required", name="  ")


def test_an_email_is_required(breakfast):
    refused(breakfast, "email_required", email="")


def test_the_category_must_exist(breakfast):
    refused(breakfast, "invalid_category", category="astronaut")


def test_an_elected_official_without_mandate_is_refused(breakfast, commune):
    refused(breakfast, "mandate_required", category=AttendeeCategory.ELECTED, mandate="", mandate_commune=commune)
    refused(breakfast, "mandate_required", category=AttendeeCategory.ELECTED, mandate="Maire")


def test_a_group_of_nobody_is_refused(make_event):
    with pytest.raises(RegistrationError) as error:
        register(make_event(kind=EventKind.YOUTH_OUTREACH), **group(headcount=0))
    assert error.value.code == "invalid_headcount"


def test_an_individual_takes_one_seat(breakfast):
    refused(breakfast, "invalid_headcount", headcount=3)


def test_groups_only_at_youth_outreach(breakfast):
    with pytest.raises(RegistrationError) as error:
        register(breakfast, **group())
    assert error.value.code == "group_not_allowed"


def test_consent_is_required_online(breakfast):
    refused(breakfast, "consent_required", consent=False)
    assert not Registration.objects.exists()


def test_the_same_email_twice_is_refused_with_the_existing_registration(breakfast, registration):
    error = refused(breakfast, "already_registered", email="CAMILLE@example.org ")

    assert error.registration == registration
    assert breakfast.registrations.count() == 1


def test_the_same_email_may_register_again_after_cancelling(breakfast, registration):
    service.cancel_registration(registration)

    again, _ = register(breakfast, **person(email="camille@example.org"))

    assert again.status == RegistrationStatus.CONFIRMED
    assert breakfast.registrations.count() == 2


def test_the_database_refuses_a_second_active_registration_that_bypasses_the_service(breakfast, registration):
    with pytest.raises(IntegrityError):
        Registration.objects.create(
            event=breakfast, status="confirmed", name="X", email="camille@example.org", category="resident"
        )


def test_an_integrity_error_from_a_race_becomes_already_registered(breakfast, registration, monkeypatch):
    # A writer that slipped past the lock: the check inside the transaction sees nobody,
    # the database constraint refuses the row, and the person still gets the clear answer.
    real_lookup = service._active_registration
    lookups = []

    def blind_first_time(event, email_key):
        lookups.append(email_key)
        return None if len(lookups) == 1 else real_lookup(event, email_key)

    monkeypatch.setattr(service, "_active_registration", blind_first_time)

    error = refused(breakfast, "already_registered", email="camille@example.org")

    assert error.registration == registration
    assert len(lookups) == 2
    assert breakfast.registrations.count() == 1


# Walk-ins --------------------------------------------------------------------------------------


def test_walk_ins_are_confirmed_beyond_capacity_and_block_promotion(make_event, register_person, organiser):
    event = make_event(capacity=1)
    register_person(event, name="Ana")
    waiting, _ = register_person(event, name="Bruno")

    walk_in, _ = register(event, **person(name="Chloé", consent=False), source=RegistrationSource.WALK_IN, by=organiser)

    assert walk_in.status == RegistrationStatus.CONFIRMED
    assert walk_in.source == RegistrationSource.WALK_IN
    assert walk_in.consent_at is None
    assert EventPage.objects.get(pk=event.pk).seats_left == 0
    # Ana cancels: two seats taken for one place, so Bruno still waits.
    service.cancel_registration(event.registrations.get(name="Ana"))
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITLISTED


def test_walk_ins_are_accepted_once_the_event_has_started(make_event, organiser):
    event = make_event(start=dt.datetime(2026, 11, 23, 11, 0, tzinfo=PARIS), capacity=10)

    walk_in, _ = register(event, **person(), source=RegistrationSource.WALK_IN, by=organiser)

    assert walk_in.status == RegistrationStatus.CONFIRMED


def test_no_walk_in_at_a_cancelled_event(make_event, organiser):
    with pytest.raises(RegistrationError) as error:
        register(make_event(status=EventStatus.CANCELLED), **person(), source=RegistrationSource.WALK_IN, by=organiser)
    assert error.value.code == "event_cancelled"


def test_no_walk_in_at_a_village_stop(make_event, organiser):
    with pytest.raises(RegistrationError) as error:
        register(
            make_event(kind=EventKind.ITINERANT_VILLAGE), **person(), source=RegistrationSource.WALK_IN, by=organiser
        )
    assert error.value.code == "no_registration"


# Cancelling and promoting ----------------------------------------------------------------------


def test_cancelling_frees_the_seat_for_the_first_person_waiting(make_event, register_person):
    event = make_event(capacity=1)
    ana, _ = register_person(event, name="Ana")
    bruno, bruno_code = register_person(event, name="Bruno")
    register_person(event, name="Chloé")

    promoted = service.cancel_registration(ana)

    assert promoted == [bruno]
    assert statuses(event) == [("Ana", "cancelled"), ("Bruno", "confirmed"), ("Chloé", "waitlisted")]
    ana.refresh_from_db()
    assert ana.cancelled_at is not None and ana.cancelled_by is None
    bruno.refresh_from_db()
    assert bruno.promoted_at is not None and bruno.confirmed_at is not None
    # The promoted person got a new code: the waiting-list link no longer opens the ticket.
    assert service.find_ticket(bruno_code) is None
    new_url = OutgoingEmail.objects.get(key=f"promoted:{bruno.pk}").context["ticket_url"]
    assert service.find_ticket(new_url.rstrip("/").rsplit("/", 1)[1]) == bruno.ticket


def test_promotion_serves_the_first_that_fits(make_event):
    event = make_event(kind=EventKind.YOUTH_OUTREACH, capacity=30)
    first, _ = register(event, **group(name="A", email="a@example.org", headcount=20))
    register(event, **group(name="B", email="b@example.org", headcount=10))
    big, _ = register(event, **group(name="C", email="c@example.org", headcount=25))
    small, _ = register(event, **group(name="D", email="d@example.org", headcount=8))
    smaller, _ = register(event, **group(name="E", email="e@example.org", headcount=2))
    assert [r.status for r in (big, small, smaller)] == ["waitlisted"] * 3

    service.cancel_registration(first)

    # 20 seats free: C (25) does not fit and keeps its place, D (8) and E (2) are confirmed.
    assert statuses(event) == [
        ("A", "cancelled"),
        ("B", "confirmed"),
        ("C", "waitlisted"),
        ("D", "confirmed"),
        ("E", "confirmed"),
    ]
    big.refresh_from_db()
    assert service.waitlist_position(big) == 1


def test_a_newcomer_who_fits_passes_a_group_that_does_not(make_event):
    event = make_event(kind=EventKind.YOUTH_OUTREACH, capacity=30)
    register(event, **group(name="A", email="a@example.org", headcount=25))
    register(event, **group(name="B", email="b@example.org", headcount=10))

    newcomer, _ = register(event, **group(name="C", email="c@example.org", headcount=5))

    assert newcomer.status == RegistrationStatus.CONFIRMED


def test_raising_the_capacity_promotes_the_waiting_list(make_event, register_person):
    event = make_event(capacity=1)
    register_person(event, name="Ana")
    bruno, _ = register_person(event, name="Bruno")
    chloe, _ = register_person(event, name="Chloé")
    event.capacity = 2
    event.save()

    assert service.promote_waitlist(event) == [bruno]
    chloe.refresh_from_db()
    assert chloe.status == RegistrationStatus.WAITLISTED


def test_removing_the_limit_promotes_everyone(make_event, register_person):
    event = make_event(capacity=1)
    register_person(event)
    waiting = [register_person(event)[0] for _ in range(3)]
    event.capacity = None
    event.save()

    assert service.promote_waitlist(event) == waiting


def test_a_cancelled_event_promotes_nobody(make_event, register_person):
    event = make_event(capacity=1)
    register_person(event)
    register_person(event)
    event.capacity = 5
    event.status = EventStatus.CANCELLED
    event.save()

    assert service.promote_waitlist(event) == []


def test_cancelling_a_waiting_registration_promotes_nobody(make_event, register_person):
    event = make_event(capacity=1)
    register_person(event)
    waiting, _ = register_person(event)

    assert service.cancel_registration(waiting) == []


def test_cancelling_twice_is_refused(registration):
    service.cancel_registration(registration)
    with pytest.raises(RegistrationError) as error:
        service.cancel_registration(registration)
    assert error.value.code == "already_cancelled"


def test_a_person_cannot_cancel_once_the_event_has_started(registration, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 10, 8, 45, tzinfo=PARIS), tick=False)
    with pytest.raises(RegistrationError) as error:
        service.cancel_registration(registration)
    assert error.value.code == "too_late_to_cancel"


def test_an_organiser_can_cancel_at_any_time(registration, organiser, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 10, 8, 45, tzinfo=PARIS), tick=False)

    service.cancel_registration(registration, by=organiser)

    assert registration.status == RegistrationStatus.CANCELLED
    assert registration.cancelled_by == organiser


def test_a_cancelled_registration_keeps_its_ticket_page(registration, ticket_code):
    service.cancel_registration(registration)

    assert service.find_ticket(ticket_code) == registration.ticket


# Tickets ---------------------------------------------------------------------------------------


def test_a_revoked_ticket_is_not_found(registration, ticket_code, organiser):
    service.revoke_ticket(registration.ticket, by=organiser)

    assert service.find_ticket(ticket_code) is None
    assert Ticket.objects.get(pk=registration.ticket.pk).revoked_at is not None


def test_an_unknown_code_is_not_found(registration):
    assert service.find_ticket("A" * 22) is None


def test_resending_the_link_replaces_the_code(registration, ticket_code):
    new = service.resend_ticket_link(registration)

    assert new != ticket_code
    assert service.find_ticket(ticket_code) is None
    assert service.find_ticket(new) == registration.ticket


def test_resending_twice_in_a_row_is_refused(registration, time_machine):
    service.resend_ticket_link(registration)
    with pytest.raises(RegistrationError) as error:
        service.resend_ticket_link(registration)
    assert error.value.code == "resend_too_soon"

    time_machine.move_to(dt.datetime(2026, 11, 23, 12, 6, tzinfo=PARIS), tick=False)
    assert service.resend_ticket_link(registration)


def test_no_new_link_for_a_cancelled_registration(registration):
    service.cancel_registration(registration)
    with pytest.raises(RegistrationError) as error:
        service.resend_ticket_link(registration)
    assert error.value.code == "not_active"


def test_no_new_link_for_a_revoked_ticket(registration):
    service.revoke_ticket(registration.ticket)
    with pytest.raises(RegistrationError) as error:
        service.resend_ticket_link(registration)
    assert error.value.code == "ticket_revoked"


# Lists stay constant-query ----------------------------------------------------------------------


def test_listing_annotates_seats_left_in_one_query(make_event, register_person, django_assert_num_queries):
    events = [make_event(capacity=c) for c in (3, 5, None)]
    register_person(events[0])
    register(events[1], **person(), source=RegistrationSource.WALK_IN)
    cancelled, _ = register_person(events[1])
    service.cancel_registration(cancelled)

    with django_assert_num_queries(1):
        listed = {e.pk: e.seats_left for e in EventPage.objects.filter(pk__in=[e.pk for e in events]).for_listing()}

    assert listed == {events[0].pk: 2, events[1].pk: 4, events[2].pk: None}


def test_the_api_reports_real_seats_left_in_constant_queries(client, make_event, register_person):
    full = make_event(capacity=2, start=dt.datetime(2026, 12, 1, 9, 0, tzinfo=PARIS))
    for _ in range(3):
        register_person(full)
    Site.clear_site_root_paths_cache()
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/events")
    for day in range(2, 7):
        event = make_event(capacity=10, start=dt.datetime(2026, 12, day, 9, 0, tzinfo=PARIS))
        register_person(event)
    Site.clear_site_root_paths_cache()
    with CaptureQueriesContext(connection) as many:
        items = client.get("/api/v1/events").json()["items"]

    assert len(many) == len(few)
    assert [item["seats_left"] for item in items] == [0, 9, 9, 9, 9, 9]
