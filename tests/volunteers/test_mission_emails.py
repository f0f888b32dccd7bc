"""The emails of missions, matches and shifts, as their readers get them.

Each email is caused through its service inside `committed()`, so its outbox row is sent
after the commit as in production (django-q2 runs inline in the tests).
"""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import resolve, reverse
from icalendar import Calendar
from wagtail.models import Site

from cms.models import SiteContact
from events.models import EmailStatus, EventKind, EventPage, EventStatus, OutgoingEmail
from events.services.outbox import queue_email
from events.tasks import send_outgoing_email
from territory.models import PARIS
from volunteers.emails import moderation_url
from volunteers.missions import (
    MissionEmail,
    answer_proposal,
    apply_to_mission,
    close_mission,
    decide_application,
    find_match,
    propose_mission,
    publish_mission,
    refuse_mission,
)
from volunteers.models import (
    DayPart,
    MissionRhythm,
    Shift,
    ShiftRole,
    ShiftSignup,
    ShiftSignupStatus,
    VolunteerProfile,
    Weekday,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)
TEAM = "ess@valenciennes-metropole.example.org"
MISSION_START = dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS)
MISSION_DAY = "samedi 5 décembre 2026, 9 h 00 – 12 h 00"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def site_contact(db):
    return SiteContact.objects.create(site=Site.objects.get(is_default_site=True), email=TEAM)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def contact(django_user_model, organisation):
    """The organisation's contact: posts its missions, hears about their applications."""
    user = django_user_model.objects.create_user(
        "nadia@ressourcerie.example.org", "nadia@ressourcerie.example.org", "secret-pass-2", first_name="Nadia"
    )
    organisation.contacts.add(user)
    return user


@pytest.fixture
def submitted(make_mission, organisation, contact, committed):
    with committed():
        mission = make_mission(
            "Trier les dons du samedi",
            organisation=organisation,
            by=contact,
            dates=[(MISSION_START, MISSION_START + dt.timedelta(hours=3))],
        )
    return mission


@pytest.fixture
def published(submitted, organiser, committed):
    with committed():
        publish_mission(submitted, by=organiser)
    mail.outbox.clear()
    return submitted


@pytest.fixture
def reachable(volunteer):
    VolunteerProfile.objects.filter(user=volunteer).update(accepts_contact=True)
    volunteer.refresh_from_db()
    return volunteer


@pytest.fixture
def proposal(published, reachable, organiser, committed):
    with committed():
        return propose_mission(published, reachable, by=organiser, message="Votre aide serait précieuse samedi.")


@pytest.fixture
def application(published, volunteer, committed):
    with committed():
        match = apply_to_mission(published, volunteer, message="J'ai tenu une friperie pendant deux ans.")
    mail.outbox.clear()
    return match


def html_of(message) -> str:
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def link_after(body: str, label: str) -> str:
    """The address printed after a label in the text email ("Oui, j'accepte : <url>")."""
    (line,) = [line for line in body.splitlines() if line.startswith(label)]
    return line.split(" : ", 1)[1].strip()


# Posting and moderation -------------------------------------------------------------------------


def test_a_submitted_mission_is_sent_to_the_team_for_moderation(submitted):
    (message,) = mail.outbox

    assert message.to == [TEAM]
    assert message.subject == "Mission à modérer : Trier les dons du samedi (Ressourcerie du Hainaut)"
    assert "Ressourcerie du Hainaut propose une nouvelle mission bénévole, « Trier les dons du samedi »" in message.body
    assert MISSION_DAY in message.body
    assert moderation_url(submitted) in message.body
    assert moderation_url(submitted).startswith("http://testserver/admin/")
    assert f'href="{moderation_url(submitted)}"' in html_of(message)


def test_a_published_mission_tells_its_poster_with_a_link_to_their_missions(submitted, organiser, committed):
    mail.outbox.clear()
    with committed():
        publish_mission(submitted, by=organiser)

    (message,) = mail.outbox
    assert message.to == ["nadia@ressourcerie.example.org"]
    assert message.subject == "Votre mission est publiée : Trier les dons du samedi"
    assert "Bonjour Nadia," in message.body
    missions_url = f"http://testserver/espace-structure/{submitted.organisation_id}/missions/"
    assert missions_url in message.body
    assert f"http://testserver/benevolat/missions/{submitted.pk}/" in message.body


def test_a_refused_mission_gives_its_poster_the_reason(submitted, organiser, committed):
    mail.outbox.clear()
    with committed():
        refuse_mission(submitted, by=organiser, reason="Précisez les horaires du tri.")

    (message,) = mail.outbox
    assert message.to == ["nadia@ressourcerie.example.org"]
    assert message.subject == "Votre mission n'est pas publiée : Trier les dons du samedi"
    assert "Motif : Précisez les horaires du tri." in message.body
    assert "Motif : Précisez les horaires du tri." in html_of(message)
    assert f"http://testserver/espace-structure/{submitted.organisation_id}/missions/" in message.body


