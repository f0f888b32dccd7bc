"""/compte/login/ without a `next` sends each person to what their account is for (cms.views.after_login)."""

import pytest
from django.contrib.auth.models import Permission

from volunteers.models import VolunteerProfile

pytestmark = pytest.mark.django_db

LOGIN = "/compte/login/"


def log_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password}, follow=True)


def test_an_organisations_contact_lands_on_its_space(client, django_user_model, organisation):
    user = django_user_model.objects.create_user("nadia", "nadia@example.org", "pass-word-1")
    organisation.contacts.add(user)
    response = log_in(client, "nadia", "pass-word-1")
    assert response.redirect_chain[-1][0] == "/espace-structure/"


def test_a_volunteer_lands_on_the_missions_for_them(client, django_user_model, commune):
    user = django_user_model.objects.create_user("lou@example.org", "lou@example.org", "pass-word-1")
    VolunteerProfile.objects.create(user=user, home_commune=commune)
    response = log_in(client, "lou@example.org", "pass-word-1")
    assert response.redirect_chain[-1][0] == "/benevolat/missions/"


def test_an_organiser_lands_in_the_admin(client, django_user_model):
    user = django_user_model.objects.create_user("orga", "orga@example.org", "pass-word-1")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    response = log_in(client, "orga", "pass-word-1")
    assert response.redirect_chain[-1][0] == "/admin/"


def test_anyone_else_lands_on_the_home_page_and_a_next_is_kept(client, outsider):
    assert log_in(client, "charlie", "secret-pass-3").redirect_chain[-1][0] == "/"
    client.logout()
    response = client.post(LOGIN + "?next=/benevolat/carte/", {"username": "charlie", "password": "secret-pass-3"})
    assert response["Location"] == "/benevolat/carte/"
