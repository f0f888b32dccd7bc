"""A person creates a volunteer account, confirms it from the email, and lands on their profile."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.html import visible_text
from tests.volunteers.conftest import PASSWORD
from volunteers.models import ConsentPurpose, ConsentRecord, Skill, VolunteerProfile
from volunteers.services import CONSENT_TEXT_VERSION

pytestmark = pytest.mark.django_db

SIGNUP = "/benevolat/inscription/"
LINK = re.compile(r"http://testserver(/benevolat/confirmer/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def signup_values(commune, **overrides):
    return {
        "first_name": "Lou",
        "last_name": "Bernard",
        "email": "Lou.Bernard@Example.org",
        "password": PASSWORD,
        "home_commune": commune.pk,
        "consent": "on",
        "website": "",
        **overrides,
    }


def test_signup_emails_a_link_that_activates_the_account_and_logs_in(
    client, commune, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, signup_values(commune))

    assert "Un lien pour activer votre compte vient d'être envoyé à lou.bernard@example.org" in visible_text(response)
    user = get_user_model().objects.get()
    assert (user.username, user.email, user.is_active) == ("lou.bernard@example.org", "lou.bernard@example.org", False)
    assert user.volunteer_profile.home_commune == commune
    consent = ConsentRecord.objects.get(user=user)
    assert (consent.purpose, consent.text_version) == (ConsentPurpose.ACCOUNT, CONSENT_TEXT_VERSION)
    assert not client.login(username="lou.bernard@example.org", password=PASSWORD)  # not before the link

    [email] = mail.outbox
    assert email.to == ["lou.bernard@example.org"]
    assert email.subject == "Confirmez votre compte bénévole"
    assert "Bonjour Lou," in email.body
    response = client.get(LINK.search(email.body).group(1), follow=True)

    assert response.redirect_chain[-1][0] == "/benevolat/profil/"
    assert "Votre compte est activé." in visible_text(response)
    assert response.context["user"] == user
    user.refresh_from_db()
    assert user.is_active


def test_a_confirmation_link_serves_once(client, commune, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP, signup_values(commune))
    path = LINK.search(mail.outbox[0].body).group(1)
    client.get(path)
    client.logout()

    response = client.get(path)

    assert response.status_code == 404
    assert "Ce lien ne fonctionne pas" in visible_text(response)


def test_a_forged_confirmation_link_is_refused(client):
    response = client.get(reverse("volunteers:confirm", args=["MQ", "abc-123"]))

    assert response.status_code == 404
    assert "Ce lien ne fonctionne pas" in visible_text(response)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Indiquez votre prénom."),
        ({"last_name": ""}, "last_name", "Indiquez votre nom."),
        ({"email": "lou@example"}, "email", "Cette adresse électronique n'est pas valide"),
        ({"password": "court"}, "password", "Ce mot de passe est trop court."),
        ({"password": "12345678901"}, "password", "Ce mot de passe est entièrement numérique."),
        ({"home_commune": ""}, "home_commune", "Choisissez votre commune."),
        ({"consent": ""}, "consent", "Cochez cette case pour créer votre compte."),
    ],
)
def test_a_refused_signup_says_why_in_french_and_stores_nothing(
    client, commune, overrides, field, message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, signup_values(commune, **overrides))

    assert message in " ".join(response.context["form"].errors[field])
    assert message in visible_text(response)
    assert not get_user_model().objects.exists()
    assert not VolunteerProfile.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert mail.outbox == []


def test_a_commune_outside_the_territory_is_refused(client, commune, territory):
    from territory.models import Commune, Territory

    elsewhere = Territory.objects.create(name="Ailleurs", slug="ailleurs", siren="200000000")
    lille = Commune.objects.create(
        territory=elsewhere,
        insee_code="59350",
        name="Lille",
        postcodes="59000",
        population=236000,
        latitude=50.6,
        longitude=3.0,
    )

    response = client.post(SIGNUP, signup_values(commune, home_commune=lille.pk))

    assert "Choisissez une commune de la liste." in visible_text(response)
    assert not get_user_model().objects.exists()


def test_an_address_already_used_is_refused(client, commune, volunteer):
    response = client.post(SIGNUP, signup_values(commune, email="CAMILLE@example.org"))

    assert (
        "Un compte existe déjà avec cette adresse ; connectez-vous ou choisissez « mot de passe oublié »."
        in response.context["form"].errors["email"]
    )
    assert get_user_model().objects.count() == 1


def test_signing_up_again_before_confirming_sends_a_new_link_and_voids_the_first(
    client, commune, other_commune, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP, signup_values(commune))
    first = LINK.search(mail.outbox[0].body).group(1)
    cache.clear()  # the rate limit is not what this test is about

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, signup_values(other_commune, first_name="Louise", password=PASSWORD + "-2"))

    assert "Un lien pour activer votre compte vient d'être envoyé" in visible_text(response)
    user = get_user_model().objects.get()
    assert (user.first_name, user.volunteer_profile.home_commune) == ("Louise", other_commune)
    assert VolunteerProfile.objects.count() == 1
    assert len(mail.outbox) == 2
    assert client.get(first).status_code == 404
    client.get(LINK.search(mail.outbox[1].body).group(1))
    user.refresh_from_db()
    assert user.is_active
    assert client.login(username="lou.bernard@example.org", password=PASSWORD + "-2")


def test_a_robot_filling_the_honeypot_creates_nothing(client, commune):
    client.post(SIGNUP, signup_values(commune, website="http://spam.example"))

    assert not get_user_model().objects.exists()


def test_too_many_signups_from_one_address_are_refused(client, commune):
    for n in range(20):
        client.post(SIGNUP, signup_values(commune, email="", first_name=f"n{n}"))

    response = client.post(SIGNUP, signup_values(commune))

    assert response.status_code == 429
    assert "Trop d'inscriptions depuis votre connexion" in visible_text(response)
    assert not get_user_model().objects.exists()


def test_the_default_skills_are_there_each_with_its_own_bit():
    skills = list(Skill.objects.order_by("position"))

    assert [s.name for s in skills] == [
        "Accueil",
        "Animation",
        "Montage / logistique",
        "Communication",
        "Photo / vidéo",
        "Graphisme",
        "Comptabilité",
        "Informatique",
        "Langues étrangères",
    ]
    assert len({s.bit for s in skills}) == 9
    assert Skill.objects.create(name="Cuisine", slug="cuisine").bit == 9


def test_organisers_maintain_the_skills_in_the_admin(client, organiser):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)

    response = client.get(reverse("wagtailsnippets_volunteers_skill:list"))

    assert "Langues étrangères" in visible_text(response)
    response = client.post(
        reverse("wagtailsnippets_volunteers_skill:add"), {"name": "Cuisine", "slug": "cuisine", "position": 10}
    )
    assert Skill.objects.get(slug="cuisine").bit == 9


def test_outsiders_do_not_see_the_skills_in_the_admin(client, outsider):
    client.force_login(outsider)

    response = client.get(reverse("wagtailsnippets_volunteers_skill:list"))

    assert "Langues étrangères" not in visible_text(response)
