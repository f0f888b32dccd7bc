"""A volunteer's rights: download everything, erase the account; and the retention of inactive accounts."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Count

from events.models import EventKind
from territory.models import PARIS
from tests.html import visible_text
from tests.volunteers.conftest import PASSWORD
from volunteers.models import (
    AwayPeriod,
    ConsentPurpose,
    ConsentRecord,
    DayPart,
    Shift,
    ShiftRole,
    ShiftSignup,
    Skill,
    VolunteerProfile,
    Weekday,
)
from volunteers.services import CONSENT_TEXT_VERSION, save_profile, warn_then_anonymise_inactive

pytestmark = pytest.mark.django_db

EXPORT = "/benevolat/mes-donnees.json"
DELETE = "/benevolat/supprimer-mon-compte/"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)
SHIFT_START = dt.datetime(2026, 12, 5, 7, 0, tzinfo=PARIS)


@pytest.fixture
def filled_profile(volunteer, commune, sector):
    profile = volunteer.volunteer_profile
    save_profile(
        profile,
        home_commune=commune,
        travel_km=12,
        skills=[Skill.objects.get(slug="accueil")],
        sectors=[sector],
        slots=[(Weekday.SATURDAY, DayPart.MORNING)],
        phone="06 12 34 56 78",
        accepts_contact=True,
        now=NOW,
    )
    AwayPeriod.objects.create(profile=profile, start=dt.date(2026, 12, 20), end=dt.date(2027, 1, 3))
    ConsentRecord.objects.create(
        user=volunteer, purpose=ConsentPurpose.ACCOUNT, text_version=CONSENT_TEXT_VERSION, given_at=NOW
    )
    return profile


@pytest.fixture
def shift_signup(make_event, volunteer):
    event = make_event(kind=EventKind.ITINERANT_VILLAGE, title="Le village à Valenciennes", start=SHIFT_START)
    shift = Shift.objects.create(
        event=event, role=ShiftRole.SETUP, starts_at=SHIFT_START, ends_at=SHIFT_START + dt.timedelta(hours=2)
    )
    return ShiftSignup.objects.create(
        shift=shift, user=volunteer, name="Camille Martin", email="camille@example.org", phone="0612345678"
    )


def test_the_export_holds_everything_about_the_person(volunteer_client, filled_profile, shift_signup):
    response = volunteer_client.get(EXPORT)

    assert response["Content-Disposition"] == 'attachment; filename="mes-donnees-benevole.json"'
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert data["compte"]["courriel"] == "camille@example.org"
    assert (data["compte"]["prenom"], data["compte"]["nom"]) == ("Camille", "Martin")
    profile = data["profil"]
    assert profile["commune"] == "Valenciennes"
    assert profile["distance_km"] == 12
    assert profile["competences"] == ["Accueil"]
    assert profile["centres_d_interet"] == ["Réemploi"]
    assert profile["disponibilites"] == ["samedi matin"]
    assert profile["telephone"] == "06 12 34 56 78"
    assert profile["absences"] == [{"du": "2026-12-20", "au": "2027-01-03"}]
    assert {(c["objet"], c["version_du_texte"], c["retire_le"]) for c in data["consentements"]} == {
        ("contact", CONSENT_TEXT_VERSION, None),
        ("account", CONSENT_TEXT_VERSION, None),
    }
    [signup] = data["creneaux"]
    assert signup["evenement"] == "Le village à Valenciennes"
    assert signup["role"] == "Montage"
    assert dt.datetime.fromisoformat(signup["debut"]) == SHIFT_START
    assert dt.datetime.fromisoformat(signup["fin"]) == SHIFT_START + dt.timedelta(hours=2)


def test_the_export_is_for_the_logged_in_volunteer_only(client, outsider):
    assert client.get(EXPORT)["Location"].startswith("/compte/login/")
    client.force_login(outsider)
    assert client.get(EXPORT).status_code == 404


def test_erasure_needs_the_password(volunteer_client, volunteer, filled_profile):
    response = volunteer_client.post(DELETE, {"password": "pas le bon"})

    assert "Ce mot de passe n'est pas le bon." in visible_text(response)
    assert VolunteerProfile.objects.filter(user=volunteer).exists()


def test_erasure_removes_the_person_and_keeps_the_counts(
    client, volunteer_client, volunteer, filled_profile, shift_signup
):
    assert "Supprimer définitivement mon compte" in visible_text(volunteer_client.get(DELETE))

    response = volunteer_client.post(DELETE, {"password": PASSWORD}, follow=True)

    assert "Votre compte est supprimé" in visible_text(response)
    assert not response.context["user"].is_authenticated
    volunteer.refresh_from_db()
    assert volunteer.username == f"supprime-{volunteer.pk}"
    assert (volunteer.first_name, volunteer.last_name, volunteer.email) == ("", "", "")
    assert not volunteer.is_active
    assert not volunteer.has_usable_password()
    assert not VolunteerProfile.objects.exists()
    assert not AwayPeriod.objects.exists()
    signup = ShiftSignup.objects.get(pk=shift_signup.pk)
    assert (signup.name, signup.email, signup.phone, signup.user) == ("Bénévole anonyme", "", "", None)
    assert Shift.objects.annotate(n=Count("signups")).get().n == 1
    assert ConsentRecord.objects.count() == 2
    assert not ConsentRecord.objects.filter(user__isnull=False).exists()
    assert not client.login(username="camille@example.org", password=PASSWORD)


def test_erasure_is_refused_to_outsiders(client, outsider):
    assert client.get(DELETE)["Location"].startswith("/compte/login/")
    client.force_login(outsider)
    assert client.post(DELETE, {"password": "secret-pass-3"}).status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active


def test_inactive_volunteers_are_warned_then_anonymised(
    volunteer, filled_profile, time_machine, django_capture_on_commit_callbacks, settings
):
    settings.VOLUNTEER_INACTIVITY_MONTHS = 24
    # Active on 2026-11-23 (save_profile): 24 months later, the day before, nothing happens.
    time_machine.move_to(dt.datetime(2028, 11, 22, 12, 0, tzinfo=PARIS), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert warn_then_anonymise_inactive() == (0, 0)

    time_machine.move_to(dt.datetime(2028, 11, 24, 3, 0, tzinfo=PARIS), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert warn_then_anonymise_inactive() == (1, 0)
        assert warn_then_anonymise_inactive() == (0, 0)  # warned once

    [warning] = mail.outbox
    assert warning.to == ["camille@example.org"]
    assert warning.subject == "Votre compte bénévole sera bientôt supprimé"
    assert "depuis 24 mois" in warning.body
    assert "d'ici 30 jours" in warning.body

    time_machine.move_to(dt.datetime(2028, 12, 23, 3, 0, tzinfo=PARIS), tick=False)  # 29 days later
    assert warn_then_anonymise_inactive() == (0, 0)
    time_machine.move_to(dt.datetime(2028, 12, 24, 3, 0, tzinfo=PARIS), tick=False)
    assert warn_then_anonymise_inactive() == (0, 1)
    volunteer.refresh_from_db()
    assert volunteer.username == f"supprime-{volunteer.pk}"
    assert not VolunteerProfile.objects.exists()


def test_a_login_after_the_warning_keeps_the_account(
    client, volunteer, filled_profile, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(dt.datetime(2028, 11, 24, 3, 0, tzinfo=PARIS), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert warn_then_anonymise_inactive() == (1, 0)
    time_machine.move_to(dt.datetime(2028, 12, 1, 9, 0, tzinfo=PARIS), tick=False)
    assert client.login(username="camille@example.org", password=PASSWORD)

    time_machine.move_to(dt.datetime(2029, 1, 1, 3, 0, tzinfo=PARIS), tick=False)
    assert warn_then_anonymise_inactive() == (0, 0)
    volunteer.refresh_from_db()
    assert volunteer.is_active
    assert VolunteerProfile.objects.filter(user=volunteer).exists()


def test_the_command_and_the_daily_schedule_run_the_same_rule(volunteer, filled_profile, time_machine):
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="volunteers.tasks.warn_then_anonymise_inactive")
    assert schedule.schedule_type == Schedule.DAILY
    time_machine.move_to(dt.datetime(2026, 12, 1, 3, 0, tzinfo=PARIS), tick=False)
    from io import StringIO

    out = StringIO()
    call_command("warn_inactive_volunteers", stdout=out)
    assert out.getvalue().strip() == "0 warned, 0 anonymised"


@pytest.fixture
def matches(volunteer, filled_profile, make_mission, skills, time_machine):
    """An accepted application and a pending proposal of the volunteer's."""
    time_machine.move_to(NOW, tick=False)
    from volunteers.missions import answer_proposal, apply_to_mission, decide_application, propose_mission

    first = make_mission("Accueil du repair café", required=[skills["accueil"]])
    second = make_mission("Tri des dons")
    applied = apply_to_mission(first, volunteer, message="Je suis là le samedi, mon 06 est dans mon profil.")
    decide_application(applied, accept=True, by=first.submitted_by)
    proposed = propose_mission(second, volunteer, by=second.submitted_by)
    return applied, proposed, answer_proposal


