"""territory/access.py: who acts for which territory."""

import pytest

from territory.access import acts_for, territories_for
from territory.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_territory(db):
    return Territory.objects.create(name="Sambre-Avesnois", slug="sambre-avesnois")


def test_with_one_territory_every_organiser_acts_for_it(territory, organiser):
    assert list(territories_for(organiser)) == [territory]
    assert acts_for(organiser, territory)


def test_with_two_territories_the_team_decides(territory, second_territory, organiser, outsider):
    second_territory.team.add(organiser)
    assert list(territories_for(organiser)) == [second_territory]
    assert not acts_for(organiser, territory)
    # Unlisted people act for none once there are two (fail closed).
    assert not territories_for(outsider).exists()


def test_a_superuser_acts_for_all_and_anonymous_for_none(territory, second_territory, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    assert set(territories_for(admin)) == {territory, second_territory}
    assert not territories_for(AnonymousUser()).exists()


def test_the_public_site_shows_the_territory_of_its_site(territory, second_territory, rf):
    from wagtail.models import Page, Site

    root = Page.get_first_root_node()
    site = Site.objects.create(hostname="sambre.example.org", port=80, root_page=root)
    second_territory.site = site
    second_territory.save()
    assert Territory.for_request(rf.get("/", HTTP_HOST="sambre.example.org")) == second_territory
    assert Territory.for_request(rf.get("/", HTTP_HOST="testserver")) == Territory.default()
