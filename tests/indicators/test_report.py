"""The steering committee's report: the PDF read back as a reader would, the background build
of long periods and its email, and who may ask for it.

The figures are those of the hand-computed dataset of tests/indicators/test_rollups.py
(today is 23 November 2026). django-q2 runs tasks inline in the tests (Q_CLUSTER sync),
once the request's transaction commits.
"""

import json
import re
import subprocess

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import EventKind
from indicators.models import IndicatorTarget, SteeringReport
from indicators.models_reports import SteeringReportStatus
from indicators.report import steering_report_pdf
from indicators.tasks import build_steering_report
from tests.html import visible_text
from tests.indicators.test_rollups import at, dataset, person  # noqa: F401 - dataset is a fixture

# ruff: noqa: F811 - the tests take the imported `dataset` fixture as an argument

pytestmark = pytest.mark.django_db

PAGE = "/admin/plan-d-actions/rapport-comite/"


def pdf_text(pdf: bytes, tmp_path, *, layout=True) -> str:
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    # -layout keeps each table row on one line, as a person reads it; -raw keeps the text's
    # own order and spaces (the default mode glues "5 h" into "5h").
    command = ["pdftotext", "-layout" if layout else "-raw", str(source), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603


def flat(text: str) -> str:
    """The text on one line: a table cell may wrap."""
    return " ".join(text.replace("\u00a0", " ").split())


def pdf_info(pdf: bytes, tmp_path) -> str:
    source = tmp_path / "info.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdfinfo", str(source)], capture_output=True, check=True, text=True).stdout  # noqa: S603, S607


def row(text: str, label: str, *values: str) -> bool:
    """Whether a table row reads `label` then `values` in order, whatever the spacing."""
    pattern = re.escape(label) + "".join(r"\s+" + re.escape(value) for value in values) + r"(\s|$)"
    return re.search(pattern, text.replace("\u00a0", " ")) is not None


@pytest.fixture
def organiser_client(client, organiser):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(organiser)
    return client


# The PDF ------------------------------------------------------------------------------------------------


def test_the_2026_report_shows_the_key_figures(dataset, plan, tmp_path):
    text = pdf_text(steering_report_pdf(plan, 2026, 2026), tmp_path)

    assert "Rapport du comité de pilotage" in text
    assert "Plan Local de Développement de l'ESS 2021-2026" in text
    assert "Période : 2026" in text
    assert "Édité le lundi 23 novembre 2026" in text
    assert row(text, "Événements tenus", "5")
    assert row(text, "Participant·es pointé·es", "30")
    assert row(text, "Taux d'absence", "26,8 %")
    assert row(text, "Participant·es uniques", "4")
    assert row(text, "Élu·es touché·es", "3")
    assert row(text, "Délai médian de réponse", "3 jours")
    assert "Heures de bénévolat 5 h" in flat(pdf_text(steering_report_pdf(plan, 2026, 2026), tmp_path, layout=False))


def test_the_report_lists_the_events_held_with_their_participants(dataset, plan, tmp_path):
    text = pdf_text(steering_report_pdf(plan, 2026, 2026), tmp_path)

    b1 = dataset["b1"]
    assert row(text, "10/03/2026", b1.title, "Valenciennes", "2")
    assert row(text, dataset["v2"].title, "Valenciennes", "0", "1")  # 1 stand visitor
    assert "5 événements tenus." in text
    # The breakfast still to come and the cancelled one are not in the list.
    assert text.count("/2026 ") == 5


def test_user_text_is_shown_literally_not_read_as_markup(dataset, plan, make_event, tmp_path):
    event = make_event(
        EventKind.THEMATIC_BREAKFAST, start=at(2026, 10, 2), title="Atelier <script>alert(1)</script> & co"
    )
    event.plan_actions = [dataset["actions"]["O3.2.a"]]
    event.save_revision().publish()

    text = pdf_text(steering_report_pdf(plan, 2026, 2026), tmp_path)

    assert "Atelier <script>alert(1)</script> & co" in text


def test_the_document_is_tagged_french_with_title_and_author(dataset, plan, tmp_path):
    pdf = steering_report_pdf(plan, 2026, 2026)
    info = pdf_info(pdf, tmp_path)

    assert (
        "Title:           Rapport du comité de pilotage : Plan Local de Développement de l'ESS 2021-2026, 2026" in info
    )
    assert "Author:          Le Village de l'ESS" in info
    assert b"/Lang (fr-FR)" in pdf


def test_the_chart_of_participants_per_month_is_written_out(dataset, plan, tmp_path):
    text = pdf_text(steering_report_pdf(plan, 2026, 2026), tmp_path, layout=False)

    assert "Participant·es pointé·es par mois" in text
    assert "En chiffres : mars : 2, avr. : 24, juin : 2, sept. : 2." in text