def test_a_mission_moderated_before_its_email_left_is_not_announced_as_waiting(submitted, organiser, committed):
    row = OutgoingEmail.objects.get(kind=MissionEmail.SUBMITTED)
    publish_mission(submitted, by=organiser)
    OutgoingEmail.objects.filter(pk=row.pk).update(status=EmailStatus.PENDING)
    mail.outbox.clear()

    assert send_outgoing_email(row.pk) == "not sendable"
    assert mail.outbox == []


# Proposals ---------------------------------------------------------------------------------------


def test_a_proposal_tells_the_volunteer_what_where_when_and_why(proposal):
    (message,) = mail.outbox

    assert message.to == ["camille@example.org"]
    assert message.subject == "Une mission bénévole pour vous : Trier les dons du samedi"
    assert "Bonjour Camille," in message.body
    assert "Ressourcerie du Hainaut pense à vous pour la mission bénévole « Trier les dons du samedi »." in message.body
    assert "Où : Valenciennes" in message.body
    assert f"Quand : {MISSION_DAY}" in message.body
    assert proposal.reasons
    assert f"Pourquoi vous : {proposal.reasons}." in message.body
    assert "Votre aide serait précieuse samedi." in message.body


def test_a_proposal_carries_accept_and_decline_links_that_open_the_match(proposal):
    (message,) = mail.outbox

    accept = link_after(message.body, "Oui, j'accepte")
    decline = link_after(message.body, "Non merci")
    assert accept.endswith("?reponse=oui")
    assert decline.endswith("?reponse=non")
    for link in (accept, decline):
        url = urlsplit(link)
        assert url.netloc == "testserver"
        resolved = resolve(url.path)
        assert resolved.view_name == "volunteers:answer_proposal"
        assert find_match(resolved.kwargs["match_id"], resolved.kwargs["token"]) == proposal
    html = html_of(message)
    assert f'href="{accept}"' in html
    assert f'href="{decline}"' in html


def test_a_weekly_mission_is_proposed_with_its_rhythm(make_mission, reachable, organiser, committed):
    mission = make_mission(
        "Accueillir au repair café",
        rhythm=MissionRhythm.WEEKLY,
        weekly=[(Weekday.SATURDAY, DayPart.MORNING)],
    )
    with committed():
        propose_mission(mission, reachable, by=organiser)

    (message,) = mail.outbox
    assert "Quand : chaque semaine, le samedi matin" in message.body
    assert "L'équipe du plan pense à vous" in message.body


def test_a_proposal_is_sent_once_even_when_the_task_runs_twice(proposal):
    row = OutgoingEmail.objects.get(kind=MissionEmail.PROPOSED)

    assert send_outgoing_email(row.pk) == "already sent"
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == EmailStatus.SENT


def test_a_proposal_withdrawn_before_its_email_left_is_not_sent(published, reachable, organiser, committed):
    with committed():
        propose_mission(published, reachable, by=organiser)
        close_mission(published, by=organiser)

    assert mail.outbox == []
    assert OutgoingEmail.objects.get(kind=MissionEmail.PROPOSED).status == EmailStatus.FAILED


def test_a_volunteer_accepting_a_proposal_tells_the_organisation(proposal, committed):
    mail.outbox.clear()
    with committed():
        answer_proposal(proposal, accept=True)

    (message,) = mail.outbox
    assert message.to == ["nadia@ressourcerie.example.org"]
    assert message.subject == "Camille Martin accepte votre proposition de mission : Trier les dons du samedi"
    assert "Camille Martin accepte votre proposition" in message.body
    assert "Commune : Valenciennes." in message.body
    assert f"http://testserver/espace-structure/{proposal.mission.organisation_id}/missions/" in message.body


def test_a_volunteer_declining_a_proposal_tells_the_organisation(proposal, committed):
    mail.outbox.clear()
    with committed():
        answer_proposal(proposal, accept=False)

    (message,) = mail.outbox
    assert message.to == ["nadia@ressourcerie.example.org"]
    assert message.subject == "Camille Martin décline votre proposition de mission : Trier les dons du samedi"
    assert "Vous pouvez la proposer à d'autres bénévoles" in message.body


# Applications ------------------------------------------------------------------------------------


