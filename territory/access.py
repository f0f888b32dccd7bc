"""Who acts for which territory: the one rule every admin view and staff API endpoint applies.

One installation serves several territories (Valenciennes Métropole, the Lille metropolis,
Sambre-Avesnois...). An organiser of one territory neither sees nor changes another's data:
every queryset of the back office is narrowed with `territories_for(user)` (or one of the
helpers below), and an object of another territory answers 404, as if it did not exist.

- A superuser acts for every territory.
- Otherwise a person acts for the territories whose team lists them (`Territory.team`).
- In an installation with a single territory, every user acts for it without being listed:
  the first territory's organisers need no setting, and adding a second territory makes the
  rule strict for everyone (fail closed: unlisted people then see nothing).

Model permissions (the "Organisateurs" group...) still say WHAT a person may do; this module
says WHERE.
"""

from django.db.models import QuerySet

from .models import Territory


def territories_for(user) -> QuerySet:
    """The territories the user acts for."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Territory.objects.none()
    if user.is_superuser:
        return Territory.objects.all()
    listed = Territory.objects.filter(team=user)
    if Territory.objects.count() == 1 and not listed.exists():
        return Territory.objects.all()
    return listed


def territory_ids_for(user) -> list[int]:
    return list(territories_for(user).values_list("pk", flat=True))


def acts_for(user, territory) -> bool:
    """Whether the user acts for `territory` (a Territory or its id)."""
    territory_id = getattr(territory, "pk", territory)
    return territory_id is not None and territories_for(user).filter(pk=territory_id).exists()
