"""The village's emails, as their readers get them: stands, the commune's request, cancelled and moved events.

Each email is caused through its service, inside `committed()` so the outbox row is sent
after the commit as in production (django-q2 runs inline in the tests).
"""

import datetime as dt

import pytest
from django.core import mail
from icalendar import Calendar

from events.models import EmailStatus, EventKind, OutgoingEmail, Pitch, Stand, VisitorCheckIn
from events.services import registrations, village, visits
from events.services.outbox import VillageEmail, queue_email
from events.tasks import send_outgoing_email, send_reminders
from territory.models import PARIS
from volunteers.models import Shift, ShiftRole, ShiftSignup

from .conftest import person

pytestmark = pytest.mark.django_db

STOP_DAY = "samedi 5 décembre 2026, 8 h 00 – 13 h 00"
ACCEPTED_DAY = "samedi 12 décembre 2026, 8 h 00 – 13 h 00"


@pytest.fixture(autouse=True)
def _now(village_now):
    pass


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def attachments(message) -> dict:
    return {name: (content, mimetype) for name, content, mimetype in message.attachments}


def calendar_event(message):
    content, mimetype = attachments(message)["evenement.ics"]
    assert mimetype == "text/calendar"
    calendar = Calendar.from_ical(content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    return event


def html_of(message) -> str:
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return html


# Stands -------------------------------------------------------------------------------------------


@pytest.fixture
def stand(stop, organisation, committed):
    stop.setup_from = dt.time(7, 0)
    stop.teardown_until = dt.time(14, 0)
    stop.save()
    with committed():
        return village.apply_for_stand(
            stop,
            organisation,
            contact_name="Nadia Benali",
            contact_email="nadia@ressourcerie.example.org",
            activity="Atelier de réparation de petits appareils",
            needs_power=True,
        )


def test_a_stand_application_is_acknowledged(stand):
    (message,) = mail.outbox

    assert message.subject == "Votre demande de stand est bien reçue : Village au marché"
    assert message.to == ["nadia@ressourcerie.example.org"]
    assert "Bonjour Nadia Benali," in message.body
    assert "Ressourcerie du Hainaut" in message.body
    assert STOP_DAY in message.body
    assert "Marché de la place d'Armes, 59300 Valenciennes" in message.body
    assert "Vous avez demandé : électricité, table, abri." in message.body
    assert "&#x27;" not in message.body
    assert message.attachments == []


def test_a_confirmed_stand_gets_its_pitch_times_and_calendar(stand, stop, village_organiser, committed):
    pitch = stop.pitches.get(number=1)
    with committed():
        village.confirm_stand(stand, pitch, by=village_organiser)

    message = mail.outbox[-1]
    assert message.subject == "Votre stand est confirmé : Village au marché"
    assert "Votre emplacement : n° 1, équipé de : électricité, table, abri. Thème : Réemploi." in message.body
    assert "Installation à partir de 7 h 00. Démontage jusqu'à 14 h 00." in message.body
    assert "Ce qu'il faut apporter :" in message.body
    assert STOP_DAY in message.body
    assert f"http://testserver{stop.url}" in message.body
    assert "n° 1" in html_of(message)
    event = calendar_event(message)
    assert str(event["SUMMARY"]) == "Village au marché"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 5, 8, 0, tzinfo=PARIS)


def test_a_pitch_without_what_was_asked_says_so(stand, stop, village_organiser, committed):
    with committed():
        village.confirm_stand(stand, stop.pitches.get(number=2), by=village_organiser)

    assert "Votre emplacement n'offre pas tout ce que vous avez demandé : électricité." in mail.outbox[-1].body


def test_a_refused_stand_gets_the_reason(stand, village_organiser, committed):
    with committed():
        village.refuse_stand(stand, by=village_organiser, reason="Deux ressourceries sont déjà présentes.")

    message = mail.outbox[-1]
    assert message.subject == "Votre demande de stand n'est pas retenue : Village au marché"
    assert "Motif : Deux ressourceries sont déjà présentes." in message.body
    assert "calendar" not in str(message.attachments)


def test_a_moved_stand_gets_its_new_pitch(stand, stop, village_organiser, committed):
    with committed():
        village.confirm_stand(stand, stop.pitches.get(number=1), by=village_organiser)
        village.move_stand(stand, stop.pitches.get(number=3), by=village_organiser)

    message = mail.outbox[-1]
    assert message.subject == "Votre stand change d'emplacement : Village au marché"
    assert "c'est désormais le n° 3" in message.body
    assert f"Le reste ne change pas : l'étape a lieu le {STOP_DAY}." in message.body


