"""axe-core on every public page, on a desk and on a phone, and on every state of every public form:
empty, sent empty, sent with a wrong value, and the page that answers a valid one.

No serious or critical violation is allowed (tests/browser/axe.py). To check another page, add
its address to PAGES (or to one of the lists of the logged-in personas).
"""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect
from wagtail.models import Site

from cms.models import StandardPage
from events.models import EventKind, TourPage, VillageStopPage
from events.services import visits
from events.services.registrations import register
from territory.models import PARIS
from tests.browser.axe import assert_no_serious_violations, describe, serious_violations
from tests.events.conftest import contact_user  # noqa: F401 - fixture
from tests.volunteers.conftest import PASSWORD, make_mission, volunteer  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

# Pages anyone can open, whatever the data.
PAGES = [
    "/",
    "/agenda/",
    "/agenda/?kind=thematic_breakfast",
    "/agenda/?when=past",
    "/agenda/?month=pas-un-mois",
    "/acteurs/",
    "/acteurs/?q=introuvable",
    "/accueillir-le-village/",
    "/benevolat/",
    "/benevolat/inscription/",
    "/benevolat/creneaux/",
    "/benevolat/carte/",
    "/benevolat/carte/?competence=inconnue",
    "/compte/login/",
    "/compte/password_reset/",
    "/le-plan-en-chiffres/",
    "/mentions-legales/",
    "/page-inconnue/",
    "/agenda/?vue=mois",
    "/agenda/?vue=carte",
    "/donnees-ouvertes/",
]
VOLUNTEER_PAGES = [
    "/benevolat/profil/",
    "/benevolat/missions/",
    "/benevolat/mes-missions/",
    "/benevolat/creneaux/",
]
CONTACT_PAGES = [
    "/espace-structure/",
]

ERRORS = ".notice--error"


def _day(days: int) -> dt.date:
    # The browser and the live server share the real clock: dates relative to today.
    return timezone.localtime(timezone.now(), PARIS).date() + dt.timedelta(days=days)


def log_in(page, live_server, user) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The public forms count submissions in the cache, which the live server shares with the tests.
    cache.clear()


@pytest.fixture
def site_pages(home_page, plan):
    """The pages the demo has in Wagtail: the volunteering page and an editorial page."""
    home_page.add_child(
        instance=StandardPage(
            title="Devenir bénévole",
            slug="benevolat",
            intro="Donner un peu de temps aux structures de l'ESS.",
            body='<p>Voir <a href="/benevolat/creneaux/">les créneaux</a>.</p>',
        )
    )
    home_page.add_child(
        instance=StandardPage(
            title="Mentions légales",
            slug="mentions-legales",
            intro="Qui publie ce site.",
            body='<p>Éditeur : Valenciennes Métropole. <a href="https://www.valenciennes-metropole.fr">Site</a>.</p>',
        )
    )
    Site.clear_site_root_paths_cache()


@pytest.fixture
def tour(agenda_page, commune, other_commune, market):
    page = TourPage(title="Tournée du village", slug="tournee", season=_day(0).year, intro="<p>Le village passe.</p>")
    agenda_page.add_child(instance=page)
    page.save_revision().publish()
    for n, (days, fields) in enumerate([(6, {"venue": market}), (13, {"commune": other_commune})], start=1):
        start = dt.datetime.combine(_day(days), dt.time(8, 30), tzinfo=PARIS)
        stop = VillageStopPage(
            title=f"Le village, étape {n}",
            slug=f"etape-{n}",
            start=start,
            end=start + dt.timedelta(hours=4),
            summary="Des stands de l'ESS au marché.",
            **fields,
        )
        page.add_child(instance=stop)
        stop.save_revision().publish()
    return page


@pytest.fixture
def stand_now(make_event, market):
    """A village stop that started half an hour ago: its poster's page is open."""
    return make_event(
        kind=EventKind.ITINERANT_VILLAGE,
        title="Le village de l'ESS au marché",
        start=timezone.now() - dt.timedelta(minutes=30),
        hours=5,
        venue=market,
    )


@pytest.fixture
def ticket_url(season):
    _registration, code = register(
        season["breakfast"], name="Camille Martin", email="camille@example.org", category="resident", consent=True
    )
    return f"/billet/{code}/"


