"""Shift reminders (volunteers/reminders.py), queued hourly by volunteers.tasks.queue_shift_reminders.

The email's builder is written elsewhere: these tests read the outbox's rows (kind, to,
key, context), which is what decides who is reminded and when.
"""

import datetime as dt

import pytest
from django_q.models import Schedule

from events.models import EventKind, EventStatus, OutgoingEmail
from territory.models import PARIS
from volunteers import tasks
from volunteers.missions import MissionEmail
from volunteers.models import Shift, ShiftRole, ShiftSignup, ShiftSignupStatus

pytestmark = pytest.mark.django_db

SIGNED_UP = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
SATURDAY = dt.date(2026, 12, 5)


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=PARIS)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(SIGNED_UP, tick=False)

    def move(moment):
        time_machine.move_to(moment, tick=False)

    return move


@pytest.fixture
def make_signup(make_event, clock):
    """make_signup(start) -> a confirmed sign-up, made now, on a 2-hour shift of a live stop."""

    def make(start, name="Camille Martin", email="camille@example.org", **event_fields):
        stop = make_event(EventKind.ITINERANT_VILLAGE, start=start, hours=4, **event_fields)
        shift = Shift.objects.create(
            event=stop, role=ShiftRole.WELCOME, starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
        return ShiftSignup.objects.create(shift=shift, name=name, email=email)

    return make


def run_task() -> str:
    return tasks.queue_shift_reminders()


def reminders() -> list[tuple[str, str, str]]:
    return sorted(OutgoingEmail.objects.values_list("kind", "to", "key"))


def key(when, signup):
    return f"shift-reminder:{when}:{signup.pk}"


class TestAfternoonShift:
    """A shift on Saturday 5 December at 14:00: "j2" from Thursday 14:00, "morning" from Saturday 7:00."""

    @pytest.fixture
    def signup(self, make_signup):
        return make_signup(at(SATURDAY, 14))

    def test_nothing_more_than_48_hours_before(self, signup, clock):
        clock(at(SATURDAY, 13, 59) - dt.timedelta(days=2))

        assert run_task() == "0 shift reminders queued"
        assert reminders() == []

    def test_the_j2_reminder_48_hours_before(self, signup, clock):
        clock(at(SATURDAY, 14) - dt.timedelta(days=2))

        assert run_task() == "1 shift reminders queued"

        assert reminders() == [(MissionEmail.SHIFT_REMINDER, "camille@example.org", key("j2", signup))]
        assert OutgoingEmail.objects.get().context == {"signup": signup.pk, "when": "j2"}

    def test_running_the_task_twice_queues_once(self, signup, clock):
        clock(at(SATURDAY, 14) - dt.timedelta(days=2))
        run_task()
        clock(at(SATURDAY, 15) - dt.timedelta(days=2))

        assert run_task() == "0 shift reminders queued"
        assert OutgoingEmail.objects.count() == 1

    def test_the_morning_reminder_from_7_on_the_day(self, signup, clock):
        clock(at(SATURDAY, 14) - dt.timedelta(days=2))
        run_task()
        clock(at(SATURDAY, 6, 59))
        assert run_task() == "0 shift reminders queued"
        clock(at(SATURDAY, 7))

        assert run_task() == "1 shift reminders queued"

        assert [k for _kind, _to, k in reminders()] == sorted([key("j2", signup), key("morning", signup)])

    def test_no_reminder_once_the_shift_has_started(self, signup, clock):
        clock(at(SATURDAY, 14))

        assert run_task() == "0 shift reminders queued"
        assert reminders() == []

    def test_a_late_run_sends_the_latest_reminder_only(self, signup, clock):
        # The task did not run between Thursday and Saturday morning (an outage).
        clock(at(SATURDAY, 8))

        run_task()

        assert [k for _kind, _to, k in reminders()] == [key("morning", signup)]


class TestEarlyShift:
    """A set-up shift on Saturday at 9:00: its "morning" reminder goes on Friday from 19:00."""

    def test_the_evening_before_at_19(self, make_signup, clock):
        signup = make_signup(at(SATURDAY, 9))
        clock(at(SATURDAY - dt.timedelta(days=1), 18, 59))
        run_task()
        assert [k for _kind, _to, k in reminders()] == [key("j2", signup)]
        clock(at(SATURDAY - dt.timedelta(days=1), 19))

        assert run_task() == "1 shift reminders queued"

        assert key("morning", signup) in [k for _kind, _to, k in reminders()]

    def test_a_shift_at_10_is_reminded_on_the_morning(self, make_signup, clock):
        signup = make_signup(at(SATURDAY, 10))
        clock(at(SATURDAY - dt.timedelta(days=1), 20))
        run_task()
        clock(at(SATURDAY, 7))

        run_task()

        assert [k for _kind, _to, k in reminders()] == sorted([key("j2", signup), key("morning", signup)])
        assert OutgoingEmail.objects.get(key=key("morning", signup)).created_at == at(SATURDAY, 7)


class TestLateSignup:
    def test_a_signup_made_less_than_two_days_before_gets_the_morning_reminder_only(self, make_signup, clock):
        clock(at(SATURDAY - dt.timedelta(days=1), 12))  # 26 hours before
        signup = make_signup(at(SATURDAY, 14))

        assert run_task() == "0 shift reminders queued"
        clock(at(SATURDAY, 7))
        run_task()
        clock(at(SATURDAY, 8))
        run_task()

        assert [k for _kind, _to, k in reminders()] == [key("morning", signup)]

    def test_a_signup_made_on_the_morning_gets_one_reminder_at_once(self, make_signup, clock):
        clock(at(SATURDAY, 9))
        signup = make_signup(at(SATURDAY, 14))

        assert run_task() == "1 shift reminders queued"

        assert [k for _kind, _to, k in reminders()] == [key("morning", signup)]


class TestWhoIsReminded:
    def test_a_cancelled_signup_is_not_reminded(self, make_signup, clock):
        signup = make_signup(at(SATURDAY, 14))
        ShiftSignup.objects.filter(pk=signup.pk).update(status=ShiftSignupStatus.CANCELLED)
        clock(at(SATURDAY, 7))

        run_task()

        assert reminders() == []

    def test_a_cancelled_event_is_not_reminded(self, make_signup, clock):
        make_signup(at(SATURDAY, 14), status=EventStatus.CANCELLED)
        clock(at(SATURDAY, 7))

        run_task()

        assert reminders() == []

    def test_an_unpublished_event_is_not_reminded(self, make_signup, clock):
        make_signup(at(SATURDAY, 14), live=False)
        clock(at(SATURDAY, 7))

        run_task()

        assert reminders() == []

    def test_each_volunteer_gets_their_own(self, make_signup, clock):
        first = make_signup(at(SATURDAY, 14))
        second = ShiftSignup.objects.create(shift=first.shift, name="Paul Lefebvre", email="paul@example.org")
        clock(at(SATURDAY, 7))

        assert run_task() == "2 shift reminders queued"

        assert reminders() == sorted(
            [
                (MissionEmail.SHIFT_REMINDER, "camille@example.org", key("morning", first)),
                (MissionEmail.SHIFT_REMINDER, "paul@example.org", key("morning", second)),
            ]
        )


class TestChangeOfHour:
    """Clocks go forward at 2:00 on Sunday 28 March 2027: that Sunday has 23 hours."""

    SUNDAY = dt.date(2027, 3, 28)
    MONDAY = dt.date(2027, 3, 29)

    def test_a_monday_9_shift_is_reminded_at_19_local_on_the_sunday(self, make_signup, clock):
        signup = make_signup(at(self.MONDAY, 9))
        clock(at(self.SUNDAY, 18, 59))
        run_task()
        assert key("morning", signup) not in [k for _kind, _to, k in reminders()]
        clock(at(self.SUNDAY, 19))

        assert run_task() == "1 shift reminders queued"

        morning = OutgoingEmail.objects.get(key=key("morning", signup))
        assert morning.created_at == at(self.SUNDAY, 19) == dt.datetime(2027, 3, 28, 17, 0, tzinfo=dt.UTC)

    def test_its_j2_reminder_is_48_real_hours_before(self, make_signup, clock):
        signup = make_signup(at(self.MONDAY, 9))
        # 9:00 summer time on Monday is 7:00 UTC; 48 hours earlier is 8:00 winter time on Saturday.
        clock(at(dt.date(2027, 3, 27), 7, 59))
        assert run_task() == "0 shift reminders queued"
        clock(at(dt.date(2027, 3, 27), 8))

        assert run_task() == "1 shift reminders queued"

        assert [k for _kind, _to, k in reminders()] == [key("j2", signup)]

    def test_a_sunday_9_shift_is_reminded_at_19_on_saturday_not_14_hours_before(self, make_signup, clock):
        signup = make_signup(at(self.SUNDAY, 9))
        # "14 hours before" 9:00 summer time would be 18:00 winter time on Saturday.
        clock(at(dt.date(2027, 3, 27), 18, 30))
        run_task()
        assert key("morning", signup) not in [k for _kind, _to, k in reminders()]
        clock(at(dt.date(2027, 3, 27), 19))

        run_task()

        assert key("morning", signup) in [k for _kind, _to, k in reminders()]


def test_the_task_runs_every_hour():
    schedule = Schedule.objects.get(func="volunteers.tasks.queue_shift_reminders")

    assert (schedule.schedule_type, schedule.repeats) == (Schedule.HOURLY, -1)


def test_the_no_shows_are_recorded_every_hour():
    schedule = Schedule.objects.get(func="volunteers.tasks.record_no_shows")

    assert (schedule.schedule_type, schedule.repeats) == (Schedule.HOURLY, -1)
