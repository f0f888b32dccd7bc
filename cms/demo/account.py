"""The demo accounts (printed by `load_demo` and `make run`): the organiser, organisatrice /
village-demo, and an ESS organisation's contact, structure / village-demo."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import models

DEMO_USERNAME = "organisatrice"
DEMO_PASSWORD = "village-demo"  # noqa: S105 - published on purpose: a demo account, never created in production
DEMO_EMAIL = "organisatrice@example.org"
ORGANISERS_GROUP = "Organisateurs"
CONTACT_USERNAME = "structure"
CONTACT_EMAIL = "structure@example.org"
# The example organisation whose space the contact account opens (cms/demo/directory.py).
CONTACT_ORGANISATION = "ressourcerie-des-deux-rives"


class DemoAccountStatus(models.TextChoices):
    CREATED = "created", "compte créé"
    EXISTING = "existing", "compte déjà présent"
    SKIPPED = "skipped", "compte non créé"


def ensure_demo_account() -> DemoAccountStatus:
    """Create the demo organiser and put her in the organisers' group.

    The group normally comes from a data migration, with the organisers' permissions;
    when it is missing, a group of that name with Wagtail admin access stands in. An
    existing account is left as it is (its password may have been changed on purpose).
    """
    group, group_created = Group.objects.get_or_create(name=ORGANISERS_GROUP)
    if group_created:
        group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user_model = get_user_model()
    user = user_model.objects.filter(username=DEMO_USERNAME).first()
    status = DemoAccountStatus.EXISTING
    if user is None:
        user = user_model.objects.create_user(
            DEMO_USERNAME, DEMO_EMAIL, DEMO_PASSWORD, first_name="Organisatrice", last_name="Démo"
        )
        status = DemoAccountStatus.CREATED
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
    return status


def ensure_contact_account(organisation) -> DemoAccountStatus:
    """Create the demo contact of an example organisation: no admin access, the organisation's
    space only (its stands and their applications). An existing account is left as it is."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=CONTACT_USERNAME).first()
    status = DemoAccountStatus.EXISTING
    if user is None:
        user = user_model.objects.create_user(
            CONTACT_USERNAME, CONTACT_EMAIL, DEMO_PASSWORD, first_name="Nadia", last_name="Démo"
        )
        status = DemoAccountStatus.CREATED
    if not organisation.contacts.filter(pk=user.pk).exists():
        organisation.contacts.add(user)
    return status
