"""Offer meets demand, end to end in Chromium.

On a phone, a person signs up as a volunteer, fills in their week and skills, sees the
missions that fit them with the reasons, and takes a shift of the village. At a desk, an
organiser opens the mission in the admin, finds that volunteer among the matches with the
same reasons and proposes the mission; back on the phone, the volunteer accepts from the
email's link.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from events.models import EventKind
from territory.models import PARIS
from volunteers.missions import save_mission
from volunteers.models import MatchStatus, Mission, MissionMatch, Shift, ShiftRole, ShiftSignup, Skill

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"http://testserver(/benevolat/confirmer/\S+/)")
ANSWER_LINK = re.compile(r"http://testserver(/benevolat/propositions/\S+/)\?reponse=oui")


def next_saturday(hour: int) -> dt.datetime:
    today = timezone.localtime(timezone.now(), PARIS).date()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 + 7)
    return dt.datetime.combine(saturday, dt.time(hour), tzinfo=PARIS)


@pytest.fixture
def mission_organiser(organiser):
    group = Group.objects.create(name="Organisateurs des missions")
    for codename in ("change_mission", "view_mission", "add_mission", "change_shift"):
        group.permissions.add(Permission.objects.get(codename=codename))
    organiser.groups.add(group)
    return organiser


@pytest.fixture
def demand(commune, make_event, mission_organiser):
    """A repair café asking for welcome on Saturday morning, and a village stop needing welcome."""
    start = next_saturday(9)
    mission = save_mission(
        Mission(
            title="Accueillir les visiteurs du repair café",
            description="Accueillir les habitants qui apportent un objet à réparer.",
            commune=commune,
            volunteers_needed=2,
        ),
        required_skills=[Skill.objects.get(slug="accueil")],
        dates=[(start, start + dt.timedelta(hours=3))],
        by=mission_organiser,
    )
    stop = make_event(
        EventKind.ITINERANT_VILLAGE,
        title="Le village au marché de Valenciennes",
        start=start + dt.timedelta(days=7),
        hours=5,
        commune=commune,
    )
    shift = Shift.objects.create(
        event=stop,
        role=ShiftRole.WELCOME,
        label="Accueil des visiteurs",
        starts_at=stop.start,
        ends_at=stop.start + dt.timedelta(hours=2),
        capacity=2,
    )
    return mission, shift


def test_a_volunteer_is_matched_takes_a_shift_and_is_found_by_an_organiser(
    live_server, phone, desktop, commune, demand, settings, shot
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    mission, shift = demand
    page = phone

    # Sign up and confirm.
    page.goto(live_server.url + "/benevolat/inscription/")
    page.get_by_label("Prénom").fill("Lou")
    page.get_by_label(re.compile(r"^Nom")).fill("Bernard")
    page.get_by_label("Adresse électronique").fill("lou.bernard@example.org")
    page.get_by_label("Mot de passe").fill("Bénévolat-2026!")
    page.get_by_label("Commune de résidence").select_option(label="Valenciennes")
    page.get_by_label("J'accepte que ces informations servent").check()
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")
    [email] = mail.outbox
    page.goto(live_server.url + CONFIRM_LINK.search(email.body).group(1))

    # The week, the skills, the consent to be contacted.
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil de bénévole")
    page.get_by_label("samedi matin").check()
    page.get_by_label("Accueil", exact=True).check()
    page.get_by_label("J'accepte que les organisateurs me contactent").check()
    page.get_by_role("button", name="Enregistrer mon profil").click()
    expect(page.get_by_text("Votre profil est enregistré.")).to_be_visible()

    # The missions that fit, with their reasons.
    page.goto(live_server.url + "/benevolat/missions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pour vous")
    card = page.locator("li, article").filter(has_text="Accueillir les visiteurs du repair café").first
    expect(card).to_contain_text("1 compétence sur 1, disponible le samedi matin, dans la même commune")
    shot(page, "phone-62-volunteer-missions-for-me")

    # A shift of the village.
    page.goto(live_server.url + "/benevolat/creneaux/")
    page.locator(f"#creneau-{shift.pk}").get_by_role("button", name="Je prends ce créneau").click()
    expect(page.locator(f"#creneau-{shift.pk}")).to_contain_text("Vous êtes inscrit·e sur ce créneau.")
    assert ShiftSignup.objects.filter(shift=shift, user__username="lou.bernard@example.org").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the shifts page is {width}px wide on a 390px screen"

    # The organiser finds Lou for the mission and proposes it.
    desk = desktop
    desk.goto(live_server.url + "/admin/")
    desk.get_by_label("Nom d’utilisateur").fill("organisatrice")
    desk.get_by_label("Mot de passe").fill("secret-pass-1")
    desk.get_by_role("button", name="S'identifier").click()
    desk.goto(f"{live_server.url}/admin/missions-benevoles/{mission.pk}/benevoles/")
    row = desk.get_by_role("row").filter(has_text="Lou Bernard")
    expect(row).to_contain_text("1 compétence sur 1, disponible le samedi matin, dans la même commune")
    shot(desk, "desktop-63-organiser-finds-volunteers")
    mail.outbox = []
    row.get_by_role("button", name=re.compile("Proposer la mission")).click()
    # The answer of the POST, before looking at the database.
    # A generous wait: the admin page ranks the volunteers again after the POST, and CI machines
    # can be loaded; the assertion is on what the organiser reads, not on timing.
    expect(desk.get_by_text("Mission proposée à Lou Bernard")).to_be_visible(timeout=30_000)
    match = MissionMatch.objects.get(mission=mission, user__username="lou.bernard@example.org")
    assert (match.kind, match.status) == ("proposal", MatchStatus.PENDING)

    # Lou accepts from the email's link.
    [proposal] = [m for m in mail.outbox if m.to == ["lou.bernard@example.org"]]
    page.goto(live_server.url + ANSWER_LINK.search(proposal.body).group(1) + "?reponse=oui")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accueillir les visiteurs du repair café")
    page.get_by_role("button", name=re.compile("accepte", re.IGNORECASE)).first.click()
    expect(page.get_by_text(re.compile("Vous avez accepté"))).to_be_visible(timeout=30_000)
    match.refresh_from_db()
    assert match.status == MatchStatus.ACCEPTED
    shot(page, "phone-64-volunteer-accepted")
