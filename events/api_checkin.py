"""The check-in API for staff: scans, the offline queue, the offline list, undo, counts, the tally.

Every endpoint calls events/services/checkin.py; this module only translates between JSON
and the service. A refused ticket (unknown, cancelled, duplicate...) is a normal answer
(HTTP 200 with its `result` code): the request worked, the ticket did not. HTTP errors
are for requests that cannot be judged (bad input, closed event, no permission).
"""

import dataclasses
import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from territory.access import territories_for
from territory.models import PARIS
from village.api_errors import ApiError, ErrorItem, ErrorOut, echo

from .auth import checkin_staff_auth
from .models import CheckIn, EventPage, Registration, ScanResult
from .schemas import MAX_DATABASE_INT
from .services import checkin as service

router = Router(tags=["Pointage"], auth=checkin_staff_auth)

MAX_BATCH = 200
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
AUTH_NOTE = (
    "\n\nRéservé à l'équipe de pointage (permission `events.perform_checkin`) : session de "
    "l'administration avec l'en-tête `X-CSRFToken`, ou `Authorization: Bearer <jeton>` "
    "(jeton créé par `manage.py create_api_token`)."
)


# Shapes ------------------------------------------------------------------------------------------


class CheckinIn(Schema):
    event: int = Field(ge=1, le=MAX_DATABASE_INT, description="Identifiant de l'événement où l'on pointe.")
    ticket: str | None = Field(
        None,
        max_length=500,
        description="Ce que le QR contient : le code du billet ou le lien complet du billet.",
        examples=["https://village.example.org/billet/3q2-7wIrXk9J1fQ0w8T8JA/"],
    )
    registration: int | None = Field(
        None,
        ge=1,
        le=MAX_DATABASE_INT,
        description="À la place de `ticket` : l'inscription d'une personne trouvée par son nom.",
    )
    nonce: str = Field(
        min_length=1,
        max_length=64,
        description="Identifiant unique du scan, tiré par l'appareil (UUID) : renvoyer le même scan "
        "donne la même réponse sans le compter deux fois.",
    )
    device: str = Field("", max_length=80, description="Nom de l'appareil, affiché aux collègues.")
    scanned_at: dt.datetime | None = Field(
        None, description="Heure du scan sur l'appareil ; prise en compte pour un scan fait hors ligne."
    )
    offline: bool = Field(False, description="Vrai si le scan a été fait hors ligne et mis en file d'attente.")

    @model_validator(mode="after")
    def ticket_or_registration(self):
        if (self.ticket is None) == (self.registration is None):
            raise PydanticCustomError(
                "ticket_or_registration",
                _("Indiquez soit le billet scanné (ticket), soit l'inscription (registration)."),
            )
        return self


class AttendeeOut(Schema):
    registration: int
    name: str
    category: str
    category_label: str = Field(description="Catégorie, en français.")
    seats: int = Field(description="Places : 1 pour une personne, l'effectif pour un groupe.")
    organisation: str


class CheckinOut(Schema):
    nonce: str
    result: ScanResult = Field(description="Code stable du résultat.")
    result_label: str = Field(description="Libellé court, en français.")
    message: str = Field(description="Phrase prête à afficher, par exemple « Déjà pointé·e à 9 h 12 par Camille ».")
    attendee: AttendeeOut | None = Field(description="La personne, quand le billet est connu.")
    checkin_id: int | None = Field(description="Le pointage (pour l'annuler), quand il existe.")
    checked_in_at: dt.datetime | None = Field(description="Heure du pointage (le premier, pour un doublon).")
    checked_in_by: str = Field(description="Qui a pointé (prénom), pour un doublon.")
    offline: bool
    replayed: bool = Field(description="Vrai si ce nonce avait déjà été reçu : c'est la première réponse, redonnée.")


class CountsOut(Schema):
    event: int
    present: int = Field(description="Personnes (inscriptions) pointées.")
    registered: int = Field(description="Inscriptions confirmées.")
    present_seats: int = Field(description="Places pointées (un groupe compte son effectif).")
    registered_seats: int
    tally: int = Field(description="Passant·e·s comptés au compteur (+1 / -1).")


class CheckinAnswer(CheckinOut):
    counts: CountsOut


class BatchIn(Schema):
    items: list[CheckinIn] = Field(max_length=MAX_BATCH, description="Les scans en attente, dans l'ordre.")