def test_the_export_holds_the_matches_and_the_attendance(volunteer_client, filled_profile, shift_signup, matches):
    shift_signup.attendance = "present"
    shift_signup.save()

    data = json.loads(volunteer_client.get(EXPORT).content)

    assert {(m["mission"], m["origine"], m["statut"]) for m in data["missions"]} == {
        ("Accueil du repair café", "Candidature", "Acceptée"),
        ("Tri des dons", "Proposée par l'équipe", "En attente de réponse"),
    }
    applied = next(m for m in data["missions"] if m["origine"] == "Candidature")
    assert applied["message"] == "Je suis là le samedi, mon 06 est dans mon profil."
    assert applied["raisons"].startswith("1 compétence sur 1")
    [signup] = data["creneaux"]
    assert (signup["presence"], signup["heures"]) == ("Présent·e", 2.0)


def test_erasure_keeps_matches_and_hours_as_anonymous_statistics(
    volunteer_client, volunteer, filled_profile, shift_signup, matches
):
    from volunteers.models import MatchStatus, MissionMatch

    shift_signup.attendance = "present"
    shift_signup.save()
    applied, proposed, answer_proposal = matches

    volunteer_client.post(DELETE, {"password": PASSWORD})

    assert MissionMatch.objects.count() == 2
    assert not MissionMatch.objects.filter(user__isnull=False).exists()
    assert not MissionMatch.objects.exclude(message="").exists()
    assert MissionMatch.objects.get(pk=applied.pk).status == MatchStatus.ACCEPTED
    # A proposal still waiting cannot be answered by anyone any more.
    assert MissionMatch.objects.get(pk=proposed.pk).status == MatchStatus.WITHDRAWN
    signup = ShiftSignup.objects.select_related("shift").get(pk=shift_signup.pk)
    assert (signup.user, signup.hours_served) == (None, 2.0)