def test_targets_are_shown_with_the_progress(dataset, plan, tmp_path):
    action = dataset["actions"]["O3.2.a"]
    IndicatorTarget.objects.create(plan=plan, indicator="participants", action=action, year=2026, value=8)
    IndicatorTarget.objects.create(plan=plan, indicator="events_held", year=2026, value=10)

    text = pdf_text(steering_report_pdf(plan, 2026, 2026), tmp_path, layout=False)

    assert "Participant·es pointé·es : 4 sur 8 (50 %)" in flat(text)
    assert "Événements tenus 5 10 50 %" in flat(text)


def test_the_orientation_tables_give_each_node_its_figures(dataset, plan, tmp_path):
    text = pdf_text(steering_report_pdf(plan, 2026, 2026), tmp_path)

    assert row(text, "O3.2.a", "Rencontres thématiques", "2", "4")  # B1 and B2, 2 + 2 checked in
    assert row(text, "O4.1.a", "Sensibilisation du public jeune", "1", "24")


def test_the_communes_reached_of_the_territory(dataset, plan, tmp_path):
    text = pdf_text(steering_report_pdf(plan, 2026, 2026), tmp_path, layout=False)

    assert "Communes ayant accueilli au moins un événement : 2 sur 2." in text
    assert "Communes visitées par le village itinérant : 1 sur 2." in text
    assert "Communes dont des élu·es ont participé : 2 sur 2." in text


def test_volunteering_figures(dataset, plan, tmp_path):
    text = flat(pdf_text(steering_report_pdf(plan, 2026, 2026), tmp_path, layout=False))
    volunteering = text[text.rindex("Bénévolat Indicateur") :]

    assert "Bénévoles mobilisé·es 2 — — Heures de bénévolat 5 h — — Mises en relation acceptées 0" in volunteering


def test_a_commune_report_keeps_its_events(dataset, plan, other_commune, tmp_path):
    text = pdf_text(steering_report_pdf(plan, 2026, 2026, commune=other_commune), tmp_path)

    assert "Commune : Anzin" in text
    assert row(text, "Événements tenus", "1")
    assert dataset["b1"].title not in text


def test_over_two_years_additive_figures_add_up_and_distinct_ones_stay_per_year(dataset, plan, tmp_path):
    text = pdf_text(steering_report_pdf(plan, 2025, 2026), tmp_path)

    assert "Période : 2025 – 2026" in text
    assert row(text, "Événements tenus", "1", "5", "6")
    assert row(text, "Visiteurs des stands", "5", "1", "6")
    # V1 (2025) and V2 (2026) visit different communes: not added up, given per year.
    assert row(text, "Communes visitées par le village *", "1", "1", "—")
    assert "ne s'additionnent pas" in text
    assert "Participant·es pointé·es par année" in text
    assert "En chiffres : 2025 : 0, 2026 : 30." in text


def test_over_the_plans_whole_period_distinct_figures_are_exact(dataset, plan, tmp_path):
    text = pdf_text(steering_report_pdf(plan, 2021, 2026), tmp_path)

    assert row(text, "Communes visitées par le village", "0", "0", "0", "0", "1", "1", "2")
    assert "porte sur toute la durée du plan" in text


# Asking for it in the admin -------------------------------------------------------------------------------


def test_one_year_is_downloaded_at_once(dataset, plan, organiser_client, tmp_path):
    response = organiser_client.post(PAGE, {"plan": plan.pk, "first_year": 2026, "last_year": 2026})

    assert response["Content-Type"] == "application/pdf"
    assert 'filename="rapport-copil-pldess-2021-2026-2026.pdf"' in response["Content-Disposition"]
    assert row(pdf_text(response.content, tmp_path), "Participant·es pointé·es", "30")
    assert not SteeringReport.objects.exists()


