"""Volunteer personas: an active volunteer with a profile, and a client logged in as them."""

import pytest

from volunteers.models import VolunteerProfile

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
