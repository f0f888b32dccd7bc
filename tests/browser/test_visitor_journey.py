"""A visitor finds an event and knows what to do next, on a computer and on a phone."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def assert_fits_the_phone_screen(page):
    """Nothing forces the visitor to scroll sideways on a 390-px-wide phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"


def assert_inside_viewport(locator):
    box = locator.bounding_box()
    assert box is not None, "element is not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"element overflows the screen: {box}"


def card_titles(page):
    return page.locator(".event-card__title")


def test_visitor_finds_a_breakfast_in_their_commune_and_learns_how_to_register(live_server, desktop, season, shot):
    page = desktop
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Le Village de l'ESS")
    expect(card_titles(page)).to_have_count(5)
    expect(card_titles(page).first).to_have_text("Manger local : les circuits courts près de chez vous")
    shot(page, "desktop-01-home")

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Agenda").click()
    expect(page).to_have_url(re.compile(r"/agenda/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda")
    expect(card_titles(page)).to_have_count(5)

    page.get_by_label("Commune").select_option(label="Anzin")
    page.get_by_role("button", name="Afficher les rendez-vous").click()
    expect(page).to_have_url(re.compile(r"commune=59014"))
    expect(card_titles(page)).to_have_text(
        [
            "Le village de l'ESS au marché d'Anzin",
            "L'ESS, une chance pour nos communes",
            "Petit-déjeuner : la finance solidaire",
        ]
    )
    expect(page.locator(".event-card--cancelled .badge--cancelled")).to_have_text("Annulé")

    page.get_by_label("Type").select_option(label="Sensibilisation des élus")
    page.get_by_role("button", name="Afficher les rendez-vous").click()
    expect(page).to_have_url(re.compile(r"kind=elected_awareness"))
    expect(page).to_have_url(re.compile(r"commune=59014"))
    expect(card_titles(page)).to_have_text(["L'ESS, une chance pour nos communes"])
    # The chosen filters are still selected after the page reloads.
    expect(page.get_by_label("Commune")).to_have_value("59014")
    expect(page.get_by_label("Type")).to_have_value("elected_awareness")
    shot(page, "desktop-02-agenda-filtered")

    page.get_by_role("link", name="L'ESS, une chance pour nos communes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("L'ESS, une chance pour nos communes")
    facts = page.locator(".event-facts")
    expect(facts).to_contain_text("Quand")
    expect(facts).to_contain_text(re.compile(r"\d{1,2} h 00 – 20 h 00".replace(" ", r"\s")))
    expect(facts).to_contain_text("Anzin")
    next_step = page.get_by_role("region", name="Et maintenant ?")
    expect(next_step).to_contain_text("Indiquez vos nom et prénom, votre mandat et votre commune.")
    register = next_step.get_by_role("link", name="S'inscrire", exact=True)
    expect(register).to_have_attribute("href", re.compile(r"^/inscription/\d+/$"))
    shot(page, "desktop-03-event")


def test_the_breakfast_and_village_pages_tell_what_to_do(live_server, desktop, season, shot):
    page = desktop
    page.goto(live_server.url + season["breakfast"].url)
    expect(page.locator(".event-facts")).to_contain_text("Maison des associations")
    expect(page.locator(".event-facts")).to_contain_text("84 rue du Faubourg de Paris")
    expect(page.locator(".event-facts")).to_contain_text("30 places")
    expect(page.get_by_role("region", name="Et maintenant ?")).to_contain_text(
        "Inscrivez-vous en ligne. Il reste 30 places."
    )
    expect(page.get_by_role("link", name="Ressourcerie du Hainaut")).to_be_visible()
    shot(page, "desktop-04-breakfast")

    page.goto(live_server.url + season["village"].url)
    next_step = page.get_by_role("region", name="Et maintenant ?")
    expect(next_step).to_contain_text("Passez nous voir : entrée libre.")
    expect(next_step.get_by_role("link", name="Accueillir le village dans votre commune")).to_have_attribute(
        "href", "/accueillir-le-village/"
    )
    shot(page, "desktop-05-village")

    page.goto(live_server.url + season["cancelled"].url)
    expect(page.locator(".notice--cancelled")).to_contain_text("Cet événement est annulé.")
    expect(page.get_by_role("link", name="S'inscrire", exact=True)).to_have_count(0)
    shot(page, "desktop-06-cancelled")

    page.emulate_media(media="print")
    shot(page, "print-07-cancelled")
    page.goto(live_server.url + season["breakfast"].url)
    expect(page.get_by_role("navigation", name="Navigation principale")).to_be_hidden()
    shot(page, "print-08-breakfast")


def test_keyboard_users_can_skip_to_the_content(live_server, desktop, season):
    page = desktop
    page.goto(live_server.url + "/agenda/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    # Focus goes on inside the page's content, not back to the header.
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_the_same_journey_on_a_phone(live_server, phone, season, shot):
    page = phone
    page.goto(live_server.url + "/")
    navigation = page.get_by_role("navigation", name="Navigation principale")
    for name in ["Agenda", "Acteurs de l'ESS", "Bénévolat", "Accueillir le village"]:
        link = navigation.get_by_role("link", name=name)
        expect(link).to_be_visible()
        assert_inside_viewport(link)
        assert link.bounding_box()["height"] >= 44
    expect(card_titles(page).first).to_be_visible()
    assert_fits_the_phone_screen(page)
    shot(page, "phone-01-home")

    navigation.get_by_role("link", name="Agenda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda")
    for label in ["Type", "Commune", "Mois", "Période"]:
        field = page.get_by_label(label, exact=False).first
        expect(field).to_be_visible()
        assert_inside_viewport(field)
    submit = page.get_by_role("button", name="Afficher les rendez-vous")
    assert_inside_viewport(submit)
    assert submit.bounding_box()["height"] >= 44
    assert_fits_the_phone_screen(page)
    shot(page, "phone-02-agenda")

    page.get_by_label("Commune").select_option(label="Valenciennes")
    page.get_by_label("Type").select_option(label="Sensibilisation des jeunes")
    submit.click()
    expect(card_titles(page)).to_have_text(["Entreprendre autrement : atelier au lycée"])
    # The page opens on the results, not on the form the visitor just filled in.
    expect(page.get_by_role("heading", name="Les prochains rendez-vous")).to_be_in_viewport()
    expect(card_titles(page).first).to_be_in_viewport()
    assert_fits_the_phone_screen(page)
    shot(page, "phone-03-agenda-filtered")

    page.get_by_role("link", name="Entreprendre autrement : atelier au lycée").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entreprendre autrement : atelier au lycée")
    expect(page.locator(".event-facts")).to_contain_text("Valenciennes")
    expect(page.get_by_role("region", name="Et maintenant ?")).to_contain_text("Les inscriptions se font par groupe")
    assert_fits_the_phone_screen(page)
    shot(page, "phone-04-event")

    page.goto(live_server.url + season["village"].url)
    assert_fits_the_phone_screen(page)
    shot(page, "phone-05-village")


def test_a_bad_month_is_explained_next_to_the_field(live_server, desktop, phone, season, shot):
    for name, page in [("desktop", desktop), ("phone", phone)]:
        page.goto(live_server.url + "/agenda/?month=decembre&commune=59014")
        month = page.locator("#id_month")
        expect(month).to_have_attribute("aria-invalid", "true")
        error = page.locator("#id_month_error")
        expect(error).to_have_text("Mois illisible : indiquez-le sous la forme AAAA-MM, par exemple 2026-03.")
        assert "id_month_error" in month.get_attribute("aria-describedby")
        expect(card_titles(page)).to_have_count(3)
        shot(page, f"{name}-09-agenda-error")


def test_directory_search_and_portrait(live_server, desktop, phone, season, shot):
    for name, page in [("desktop", desktop), ("phone", phone)]:
        page.goto(live_server.url + "/")
        page.get_by_role("navigation", name="Navigation principale").get_by_role(
            "link", name="Acteurs de l'ESS"
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Acteurs de l'ESS")
        expect(page.locator(".organisation-card")).to_have_count(2)
        if name == "phone":
            assert_fits_the_phone_screen(page)
        shot(page, f"{name}-10-directory")

        page.get_by_role("searchbox", name="Rechercher").fill("epicerie")
        page.get_by_role("button", name="Rechercher").click()
        expect(page.locator(".organisation-card__title")).to_have_text(["Épicerie solidaire du Faubourg"])

        page.get_by_role("searchbox", name="Rechercher").fill("")
        page.get_by_label("Secteur").select_option(label="Réemploi")
        page.get_by_role("button", name="Rechercher").click()
        expect(page.locator(".organisation-card__title")).to_have_text(["Ressourcerie du Hainaut"])
        page.get_by_role("link", name="Ressourcerie du Hainaut").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Ressourcerie du Hainaut")
        expect(page.locator(".notice--example")).to_contain_text("Structure fictive de démonstration")
        expect(page.locator(".organisation__facts")).to_contain_text("https://ressourcerie.example")
        expect(page.get_by_role("heading", name="Prochains rendez-vous avec cette structure")).to_be_visible()
        if name == "phone":
            assert_fits_the_phone_screen(page)
        shot(page, f"{name}-11-organisation")


def test_not_found_page(live_server, desktop, phone, season, shot):
    for name, page in [("desktop", desktop), ("phone", phone)]:
        page.goto(live_server.url + "/nulle-part/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
        expect(page.get_by_role("link", name="Revenir à l'accueil")).to_be_visible()
        shot(page, f"{name}-12-not-found")
