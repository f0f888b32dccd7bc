"""Registrations are anonymised a whole year at a time, and the plan's figures do not move."""

import datetime as dt

import pytest

from events.models import CheckIn, OutgoingEmail, Registration, RegistrationStatus, Ticket
from events.services.registrations import anonymise_past_registrations, registration_retention_year
from events.tasks import apply_retention
from events.tokens import hash_code, new_code
from indicators.rollups import Scope, compute
from territory.models import PARIS

pytestmark = pytest.mark.django_db

# 2 January 2026: the registrations of 2024 and before go, those of 2025 stay.
NOW = dt.datetime(2026, 1, 2, 3, 0, tzinfo=PARIS)


def at(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=PARIS)


def attended(event, name, email, **fields):
    registration = Registration.objects.create(
        event=event,
        status=RegistrationStatus.CONFIRMED,
        name=name,
        email=email,
        phone="06 12 34 56 78",
        category=fields.pop("category", "resident"),
        **fields,
    )
    ticket = Ticket.objects.create(registration=registration, code_hash=hash_code(new_code()))
    CheckIn.objects.create(ticket=ticket, event=event, checked_in_at=event.start)
    OutgoingEmail.objects.create(
        key=f"confirmation:{registration.pk}", kind="confirmation", registration=registration, to=email
    )
    return registration


@pytest.fixture
def years(time_machine, plan, make_event, commune):
    time_machine.move_to(NOW, tick=False)
    spring = make_event(start=at(2024, 3, 14))
    # 31 December 2024 at 23:30 in Valenciennes is already 2025 in no time zone that matters here: 2024.
    late = make_event(start=at(2024, 12, 31, 23), hours=0.5)
    recent = make_event(start=at(2025, 1, 9))
    people = {
        "alice_spring": attended(spring, "Alice Martin", "alice@example.org"),
        "alice_late": attended(late, "Alice Martin", "Alice@Example.org"),
        "bob": attended(
            late, "Bob Leroy", "bob@example.org", category="elected", mandate="Maire", mandate_commune=commune
        ),
        "alice_recent": attended(recent, "Alice Martin", "alice@example.org"),
    }
    return people


def test_the_years_past_retention_are_the_ones_before_last_year():
    assert registration_retention_year(dt.date(2026, 1, 1)) == 2024
    assert registration_retention_year(dt.date(2026, 12, 31)) == 2024


def test_names_emails_phones_and_mandates_are_erased_from_the_old_years(years):
    assert anonymise_past_registrations() == 3

    for key in ["alice_spring", "alice_late", "bob"]:
        registration = Registration.objects.get(pk=years[key].pk)
        assert registration.name == ""
        assert registration.phone == ""
        assert registration.mandate == ""
        assert registration.email.endswith("@anonyme.invalid")
        assert "alice" not in registration.email_key and "bob" not in registration.email_key
        assert registration.anonymised_at == NOW
    bob = Registration.objects.get(pk=years["bob"].pk)
    # What the figures need stays: category, commune of the mandate, seats, check-in.
    assert (bob.category, bob.mandate_commune_id, bob.seats) == ("elected", years["bob"].mandate_commune_id, 1)
    assert CheckIn.objects.filter(ticket__registration=bob).exists()


def test_last_year_is_kept(years):
    anonymise_past_registrations()

    recent = Registration.objects.get(pk=years["alice_recent"].pk)
    assert (recent.name, recent.email, recent.anonymised_at) == ("Alice Martin", "alice@example.org", None)
    assert OutgoingEmail.objects.filter(registration=recent).exists()


def test_one_person_is_one_pseudonym_within_a_year(years):
    anonymise_past_registrations()

    spring = Registration.objects.get(pk=years["alice_spring"].pk)
    late = Registration.objects.get(pk=years["alice_late"].pk)
    bob = Registration.objects.get(pk=years["bob"].pk)
    assert spring.email_key == late.email_key
    assert bob.email_key != late.email_key


def test_the_emails_sent_to_them_leave_the_outbox(years):
    anonymise_past_registrations()

    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == ["alice@example.org"]


def test_the_yearly_figures_are_the_same_after_the_erasure(years, plan):
    before = compute(Scope(plan, year=2024)).plan.values

    apply_retention()

    after = compute(Scope(plan, year=2024)).plan.values
    assert after["unique_participants"] == before["unique_participants"] == 2  # Alice (twice) and Bob
    assert after["elected_reached"] == before["elected_reached"] == 1
    assert after["elected_communes"] == before["elected_communes"] == 1
    assert after["participants"] == before["participants"] == 3
    assert after["registrations"] == before["registrations"] == 3


def test_a_second_run_changes_nothing(years):
    anonymise_past_registrations()
    first = dict(Registration.objects.values_list("pk", "email_key"))

    assert anonymise_past_registrations() == 0
    assert dict(Registration.objects.values_list("pk", "email_key")) == first
