"""GET /api/v1/events and /api/v1/events/{id}: the public agenda for partners' scripts and sites."""

from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from territory.models import Commune
from village.api_errors import ApiError, ErrorOut, echo

from .models import EventPage
from .schemas import MAX_DATABASE_INT, EventFilters, EventOut, EventPagination

router = Router(tags=["Événements"])


def published_events():
    """Live event pages open to everyone, with what the API shows joined in."""
    return EventPage.objects.live().public().for_listing()


@router.get(
    "/events",
    response={200: list[EventOut], 400: ErrorOut},
    summary="Liste des événements publics",
    description=(
        "Événements publiés, triés par date de début, éventuellement filtrés par type, commune et dates. "
        "`start` et `end` portent sur la date locale (heure de Paris) du début de l'événement, bornes "
        "incluses ; sans l'une ni l'autre, la liste contient les événements à venir ou en cours. "
        "Les événements annulés restent listés, avec le statut `cancelled`.\n\n"
        'Réponse paginée : `{"count": total, "items": [...]}`, avec `limit` (100 par défaut, '
        "500 au plus) et `offset`."
    ),
)
@paginate(EventPagination)
def list_events(request, filters: Query[EventFilters]):
    events = published_events()
    if filters.kind:
        events = events.of_kind(filters.kind)
    if filters.commune:
        commune = Commune.objects.filter(insee_code=filters.commune).first()
        if commune is None:
            raise ApiError(
                _("Aucune commune ne porte le code INSEE %(code)s.") % {"code": echo(filters.commune)},
                code="unknown_commune",
                field="commune",
            )
        events = events.in_commune(commune)
    if filters.start or filters.end:
        events = events.between(filters.start, filters.end)
    else:
        events = events.upcoming()
    return events


@router.get(
    "/events/{event_id}",
    response={200: EventOut, 400: ErrorOut, 404: ErrorOut},
    summary="Un événement public",
)
def get_event(request, event_id: int):
    event = published_events().filter(pk=event_id).first() if 0 < event_id <= MAX_DATABASE_INT else None
    if event is None:
        raise ApiError(
            _("Aucun événement publié ne porte l'identifiant %(id)s.") % {"id": echo(event_id)},
            code="event_not_found",
            field="event_id",
            status=404,
        )
    return event