def test_an_email_about_a_deleted_stand_is_not_sent(stop, organisation):
    # Recorded, then the stand is gone before the task runs (no commit: the task runs by hand).
    holder = Stand.objects.create(stop=stop, organisation=organisation, contact_name="N", contact_email="n@example.org")
    email = queue_email(VillageEmail.STAND_RECEIVED, to="n@example.org", key="stand_received:test", stand=holder.pk)
    holder.delete()

    assert send_outgoing_email(email.pk) == "not sendable"
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    assert mail.outbox == []


# The commune's request ----------------------------------------------------------------------------


def test_the_request_is_acknowledged_with_its_tracking_link(visit_request):
    (message,) = mail.outbox

    assert message.subject == "Votre demande d'accueil du village est bien reçue : Valenciennes"
    assert message.to == ["vie-associative@mairie.example.fr"]
    assert "Bonjour Léa Dubois," in message.body
    assert "Dates souhaitées : samedi 12 décembre 2026" in message.body
    assert visits.tracking_url(visit_request) in message.body
    assert f'href="{visits.tracking_url(visit_request)}"' in html_of(message)
    assert message.attachments == []


@pytest.fixture
def accepted(visit_request, village_organiser, agenda_page, committed):
    with committed():
        stop = visits.accept_visit_request(
            visit_request,
            start=dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS),
            end=dt.datetime(2026, 12, 12, 13, 0, tzinfo=PARIS),
            by=village_organiser,
        )
    visit_request.refresh_from_db()
    return visit_request, stop


def test_an_accepted_request_gets_the_date_and_calendar(accepted):
    request, stop = accepted
    message = mail.outbox[-1]

    assert message.subject == "Le Village de l'ESS viendra à Valenciennes le samedi 12 décembre 2026"
    assert f"Bonne nouvelle : le Village de l'ESS viendra à Valenciennes le {ACCEPTED_DAY}." in message.body
    assert "l'emplacement prévu, libre dès l'installation, à partir de 7 h 00 ;" in message.body
    assert "une ou un élu pour accueillir le village." in message.body
    assert visits.tracking_url(request) in message.body
    event = calendar_event(message)
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS)
    # The stop is still a draft: no public address to link to yet.
    assert "URL" not in event


@pytest.fixture
def proposed(visit_request, village_organiser, agenda_page, committed):
    with committed():
        return visits.propose_visit_date(
            visit_request,
            start=dt.datetime(2026, 12, 19, 8, 0, tzinfo=PARIS),
            end=dt.datetime(2026, 12, 19, 13, 0, tzinfo=PARIS),
            by=village_organiser,
            note="Le 12, le village est à Anzin.",
        )


def test_a_proposed_date_asks_for_an_answer_on_the_tracking_page(proposed):
    message = mail.outbox[-1]

    assert message.subject == "Une autre date vous est proposée pour le village à Valenciennes"
    assert "samedi 19 décembre 2026, 8 h 00 – 13 h 00, Valenciennes (Village complet)" in message.body
    assert "Le mot de l'équipe : Le 12, le village est à Anzin." in message.body
    assert "« J'accepte cette date » ou « Cette date ne convient pas »" in message.body
    assert visits.tracking_url(proposed) in message.body


def test_a_declined_proposal_is_acknowledged(proposed, committed):
    with committed():
        visits.answer_proposal(proposed, accept=False)

    message = mail.outbox[-1]
    assert message.subject == "Date déclinée : l'équipe vous propose bientôt une autre date (Valenciennes)"
    assert "la date proposée ne convient pas à Valenciennes" in message.body
    assert visits.tracking_url(proposed) in message.body


def test_a_declined_request_gets_the_reason(visit_request, village_organiser, committed):
    with committed():
        visits.decline_visit_request(
            visit_request, by=village_organiser, reason="Le village est complet jusqu'en juin."
        )

    message = mail.outbox[-1]
    assert message.subject == "Votre demande d'accueil du village : la réponse de l'équipe (Valenciennes)"
    assert "Motif : Le village est complet jusqu'en juin." in message.body
    assert "http://testserver/accueillir-le-village/" in message.body
    assert visits.tracking_url(visit_request) in message.body


def test_an_anonymised_request_gets_no_email(visit_request):
    email = queue_email(
        VillageEmail.VISIT_DECLINED, to=visit_request.email, key="visit_declined:test", visit_request=visit_request.pk
    )
    type(visit_request).objects.filter(pk=visit_request.pk).update(
        anonymised_at=dt.datetime(2026, 11, 24, tzinfo=PARIS)
    )

    assert send_outgoing_email(email.pk) == "not sendable"
    assert len(mail.outbox) == 1  # the acknowledgement only


