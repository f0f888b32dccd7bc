"""Volunteers take shifts themselves (volunteers/shifts.py, /benevolat/creneaux/)."""

import datetime as dt

import pytest
from django.urls import reverse

from events.models import EventKind, EventStatus
from territory.models import PARIS
from tests.html import visible_text
from volunteers import shifts as service
from volunteers.models import Shift, ShiftRole, ShiftSignup, ShiftSignupStatus, VolunteerProfile

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
STOP = dt.datetime(2026, 12, 5, 8, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def stop(make_event):
    return make_event(EventKind.ITINERANT_VILLAGE, start=STOP, hours=5, title="Village au marché")


def make_shift(stop, role=ShiftRole.SETUP, start=STOP - dt.timedelta(hours=1), hours=2, capacity=2, label=""):
    return Shift.objects.create(
        event=stop,
        role=role,
        label=label,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        capacity=capacity,
    )


@pytest.fixture
def shift(stop):
    return make_shift(stop, label="Montage des barnums")


def another_volunteer(django_user_model, commune, n):
    user = django_user_model.objects.create_user(f"v{n}@example.org", f"v{n}@example.org", "x", first_name=f"V{n}")
    VolunteerProfile.objects.create(user=user, home_commune=commune)
    return user


class TestRules:
    def test_a_volunteer_takes_a_place(self, volunteer, shift):
        signup = service.sign_up(volunteer, shift)
        assert (signup.name, signup.email, signup.status) == ("Camille Martin", "camille@example.org", "confirmed")
        assert signup.user == volunteer

    def test_a_full_shift_is_refused(self, volunteer, shift, django_user_model, commune):
        for n in range(2):
            service.sign_up(another_volunteer(django_user_model, commune, n), shift)
        with pytest.raises(service.ShiftError) as refused:
            service.sign_up(volunteer, shift)
        assert (refused.value.code, refused.value.message) == ("shift_full", "Ce créneau est complet (2 places).")
        assert ShiftSignup.objects.count() == 2

    def test_an_overlapping_shift_is_refused_naming_the_other(self, volunteer, shift, stop):
        service.sign_up(volunteer, shift)
        welcome = make_shift(stop, role=ShiftRole.WELCOME, start=STOP, hours=2)
        with pytest.raises(service.ShiftError) as refused:
            service.sign_up(volunteer, welcome)
        assert refused.value.code == "overlapping_shift"
        assert "« Montage des barnums » de Village au marché, le 5 décembre 2026 à 07h00" in refused.value.message
        after = make_shift(stop, role=ShiftRole.TEARDOWN, start=STOP + dt.timedelta(hours=5), hours=1)
        assert service.sign_up(volunteer, after).shift == after

    def test_twice_the_same_shift_is_refused(self, volunteer, shift):
        service.sign_up(volunteer, shift)
        with pytest.raises(service.ShiftError) as refused:
            service.sign_up(volunteer, shift)
        assert refused.value.code == "already_signed_up"

    def test_a_past_shift_or_a_cancelled_event_is_refused(self, volunteer, shift, stop, time_machine):
        stop.status = EventStatus.CANCELLED
        stop.save()
        with pytest.raises(service.ShiftError) as refused:
            service.sign_up(volunteer, shift)
        assert refused.value.code == "event_cancelled"
        time_machine.move_to(STOP, tick=False)
        with pytest.raises(service.ShiftError) as refused:
            service.sign_up(volunteer, shift)
        assert refused.value.code == "shift_past"

    def test_an_account_without_a_profile_is_refused(self, outsider, shift):
        with pytest.raises(service.ShiftError) as refused:
            service.sign_up(outsider, shift)
        assert refused.value.code == "no_profile"

    def test_giving_back_a_place_frees_it(self, volunteer, shift, django_user_model, commune):
        signup = service.sign_up(volunteer, shift)
        service.sign_up(another_volunteer(django_user_model, commune, 1), shift)
        service.cancel_signup(signup, volunteer)
        signup.refresh_from_db()
        assert signup.status == ShiftSignupStatus.CANCELLED
        assert service.sign_up(another_volunteer(django_user_model, commune, 2), shift)
        with pytest.raises(service.ShiftError) as refused:
            service.cancel_signup(signup, volunteer)
        assert refused.value.code == "already_cancelled"


class TestPages:
    def test_the_list_shows_places_left_in_constant_queries(
        self, client, volunteer_client, stop, shift, django_assert_num_queries
    ):
        response = volunteer_client.get(reverse("volunteers:shifts"))
        assert "Montage des barnums" in visible_text(response)
        assert "2 places libres sur 2" in visible_text(response)
        one_shift = len(self._queries(volunteer_client))
        for n in range(5):
            make_shift(stop, start=STOP + dt.timedelta(hours=n), hours=1, label=f"Accueil {n}")
        with django_assert_num_queries(one_shift):
            volunteer_client.get(reverse("volunteers:shifts"))

    @staticmethod
    def _queries(client):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("volunteers:shifts"))
        return captured.captured_queries

    def test_taking_and_giving_back_a_shift_from_the_page(self, volunteer_client, volunteer, shift):
        response = volunteer_client.post(reverse("volunteers:take_shift", args=[shift.pk]), follow=True)
        text = visible_text(response)
        assert "vous êtes inscrit·e sur ce créneau" in text
        assert "1 place libre sur 2" in text
        signup = ShiftSignup.objects.get(user=volunteer)
        response = volunteer_client.post(reverse("volunteers:give_back_shift", args=[signup.pk]), follow=True)
        assert "Votre inscription est annulée" in visible_text(response)
        assert "2 places libres sur 2" in visible_text(response)

    def test_a_refusal_is_shown_and_changes_nothing(self, volunteer_client, volunteer, shift, stop):
        service.sign_up(volunteer, shift)
        welcome = make_shift(stop, role=ShiftRole.WELCOME, start=STOP, hours=2)
        response = volunteer_client.post(reverse("volunteers:take_shift", args=[welcome.pk]), follow=True)
        assert "Ce créneau chevauche un autre de vos créneaux" in visible_text(response)
        assert ShiftSignup.objects.filter(user=volunteer).count() == 1

    def test_anonymous_people_are_asked_to_log_in(self, client, shift):
        response = client.get(reverse("volunteers:shifts"))
        assert "créez votre compte de bénévole" in visible_text(response)
        assert "Je prends ce créneau" not in visible_text(response)
        response = client.post(reverse("volunteers:take_shift", args=[shift.pk]))
        assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
        assert not ShiftSignup.objects.exists()

    def test_someone_elses_signup_cannot_be_cancelled(self, client, volunteer, shift, django_user_model, commune):
        signup = service.sign_up(volunteer, shift)
        client.force_login(another_volunteer(django_user_model, commune, 9))
        assert client.post(reverse("volunteers:give_back_shift", args=[signup.pk])).status_code == 404
        signup.refresh_from_db()
        assert signup.status == ShiftSignupStatus.CONFIRMED
