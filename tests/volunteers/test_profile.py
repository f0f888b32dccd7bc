"""A volunteer describes their offer: where, how far, what they can do, when, and what they agree to."""

import datetime as dt

import pytest

from territory.models import PARIS
from tests.html import visible_text
from tests.volunteers.conftest import PASSWORD
from volunteers.models import AwayPeriod, ConsentPurpose, ConsentRecord, DayPart, Skill, Weekday, availability_bit
from volunteers.services import CONSENT_TEXT_VERSION, set_availability

pytestmark = pytest.mark.django_db

PROFILE = "/benevolat/profil/"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=PARIS)


def profile_values(commune, **overrides):
    return {"home_commune": commune.pk, "travel_km": 15, "phone": "", **overrides}


def test_saturday_morning_is_bit_15():
    # Checked by hand: saturday = 5, morning = 0 -> 5 * 3 + 0 = 15 -> 2 ** 15.
    assert availability_bit(Weekday.SATURDAY, DayPart.MORNING) == 32768


def test_saving_the_profile_keeps_the_masks_in_step(volunteer_client, volunteer, other_commune, sector, time_machine):
    time_machine.move_to(NOW, tick=False)
    accueil, informatique = Skill.objects.get(slug="accueil"), Skill.objects.get(slug="informatique")

    response = volunteer_client.post(
        PROFILE,
        profile_values(
            other_commune,
            travel_km=25,
            skills=[accueil.pk, informatique.pk],
            sectors=[sector.pk],
            slot_5_0="on",  # samedi matin
            phone="06 12 34 56 78",
        ),
        follow=True,
    )

    assert "Votre profil est enregistré." in visible_text(response)
    profile = volunteer.volunteer_profile
    profile.refresh_from_db()
    assert profile.availability_bits == 32768
    assert profile.skill_bits == (1 << accueil.bit) | (1 << informatique.bit)
    assert (profile.home_commune, profile.travel_km, profile.phone) == (other_commune, 25, "06 12 34 56 78")
    assert (profile.latitude, profile.longitude) == (other_commune.latitude, other_commune.longitude)
    assert list(profile.sectors.all()) == [sector]
    assert profile.last_active_at == NOW
    # The page shows what was saved.
    assert response.context["form"]["slot_5_0"].value() is True
    assert response.context["form"]["slot_5_1"].value() is False


def test_the_week_is_a_table_of_labelled_checkboxes(volunteer_client):
    response = volunteer_client.get(PROFILE)

    html = response.text
    assert '<th scope="row">samedi</th>' in html
    assert '<th scope="col">après-midi</th>' in html
    assert '<label class="visually-hidden" for="id_slot_5_0">samedi matin</label>' in html
    assert html.count('type="checkbox" name="slot_') == 21


def test_set_availability_builds_the_mask(volunteer):
    profile = volunteer.volunteer_profile

    bits = set_availability(profile, [(Weekday.MONDAY, DayPart.MORNING), (Weekday.SUNDAY, DayPart.EVENING)])

    assert bits == 1 | 1 << 20
    profile.refresh_from_db()
    assert profile.availability_bits == 1 | 1 << 20
    assert profile.is_available(Weekday.SUNDAY, DayPart.EVENING)
    assert not profile.is_available(Weekday.SUNDAY, DayPart.AFTERNOON)


def test_consents_are_recorded_when_given_and_when_withdrawn(volunteer_client, volunteer, commune, time_machine):
    time_machine.move_to(NOW, tick=False)
    volunteer_client.post(PROFILE, profile_values(commune, accepts_contact="on", on_map="on"))
    later = NOW + dt.timedelta(days=3)
    time_machine.move_to(later, tick=False)
    volunteer_client.post(PROFILE, profile_values(commune, accepts_contact="on"))  # leaves the map
    volunteer_client.post(PROFILE, profile_values(commune, accepts_contact="on"))  # no change: no record

    records = {r.purpose: r for r in ConsentRecord.objects.filter(user=volunteer)}
    assert set(records) == {ConsentPurpose.CONTACT, ConsentPurpose.MAP}
    assert (records[ConsentPurpose.CONTACT].given_at, records[ConsentPurpose.CONTACT].withdrawn_at) == (NOW, None)
    assert (records[ConsentPurpose.MAP].given_at, records[ConsentPurpose.MAP].withdrawn_at) == (NOW, later)
    assert {r.text_version for r in records.values()} == {CONSENT_TEXT_VERSION}
    profile = volunteer.volunteer_profile
    profile.refresh_from_db()
    assert (profile.accepts_contact, profile.on_map) == (True, False)


@pytest.mark.parametrize("travel_km", ["0", "101", "loin"])
def test_a_distance_outside_1_to_100_km_is_refused(volunteer_client, volunteer, commune, travel_km):
    response = volunteer_client.post(PROFILE, profile_values(commune, travel_km=travel_km, slot_5_0="on"))

    assert "Indiquez une distance entre 1 et 100 km." in visible_text(response)
    volunteer.volunteer_profile.refresh_from_db()
    assert volunteer.volunteer_profile.availability_bits == 0


def test_away_periods_are_added_and_removed(volunteer_client, volunteer):
    response = volunteer_client.post(
        "/benevolat/profil/absences/", {"start": "2026-12-20", "end": "2027-01-03"}, follow=True
    )

    assert "du 20 décembre 2026 au 3 janvier 2027" in visible_text(response)
    period = AwayPeriod.objects.get(profile__user=volunteer)
    volunteer_client.post(f"/benevolat/profil/absences/{period.pk}/supprimer/")
    assert not AwayPeriod.objects.exists()


def test_an_away_period_ending_before_it_starts_is_refused(volunteer_client):
    response = volunteer_client.post("/benevolat/profil/absences/", {"start": "2026-12-20", "end": "2026-12-19"})

    assert "La fin de l'absence doit venir après son début." in visible_text(response)
    assert not AwayPeriod.objects.exists()


def test_nobody_removes_someone_else_s_away_period(client, volunteer, outsider, commune):
    period = AwayPeriod.objects.create(
        profile=volunteer.volunteer_profile, start=dt.date(2026, 12, 20), end=dt.date(2026, 12, 21)
    )
    from volunteers.models import VolunteerProfile

    VolunteerProfile.objects.create(user=outsider, home_commune=commune)
    client.force_login(outsider)

    response = client.post(f"/benevolat/profil/absences/{period.pk}/supprimer/")

    assert response.status_code == 404
    assert AwayPeriod.objects.filter(pk=period.pk).exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/?next=/benevolat/profil/")


def test_an_account_without_a_profile_is_offered_to_sign_up(client, outsider):
    client.force_login(outsider)

    response = client.get(PROFILE)

    assert "Votre compte n'a pas encore de profil de bénévole." in visible_text(response)
    assert 'href="/benevolat/inscription/"' in response.text
    assert client.post(PROFILE, {"travel_km": 5}).status_code == 200
    assert not hasattr(outsider, "volunteer_profile")


def test_logging_in_counts_as_activity(client, volunteer, time_machine):
    time_machine.move_to(NOW, tick=False)
    profile = volunteer.volunteer_profile
    profile.inactivity_warned_at = NOW - dt.timedelta(days=2)
    profile.save()

    assert client.login(username="camille@example.org", password=PASSWORD)

    profile.refresh_from_db()
    assert (profile.last_active_at, profile.inactivity_warned_at) == (NOW, None)