@pytest.fixture
def tracking_url(commune):
    request = visits.submit_visit_request(
        territory=commune.territory,
        commune=commune,
        contact_name="Léa Dubois",
        contact_role="Chargée de la vie associative",
        email="vie-associative@mairie.example.fr",
        phone="03 27 00 00 00",
        occasion="weekly_market",
        preferred_dates=[_day(40)],
        consent=True,
    )
    return visits.tracking_path(request)


def _check_pages(page, base_url, urls) -> list[str]:
    """axe on each page in turn, in one tab; every page's findings, so one run shows them all."""
    failures = []
    for url in urls:
        page.goto(base_url + url)
        violations = serious_violations(page)
        if violations:
            failures.append(f"{url}:\n{describe(violations)}")
    return failures


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_public_page_has_no_serious_violation(
    live_server,
    desktop,
    phone,
    viewport,
    season,
    organisation,
    site_pages,
    tour,
    stand_now,
    ticket_url,
    tracking_url,
    volunteer,  # noqa: F811
    contact_user,  # noqa: F811
    make_mission,  # noqa: F811
):
    make_mission()  # so that the volunteering map draws a marker
    page = desktop if viewport == "desktop" else phone
    events = [*season.values(), tour, *tour.get_children().specific()]
    urls = [
        *PAGES,
        *(event.url for event in events),
        organisation.get_absolute_url(),
        *(f"/inscription/{season[kind].pk}/" for kind in ("breakfast", "elected", "youth")),
        f"/inscription/{season['breakfast'].pk}/billet-perdu/",
        ticket_url,
        f"/bienvenue/{stand_now.pk}/",
        f"/bienvenue/{season['village'].pk}/",
        tracking_url,
    ]
    failures = _check_pages(page, live_server.url, urls)

    log_in(page, live_server, volunteer)
    failures += _check_pages(page, live_server.url, VOLUNTEER_PAGES)
    log_in(page, live_server, contact_user)
    failures += _check_pages(page, live_server.url, CONTACT_PAGES)

    assert not failures, "\n".join(failures)


# Forms, state by state ----------------------------------------------------------------------------