def test_an_application_tells_the_organisation_who_applied(published, volunteer, committed):
    with committed():
        match = apply_to_mission(published, volunteer, message="J'ai tenu une friperie pendant deux ans.")

    (message,) = mail.outbox
    assert message.to == ["nadia@ressourcerie.example.org"]
    assert message.subject == "Nouvelle candidature pour votre mission : Trier les dons du samedi"
    assert "Camille Martin candidate à votre mission « Trier les dons du samedi »." in message.body
    assert "Commune : Valenciennes." in message.body
    assert f"Ce qui correspond : {match.reasons}." in message.body
    assert "J'ai tenu une friperie pendant deux ans." in message.body
    missions_url = f"http://testserver/espace-structure/{published.organisation_id}/missions/"
    assert missions_url in message.body
    assert f'href="{missions_url}"' in html_of(message)


def test_an_application_to_a_plan_mission_goes_to_the_team(make_mission, volunteer, committed):
    mission = make_mission("Tenir le stand du plan")
    with committed():
        apply_to_mission(mission, volunteer)

    (message,) = mail.outbox
    assert message.to == [TEAM]
    assert "Camille Martin candidate à votre mission « Tenir le stand du plan »." in message.body
    assert moderation_url(mission) in message.body


def test_an_accepted_application_tells_the_volunteer(application, contact, committed):
    with committed():
        decide_application(application, accept=True, by=contact)

    (message,) = mail.outbox
    assert message.to == ["camille@example.org"]
    assert message.subject == "Votre candidature est acceptée : Trier les dons du samedi"
    assert "Bonjour Camille," in message.body
    assert "Ressourcerie du Hainaut accepte votre candidature" in message.body
    assert "http://testserver" + reverse("volunteers:my_matches") in message.body


def test_a_declined_application_tells_the_volunteer(application, contact, committed):
    with committed():
        decide_application(application, accept=False, by=contact)

    (message,) = mail.outbox
    assert message.to == ["camille@example.org"]
    assert message.subject == "Votre candidature n'est pas retenue : Trier les dons du samedi"
    assert "Ressourcerie du Hainaut ne retient pas votre candidature" in message.body
    assert "http://testserver" + reverse("volunteers:my_matches") in message.body


# Shift reminders ---------------------------------------------------------------------------------


@pytest.fixture
def signup(make_event, market, commune, volunteer):
    stop = make_event(
        EventKind.ITINERANT_VILLAGE,
        start=dt.datetime(2026, 11, 25, 8, 0, tzinfo=PARIS),
        hours=5,
        title="Village au marché d'Anzin",
        venue=market,
        commune=commune,
    )
    shift = Shift.objects.create(
        event=stop,
        role=ShiftRole.SETUP,
        starts_at=dt.datetime(2026, 11, 25, 7, 0, tzinfo=PARIS),
        ends_at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=PARIS),
    )
    return ShiftSignup.objects.create(shift=shift, user=volunteer, name="Camille Martin", email=volunteer.email)


def remind(signup, when="j2"):
    return queue_email(
        MissionEmail.SHIFT_REMINDER,
        to=signup.email,
        key=f"shift-reminder:{signup.pk}:{when}",
        signup=signup.pk,
        when=when,
    )


def test_a_shift_reminder_gives_the_shift_the_place_and_the_calendar(signup, committed):
    with committed():
        remind(signup)

    (message,) = mail.outbox
    assert message.to == ["camille@example.org"]
    assert message.subject == "Rappel : votre créneau bénévole dans 2 jours, Village au marché d'Anzin"
    assert "Bonjour Camille Martin," in message.body
    assert "vous êtes bénévole « Montage » à « Village au marché d'Anzin »" in message.body
    assert "mercredi 25 novembre 2026, 7 h 00 – 9 h 00" in message.body
    assert "Marché de la place d'Armes, Valenciennes" in message.body
    assert "http://testserver" + reverse("volunteers:shifts") in message.body
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == ("evenement.ics", "text/calendar")
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Village au marché d'Anzin"


def test_the_morning_reminder_says_today(signup, committed, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 25, 6, 0, tzinfo=PARIS), tick=False)
    signup.shift.label = "Montage des barnums"
    signup.shift.save()
    with committed():
        remind(signup, when="morning")

    (message,) = mail.outbox
    assert message.subject == "Rappel : votre créneau bénévole aujourd'hui, Village au marché d'Anzin"
    assert "« Montage des barnums »" in message.body


def test_no_reminder_for_a_place_given_back(signup, committed):
    ShiftSignup.objects.filter(pk=signup.pk).update(status=ShiftSignupStatus.CANCELLED)
    with committed():
        remind(signup)

    assert mail.outbox == []
    assert OutgoingEmail.objects.get(kind=MissionEmail.SHIFT_REMINDER).status == EmailStatus.FAILED


def test_no_reminder_for_a_cancelled_event(signup, committed):
    EventPage.objects.filter(pk=signup.shift.event_id).update(status=EventStatus.CANCELLED)
    with committed():
        remind(signup)

    assert mail.outbox == []
