"""Emails about registrations: each sent once, after the commit, with its attachments; failures retried.

django-q2 runs tasks inline in the tests (Q_CLUSTER sync); the on_commit callbacks that
queue them run through django_capture_on_commit_callbacks(execute=True).
"""

import datetime as dt
import smtplib
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django_q.models import Schedule
from icalendar import Calendar

from events.models import EmailStatus, EventKind, OutgoingEmail, RegistrationSource
from events.services import registrations as service
from events.tasks import send_outgoing_email, send_reminders
from territory.models import PARIS
from tests.html import visible_text

from .conftest import group, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(registration_now):
    pass


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the block queued for after the commit, as production does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def attachments(message):
    return {name: (content, mimetype) for name, content, mimetype in message.attachments}


def ticket_path(message):
    for line in message.body.splitlines():
        if "/billet/" in line:
            return urlsplit(line.strip()).path
    raise AssertionError("no ticket link in the email")


# Confirmation -----------------------------------------------------------------------------------


def test_the_confirmation_is_sent_once_with_pdf_and_calendar(client, breakfast, committed):
    with committed():
        registration, code = service.register(breakfast, **person(name="Camille Martin", email="camille@example.org"))

    (message,) = mail.outbox
    assert message.to == ["camille@example.org"]
    assert message.subject == "Votre inscription est confirmée : Petit-déjeuner : manger local"
    assert "Bonjour Camille Martin," in message.body
    assert f"http://testserver/billet/{code}/" in message.body
    assert "jeudi 10 décembre 2026, 8 h 30 – 10 h 00" in message.body
    assert "&#x27;" not in message.body  # the text part is not HTML-escaped
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="http://testserver/billet/{code}/"' in html
    files = attachments(message)
    pdf, pdf_type = files["billet.pdf"]
    assert pdf_type == "application/pdf" and pdf.startswith(b"%PDF")
    ics, ics_type = files["evenement.ics"]
    assert ics_type == "text/calendar"
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Petit-déjeuner : manger local"
    # The link in the email opens the ticket.
    assert "Au nom de Camille Martin" in visible_text(client.get(ticket_path(message)))
    # Sent, and the link is no longer kept in the database.
    email = OutgoingEmail.objects.get(key=f"confirmation:{registration.pk}")
    assert (email.status, email.attempts, email.context) == (EmailStatus.SENT, 1, {})
    assert code not in str(OutgoingEmail.objects.values_list("context", flat=True))


def test_the_task_sends_an_email_only_once(breakfast, committed):
    with committed():
        registration, _ = service.register(breakfast, **person())
    email = OutgoingEmail.objects.get(registration=registration)

    assert send_outgoing_email(email.pk) == "already sent"
    assert len(mail.outbox) == 1


def test_nothing_is_sent_when_the_registration_is_rolled_back(breakfast, committed):
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        service.register(breakfast, **person())
        raise RuntimeError("the request failed after registering")

    assert mail.outbox == []
    assert not OutgoingEmail.objects.exists()


def test_a_group_confirmation_names_the_headcount(make_event, committed):
    event = make_event(kind=EventKind.YOUTH_OUTREACH, capacity=50)
    with committed():
        service.register(event, **group(headcount=24))

    assert "Votre groupe compte 24 personnes." in mail.outbox[0].body


def test_a_walk_in_gets_the_ticket_too(breakfast, organiser, committed):
    with committed():
        service.register(breakfast, **person(), source=RegistrationSource.WALK_IN, by=organiser)

    assert "billet.pdf" in attachments(mail.outbox[0])


# Waiting list and promotion -------------------------------------------------------------------------


def test_waiting_then_promoted(client, make_event, committed):
    event = make_event(capacity=1)
    with committed():
        first, _ = service.register(event, **person(email="first@example.org"))
        waiting, old_code = service.register(event, **person(email="waiting@example.org"))

    waitlisted = mail.outbox[1]
    assert waitlisted.subject.startswith("Vous êtes sur la liste d'attente")
    assert "Vous êtes n° 1 sur la liste." in waitlisted.body
    assert "billet.pdf" not in attachments(waitlisted)
    assert client.get(ticket_path(waitlisted)).status_code == 200

    with committed():
        service.cancel_registration(first)

    cancelled, promoted = mail.outbox[2:]
    assert cancelled.to == ["first@example.org"]
    assert "Votre inscription est bien annulée." in cancelled.body
    assert promoted.to == ["waiting@example.org"]
    assert promoted.subject.startswith("Une place s'est libérée")
    assert attachments(promoted)["billet.pdf"][0].startswith(b"%PDF")
    # The promoted email's link opens the confirmed ticket; the waiting list's link is dead.
    page = client.get(ticket_path(promoted))
    assert "Confirmée" in visible_text(page) and "<svg" in page.content.decode()
    assert client.get(f"/billet/{old_code}/").status_code == 404
    assert len(mail.outbox) == 4


def test_an_organiser_cancelling_says_so(registration, organiser, committed):
    with committed():
        service.cancel_registration(registration, by=organiser)

    assert "L'équipe organisatrice a annulé votre inscription." in mail.outbox[-1].body


def test_a_new_link_is_sent_on_request(client, registration, ticket_code, committed):
    with committed():
        new_code = service.resend_ticket_link(registration)

    message = mail.outbox[-1]
    assert message.subject.startswith("Le nouveau lien de votre billet")
    assert f"/billet/{new_code}/" in message.body
    assert "billet.pdf" in attachments(message)
    assert client.get(ticket_path(message)).status_code == 200
    assert client.get(f"/billet/{ticket_code}/").status_code == 404


# Reminders --------------------------------------------------------------------------------------


