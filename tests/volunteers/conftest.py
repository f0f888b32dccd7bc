"""Volunteer personas (an active volunteer with a profile, a client logged in as them), skills, missions."""

import datetime as dt

import pytest
from django.utils import timezone

from volunteers.missions import save_mission
from volunteers.models import Mission, MissionRhythm, Skill, VolunteerProfile

PASSWORD = "Bénévolat-2026!"


@pytest.fixture
def volunteer(django_user_model, commune):
    user = django_user_model.objects.create_user(
        "camille@example.org", "camille@example.org", PASSWORD, first_name="Camille", last_name="Martin"
    )
    VolunteerProfile.objects.create(user=user, home_commune=commune)
    return user


@pytest.fixture
def volunteer_client(client, volunteer):
    client.force_login(volunteer)
    return client


@pytest.fixture
def skills(db):
    """The default skills of migration 0003, by slug: accueil, animation, montage-logistique..."""
    return {skill.slug: skill for skill in Skill.objects.all()}


@pytest.fixture
def make_mission(commune, organiser):
    """A published mission of the plan's team, through the service (masks and slots computed).

    make_mission(required=[skill], welcome=[skill], dates=[(start, end)]) or
    make_mission(rhythm=MissionRhythm.WEEKLY, weekly=[(Weekday.SATURDAY, DayPart.MORNING)]).
    """

    def make(
        title="Tenir l'accueil du repair café", *, by=None, required=(), welcome=(), dates=(), weekly=(), **fields
    ):
        fields.setdefault("commune", commune)
        fields.setdefault("territory", commune.territory)
        fields.setdefault("description", "Accueillir les visiteurs et noter les objets à réparer.")
        if not dates and fields.get("rhythm", MissionRhythm.DATES) == MissionRhythm.DATES:
            start = timezone.now().replace(microsecond=0) + dt.timedelta(days=10)
            dates = [(start, start + dt.timedelta(hours=3))]
        mission = Mission(title=title, **fields)
        return save_mission(
            mission,
            required_skills=required,
            welcome_skills=welcome,
            dates=dates,
            weekly_slots=weekly,
            by=by or organiser,
        )

    return make
