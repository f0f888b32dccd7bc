"""Every public page links to the legal notice, the personal data page and the accessibility statement."""

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from wagtail.models import Site

from cms.models import AccessibilityStatus, LegalPages, StandardPage

pytestmark = pytest.mark.django_db


def legal_links(response) -> dict[str, str | None]:
    soup = BeautifulSoup(response.content, "html.parser")
    nav = soup.find("nav", attrs={"aria-label": "Informations légales"})
    return {" ".join(li.get_text().split()): (li.a["href"] if li.a else None) for li in nav.find_all("li")}


@pytest.fixture
def legal_pages(home_page):
    pages = {
        slug: home_page.add_child(instance=StandardPage(title=title, slug=slug))
        for slug, title in [
            ("mentions-legales", "Mentions légales"),
            ("donnees-personnelles", "Données personnelles"),
            ("accessibilite", "Accessibilité"),
        ]
    }
    LegalPages.objects.create(
        site=Site.objects.get(is_default_site=True),
        legal_notice=pages["mentions-legales"],
        privacy=pages["donnees-personnelles"],
        accessibility=pages["accessibilite"],
    )
    return pages


@pytest.mark.parametrize("url", ["/", "/acteurs/", "/accueillir-le-village/", "/page-inconnue/"])
def test_the_footer_links_the_three_legal_pages_with_the_compliance_status(client, legal_pages, url):
    assert legal_links(client.get(url)) == {
        "Accessibilité : non conforme": "/accessibilite/",
        "Mentions légales": "/mentions-legales/",
        "Données personnelles": "/donnees-personnelles/",
    }


def test_the_status_follows_the_setting(client, legal_pages):
    LegalPages.objects.update(accessibility_status=AccessibilityStatus.PARTIALLY_COMPLIANT)

    assert "Accessibilité : partiellement conforme" in legal_links(client.get("/"))


def test_without_pages_the_compliance_status_is_still_stated(client, home_page):
    assert legal_links(client.get("/")) == {"Accessibilité : non conforme": None}


def test_an_unpublished_page_is_not_linked(client, legal_pages):
    legal_pages["mentions-legales"].unpublish()

    assert "Mentions légales" not in legal_links(client.get("/"))


def test_the_demo_links_its_pages_and_its_register_of_processing(client, settings):
    settings.DEBUG = False
    call_command("load_demo", verbosity=0)

    links = legal_links(client.get("/", HTTP_HOST="localhost"))
    assert links["Mentions légales"] == "/mentions-legales/"
    assert links["Accessibilité : non conforme"] == "/accessibilite/"
    privacy = BeautifulSoup(client.get(links["Données personnelles"], HTTP_HOST="localhost").content, "html.parser")
    register = [h3.get_text() for h3 in privacy.find_all("h3")]
    assert register[:4] == [
        "1. Inscriptions aux événements",
        "2. Bénévolat",
        "3. Demandes d'accueil du village par les communes",
        "4. Stands des structures de l'ESS",
    ]
    assert "anonymisées le 1er janvier de la deuxième année qui suit l'événement" in privacy.get_text()
