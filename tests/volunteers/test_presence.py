"""Presence at shifts: the badge scanned, staff marking, no-shows, hours served (volunteers/presence.py),
the page a badge's QR code opens (/benevolat/presence/...) and the "Présences" page of the admin."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission, Page

from events.models import EventKind, EventStatus
from territory.models import PARIS
from tests.concurrency import at_the_same_moment
from tests.html import visible_text
from volunteers import presence
from volunteers.admin_presence import shift_presence_button
from volunteers.models import Attendance, Shift, ShiftRole, ShiftSignup, ShiftSignupStatus

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 5)  # a Saturday
SIGNED_UP = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
SCAN = dt.datetime(2026, 12, 5, 9, 12, tzinfo=PARIS)


def at(hour, minute=0, day=DAY):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def clock(time_machine):
    """The sign-ups are made on 23 November; the tests then move to the day."""
    time_machine.move_to(SIGNED_UP, tick=False)

    def move(moment):
        time_machine.move_to(moment, tick=False)

    return move


@pytest.fixture
def stop(make_event, clock):
    return make_event(EventKind.ITINERANT_VILLAGE, start=at(8), hours=6, title="Village au marché")


def make_shift(event, start, hours=2, role=ShiftRole.WELCOME, label=""):
    return Shift.objects.create(
        event=event, role=role, label=label, starts_at=start, ends_at=start + dt.timedelta(hours=hours), capacity=5
    )


def make_signup(shift, user=None, name="Camille Martin", email="camille@example.org", **fields):
    return ShiftSignup.objects.create(shift=shift, user=user, name=name, email=email, **fields)


@pytest.fixture
def shift(stop):
    return make_shift(stop, at(9), label="Accueil des visiteurs")


@pytest.fixture
def signup(shift, volunteer):
    return make_signup(shift, user=volunteer)


@pytest.fixture
def staff(organiser):
    """An organiser allowed to mark presence (volunteers.change_shift)."""
    organiser.groups.first().permissions.add(
        *Permission.objects.filter(content_type__app_label="volunteers", codename__endswith="_shift")
    )
    organiser.first_name, organiser.last_name = "Sophie", "Durand"
    organiser.save()
    return organiser


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def reload(signup):
    return ShiftSignup.objects.get(pk=signup.pk)


# Marking present --------------------------------------------------------------------------------------------


class TestMarkPresent:
    def test_a_scan_records_the_time_and_who_marked(self, signup, staff, clock):
        clock(SCAN)
        result = presence.mark_present(signup, by=staff)

        assert not result.already_present
        assert result.message == "Camille Martin est pointé·e présent·e à 09:12."
        signup = reload(signup)
        assert (signup.attendance, signup.attendance_at, signup.attendance_by) == (Attendance.PRESENT, SCAN, staff)

    def test_a_second_scan_records_nothing_and_gives_the_first_time(self, signup, staff, organiser, clock):
        clock(SCAN)
        presence.mark_present(signup, by=staff)
        clock(SCAN + dt.timedelta(minutes=25))

        result = presence.mark_present(signup, by=staff)

        assert result.already_present
        assert result.message == "Camille Martin est déjà pointé·e à 09:12."
        assert reload(signup).attendance_at == SCAN

    def test_a_cancelled_signup_is_refused(self, signup, staff, clock):
        ShiftSignup.objects.filter(pk=signup.pk).update(status=ShiftSignupStatus.CANCELLED)
        clock(SCAN)

        with pytest.raises(presence.PresenceError) as error:
            presence.mark_present(signup, by=staff)

        assert error.value.code == "signup_cancelled"
        assert "annulée" in error.value.message
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_more_than_two_hours_before_the_shift_is_too_early(self, signup, staff, clock):
        clock(at(6, 59))

        with pytest.raises(presence.PresenceError) as error:
            presence.mark_present(signup, by=staff)

        assert error.value.code == "too_early"
        assert error.value.message == "Trop tôt : le pointage de ce créneau ouvre à 07:00."
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_two_hours_before_the_shift_is_accepted(self, signup, staff, clock):
        clock(at(7))

        presence.mark_present(signup, by=staff)

        assert reload(signup).attendance == Attendance.PRESENT

    def test_a_cancelled_event_is_refused(self, stop, signup, staff, clock):
        stop.status = EventStatus.CANCELLED
        stop.save()
        clock(SCAN)

        with pytest.raises(presence.PresenceError) as error:
            presence.mark_present(signup, by=staff)

        assert error.value.code == "event_cancelled"
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_a_volunteer_recorded_absent_who_turns_up_late_is_marked_present(self, signup, staff, clock):
        clock(at(10))
        presence.mark_no_show(signup, by=staff)
        clock(at(10, 20))

        presence.mark_present(signup, by=staff)

        signup = reload(signup)
        assert (signup.attendance, signup.attendance_at) == (Attendance.PRESENT, at(10, 20))


class TestStaffMarking:
    def test_staff_record_a_no_show(self, signup, staff, clock):
        clock(at(9, 30))

        presence.mark_no_show(signup, by=staff)

        signup = reload(signup)
        assert (signup.attendance, signup.attendance_at, signup.attendance_by) == (
            Attendance.NO_SHOW,
            at(9, 30),
            staff,
        )

    def test_nobody_is_absent_from_a_shift_still_to_come(self, signup, staff, clock):
        clock(at(8, 45))

        with pytest.raises(presence.PresenceError) as error:
            presence.mark_no_show(signup, by=staff)

        assert error.value.code == "not_started"
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_a_reset_puts_the_volunteer_back_to_mark(self, signup, staff, clock):
        clock(SCAN)
        presence.mark_present(signup, by=staff)

        presence.reset_attendance(signup, by=staff)

        signup = reload(signup)
        assert signup.attendance == Attendance.UNKNOWN
        assert signup.hours_served == 0.0


# No-shows ---------------------------------------------------------------------------------------------------


class TestNoShows:
    def test_nobody_marked_two_hours_after_the_end_is_a_no_show(self, shift, signup, clock):
        clock(at(13, 1))  # the shift ended at 11:00

        assert presence.record_no_shows() == 1

        signup = reload(signup)
        assert (signup.attendance, signup.attendance_at, signup.attendance_by) == (
            Attendance.NO_SHOW,
            at(13, 1),
            None,
        )

    def test_two_hours_after_the_end_is_not_yet_a_no_show(self, signup, clock):
        clock(at(13))

        assert presence.record_no_shows() == 0
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_the_present_and_the_cancelled_are_left_alone(self, shift, signup, staff, clock):
        cancelled = make_signup(shift, name="Paul Lefebvre", email="paul@example.org", status="cancelled")
        clock(SCAN)
        presence.mark_present(signup, by=staff)
        clock(at(14))

        assert presence.record_no_shows() == 0

        assert reload(signup).attendance == Attendance.PRESENT
        assert reload(cancelled).attendance == Attendance.UNKNOWN

    def test_a_cancelled_event_has_no_no_shows(self, stop, signup, clock):
        stop.status = EventStatus.CANCELLED
        stop.save()
        clock(at(14))

        assert presence.record_no_shows() == 0
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_a_volunteer_reset_on_purpose_is_not_turned_back_into_a_no_show(self, signup, staff, clock):
        clock(at(14))
        presence.record_no_shows()
        presence.reset_attendance(signup, by=staff)
        clock(at(15))

        assert presence.record_no_shows() == 0
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_shifts_held_before_presence_was_recorded_are_left_alone(self, stop, make_event, clock):
        old_stop = make_event(EventKind.ITINERANT_VILLAGE, start=at(8, day=dt.date(2026, 11, 14)), hours=6)
        old = make_signup(make_shift(old_stop, at(9, day=dt.date(2026, 11, 14))))
        clock(at(14))

        assert presence.record_no_shows() == 0
        assert reload(old).attendance == Attendance.UNKNOWN

    def test_the_hourly_task_records_them(self, signup, clock):
        from volunteers.tasks import record_no_shows

        clock(at(14))

        assert record_no_shows() == "1 no-shows recorded"
        assert reload(signup).attendance == Attendance.NO_SHOW


# Hours served ---------------------------------------------------------------------------------------------


class TestHours:
    def test_hours_add_up_the_shifts_of_present_volunteers(self, stop, staff, clock):
        two_hours = make_shift(stop, at(9), hours=2)
        three_hours = make_shift(stop, at(11), hours=3, role=ShiftRole.ACTIVITY)
        came = [make_signup(two_hours, name="A", email="a@example.org")]
        came.append(make_signup(three_hours, name="B", email="b@example.org"))
        absent = make_signup(three_hours, name="C", email="c@example.org")
        make_signup(two_hours, name="D", email="d@example.org")  # never marked
        clock(at(12))
        for signup in came:
            presence.mark_present(signup, by=staff)
        presence.mark_no_show(absent, by=staff)

        assert presence.hours_for(ShiftSignup.objects.filter(shift__event=stop)) == 5.0

    def test_no_one_present_is_zero_hours(self, signup):
        assert presence.hours_for(ShiftSignup.objects.all()) == 0.0

    def test_the_summary_counts_in_one_query(self, stop, shift, signup, staff, clock, django_assert_num_queries):
        make_signup(shift, name="Paul Lefebvre", email="paul@example.org")
        clock(SCAN)
        presence.mark_present(signup, by=staff)

        with django_assert_num_queries(1):
            summary = presence.attendance_summary(ShiftSignup.objects.filter(shift__event=stop))

        assert summary == {"present": 1, "no_show": 0, "to_mark": 1, "hours": 2.0}


# Concurrency ----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_phones_scanning_one_badge_at_once_record_one_time(make_event, django_user_model):
    # Threads see the real clock: the shift is starting now.
    start = timezone.now().replace(microsecond=0)
    stop = make_event(EventKind.ITINERANT_VILLAGE, start=start, hours=5)
    signup = make_signup(make_shift(stop, start))
    phones = [django_user_model.objects.create_user(f"staff{n}", f"staff{n}@example.org", "x") for n in range(2)]

    results = at_the_same_moment(
        [lambda by=by: presence.mark_present(signup, by=by) for by in phones], expected=(presence.PresenceError,)
    )

    assert sorted(result.already_present for result in results) == [False, True]
    first = next(result for result in results if not result.already_present)
    again = next(result for result in results if result.already_present)
    assert again.signup.attendance_at == first.signup.attendance_at
    recorded = reload(signup)
    assert recorded.attendance == Attendance.PRESENT
    assert (recorded.attendance_at, recorded.attendance_by) == (first.signup.attendance_at, first.signup.attendance_by)


# The badge's page -------------------------------------------------------------------------------------------


class TestBadgePage:
    @pytest.fixture
    def day_of(self, stop, shift, signup, volunteer, make_event, clock):
        """Camille's afternoon shift the same day, and what must not show: another day, another event,
        another volunteer."""
        afternoon = make_signup(
            make_shift(stop, at(13), role=ShiftRole.ACTIVITY, label="Atelier réparation"), volunteer
        )
        other_day = make_event(EventKind.ITINERANT_VILLAGE, start=at(8, day=DAY + dt.timedelta(days=7)), hours=6)
        make_signup(make_shift(other_day, at(9, day=DAY + dt.timedelta(days=7)), label="Semaine suivante"), volunteer)
        elsewhere = make_event(EventKind.ITINERANT_VILLAGE, start=at(8), hours=6, title="Autre village")
        make_signup(make_shift(elsewhere, at(15), label="Ailleurs"), volunteer)
        make_signup(shift, name="Paul Lefebvre", email="paul@example.org")
        clock(SCAN)
        return afternoon

    def test_it_shows_the_volunteer_and_their_shifts_that_day(self, staff_client, signup, day_of):
        response = staff_client.get(presence.badge_path(signup))

        text = visible_text(response)
        assert "Camille Martin" in text
        assert "Village au marché · samedi 5 décembre 2026" in text
        assert "Accueil · Accueil des visiteurs, 9 h 00 – 11 h 00" in text
        assert "Animation · Atelier réparation, 13 h 00 – 15 h 00" in text
        assert text.count("Marquer présent·e") == 2
        assert "Semaine suivante" not in text and "Ailleurs" not in text and "Paul Lefebvre" not in text
        assert response["Cache-Control"] == "private, no-store"

    def test_marking_present_says_so_and_records_it(self, staff_client, staff, signup, day_of):
        response = staff_client.post(presence.badge_path(signup), {"signup": signup.pk}, follow=True)

        text = visible_text(response)
        assert "Camille Martin est pointé·e présent·e à 09:12." in text
        assert "Présent·e, pointé·e à 09:12." in text
        assert text.count("Marquer présent·e") == 1  # the afternoon's, still to mark
        signup = reload(signup)
        assert (signup.attendance, signup.attendance_by) == (Attendance.PRESENT, staff)

    def test_a_second_scan_says_already_marked(self, staff_client, signup, day_of, clock):
        staff_client.post(presence.badge_path(signup), {"signup": signup.pk})
        clock(SCAN + dt.timedelta(minutes=3))

        response = staff_client.post(presence.badge_path(signup), {"signup": signup.pk}, follow=True)

        assert "Camille Martin est déjà pointé·e à 09:12." in visible_text(response)
        assert reload(signup).attendance_at == SCAN

    def test_the_afternoon_shift_can_be_marked_from_the_morning_badge(self, staff_client, signup, day_of, clock):
        clock(at(12, 30))

        staff_client.post(presence.badge_path(signup), {"signup": day_of.pk})

        assert reload(day_of).attendance == Attendance.PRESENT
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_a_refusal_is_shown_and_nothing_stored(self, staff_client, signup, day_of, clock):
        clock(at(6))

        response = staff_client.post(presence.badge_path(signup), {"signup": signup.pk}, follow=True)

        assert "Trop tôt : le pointage de ce créneau ouvre à 07:00." in visible_text(response)
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_another_volunteers_signup_cannot_be_marked_through_this_badge(self, staff_client, shift, signup, day_of):
        paul = ShiftSignup.objects.get(name="Paul Lefebvre")

        response = staff_client.post(presence.badge_path(signup), {"signup": paul.pk}, follow=True)

        assert "Ce créneau n'est pas celui de ce badge" in visible_text(response)
        assert reload(paul).attendance == Attendance.UNKNOWN

    def test_a_volunteer_placed_by_hand_is_found_by_email(self, staff_client, stop, clock):
        placed = make_signup(make_shift(stop, at(9)), name="Inès Haddad", email="ines@example.org")
        make_signup(make_shift(stop, at(12)), name="Inès Haddad", email="INES@example.org")
        clock(SCAN)

        text = visible_text(staff_client.get(presence.badge_path(placed)))

        assert "Inès Haddad" in text and text.count("Marquer présent·e") == 2

    def test_anonymous_visitors_are_sent_to_log_in(self, client, signup, day_of):
        path = presence.badge_path(signup)

        response = client.get(path)

        assert response.status_code == 302
        assert response["Location"].startswith("/compte/login/") and "next=" in response["Location"]

    @pytest.mark.parametrize("persona", ["outsider", "volunteer", "organiser"])
    def test_people_without_the_permission_get_a_403_and_mark_nothing(self, client, request, persona, signup, day_of):
        # "organiser" here has admin access but not volunteers.change_shift.
        client.force_login(request.getfixturevalue(persona))

        page = client.get(presence.badge_path(signup))
        post = client.post(presence.badge_path(signup), {"signup": signup.pk})

        assert (page.status_code, post.status_code) == (403, 403)
        assert "Camille Martin" not in page.content.decode()
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_a_wrong_token_is_a_404(self, staff_client, signup, day_of):
        other = ShiftSignup.objects.get(name="Paul Lefebvre")
        forged = reverse("volunteers:badge", args=[signup.pk, presence.badge_token(other)])

        response = staff_client.get(forged)

        assert response.status_code == 404
        assert "Camille Martin" not in response.content.decode()

    def test_an_unknown_signup_is_a_404(self, staff_client, signup, day_of):
        response = staff_client.get(reverse("volunteers:badge", args=[signup.pk + 1000, presence.badge_token(signup)]))

        assert response.status_code == 404


# The admin's "Présences" page -----------------------------------------------------------------------------


def presence_page(event):
    return reverse("volunteers_presence_event", args=[event.pk])


def mark_url(event, signup):
    return reverse("volunteers_presence_mark", args=[event.pk, signup.pk])


class TestAdminPage:
    @pytest.fixture
    def marked(self, stop, shift, signup, staff, clock):
        """At 14:00: Camille came to the morning shift (2 h), Paul did not, Léa (afternoon, 3 h) came."""
        paul = make_signup(shift, name="Paul Lefebvre", email="paul@example.org")
        afternoon = make_shift(stop, at(11), hours=3, role=ShiftRole.ACTIVITY, label="Atelier réparation")
        lea = make_signup(afternoon, name="Léa Petit", email="lea@example.org")
        make_signup(afternoon, name="Jean Annulé", email="jean@example.org", status="cancelled")
        clock(SCAN)
        presence.mark_present(signup, by=staff)
        clock(at(11, 5))
        presence.mark_present(lea, by=staff)
        clock(at(14))
        presence.mark_no_show(paul, by=staff)
        return paul

    def test_it_shows_each_shift_its_volunteers_and_the_hours(self, staff_client, stop, marked):
        response = staff_client.get(presence_page(stop))

        text = visible_text(response)
        assert "Présences des bénévoles" in text and "Village au marché" in text
        assert "Accueil · Accueil des visiteurs · samedi 5 décembre 2026, 9 h 00 – 11 h 00" in text
        assert "Présent·es : 1 · absent·es : 1 · 2 h servies" in text
        assert "Présent·es : 1 · absent·es : 0 · 3 h servies" in text
        assert "Camille Martin Présent·e à 09:12, par Sophie Durand" in text
        assert "Paul Lefebvre Absent·e à 14:00, par Sophie Durand" in text
        assert "Heures de bénévolat 5 h au total" in text
        assert "Absent·es 1" in text and "Présent·es 2" in text
        assert "Jean Annulé" not in text
        assert 'href="{}"'.format(reverse("volunteers_presence_badges", args=[stop.pk])) in response.content.decode()
        assert "Badges des bénévoles (PDF)" in text

    def test_the_present_button_marks_and_says_so(self, staff_client, stop, shift, staff, clock):
        paul = make_signup(shift, name="Paul Lefebvre", email="paul@example.org")
        clock(SCAN)

        response = staff_client.post(mark_url(stop, paul), {"action": "present"}, follow=True)

        assert "Paul Lefebvre est pointé·e présent·e à 09:12." in visible_text(response)
        assert (reload(paul).attendance, reload(paul).attendance_by) == (Attendance.PRESENT, staff)

    def test_the_absent_button_records_a_no_show(self, staff_client, stop, signup, clock):
        clock(at(9, 30))

        response = staff_client.post(mark_url(stop, signup), {"action": "no_show"}, follow=True)

        assert "Camille Martin est noté·e absent·e." in visible_text(response)
        assert reload(signup).attendance == Attendance.NO_SHOW

    def test_the_reset_button_puts_back_to_mark(self, staff_client, stop, signup, marked):
        response = staff_client.post(mark_url(stop, signup), {"action": "reset"}, follow=True)

        assert "Camille Martin est de nouveau à pointer." in visible_text(response)
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_a_refusal_is_shown_and_nothing_changes(self, staff_client, stop, signup, clock):
        clock(at(8))

        response = staff_client.post(mark_url(stop, signup), {"action": "no_show"}, follow=True)

        assert "Le créneau n'a pas commencé" in visible_text(response)
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_an_unknown_action_changes_nothing(self, staff_client, stop, signup, clock):
        clock(SCAN)

        response = staff_client.post(mark_url(stop, signup), {"action": "delete"}, follow=True)

        assert "Action inconnue" in visible_text(response)
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_a_signup_of_another_event_is_a_404(self, staff_client, signup, make_event, clock):
        other = make_event(EventKind.ITINERANT_VILLAGE, start=at(8), hours=6)
        clock(SCAN)

        response = staff_client.post(mark_url(other, signup), {"action": "present"})

        assert response.status_code == 404
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_an_organiser_without_the_permission_gets_a_403(self, client, organiser, stop, signup, clock):
        client.force_login(organiser)
        clock(SCAN)

        page = client.get(presence_page(stop))
        post = client.post(mark_url(stop, signup), {"action": "present"})

        assert (page.status_code, post.status_code) == (403, 403)
        assert "Votre compte n'a pas accès aux présences des bénévoles." in visible_text(page)
        assert "Camille Martin" not in page.content.decode()
        assert reload(signup).attendance == Attendance.UNKNOWN

    def test_an_outsider_is_sent_to_the_admin_login(self, client, outsider, stop, signup):
        client.force_login(outsider)

        response = client.get(presence_page(stop), follow=True)

        assert "Camille Martin" not in response.content.decode()
        assert response.redirect_chain and "login" in response.redirect_chain[-1][0]

    def test_the_page_runs_a_constant_number_of_queries(
        self, staff_client, stop, staff, clock, django_assert_num_queries
    ):
        def add_shift(hour, signups):
            shift = make_shift(stop, at(hour))
            for n in range(signups):
                made = make_signup(shift, name=f"Bénévole {hour}-{n}", email=f"b{hour}{n}@example.org")
                if n % 2 == 0:
                    presence.mark_present(made, by=staff)

        clock(at(15))
        add_shift(9, 2)
        with CaptureQueriesContext(connection) as two_signups:
            staff_client.get(presence_page(stop))
        add_shift(11, 4)

        with django_assert_num_queries(len(two_signups.captured_queries)):
            response = staff_client.get(presence_page(stop))

        assert len(re.findall(r"Bénévole \d+-\d", visible_text(response))) == 6

    def test_each_shift_offers_its_event_presence_page(self, staff, stop, shift):
        # The Shift list shows these "more" buttons once its first column is a title column
        # (volunteers/wagtail_hooks.py); the hook itself is tested here.
        (item,) = shift_presence_button(shift, staff)

        assert (item.label, item.url) == ("Présences de l'événement", presence_page(stop))

    def test_no_presence_button_without_the_permission(self, organiser, shift):
        assert list(shift_presence_button(shift, organiser)) == []

    def test_the_event_page_editor_links_to_its_presence_page(self, staff_client, staff, stop):
        GroupPagePermission.objects.create(
            group=staff.groups.first(),
            page=Page.get_first_root_node(),
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename="change_page"),
        )

        response = staff_client.get(reverse("wagtailadmin_pages:edit", args=[stop.pk]))

        assert f'href="{presence_page(stop)}"' in response.content.decode()
        assert "Présences des bénévoles" in visible_text(response)