def submit(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_individual_registration_in_every_state(live_server, desktop, season):
    page = desktop
    page.goto(f"{live_server.url}/inscription/{season['breakfast'].pk}/")
    assert_no_serious_violations(page, "the empty registration form")

    submit(page, "Valider mon inscription")
    expect(page.locator(ERRORS)).to_be_visible()
    assert_no_serious_violations(page, "the registration form sent empty")

    page.get_by_label("Nom et prénom").fill("Camille Martin" * 30)
    page.get_by_label("Adresse électronique").fill("camille.martin@example")
    submit(page, "Valider mon inscription")
    expect(page.locator("#id_email_error")).to_be_visible()
    assert_no_serious_violations(page, "the registration form with a wrong email and a too long name")

    page.get_by_label("Nom et prénom").fill("Camille Martin")
    page.get_by_label("Adresse électronique").fill("camille.martin@example.org")
    page.get_by_label("Commune de résidence").select_option(label="Valenciennes")
    page.get_by_label("Vous venez en tant que").select_option(label="Habitant·e")
    page.get_by_label("J'accepte que ces informations servent").check()
    submit(page, "Valider mon inscription")
    expect(page).to_have_url(re.compile(r"/billet/"))
    assert_no_serious_violations(page, "the ticket page after registering")


def test_elected_official_registration_in_every_state(live_server, desktop, season):
    page = desktop
    page.goto(f"{live_server.url}/inscription/{season['elected'].pk}/")
    assert_no_serious_violations(page, "the empty elected officials' form")

    submit(page, "Valider mon inscription")
    expect(page.locator(ERRORS)).to_be_visible()
    assert_no_serious_violations(page, "the elected officials' form sent empty")

    page.get_by_label("Nom et prénom").fill("Jean Dubois")
    page.get_by_label("Adresse électronique").fill("jean.dubois@example.org")
    page.get_by_label("Commune de résidence").select_option(label="Anzin")
    page.get_by_role("textbox", name="Mandat (pour les élu·es)").fill("Adjoint au maire")
    page.get_by_label("Commune du mandat (pour les élu·es)").select_option(label="Anzin")
    page.get_by_label("J'accepte que ces informations servent").check()
    submit(page, "Valider mon inscription")
    expect(page).to_have_url(re.compile(r"/billet/"))
    assert_no_serious_violations(page, "the elected official's ticket")


def test_group_registration_in_every_state(live_server, desktop, season):
    page = desktop
    page.goto(f"{live_server.url}/inscription/{season['youth'].pk}/")
    assert_no_serious_violations(page, "the empty group form")

    submit(page, "Inscrire le groupe")
    expect(page.locator(ERRORS)).to_be_visible()
    assert_no_serious_violations(page, "the group form sent empty")

    page.get_by_label("Type de structure").select_option(label="Établissement scolaire")
    page.get_by_label("Nom de l'établissement ou de la structure").fill("Lycée Henri Wallon")
    page.get_by_label("Niveau").select_option(label="Lycée")
    page.get_by_label("Nombre de jeunes").fill("-3")
    page.get_by_label("Commune de l'établissement").select_option(label="Valenciennes")
    page.get_by_label("Enseignant·e ou encadrant·e référent·e").fill("Sophie Lambert")
    page.get_by_label("Vos nom et prénom").fill("Sophie Lambert")
    page.get_by_label("Adresse électronique").fill("sophie.lambert@example.org")
    page.get_by_label("J'accepte que ces informations servent").check()
    submit(page, "Inscrire le groupe")
    expect(page.locator("#id_headcount_error")).to_be_visible()
    assert_no_serious_violations(page, "the group form with a negative headcount")

    page.get_by_label("Nombre de jeunes").fill("24")
    page.get_by_label("J'accepte que ces informations servent").check()
    submit(page, "Inscrire le groupe")
    expect(page).to_have_url(re.compile(r"/billet/"))
    assert_no_serious_violations(page, "the group's ticket")


def test_lost_ticket_in_every_state(live_server, desktop, season):
    page = desktop
    page.goto(f"{live_server.url}/inscription/{season['breakfast'].pk}/billet-perdu/")
    assert_no_serious_violations(page, "the empty lost ticket form")

    submit(page, "Recevoir un nouveau lien")
    expect(page.locator(ERRORS)).to_be_visible()
    assert_no_serious_violations(page, "the lost ticket form sent empty")

    page.get_by_label("Adresse électronique").fill("pas-une-adresse")
    submit(page, "Recevoir un nouveau lien")
    expect(page.locator("#id_email_error")).to_be_visible()
    assert_no_serious_violations(page, "the lost ticket form with a wrong email")

    page.get_by_label("Adresse électronique").fill("camille@example.org")
    submit(page, "Recevoir un nouveau lien")
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")
    assert_no_serious_violations(page, "the lost ticket confirmation")


def test_commune_request_in_every_state(live_server, desktop, commune, other_commune, market):
    page = desktop
    page.goto(live_server.url + "/accueillir-le-village/")
    assert_no_serious_violations(page, "the empty commune request form")

    submit(page, "Envoyer la demande")
    expect(page.locator(ERRORS)).to_be_visible()
    assert_no_serious_violations(page, "the commune request form sent empty")

    page.get_by_label(re.compile(r"^Commune")).select_option(label="Anzin")
    page.get_by_label("Nom et prénom de la personne à contacter").fill("Léa Dubois")
    page.get_by_label("Fonction").fill("Adjointe à la vie associative")
    page.get_by_label("Adresse électronique").fill("lea.dubois@mairie-anzin.example.fr")
    page.get_by_label("À quelle occasion ?").select_option(label="Marché hebdomadaire")
    page.get_by_label("Date souhaitée").fill(_day(-3).isoformat())
    page.get_by_label("J'accepte que ces informations servent").check()
    submit(page, "Envoyer la demande")
    expect(page.locator(ERRORS)).to_contain_text("Date souhaitée")
    assert_no_serious_violations(page, "the commune request form with a date in the past")

    page.get_by_label("Date souhaitée").fill(_day(40).isoformat())
    page.get_by_label("J'accepte que ces informations servent").check()
    submit(page, "Envoyer la demande")
    expect(page).to_have_url(re.compile(r"/accueillir-le-village/suivi/"))
    assert_no_serious_violations(page, "the commune request's tracking page")


def test_volunteer_sign_up_in_every_state(live_server, desktop, commune):
    page = desktop
    page.goto(live_server.url + "/benevolat/inscription/")
    assert_no_serious_violations(page, "the empty volunteer sign-up form")

    submit(page, "Créer mon compte")
    expect(page.locator(ERRORS)).to_be_visible()
    assert_no_serious_violations(page, "the volunteer sign-up form sent empty")

    page.get_by_label("Prénom").fill("Lou")
    page.get_by_label(re.compile(r"^Nom")).fill("Bernard")
    page.get_by_label("Adresse électronique").fill("lou.bernard@")
    page.get_by_label("Mot de passe").fill("court")
    page.get_by_label("Commune de résidence").select_option(label="Valenciennes")
    submit(page, "Créer mon compte")
    expect(page.locator(ERRORS)).to_be_visible()
    assert_no_serious_violations(page, "the volunteer sign-up form with a wrong email and a short password")

    page.get_by_label("Adresse électronique").fill("lou.bernard@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("J'accepte que ces informations servent").check()
    submit(page, "Créer mon compte")
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")
    assert_no_serious_violations(page, "the volunteer sign-up confirmation")


def test_volunteer_profile_with_an_error(live_server, desktop, volunteer):  # noqa: F811
    page = desktop
    log_in(page, live_server, volunteer)
    page.goto(live_server.url + "/benevolat/profil/")
    assert_no_serious_violations(page, "the volunteer profile")

    page.get_by_label("Distance que vous acceptez de parcourir (km)").fill("500")
    submit(page, "Enregistrer mon profil")
    expect(page.locator(ERRORS)).to_contain_text("Indiquez une distance entre 1 et 100 km.")
    assert_no_serious_violations(page, "the volunteer profile with a distance too far")

    page.get_by_label("Distance que vous acceptez de parcourir (km)").fill("20")
    page.get_by_label("samedi matin").check()
    submit(page, "Enregistrer mon profil")
    expect(page.get_by_text("Votre profil est enregistré.")).to_be_visible()
    assert_no_serious_violations(page, "the volunteer profile saved")


def test_login_with_a_wrong_password(live_server, desktop, contact_user):  # noqa: F811
    page = desktop
    page.goto(live_server.url + "/compte/login/")
    page.get_by_label("Adresse électronique (ou identifiant)").fill(contact_user.username)
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    submit(page, "Se connecter")
    expect(page.locator(ERRORS)).to_be_visible()
    assert_no_serious_violations(page, "the login form with a wrong password")

    submit(page, "Se connecter")
    assert_no_serious_violations(page, "the login form sent empty")


def test_password_reset_in_every_state(live_server, desktop, contact_user):  # noqa: F811
    page = desktop
    page.goto(live_server.url + "/compte/password_reset/")
    page.get_by_role("textbox").fill("pas-une-adresse")
    submit(page, "Recevoir le lien")
    expect(page.locator(ERRORS)).to_be_visible()
    assert_no_serious_violations(page, "the password reset form with a wrong email")

    page.get_by_role("textbox").fill(contact_user.email)
    submit(page, "Recevoir le lien")
    expect(page).to_have_url(re.compile(r"/compte/password_reset/done/"))
    assert_no_serious_violations(page, "the password reset confirmation")


def test_agenda_and_directory_filters_with_bad_values(live_server, desktop, season, organisation):
    page = desktop
    for url in [
        "/agenda/?month=2026-13&kind=inconnu&commune=00000",
        "/acteurs/?secteur=inconnu&commune=00000&forme=inconnue",
    ]:
        page.goto(live_server.url + url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_no_serious_violations(page, f"the filters of {url}")


def test_stand_self_checkin_before_and_after_the_button(live_server, phone, stand_now, other_commune):
    page = phone
    page.goto(f"{live_server.url}/bienvenue/{stand_now.pk}/")
    assert_no_serious_violations(page, "the stand's welcome page")

    page.get_by_label("J'habite à…").select_option(label="Anzin")
    submit(page, "Je suis passé·e")
    expect(page.get_by_role("button", name="Mettre à jour mes réponses")).to_be_visible()
    assert_no_serious_violations(page, "the stand's welcome page once counted")


def test_the_error_pages_look_finished_and_pass(live_server, desktop, home_page, shot):
    page = desktop
    page.goto(live_server.url + "/page-inconnue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.get_by_role("link", name="Consulter l'agenda")).to_be_visible()
    assert_no_serious_violations(page, "the 404 page")
    shot(page, "desktop-90-not-found")

    # Django renders 500.html with an empty context: the same here, on the live server's origin
    # so that its stylesheet loads.
    page.goto(live_server.url + "/healthz")
    page.set_content(render_to_string("500.html"), wait_until="load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Une erreur est survenue")
    expect(page.get_by_role("link", name="Revenir à l'accueil")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.button')).display") != "inline"
    assert_no_serious_violations(page, "the 500 page")
    shot(page, "desktop-91-server-error")
