"""The day's PDFs of a village stop: the stand plan and the exhibitors' badges, read back as a printer would."""

import datetime as dt
import itertools
import subprocess

import pytest

from events.models import EventKind, EventStatus, Pitch
from events.pdf.badges import badges_pdf
from events.pdf.stand_plan import stand_plan_pdf
from events.services import village as service
from events.signals import volunteers_of
from territory.models import PARIS, LegalForm, Organisation
from volunteers.models import Shift, ShiftRole, ShiftSignup, ShiftSignupStatus

INDEX = "/admin/stands/"
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _now(village_now):
    pass


def pdf_text(pdf: bytes, tmp_path, *, layout=True) -> str:
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    # -layout keeps each table row on one line, as a person reads it.
    command = ["pdftotext", *(["-layout"] if layout else []), str(source), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603


def page_count(pdf: bytes, tmp_path) -> int:
    source = tmp_path / "count.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], capture_output=True, check=True, text=True).stdout  # noqa: S603, S607
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[-1])


@pytest.fixture
def make_organisation(commune):
    def make(name=None):
        n = next(_numbers)
        return Organisation.objects.create(
            name=name or f"Association n° {n}",
            slug=f"association-pdf-{n}",
            legal_form=LegalForm.ASSOCIATION,
            commune=commune,
            summary="Une structure de l'ESS.",
        )

    return make


@pytest.fixture
def day(stop, organisation, make_organisation):
    """The stop on the day: two confirmed stands, one application, two volunteers on shifts."""
    stop.setup_from = dt.time(7, 0)
    stop.teardown_until = dt.time(14, 30)
    stop.save()
    ressourcerie = service.apply_for_stand(
        stop,
        organisation,
        contact_name="Nadia Benali",
        contact_email="nadia@example.org",
        contact_phone="06 12 34 56 78",
        needs_power=True,
    )
    service.confirm_stand(ressourcerie, stop.pitches.get(number=1), by=None)
    service.place_stand(
        stop,
        make_organisation("Épicerie solidaire & Cie"),
        stop.pitches.get(number=3),
        by=None,
        contact_name="Léon Martin",
        contact_email="leon@example.org",
        contact_phone="07 00 00 00 01",
    )
    # Léon asked for nothing, but placed stands ask for a table and a shelter by default.
    service.apply_for_stand(
        stop,
        make_organisation("Jardin partagé des Tertiales"),
        contact_name="Inès Roux",
        contact_email="ines@example.org",
        activity="Troc de graines",
        needs_power=True,
    )
    setup = Shift.objects.create(
        event=stop,
        role=ShiftRole.SETUP,
        starts_at=dt.datetime(2026, 12, 5, 7, 0, tzinfo=PARIS),
        ends_at=dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS),
    )
    ShiftSignup.objects.create(shift=setup, name="Paul Lefebvre", email="paul@example.org", phone="06 98 76 54 32")
    ShiftSignup.objects.create(
        shift=setup, name="Annulé Volontaire", email="x@example.org", status=ShiftSignupStatus.CANCELLED
    )
    welcome = Shift.objects.create(
        event=stop,
        role=ShiftRole.WELCOME,
        label="Accueil du public",
        starts_at=dt.datetime(2026, 12, 5, 9, 0, tzinfo=PARIS),
        ends_at=dt.datetime(2026, 12, 5, 13, 0, tzinfo=PARIS),
    )
    ShiftSignup.objects.create(shift=welcome, name="Zoé Dubois", email="zoe@example.org", phone="06 11 11 11 11")
    return stop


@pytest.fixture
def organiser_client(client, village_organiser):
    client.force_login(village_organiser)
    return client


# The stand plan ----------------------------------------------------------------------------------------------


def test_the_stand_plan_lists_pitches_holders_applications_and_volunteers(organiser_client, day, tmp_path):
    response = organiser_client.get(f"{INDEX}etape/{day.pk}/plan-des-stands.pdf")

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Plan des stands" in text
    assert "Village au marché" in text
    assert "samedi 5 décembre 2026, 8 h 00 – 13 h 00" in text
    assert "Marché de la place d'Armes, Valenciennes" in text
    assert "montage à partir de 7 h 00 · démontage jusqu'à 14 h 30" in text
    lines = text.splitlines()
    row_1 = next(line for line in lines if "Ressourcerie du Hainaut" in line)
    assert row_1.split()[0] == "1"
    assert "Nadia Benali · 06 12 34 56 78" in row_1
    assert "Réemploi" in row_1
    row_3 = next(line for line in lines if "Épicerie solidaire & Cie" in line)
    assert row_3.split()[0] == "3"
    assert "Léon Martin · 07 00 00 00 01" in row_3
    assert any(line.split()[:2] == ["2", "—"] and "Libre" in line for line in lines)
    assert "Candidatures en attente" in text
    assert "Jardin partagé des Tertiales" in text
    assert "Troc de graines" in text
    assert "Bénévoles sur les créneaux" in text
    paul = next(line for line in lines if "Paul Lefebvre" in line)
    assert "Montage" in paul and "7 h 00 – 9 h 00" in paul and "06 98 76 54 32" in paul
    assert "Accueil du public" in next(line for line in lines if "Zoé Dubois" in line)
    assert "Annulé Volontaire" not in text
    assert "Page 1 / 1" in text