def test_reminders_a_week_and_a_day_before_each_once(accepted, time_machine):
    request, stop = accepted
    mail.outbox.clear()

    time_machine.move_to(dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS), tick=False)
    send_reminders()
    send_reminders()
    (week,) = mail.outbox
    assert week.subject == "Dans 7 jours, le Village de l'ESS s'installe à Valenciennes"
    assert f"Dans 7 jours, le Village de l'ESS s'installe à Valenciennes, le {ACCEPTED_DAY}." in week.body
    assert "l'emplacement est libre dès 7 h 00, pour l'installation ;" in week.body
    assert visits.tracking_url(request) in week.body
    assert calendar_event(week).decoded("DTSTART") == dt.datetime(2026, 12, 12, 8, 0, tzinfo=PARIS)

    time_machine.move_to(dt.datetime(2026, 12, 11, 9, 0, tzinfo=PARIS), tick=False)
    send_reminders()
    send_reminders()
    assert len(mail.outbox) == 2
    day = mail.outbox[1]
    assert day.subject == "Demain, le Village de l'ESS s'installe à Valenciennes"
    assert f"C'est demain : le Village de l'ESS s'installe à Valenciennes, le {ACCEPTED_DAY}." in day.body


def test_the_summary_is_sent_once_after_the_stop(accepted, organisation, village_organiser, time_machine, committed):
    request, stop = accepted
    pitch = Pitch.objects.create(stop=stop, number=1)
    with committed():
        village.place_stand(
            stop, organisation, pitch, by=village_organiser, contact_name="Nadia", contact_email="nadia@example.org"
        )
    for n in range(4):
        VisitorCheckIn.objects.create(event=stop, device_key=f"device-{n}")
    shift = Shift.objects.create(
        event=stop,
        role=ShiftRole.WELCOME,
        starts_at=dt.datetime(2026, 12, 12, 7, 30, tzinfo=PARIS),
        ends_at=dt.datetime(2026, 12, 12, 13, 0, tzinfo=PARIS),
    )
    ShiftSignup.objects.create(shift=shift, name="Paul Martin", email="paul@example.org")
    mail.outbox.clear()

    time_machine.move_to(dt.datetime(2026, 12, 12, 10, 0, tzinfo=PARIS), tick=False)
    send_reminders()
    assert mail.outbox == []  # not before the end

    time_machine.move_to(dt.datetime(2026, 12, 12, 15, 0, tzinfo=PARIS), tick=False)
    send_reminders()
    send_reminders()

    (summary,) = mail.outbox
    assert summary.subject == "Le bilan de l'étape du village à Valenciennes"
    assert "4 visiteurs comptés" in summary.body
    assert "1 stand\n" in summary.body
    assert "1 bénévole\n" in summary.body
    assert "Structures présentes : Ressourcerie du Hainaut" in summary.body
    assert visits.tracking_url(request) in summary.body
    assert summary.attachments == []
    assert OutgoingEmail.objects.filter(kind=VillageEmail.VISIT_SUMMARY).count() == 1


# Cancelled and moved events ---------------------------------------------------------------------


@pytest.fixture
def crowded_stop(accepted, organisation, village_organiser, committed):
    """The accepted stop with a confirmed stand and a volunteer on a shift."""
    request, stop = accepted
    pitch = Pitch.objects.create(stop=stop, number=4)
    with committed():
        village.place_stand(
            stop,
            organisation,
            pitch,
            by=village_organiser,
            contact_name="Nadia Benali",
            contact_email="nadia@ressourcerie.example.org",
        )
    shift = Shift.objects.create(
        event=stop,
        role=ShiftRole.WELCOME,
        starts_at=dt.datetime(2026, 12, 12, 7, 30, tzinfo=PARIS),
        ends_at=dt.datetime(2026, 12, 12, 13, 0, tzinfo=PARIS),
    )
    ShiftSignup.objects.create(shift=shift, name="Paul Martin", email="paul@example.org")
    mail.outbox.clear()
    return request, stop


def by_recipient(messages) -> dict:
    return {message.to[0]: message for message in messages}