class BatchItemOut(Schema):
    nonce: str
    ok: bool = Field(description="Faux si ce scan n'a pas pu être jugé ; voir `error`.")
    outcome: CheckinOut | None
    error: ErrorItem | None


class BatchOut(Schema):
    items: list[BatchItemOut] = Field(description="Une réponse par scan, dans l'ordre reçu.")
    counts: list[CountsOut] = Field(description="Les compteurs des événements concernés, après la synchronisation.")


class ManifestTicketOut(Schema):
    code_hash: str = Field(
        description="SHA-256 (hexadécimal) du code du billet ; le code lui-même n'est jamais envoyé."
    )
    registration: int
    name: str
    category: str
    category_label: str
    seats: int
    organisation: str
    checked_in: bool
    checked_in_at: dt.datetime | None


class ManifestOut(Schema):
    event: int
    version: str = Field(description="Change dès que la liste ou un pointage change (aussi en-tête ETag).")
    generated_at: dt.datetime
    tickets: list[ManifestTicketOut]
    counts: CountsOut


class AttendeeMatchOut(Schema):
    attendee: AttendeeOut
    status: str = Field(description="confirmed, waitlisted ou cancelled.")
    status_label: str
    has_ticket: bool
    checkin_id: int | None
    checked_in_at: dt.datetime | None


class UndoOut(Schema):
    result: ScanResult
    message: str
    attendee: AttendeeOut | None
    counts: CountsOut


class TallyIn(Schema):
    event: int = Field(ge=1, le=MAX_DATABASE_INT)
    delta: int = Field(description="+1 ou -1.")
    nonce: str = Field(min_length=1, max_length=64)
    device: str = Field("", max_length=80)
    counted_at: dt.datetime | None = Field(None, description="Heure du comptage sur l'appareil (file hors ligne).")


class TallyOut(Schema):
    nonce: str
    delta: int
    total: int = Field(description="Total du compteur de l'événement.")
    replayed: bool


class TallyBatchIn(Schema):
    items: list[TallyIn] = Field(max_length=MAX_BATCH)


class TallyBatchItemOut(Schema):
    nonce: str
    ok: bool
    outcome: TallyOut | None
    error: ErrorItem | None


class TallyBatchOut(Schema):
    items: list[TallyBatchItemOut]
    counts: list[CountsOut]


# Translations between the service and JSON -------------------------------------------------------


