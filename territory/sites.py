"""Giving a territory its own Wagtail site: a home page, an agenda, a hostname, and an organisers'
group whose page permissions stop at that home page.

The first territory of an installation needs none of this: it is served by the default site
(`Territory.for_request` falls back to the default territory) and its organisers are the
"Organisateurs" group (cms/migrations/0002). Each further territory gets here its site and a group
"Organisateurs — <territory>" with the same model permissions, so that its organisers edit the
pages of their site only. Running it again changes nothing.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page, Site

from .models import Territory

ORGANISERS_GROUP = "Organisateurs"
SITE_NAME = "Le Village de l'ESS"


class TerritorySiteError(Exception):
    def __init__(self, message: str, code: str):
        self.message, self.code = message, code
        super().__init__(message)


@dataclass
class TerritorySiteSetup:
    site: Site
    group: Group
    # What this run did, in French, for the command's output; empty when nothing changed.
    done: list[str] = field(default_factory=list)


def organisers_group_name(territory: Territory) -> str:
    return f"{ORGANISERS_GROUP} — {territory.name}"


def set_up_territory_site(territory: Territory, *, hostname: str, port: int = 80, site_name: str | None = None) -> Site:
    """Create (or complete) the territory's home page, agenda, Wagtail site and organisers' group."""
    return prepare_territory_site(territory, hostname=hostname, port=port, site_name=site_name).site


@transaction.atomic
def prepare_territory_site(
    territory: Territory, *, hostname: str, port: int = 80, site_name: str | None = None
) -> TerritorySiteSetup:
    """set_up_territory_site, telling what it did. Raises TerritorySiteError, having written nothing."""
    from cms.models import HomePage, SiteContact
    from events.models import AgendaPage

    hostname = hostname.strip().lower()
    site_name = site_name or f"{SITE_NAME} — {territory.name}"
    taken = Site.objects.filter(hostname=hostname, port=port).exclude(pk=territory.site_id).first()
    if taken is not None:
        raise TerritorySiteError(
            _("L'adresse %(hostname)s:%(port)s est déjà celle du site « %(site)s ».")
            % {"hostname": hostname, "port": port, "site": taken.site_name or taken.hostname},
            code="hostname_taken",
        )
    done = []

    # The slug is the key: a home page left by an interrupted run is found again.
    home = territory.site.root_page.specific if territory.site else None
    if home is None:
        home = HomePage.objects.child_of(Page.get_first_root_node()).filter(slug=territory.slug).first()
    if home is None:
        home = _publish_child(
            Page.get_first_root_node(),
            HomePage(
                title=site_name, slug=territory.slug, tagline=_("L'économie sociale et solidaire près de chez vous.")
            ),
        )
        done.append(_("page d'accueil créée : %(title)s") % {"title": home.title})

    if not AgendaPage.objects.child_of(home).exists():
        _publish_child(home, AgendaPage(title=_("Agenda"), slug="agenda", show_in_menus=True))
        done.append(_("agenda créé"))

    site = territory.site
    if site is None:
        site = Site.objects.create(hostname=hostname, port=port, root_page=home, site_name=site_name)
        territory.site = site
        territory.save(update_fields=["site"])
        done.append(_("site créé : %(hostname)s:%(port)s") % {"hostname": hostname, "port": port})
    elif (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
        done.append(_("adresse du site changée : %(hostname)s:%(port)s") % {"hostname": hostname, "port": port})

    contact = SiteContact.for_site(site)
    if contact.organisation_name == SiteContact._meta.get_field("organisation_name").default:
        # The field's default names the first territory: the footer of this site must not.
        contact.organisation_name = territory.name
        contact.save(update_fields=["organisation_name"])

    group, created = Group.objects.get_or_create(name=organisers_group_name(territory))
    if created:
        done.append(_("groupe créé : %(group)s") % {"group": group.name})
    organisers = Group.objects.filter(name=ORGANISERS_GROUP).first()
    if organisers is not None:
        if _copy_permissions(organisers, group, home):
            done.append(_("permissions du groupe %(group)s recopiées") % {"group": group.name})
        if _narrow_to_default_site(organisers):
            done.append(
                _("les pages du groupe %(group)s sont limitées au site par défaut") % {"group": organisers.name}
            )
    return TerritorySiteSetup(site=site, group=group, done=done)


def _publish_child(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _copy_permissions(organisers: Group, group: Group, home: Page) -> bool:
    """Give `group` what the organisers of the first territory may do, with pages only under `home`."""
    changed = False
    missing = organisers.permissions.exclude(pk__in=group.permissions.all())
    if missing.exists():
        group.permissions.add(*missing)
        changed = True
    page_permission_ids = set(
        GroupPagePermission.objects.filter(group=organisers).values_list("permission_id", flat=True)
    )
    for permission_id in page_permission_ids:
        _permission, created = GroupPagePermission.objects.get_or_create(
            group=group, page=home, permission_id=permission_id
        )
        changed |= created
    # Images and documents stay shared: the collections are not split by territory (yet).
    for collection_id, permission_id in GroupCollectionPermission.objects.filter(group=organisers).values_list(
        "collection_id", "permission_id"
    ):
        _permission, created = GroupCollectionPermission.objects.get_or_create(
            group=group, collection_id=collection_id, permission_id=permission_id
        )
        changed |= created
    return changed


def _narrow_to_default_site(organisers: Group) -> bool:
    """Move the "Organisateurs" group's page permissions from the tree's root to the default site's home.

    The data migration granted them on the root, which was the whole site; with a second site
    under the root, that would let the first territory's organisers edit the other's pages.
    """
    default_site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if default_site is None or default_site.root_page.depth == 1:
        return False
    on_root = GroupPagePermission.objects.filter(group=organisers, page__depth=1)
    permission_ids = list(on_root.values_list("permission_id", flat=True))
    if not permission_ids:
        return False
    for permission_id in permission_ids:
        GroupPagePermission.objects.get_or_create(
            group=organisers, page=default_site.root_page, permission_id=permission_id
        )
    on_root.delete()
    return True
