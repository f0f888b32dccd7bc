"""Organisers set the shifts of a stop and place volunteers on them in the admin."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from events.models import EventKind
from events.signals import volunteers_of
from territory.models import PARIS
from tests.html import visible_text
from volunteers.models import Shift, ShiftRole, ShiftSignup

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 5, 7, 0, tzinfo=PARIS)


@pytest.fixture
def organiser_client(client, organiser):
    organiser.groups.first().permissions.add(
        *Permission.objects.filter(content_type__app_label="volunteers", codename__endswith="_shift")
    )
    client.force_login(organiser)
    return client


def shift_form(event, signups, capacity=2):
    return nested_form_data(
        {
            "event": event.pk,
            "role": ShiftRole.SETUP,
            "label": "Montage des barnums",
            "starts_at": "2026-12-05 07:00",
            "ends_at": "2026-12-05 09:00",
            "capacity": capacity,
            "signups": inline_formset(
                [{"name": name, "email": email, "phone": "", "status": "confirmed"} for name, email in signups]
            ),
        }
    )


def test_an_organiser_places_volunteers_on_a_shift(organiser_client, make_event):
    stop = make_event(EventKind.ITINERANT_VILLAGE, start=START + dt.timedelta(hours=1), hours=5)
    response = organiser_client.post(
        reverse("wagtailsnippets_volunteers_shift:add"),
        shift_form(stop, [("Paul Lefebvre", "paul@example.org"), ("Inès Haddad", "ines@example.org")]),
    )
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert shift.starts_at == START and shift.signups.count() == 2
    assert [(v.name, v.role) for v in volunteers_of(stop)] == [
        ("Inès Haddad", "Montage des barnums"),
        ("Paul Lefebvre", "Montage des barnums"),
    ]


def test_more_volunteers_than_places_is_refused(organiser_client, make_event):
    stop = make_event(EventKind.ITINERANT_VILLAGE, start=START + dt.timedelta(hours=1), hours=5)
    response = organiser_client.post(
        reverse("wagtailsnippets_volunteers_shift:add"),
        shift_form(stop, [("A", "a@example.org"), ("B", "b@example.org"), ("C", "c@example.org")], capacity=2),
    )
    assert response.status_code == 200
    assert "3 bénévoles inscrits pour 2 places" in response.content.decode()
    assert not Shift.objects.exists() and not ShiftSignup.objects.exists()


def test_the_shift_list_counts_volunteers_in_constant_queries(organiser_client, make_event, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    stop = make_event(EventKind.ITINERANT_VILLAGE, start=START + dt.timedelta(hours=1), hours=5)

    def add_shifts(count):
        for n in range(count):
            shift = Shift.objects.create(
                event=stop, role=ShiftRole.WELCOME, starts_at=START, ends_at=START + dt.timedelta(hours=2)
            )
            ShiftSignup.objects.create(shift=shift, name=f"Bénévole {n}", email=f"b{n}@example.org")

    add_shifts(1)
    with CaptureQueriesContext(connection) as one_shift:
        organiser_client.get(reverse("wagtailsnippets_volunteers_shift:list"))
    add_shifts(11)
    with django_assert_num_queries(len(one_shift.captured_queries)):
        response = organiser_client.get(reverse("wagtailsnippets_volunteers_shift:list"))
    # One row per shift, the event's title as its edit link.
    assert visible_text(response).count(stop.title) == 12


def test_an_outsider_cannot_see_shifts(client, outsider, make_event):
    stop = make_event(EventKind.ITINERANT_VILLAGE, start=START + dt.timedelta(hours=1), hours=5)
    shift = Shift.objects.create(
        event=stop, role=ShiftRole.SETUP, starts_at=START, ends_at=START + dt.timedelta(hours=2)
    )
    ShiftSignup.objects.create(shift=shift, name="Paul Lefebvre", email="paul@example.org")
    client.force_login(outsider)
    response = client.get(reverse("wagtailsnippets_volunteers_shift:list"), follow=True)
    assert "Paul Lefebvre" not in response.content.decode()
    assert stop.title not in response.content.decode()