def _paris(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(PARIS) if value is not None else None


def _attendee(attendee: service.Attendee | None) -> dict | None:
    if attendee is None:
        return None
    return {
        "registration": attendee.registration_id,
        "name": attendee.name,
        "category": attendee.category,
        "category_label": attendee.category_label,
        "seats": attendee.seats,
        "organisation": attendee.organisation,
    }


def _outcome(outcome: service.ScanOutcome) -> dict:
    return {
        "nonce": outcome.nonce,
        "result": outcome.result,
        "result_label": str(outcome.result.label),
        "message": outcome.message,
        "attendee": _attendee(outcome.attendee),
        "checkin_id": outcome.checkin_id,
        "checked_in_at": _paris(outcome.checked_in_at),
        "checked_in_by": outcome.checked_in_by,
        "offline": outcome.offline,
        "replayed": outcome.replayed,
    }


def _counts(event: EventPage) -> dict:
    counts = service.event_counts(event)
    return {
        "event": event.pk,
        "present": counts.present,
        "registered": counts.registered,
        "present_seats": counts.present_seats,
        "registered_seats": counts.registered_seats,
        "tally": counts.tally,
    }


def _error_item(error: Exception, field: str | None = None) -> dict:
    return {"field": getattr(error, "field", field), "code": error.code, "message": error.message}


def _service_error(error: service.CheckinError) -> ApiError:
    return ApiError(error.message, code=error.code)


def events_for(user):
    """The events of the territories the staff member (session or token) acts for: another
    territory's event is answered as if it did not exist."""
    return EventPage.objects.filter(commune__territory__in=territories_for(user))


def _event(request, event_id: int, field: str = "event") -> EventPage:
    event = events_for(request.auth).filter(pk=event_id).first() if 0 < event_id <= MAX_DATABASE_INT else None
    if event is None:
        raise ApiError(
            _("Aucun événement ne porte l'identifiant %(id)s.") % {"id": echo(event_id)},
            code="event_not_found",
            field=field,
            status=404,
        )
    return event


def _check_in(request, event: EventPage, item: CheckinIn) -> service.ScanOutcome:
    """One scan, by ticket or by registration; raises CheckinError or ApiError."""
    common = {
        "nonce": item.nonce,
        "device": item.device,
        "by": request.auth,
        "scanned_at": item.scanned_at,
        "offline": item.offline,
    }
    if item.ticket is not None:
        return _unseen_elsewhere(request, service.perform_checkin(event=event, code_or_link=item.ticket, **common))
    registration = event.registrations.filter(pk=item.registration).first()
    if registration is None:
        raise ApiError(
            _("Aucune inscription %(id)s pour cet événement.") % {"id": echo(item.registration)},
            code="registration_not_found",
            field="registration",
            status=404,
        )
    return service.checkin_registration(registration, event=event, **common)


def _unseen_elsewhere(request, outcome: service.ScanOutcome) -> service.ScanOutcome:
    """A ticket of another territory's event stays "wrong event", without its holder or event:
    the person at the door learns nothing of the other territory."""
    if outcome.result != ScanResult.WRONG_EVENT or outcome.attendee is None:
        return outcome
    visible = Registration.objects.filter(
        pk=outcome.attendee.registration_id, event__commune__territory__in=territories_for(request.auth)
    )
    if visible.exists():
        return outcome
    return dataclasses.replace(outcome, attendee=None, other_event="")


# Endpoints ---------------------------------------------------------------------------------------


@router.post(
    "/checkins",
    response={200: CheckinAnswer, **ERRORS},
    summary="Pointer un billet",
    description=(
        "Juge un scan : `result` vaut `accepted` (présent·e), `duplicate` (déjà pointé·e), `unknown`, "
        "`revoked`, `cancelled`, `not_confirmed` (liste d'attente) ou `wrong_event`. Un billet refusé "
        "est une réponse 200 ; les statuts d'erreur sont réservés aux requêtes impossibles à juger "
        "(événement clos ou annulé : 400 `checkin_closed`, `checkin_not_open`, `event_cancelled`). "
        "Le pointage est ouvert de deux heures avant le début jusqu'à la fin du dernier jour.\n\n"
        "Idempotent : le même `nonce` renvoie la première réponse sans nouvel enregistrement." + AUTH_NOTE
    ),
)
def check_in(request, scan: CheckinIn):
    event = _event(request, scan.event)
    try:
        outcome = _check_in(request, event, scan)
    except service.CheckinError as error:
        raise _service_error(error) from None
    return {**_outcome(outcome), "counts": _counts(event)}


@router.post(
    "/checkins/batch",
    response={200: BatchOut, **ERRORS},
    summary="Synchroniser la file d'attente hors ligne",
    description=(
        f"Jusqu'à {MAX_BATCH} scans, chacun jugé comme `POST /checkins` et dans l'ordre reçu ; une "
        "réponse par scan (`ok` faux avec `error` quand le scan ne peut pas être jugé). Renvoyer un lot "
        "déjà reçu est sans effet : chaque `nonce` garde sa première réponse. Si deux téléphones hors "
        "ligne ont scanné le même billet, le premier synchronisé est `accepted`, l'autre `duplicate`." + AUTH_NOTE
    ),
)
def check_in_batch(request, queue: BatchIn):
    visible = events_for(request.auth)
    events: dict[int, EventPage | None] = {}
    answers = []
    for item in queue.items:
        if item.event not in events:
            events[item.event] = visible.filter(pk=item.event).first()
        event = events[item.event]
        try:
            if event is None:
                _event(request, item.event)  # raises the not-found error
            outcome = _check_in(request, event, item)
        except (service.CheckinError, ApiError) as error:
            answers.append({"nonce": item.nonce, "ok": False, "outcome": None, "error": _error_item(error)})
            continue
        answers.append({"nonce": item.nonce, "ok": True, "outcome": _outcome(outcome), "error": None})
    counts = [_counts(event) for event in events.values() if event is not None]
    return {"items": answers, "counts": counts}


@router.delete(
    "/checkins/{checkin_id}",
    response={200: UndoOut, **ERRORS},
    summary="Annuler un pointage",
    description="Supprime un pointage fait par erreur ; le journal garde le scan et son annulation." + AUTH_NOTE,
)
def undo(request, checkin_id: int, device: str = ""):
    checkins = CheckIn.objects.filter(event__in=events_for(request.auth))
    checkin = checkins.filter(pk=checkin_id).first() if 0 < checkin_id <= MAX_DATABASE_INT else None
    if checkin is None:
        raise ApiError(
            _("Ce pointage n'existe pas ou a déjà été annulé."),
            code="checkin_not_found",
            field="checkin_id",
            status=404,
        )
    try:
        outcome = service.undo_checkin(checkin, by=request.auth, device=device[:80])
    except service.CheckinError as error:
        raise _service_error(error) from None
    return {
        "result": outcome.result,
        "message": outcome.message,
        "attendee": _attendee(outcome.attendee),
        "counts": _counts(checkin.event),
    }


@router.get(
    "/events/{event_id}/checkin-list",
    response={200: ManifestOut, 304: None, **ERRORS},
    summary="Liste de pointage hors ligne",
    description=(
        "Les billets valides des inscriptions confirmées, par empreinte SHA-256 de leur code, pour "
        "pointer sans réseau : l'appareil calcule l'empreinte du code scanné et la cherche dans la liste. "
        "Avec `If-None-Match: <version>`, répond 304 si rien n'a changé." + AUTH_NOTE
    ),
)
def checkin_list(request, event_id: int, response: HttpResponse):
    event = _event(request, event_id, field="event_id")
    manifest = service.offline_manifest(event)
    etag = f'"{manifest["version"]}"'
    if request.headers.get("If-None-Match") == etag:
        return 304, None
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return {
        **manifest,
        "generated_at": _paris(manifest["generated_at"]),
        "counts": _counts(event),
    }


@router.get(
    "/events/{event_id}/checkin-counts",
    response={200: CountsOut, **ERRORS},
    summary="Présents, inscrits et compteur",
    description="Pour l'affichage en direct « présents / inscrits »." + AUTH_NOTE,
)
def checkin_counts(request, event_id: int):
    return _counts(_event(request, event_id, field="event_id"))


@router.get(
    "/events/{event_id}/attendees",
    response={200: list[AttendeeMatchOut], **ERRORS},
    summary="Chercher une personne par son nom",
    description=(
        "Inscriptions de l'événement dont le nom ou la structure contient chaque mot de `q` (accents et "
        f"majuscules ignorés, {service.SEARCH_LIMIT} au plus) ; pointer ensuite avec `POST /checkins` "
        "et `registration`." + AUTH_NOTE
    ),
)
def attendees(
    request, event_id: int, q: str = Query("", max_length=100, description="Nom ou structure, 2 lettres au moins.")
):
    event = _event(request, event_id, field="event_id")
    return [
        {
            "attendee": _attendee(match.attendee),
            "status": match.status.value,
            "status_label": str(match.status.label),
            "has_ticket": match.has_ticket,
            "checkin_id": match.checkin_id,
            "checked_in_at": _paris(match.checked_in_at),
        }
        for match in service.search_attendees(event, q)
    ]


@router.post(
    "/tally",
    response={200: TallyOut, **ERRORS},
    summary="Compter un·e passant·e (+1 / -1)",
    description="Idempotent par `nonce`, comme les scans." + AUTH_NOTE,
)
def tally(request, mark: TallyIn):
    event = _event(request, mark.event)
    return _record_tally(request, event, mark)


@router.post(
    "/tally/batch",
    response={200: TallyBatchOut, **ERRORS},
    summary="Synchroniser les comptages faits hors ligne",
    description=f"Jusqu'à {MAX_BATCH} comptages, une réponse par comptage." + AUTH_NOTE,
)
def tally_batch(request, marks: TallyBatchIn):
    visible = events_for(request.auth)
    events: dict[int, EventPage | None] = {}
    answers = []
    for item in marks.items:
        if item.event not in events:
            events[item.event] = visible.filter(pk=item.event).first()
        try:
            event = events[item.event] or _event(request, item.event)
            outcome = _record_tally(request, event, item)
        except ApiError as error:
            answers.append({"nonce": item.nonce, "ok": False, "outcome": None, "error": _error_item(error)})
            continue
        answers.append({"nonce": item.nonce, "ok": True, "outcome": outcome, "error": None})
    return {"items": answers, "counts": [_counts(event) for event in events.values() if event is not None]}


def _record_tally(request, event: EventPage, item: TallyIn) -> dict:
    try:
        outcome = service.record_tally(
            event=event,
            delta=item.delta,
            nonce=item.nonce,
            device=item.device,
            by=request.auth,
            counted_at=item.counted_at,
        )
    except service.CheckinError as error:
        raise ApiError(
            error.message, code=error.code, field="delta" if error.code == "invalid_delta" else None
        ) from None
    return {"nonce": outcome.nonce, "delta": outcome.delta, "total": outcome.total, "replayed": outcome.replayed}