def test_two_years_are_built_in_the_background_and_the_organiser_emailed(
    dataset, plan, organiser, organiser_client, django_capture_on_commit_callbacks, tmp_path
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(PAGE, {"plan": plan.pk, "first_year": 2025, "last_year": 2026}, follow=True)

    report = SteeringReport.objects.get()
    assert (report.first_year, report.last_year, report.requested_by) == (2025, 2026, organiser)
    assert report.status == SteeringReportStatus.READY
    assert report.file.name.startswith("reports/")
    assert "Le rapport 2025–2026 est en préparation" in visible_text(response)
    [email] = mail.outbox
    assert email.to == ["orga@example.org"]
    assert email.subject == "Le rapport du comité de pilotage 2025–2026 est prêt"
    link = f"http://testserver{PAGE}{report.pk}/rapport.pdf"
    assert link in email.body
    download = organiser_client.get(link)
    assert row(pdf_text(b"".join(download.streaming_content), tmp_path), "Événements tenus", "1", "5", "6")


def test_running_the_task_twice_builds_once_and_emails_once(
    dataset, plan, organiser, organiser_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(PAGE, {"plan": plan.pk, "first_year": 2025, "last_year": 2026})
    report = SteeringReport.objects.get()
    built = (report.file.name, report.built_at, report.notified_at)

    assert build_steering_report(report.pk) == "already sent"

    report.refresh_from_db()
    assert (report.file.name, report.built_at, report.notified_at) == built
    assert len(mail.outbox) == 1


def test_a_failed_sending_is_tried_again_without_rebuilding(dataset, plan, organiser, monkeypatch):
    report = SteeringReport.objects.create(plan=plan, first_year=2025, last_year=2026, requested_by=organiser)

    def refuse(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    with pytest.raises(OSError, match="SMTP down"):
        build_steering_report(report.pk)
    report.refresh_from_db()
    assert report.status == SteeringReportStatus.READY
    assert report.notified_at is None
    name = report.file.name

    monkeypatch.undo()
    assert build_steering_report(report.pk) == "built"
    report.refresh_from_db()
    assert report.file.name == name
    assert len(mail.outbox) == 1


def test_the_end_year_before_the_start_year_is_refused(dataset, plan, organiser_client):
    response = organiser_client.post(PAGE, {"plan": plan.pk, "first_year": 2026, "last_year": 2025})

    assert response.status_code == 400
    assert "L'année de fin doit être la même que l'année de début ou venir après." in visible_text(response)
    assert not SteeringReport.objects.exists()
    assert not mail.outbox


def test_a_year_outside_the_plan_is_refused(dataset, plan, organiser_client):
    response = organiser_client.post(PAGE, {"plan": plan.pk, "first_year": 2019, "last_year": 2026})

    assert "Choisissez une année entre 2021 et 2026, celles du plan." in visible_text(response)
    assert not SteeringReport.objects.exists()


def test_the_page_lists_the_users_reports_with_their_state(dataset, plan, organiser, organiser_client, outsider):
    SteeringReport.objects.create(plan=plan, first_year=2024, last_year=2026, requested_by=organiser)
    SteeringReport.objects.create(
        plan=plan, first_year=2021, last_year=2022, requested_by=organiser, status=SteeringReportStatus.FAILED
    )
    SteeringReport.objects.create(plan=plan, first_year=2022, last_year=2023, requested_by=outsider)

    text = visible_text(organiser_client.get(PAGE))

    assert "PLDESS 2021-2026 · 2024–2026" in text
    assert "En préparation" in text
    assert "Échec — demandez-le à nouveau" in text
    assert "2022–2023" not in text  # another person's


def test_the_list_takes_as_many_queries_whatever_the_number_of_reports(plan, organiser, organiser_client, commune):
    SteeringReport.objects.create(plan=plan, first_year=2021, last_year=2022, requested_by=organiser)
    with CaptureQueriesContext(connection) as one:
        organiser_client.get(PAGE)
    for first in range(2021, 2026):
        SteeringReport.objects.create(
            plan=plan, first_year=first, last_year=2026, requested_by=organiser, commune=commune
        )
    with CaptureQueriesContext(connection) as six:
        organiser_client.get(PAGE)

    assert len(six) == len(one)


def test_the_menu_offers_the_report_to_organisers(organiser_client):
    page = organiser_client.get("/admin/").content.decode()
    props = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', page, re.S)
    menu = json.dumps(json.loads(props.group(1)), ensure_ascii=False)

    assert (
        f'"label": "Rapport du comité de pilotage", "icon_name": "doc-full", "classname": "", "attrs": {{}}, "url": "{PAGE}"'
        in menu
    )


# Who may -------------------------------------------------------------------------------------------------


def test_an_outsider_is_sent_to_the_login_page(plan, client, outsider):
    client.force_login(outsider)

    response = client.post(PAGE, {"plan": plan.pk, "first_year": 2025, "last_year": 2026})

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not SteeringReport.objects.exists()


def test_an_admin_user_without_the_permission_is_refused(plan, client, organiser):
    client.force_login(organiser)  # admin access, but not the organisers' group

    response = client.post(PAGE, {"plan": plan.pk, "first_year": 2025, "last_year": 2026})

    assert response.status_code == 403
    assert "Votre compte n'a pas accès aux rapports du comité de pilotage." in visible_text(response)
    assert not SteeringReport.objects.exists()


def test_another_organiser_cannot_download_a_report(plan, organiser, client, django_user_model):
    report = SteeringReport.objects.create(plan=plan, first_year=2025, last_year=2026, requested_by=organiser)
    build_steering_report(report.pk)
    colleague = django_user_model.objects.create_user("collegue", "collegue@example.org", "x")
    colleague.groups.add(Group.objects.get(name="Organisateurs"))
    client.force_login(colleague)

    response = client.get(f"{PAGE}{report.pk}/rapport.pdf")

    assert response.status_code == 404


def test_the_report_takes_as_many_queries_whatever_the_number_of_events(
    dataset, plan, make_event, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as first:
        steering_report_pdf(plan, 2025, 2026)
    for n in range(3):
        event = make_event(EventKind.THEMATIC_BREAKFAST, start=at(2026, 10, 1 + n))
        event.plan_actions = [dataset["actions"]["O3.2.a"]]
        event.save_revision().publish()
        person(event, f"Extra{n}")

    with django_assert_max_num_queries(len(first.captured_queries)):
        steering_report_pdf(plan, 2025, 2026)
