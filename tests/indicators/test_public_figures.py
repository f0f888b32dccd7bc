"""/le-plan-en-chiffres/: the plan in force in figures, for everyone, with aggregated figures only.

The dataset is the hand-computed one of test_rollups.py (today is 23 November 2026): in 2026,
5 events held, 30 seats checked in, 4 unique participants, a village stop in 1 of the
territory's 2 communes.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import EventKind
from indicators.models import Committee, CommitteeMeeting, IndicatorTarget
from territory.models import PARIS
from tests.html import visible_text
from tests.indicators import test_rollups
from tests.indicators.test_rollups import person

pytestmark = pytest.mark.django_db

# The hand-computed dataset of the roll-up tests, shared as a fixture of this module.
dataset = test_rollups.dataset

URL = "/le-plan-en-chiffres/"
# Everyone the dataset names: none of them may appear on a public page of totals.
PEOPLE = [
    "Alice",
    "Bob",
    "Chloé",
    "Dan",
    "Eve",
    "Frank",
    "Gaston",
    "Hélène",
    "Vol1",
    "Vol2",
    "Bénévole anonyme",
    "Classe de 4e B",
    "Mairie",
    "@example.org",
]


def page_text(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return visible_text(response)


def test_the_page_shows_the_figures_of_the_current_year(client, dataset):
    text = page_text(client)

    assert "Le plan en chiffres" in text
    assert "Plan Local de Développement de l'ESS 2021-2026" in text
    assert "En 2026, sur tout le territoire" in text
    assert "Événements tenus 5 Participant·es pointé·es 30 Participant·es uniques 4" in text
    assert "Le village itinérant est passé dans 1 commune sur 2." in text


def test_every_plan_indicator_is_listed_with_its_help(client, dataset):
    text = page_text(client)

    assert "Inscriptions 9 Inscriptions non annulées aux événements tenus." in text
    assert "Taux d'absence 26,8 % Places confirmées non pointées" in text
    assert "Élu·es touché·es 3" in text
    assert "Jeunes touché·es 24" in text
    assert "Heures de bénévolat 5 h Durée des créneaux des présent·es." in text
    assert "Délai médian de réponse 3 jours" in text


def test_each_orientation_shows_its_main_figures(client, dataset):
    text = page_text(client)

    orientation_3 = text.split("O3 · Visibilité : sensibilisation et promotion")[1].split("O4 ·")[0]
    orientation_4 = text.split("O4 · Citoyenneté, bénévolat et jeunesse")[1].split("D'où viennent ces chiffres")[0]
    assert "Événements tenus 4 Participant·es pointé·es 6 Participant·es uniques 4" in orientation_3
    assert "Événements tenus 1 Participant·es pointé·es 24 Jeunes touché·es 24" in orientation_4
    # Zeros are left out under an orientation: O4 had no stand.
    assert "Visiteurs des stands" not in orientation_4


def test_the_page_says_where_the_figures_come_from(client, dataset):
    text = page_text(client)

    assert "D'où viennent ces chiffres" in text
    assert "comptés à l'entrée, au stand et aux créneaux, jamais saisis à la main" in text


def test_the_year_filter(client, dataset):
    text = page_text(client, year="2025")

    assert "En 2025, sur tout le territoire" in text
    assert "Événements tenus 1 Participant·es pointé·es 0" in text
    assert "Visiteurs des stands 5" in text


def test_the_whole_period_of_the_plan(client, dataset):
    text = page_text(client, year="tout")

    assert "De 2021 à 2026, sur tout le territoire" in text
    assert "Événements tenus 6" in text
    assert "Le village itinérant est passé dans 2 communes sur 2." in text


def test_the_commune_filter(client, dataset, other_commune):
    text = page_text(client, year="2026", commune=other_commune.insee_code)

    assert "En 2026, à Anzin" in text
    assert "Événements tenus 1 Participant·es pointé·es 2 Participant·es uniques 2" in text
    assert "Demandes des communes reçues 0" in text


def test_the_filters_are_a_plain_get_form(client, dataset):
    response = client.get(URL)
    html = response.content.decode()

    assert '<form class="filters card" method="get" action="/le-plan-en-chiffres/#chiffres"' in html
    assert '<label for="id_year">' in html and '<label for="id_commune">' in html
    assert '<option value="tout">Toute la durée du plan (2021-2026)</option>' in html
    assert '<option value="2026" selected>' in html
    assert "<script" not in html.split('<main id="contenu"')[1].split("</main>")[0]


def test_a_year_outside_the_plan_is_reported_and_the_default_year_shown(client, dataset):
    response = client.get(URL, {"year": "2019"})
    text = visible_text(response)

    assert response.status_code == 200
    assert "Un filtre n'a pas pu être appliqué" in text
    assert "Le plan couvre les années 2021 à 2026 : choisissez l'une d'elles, ou toute la durée du plan." in text
    assert "En 2026, sur tout le territoire" in text
    assert "Événements tenus 5" in text
    assert 'aria-invalid="true"' in response.content.decode()


def test_an_unknown_commune_is_reported_and_every_commune_counted(client, dataset):
    response = client.get(URL, {"year": "2026", "commune": "75056"})
    text = visible_text(response)

    assert response.status_code == 200
    assert "Cette commune n'est pas dans le territoire. Voici les chiffres de toutes les communes." in text
    assert "En 2026, sur tout le territoire" in text
    assert "Événements tenus 5" in text


def test_a_malformed_year_is_reported(client, dataset):
    text = page_text(client, year="deux-mille")

    assert "Le plan couvre les années 2021 à 2026" in text
    assert "Événements tenus 5" in text


def test_no_personal_data_on_the_page(client, dataset, plan):
    committee = Committee.objects.create(plan=plan, name="Comité de pilotage", min_meetings_per_year=1)
    CommitteeMeeting.objects.create(
        committee=committee, date=dt.date(2026, 6, 30), attendees="Marie Dupont\nJean Martin", notes="Décidé : rien"
    )
    html = client.get(URL, {"year": "tout"}).content.decode()

    for name in [*PEOPLE, "Marie Dupont", "Jean Martin", "Décidé"]:
        assert name not in html, name


def test_the_governance_line_counts_the_meetings_of_the_year(client, dataset, plan):
    steering = Committee.objects.create(plan=plan, name="Comité de pilotage", min_meetings_per_year=1)
    technical = Committee.objects.create(plan=plan, name="Comité technique", min_meetings_per_year=2)
    CommitteeMeeting.objects.create(committee=steering, date=dt.date(2026, 6, 30), attendee_count=12)
    CommitteeMeeting.objects.create(committee=technical, date=dt.date(2026, 3, 1))
    CommitteeMeeting.objects.create(committee=technical, date=dt.date(2025, 3, 1))

    text = page_text(client)

    assert "La gouvernance du plan" in text
    assert "Comité de pilotage : 1 réunion, pour 1 prévue(s) au moins." in text
    assert "Comité technique : 1 réunion, pour 2 prévue(s) au moins." in text


def test_a_target_of_the_plan_is_shown_with_its_progress(client, dataset, plan):
    IndicatorTarget.objects.create(plan=plan, indicator="events_held", year=2026, value=10)

    text = page_text(client)

    assert "Événements tenus 5 Cible du plan : 10, atteinte à 50 %." in text


def test_without_a_plan_in_force_the_page_says_so(client, territory):
    text = page_text(client)

    assert "Aucun plan d'actions n'est en vigueur pour l'instant." in text
    assert "Événements tenus" not in text


def test_the_page_may_be_cached_for_five_minutes(client, dataset):
    response = client.get(URL)

    assert response["Cache-Control"] == "public, max-age=300"


def test_the_page_only_answers_get(client, dataset):
    response = client.post(URL, {"year": "2026"})

    assert response.status_code == 405


def test_a_logged_in_outsider_sees_the_same_public_figures(client, dataset, outsider):
    client.force_login(outsider)

    text = page_text(client)

    assert "Événements tenus 5 Participant·es pointé·es 30" in text
    assert "Vol1" not in text


def test_a_constant_number_of_queries(client, dataset, make_event, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as first:
        client.get(URL, {"year": "2026"})
    for n in range(5):
        person(dataset["b1"], f"Extra{n}")
    another = make_event(EventKind.YOUTH_OUTREACH, start=dt.datetime(2026, 5, 5, 9, tzinfo=PARIS))
    another.plan_actions = [dataset["actions"]["O4.1.a"]]
    another.save_revision().publish()
    person(another, "Classe de 5e C", email="prof3@example.org", is_group=True, seats=20)

    with django_assert_max_num_queries(len(first.captured_queries)):
        text = page_text(client, year="2026")

    assert "Événements tenus 6 Participant·es pointé·es 55" in text