def test_reminders_two_days_before_once_each(make_event, time_machine, committed):
    event = make_event(capacity=2, start=dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS))
    with committed():
        confirmed, _ = service.register(event, **person(email="yes@example.org"))
        cancelled, _ = service.register(event, **person(email="gone@example.org"))
        service.register(event, **person(email="waiting@example.org"))
        service.cancel_registration(cancelled)  # promotes the waiting person, now confirmed
    mail.outbox.clear()

    time_machine.move_to(dt.datetime(2026, 12, 7, 9, 0, tzinfo=PARIS), tick=False)
    with committed():
        assert send_reminders() == 0  # three days before: too early

    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=PARIS), tick=False)
    with committed():
        send_reminders()
        send_reminders()

    assert sorted(m.to[0] for m in mail.outbox) == ["waiting@example.org", "yes@example.org"]
    reminder = mail.outbox[0]
    assert reminder.subject.startswith("Rappel, c'est bientôt")
    assert f"http://testserver/inscription/{event.pk}/billet-perdu/" in reminder.body
    assert set(attachments(reminder)) == {"evenement.ics"}
    assert OutgoingEmail.objects.filter(kind="reminder").count() == 2


def test_no_reminder_for_someone_who_registered_in_the_last_two_days(make_event, time_machine, committed):
    event = make_event(start=dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS))
    time_machine.move_to(dt.datetime(2026, 12, 9, 9, 0, tzinfo=PARIS), tick=False)
    with committed():
        service.register(event, **person())
        send_reminders()

    assert [m.subject.split(" :")[0] for m in mail.outbox] == ["Votre inscription est confirmée"]


def test_no_reminder_for_a_cancelled_event(make_event, time_machine, committed):
    from events.models import EventStatus

    event = make_event(start=dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS))
    with committed():
        service.register(event, **person())
    event.status = EventStatus.CANCELLED
    event.save()
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=PARIS), tick=False)

    with committed():
        assert send_reminders() == 0


def test_the_command_and_the_hourly_schedule(make_event, time_machine, committed, capsys):
    event = make_event(start=dt.datetime(2026, 12, 10, 8, 30, tzinfo=PARIS))
    with committed():
        service.register(event, **person())
    time_machine.move_to(dt.datetime(2026, 12, 8, 9, 0, tzinfo=PARIS), tick=False)

    with committed():
        call_command("send_reminders")

    assert "1 courriel(s) mis en file." in capsys.readouterr().out
    assert OutgoingEmail.objects.filter(kind="reminder").count() == 1
    schedule = Schedule.objects.get(func="events.tasks.send_reminders")
    assert schedule.schedule_type == Schedule.HOURLY


# Failures ---------------------------------------------------------------------------------------


def test_a_failing_mail_server_leaves_the_email_pending_and_a_retry_sends_it_once(
    client, breakfast, settings, committed
):
    settings.EMAIL_BACKEND = "tests.events.test_emails.FailingBackend"
    with committed():
        registration, code = service.register(breakfast, **person())

    email = OutgoingEmail.objects.get(registration=registration)
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 1)
    assert "SMTPServerDisconnected" in email.last_error
    assert email.context["ticket_url"].endswith(f"/billet/{code}/")  # kept until it is delivered
    # The registration itself stands.
    assert client.get(f"/billet/{code}/").status_code == 200

    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_outgoing_email(email.pk)  # what django-q2 presents again: fails again, raises again

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_outgoing_email(email.pk) == "sent"
    assert send_outgoing_email(email.pk) == "already sent"

    assert len(mail.outbox) == 1
    assert f"/billet/{code}/" in mail.outbox[0].body
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error, email.context) == (EmailStatus.SENT, 3, "", {})


def test_a_failing_mail_server_does_not_fail_the_registration_page(client, breakfast, commune, settings, committed):
    settings.EMAIL_BACKEND = "tests.events.test_emails.FailingBackend"
    data = {
        "name": "Camille Martin",
        "email": "camille@example.org",
        "home_commune": commune.insee_code,
        "category": "resident",
        "consent": "on",
    }
    with committed():
        response = client.post(f"/inscription/{breakfast.pk}/", data)

    assert response.status_code == 302
    assert OutgoingEmail.objects.get().status == EmailStatus.PENDING


def test_the_hourly_sweep_sends_emails_whose_task_was_lost(breakfast, time_machine, committed):
    # Registered, but the worker never ran the task (no on_commit callbacks executed here).
    registration, _ = service.register(breakfast, **person())
    assert mail.outbox == []

    time_machine.move_to(dt.datetime(2026, 11, 23, 12, 20, tzinfo=PARIS), tick=False)
    with committed():
        send_reminders()

    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get(registration=registration).status == EmailStatus.SENT


def test_an_email_that_keeps_failing_is_given_up(breakfast, settings):
    settings.EMAIL_BACKEND = "tests.events.test_emails.FailingBackend"
    registration, _ = service.register(breakfast, **person())
    email = OutgoingEmail.objects.get(registration=registration)

    for _ in range(service.MAX_SEND_ATTEMPTS):
        with pytest.raises(smtplib.SMTPException):
            send_outgoing_email(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts, email.context) == (EmailStatus.FAILED, service.MAX_SEND_ATTEMPTS, {})
    assert service.stale_emails(dt.datetime(2026, 11, 24, tzinfo=PARIS)) == []


def test_an_email_whose_registration_was_deleted_is_dropped(breakfast):
    registration, _ = service.register(breakfast, **person())
    email = OutgoingEmail.objects.get(registration=registration)
    registration.delete()

    assert send_outgoing_email(email.pk) == "not sendable"
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    assert mail.outbox == []
