"""The "Territoire" menu narrowed to the territories the user acts for; snippet deletion, one or in bulk.

`organiser` acts for Valenciennes Métropole, `other_organiser` for Sambre-Avesnois (tests/conftest.py).
"""

import pytest
from django.contrib.auth.models import Group

from territory.models import LegalForm, Organisation, Venue, VenueKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisers(organiser):
    organiser.groups.add(Group.objects.get(name="Organisateurs"))
    return organiser


@pytest.fixture
def maubeuge(organisers, other_organiser, second_commune):
    organisation = Organisation.objects.create(
        name="Ressourcerie de la Sambre", legal_form=LegalForm.ASSOCIATION, commune=second_commune, summary="…"
    )
    venue = Venue.objects.create(commune=second_commune, name="Marché de Maubeuge", kind=VenueKind.MARKET)
    return {"organisation": organisation, "venue": venue, "commune": second_commune}


LISTS = [
    "/admin/snippets/territory/organisation/",
    "/admin/snippets/territory/venue/",
    "/admin/snippets/territory/commune/",
    "/admin/snippets/territory/territory/",
]


@pytest.mark.parametrize("url", LISTS)
def test_lists_show_only_the_users_territory(client, organisers, other_organiser, maubeuge, url):
    client.force_login(organisers)
    page = client.get(url).content.decode()
    assert "Maubeuge" not in page and "Sambre" not in page
    client.force_login(other_organiser)
    page = client.get(url).content.decode()
    assert "Maubeuge" in page or "Sambre" in page


@pytest.mark.parametrize("kind", ["organisation", "venue"])
@pytest.mark.parametrize("view", ["edit", "inspect", "delete", "history", "usage"])
def test_another_territorys_object_answers_404(client, organisers, other_organiser, maubeuge, kind, view):
    obj = maubeuge[kind]
    url = f"/admin/snippets/territory/{kind}/{view}/{obj.pk}/"
    client.force_login(organisers)
    assert client.get(url).status_code == 404
    client.force_login(other_organiser)
    assert client.get(url).status_code == 200


def test_bulk_deletion_of_another_territorys_objects_is_refused(client, organisers, maubeuge):
    client.force_login(organisers)
    organisation = maubeuge["organisation"]
    response = client.post(f"/admin/bulk/territory/organisation/delete/?id={organisation.pk}")
    assert response.status_code == 404
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_bulk_deletion_in_ones_own_territory_still_works(client, organisers, commune):
    own = Organisation.objects.create(
        name="À supprimer", legal_form=LegalForm.ASSOCIATION, commune=commune, summary="…"
    )
    client.force_login(organisers)
    client.post(f"/admin/bulk/territory/organisation/delete/?id={own.pk}")
    assert not Organisation.objects.filter(pk=own.pk).exists()


def test_forms_offer_only_the_users_communes(client, organisers, maubeuge, commune):
    client.force_login(organisers)
    response = client.get("/admin/snippets/territory/venue/add/")
    assert list(response.context["form"].fields["commune"].queryset) == [commune]
    assert "Maubeuge" not in response.content.decode()


def test_a_superuser_puts_an_organiser_in_a_territorys_team(client, django_user_model, territory, organiser):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    url = f"/admin/snippets/territory/territory/edit/{territory.pk}/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(team=[organiser.pk], village_kits=1, site="")
    client.post(url, data)
    assert list(territory.team.all()) == [organiser]