def test_the_stand_plan_shows_what_a_pitch_lacks(day, tmp_path):
    holder = day.stands.get(pitch__number=3)
    holder.needs_power = True
    holder.save()
    stands = day.stands.active().select_related("organisation", "pitch")

    text = pdf_text(stand_plan_pdf(day, pitches=day.pitches.order_by("number"), stands=stands, volunteers=[]), tmp_path)

    row_3 = next(line for line in text.splitlines() if "Épicerie solidaire" in line)
    assert row_3.rstrip().endswith("électricité")
    assert "Aucun bénévole inscrit sur les créneaux de cette étape." in text


def test_a_cancelled_stop_says_so_on_its_plan(day, tmp_path):
    day.status = EventStatus.CANCELLED
    day.status_note = "Tempête annoncée."
    day.save()

    pdf = stand_plan_pdf(day, pitches=day.pitches.all(), stands=[], volunteers=volunteers_of(day))

    assert "ÉTAPE ANNULÉE. Tempête annoncée." in pdf_text(pdf, tmp_path)


def test_a_long_plan_runs_onto_numbered_pages(day, make_organisation, tmp_path):
    for number in range(4, 40):
        pitch = Pitch.objects.create(stop=day, number=number, theme="Alimentation")
        service.place_stand(
            day, make_organisation(), pitch, by=None, contact_name="Contact", contact_email="c@example.org"
        )
    stands = day.stands.active().select_related("organisation", "pitch")

    pdf = stand_plan_pdf(day, pitches=day.pitches.order_by("number"), stands=stands, volunteers=volunteers_of(day))

    text = pdf_text(pdf, tmp_path)
    assert page_count(pdf, tmp_path) == 2
    assert "Page 2 / 2" in text
    assert "Plan des stands · Village au marché" in text  # the running title of page 2


def test_text_outside_the_pdf_fonts_prints_as_a_question_mark(day, tmp_path):
    day.title = "Village de Łódź"

    pdf = stand_plan_pdf(day, pitches=[], stands=[], volunteers=[])

    assert "Village de ?ód?" in pdf_text(pdf, tmp_path)


# The badges -----------------------------------------------------------------------------------------------------


def test_each_confirmed_stand_gets_a_badge(organiser_client, day, tmp_path):
    response = organiser_client.get(f"{INDEX}etape/{day.pk}/badges.pdf")

    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path, layout=False)
    assert text.count("EXPOSANT") == 2
    assert "Ressourcerie du Hainaut" in text
    assert "Nadia Benali" in text
    assert "Épicerie solidaire & Cie" in text
    assert "Léon Martin" in text
    assert "samedi 5 décembre 2026" in text
    assert "Village au marché" in text
    numbers = [line.strip() for line in text.splitlines()]
    assert "1" in numbers and "3" in numbers
    # An application still waiting gets no badge.
    assert "Jardin partagé" not in text
    assert page_count(response.content, tmp_path) == 1


def test_nine_stands_make_two_pages_of_badges(stop, make_organisation, make_event, tmp_path):
    for number in range(4, 10):
        Pitch.objects.create(stop=stop, number=number)
    for pitch in stop.pitches.order_by("number"):
        service.place_stand(
            stop, make_organisation(), pitch, by=None, contact_name=f"Contact {pitch.number}", contact_email="c@e.org"
        )
    stands = stop.stands.confirmed().select_related("organisation", "pitch").order_by("pitch__number")

    pdf = badges_pdf(stop, stands)

    assert page_count(pdf, tmp_path) == 2
    text = pdf_text(pdf, tmp_path, layout=False)
    assert text.count("EXPOSANT") == 9
    assert "Contact 9" in text


def test_a_stop_without_confirmed_stands_says_so(stop, tmp_path):
    pdf = badges_pdf(stop, [])

    assert "Aucun stand confirmé pour cette étape." in pdf_text(pdf, tmp_path)


def test_a_long_organisation_name_stays_on_its_badge(stop, make_organisation, tmp_path):
    long_name = "Association intercommunale pour le réemploi, la réparation et la solidarité du Valenciennois"
    service.place_stand(
        stop,
        make_organisation(long_name),
        stop.pitches.get(number=1),
        by=None,
        contact_name="A",
        contact_email="a@e.org",
    )

    pdf = badges_pdf(stop, stop.stands.confirmed().select_related("organisation", "pitch"))

    text = " ".join(pdf_text(pdf, tmp_path, layout=False).split())
    assert long_name in text


def test_another_kind_of_event_has_no_stands_page(organiser_client, make_event):
    breakfast = make_event(EventKind.THEMATIC_BREAKFAST)

    assert organiser_client.get(f"{INDEX}etape/{breakfast.pk}/plan-des-stands.pdf").status_code == 404
