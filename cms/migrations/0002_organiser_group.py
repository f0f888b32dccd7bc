"""The roles of the back office, as groups: "Organisateurs" and "Équipe de pointage".

Organisers (the ESS team and partner networks) manage venues, sectors, organisations
and committees, every page of the site, and the images and documents; they only view
the reference data imported from files (territories, communes, action plans), so an
edit there cannot drift from the source or be overwritten by the next import.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ORGANISERS = "Organisateurs"
# Members scan tickets in the check-in app (/pointage/), which will grant its own
# permissions to this group; it is created now so staff can be added to it ahead of
# the season. No admin access: scanning happens outside the Wagtail admin.
CHECKIN_STAFF = "Équipe de pointage"

MODEL_PERMISSIONS = {
    ("territory", "venue"): ("add", "change", "delete", "view"),
    ("territory", "organisation"): ("add", "change", "delete", "view"),
    ("territory", "sector"): ("add", "change", "delete", "view"),
    ("indicators", "committee"): ("add", "change", "delete", "view"),
    ("territory", "territory"): ("view",),
    ("territory", "commune"): ("view",),
    ("indicators", "actionplan"): ("view",),
    ("indicators", "orientation"): ("view",),
    ("indicators", "objective"): ("view",),
    ("indicators", "action"): ("view",),
}
COLLECTION_PERMISSIONS = {
    ("wagtailimages", "image"): ("add", "change", "choose"),
    ("wagtaildocs", "document"): ("add", "change", "choose"),
}
PAGE_PERMISSIONS = ("add", "change", "publish", "lock", "unlock")
APPS_WITH_PERMISSIONS = ("territory", "indicators", "wagtailcore", "wagtailimages", "wagtaildocs")


def ensure_permissions_exist(apps, schema_editor):
    """Create the apps' permissions now: on a fresh database Django creates them only
    after the last migration (post_migrate), too late for this one. Wagtail's own
    wagtailcore 0086 migration does the same."""
    for label in APPS_WITH_PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        try:
            create_permissions(app_config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
        finally:
            app_config.models_module = None


def create_groups(apps, schema_editor):
    ensure_permissions_exist(apps, schema_editor)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    Page = apps.get_model("wagtailcore", "Page")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")

    def permission(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    organisers, _ = Group.objects.get_or_create(name=ORGANISERS)
    organisers.permissions.add(permission("wagtailadmin", "access_admin"))
    for (app_label, model), actions in MODEL_PERMISSIONS.items():
        organisers.permissions.add(*(permission(app_label, f"{action}_{model}") for action in actions))

    # Permissions on the root collection and the root page reach everything below them.
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    if root_collection is not None:
        for (app_label, model), actions in COLLECTION_PERMISSIONS.items():
            for action in actions:
                GroupCollectionPermission.objects.get_or_create(
                    group=organisers, collection=root_collection, permission=permission(app_label, f"{action}_{model}")
                )
    root_page = Page.objects.filter(depth=1).order_by("path").first()
    if root_page is not None:
        for action in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=organisers, page=root_page, permission=permission("wagtailcore", f"{action}_page")
            )

    Group.objects.get_or_create(name=CHECKIN_STAFF)


def delete_groups(apps, schema_editor):
    # Their page, collection and model permissions go with them (cascade); the
    # permissions themselves stay, as Django would have created them anyway.
    apps.get_model("auth", "Group").objects.filter(name__in=[ORGANISERS, CHECKIN_STAFF]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("territory", "0001_initial"),
        ("indicators", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