def test_a_cancelled_stop_tells_each_in_their_own_words(crowded_stop, village_organiser, committed):
    request, stop = crowded_stop
    with committed():
        village.cancel_event(stop, by=village_organiser, reason="Arrêté préfectoral : alerte tempête.")

    sent = by_recipient(mail.outbox)
    assert set(sent) == {"nadia@ressourcerie.example.org", "paul@example.org", "vie-associative@mairie.example.fr"}
    for message in sent.values():
        assert message.subject == f"Annulé : {stop.title}"
        assert f"L'étape « {stop.title} » du village, prévue le {ACCEPTED_DAY}, est annulée." in message.body
        assert "Motif : Arrêté préfectoral : alerte tempête." in message.body
        assert str(calendar_event(message)["STATUS"]) == "CANCELLED"
    assert "Bonjour Nadia Benali," in sent["nadia@ressourcerie.example.org"].body
    assert "Votre stand n'aura donc pas lieu." in sent["nadia@ressourcerie.example.org"].body
    assert "Votre créneau de bénévole est annulé lui aussi." in sent["paul@example.org"].body
    commune = sent["vie-associative@mairie.example.fr"]
    assert "L'équipe vous contacte pour envisager une autre date." in commune.body
    assert visits.tracking_url(request) in commune.body


def test_a_cancelled_breakfast_tells_its_registrants(make_event, village_organiser, committed):
    breakfast = make_event(kind=EventKind.THEMATIC_BREAKFAST, capacity=20, title="Petit-déjeuner : manger local")
    with committed():
        registrations.register(breakfast, **person(name="Camille Martin", email="camille@example.org"))
    mail.outbox.clear()

    with committed():
        village.cancel_event(breakfast, by=village_organiser, reason="L'intervenante est malade.")

    (message,) = mail.outbox
    assert message.subject == "Annulé : Petit-déjeuner : manger local"
    assert "Bonjour Camille Martin," in message.body
    assert "L'événement « Petit-déjeuner : manger local », prévu le jeudi 10 décembre 2026" in message.body
    assert "Votre inscription est donc annulée : vous n'avez rien à faire." in message.body
    assert str(calendar_event(message)["STATUS"]) == "CANCELLED"


def test_a_moved_stop_gives_the_new_date_to_each(crowded_stop, village_organiser, committed):
    request, stop = crowded_stop
    with committed():
        village.move_event(
            stop,
            start=dt.datetime(2026, 12, 19, 8, 0, tzinfo=PARIS),
            end=dt.datetime(2026, 12, 19, 13, 0, tzinfo=PARIS),
            by=village_organiser,
            note="Le marché est déplacé d'une semaine.",
        )

    sent = by_recipient(mail.outbox)
    assert len(sent) == 3
    for message in sent.values():
        assert message.subject == f"Nouvelle date : {stop.title}"
        assert "elle a lieu désormais le samedi 19 décembre 2026, 8 h 00 – 13 h 00." in message.body
        assert "Elle était prévue le samedi 12 décembre 2026, 8 h 00." in message.body
        assert "Le marché est déplacé d'une semaine." in message.body
        event = calendar_event(message)
        assert str(event["STATUS"]) == "CONFIRMED"
        assert event.decoded("DTSTART") == dt.datetime(2026, 12, 19, 8, 0, tzinfo=PARIS)
    assert "Votre emplacement reste le n° 4." in sent["nadia@ressourcerie.example.org"].body
    assert "Votre créneau de bénévole suit la nouvelle date." in sent["paul@example.org"].body
    assert visits.tracking_url(request) in sent["vie-associative@mairie.example.fr"].body


def test_a_moved_breakfast_keeps_the_registration(make_event, village_organiser, committed):
    breakfast = make_event(kind=EventKind.THEMATIC_BREAKFAST, capacity=20, title="Petit-déjeuner : manger local")
    with committed():
        registrations.register(breakfast, **person(email="camille@example.org"))
    mail.outbox.clear()

    with committed():
        village.move_event(
            breakfast,
            start=dt.datetime(2026, 12, 17, 8, 30, tzinfo=PARIS),
            end=dt.datetime(2026, 12, 17, 10, 0, tzinfo=PARIS),
            by=village_organiser,
        )

    (message,) = mail.outbox
    assert "il a lieu désormais le jeudi 17 décembre 2026, 8 h 30 – 10 h 00." in message.body
    assert "Il était prévu le jeudi 10 décembre 2026, 8 h 30." in message.body
    assert "Votre inscription reste valable pour la nouvelle date, votre billet aussi." in message.body


def test_an_event_email_for_an_anonymised_registrant_is_not_sent(make_event, village_organiser, committed):
    breakfast = make_event(capacity=20)
    with committed():
        registration, _code = registrations.register(breakfast, **person())
    mail.outbox.clear()
    village.cancel_event(breakfast, by=village_organiser, reason="Salle indisponible.")
    email = OutgoingEmail.objects.get(kind=VillageEmail.EVENT_CANCELLED)
    type(registration).objects.filter(pk=registration.pk).update(anonymised_at=dt.datetime(2026, 11, 24, tzinfo=PARIS))

    assert send_outgoing_email(email.pk) == "not sendable"
    assert mail.outbox == []
