"""Shapes of the public events API: query filters, pagination and the event as published."""

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from territory.models import PARIS
from village.api_errors import echo

from .models import EventKind, EventStatus

# Five characters: digits, or 2A/2B and three digits for the communes of Corsica.
INSEE_CODE_PATTERN = r"^(?:[0-9]{5}|2[AB][0-9]{3})$"
# Only the calendar form: pydantic alone would also take "2026-12-10T08:00" or a timestamp.
ISO_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Page ids are 32-bit on PostgreSQL, so no larger id or offset can match a row; refusing
# them early also keeps SQLite from overflowing on a 20-digit number.
MAX_DATABASE_INT = 2_147_483_647


def _blank_to_none(value: Any) -> Any:
    # The documented URL form is `?kind=&commune=&start=&end=`: an empty value means "any".
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _parse_iso_date(value: str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        if not ISO_DATE_PATTERN.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "invalid_date",
            _("Date illisible : « %(value)s ». Indiquez-la sous la forme AAAA-MM-JJ, par exemple 2026-12-10.")
            % {"value": echo(value)},
        ) from None


class EventFilters(Schema):
    kind: EventKind | None = Field(None, description="Type d'événement.")
    commune: str | None = Field(
        None,
        description="Code INSEE de la commune (5 caractères), par exemple 59606 pour Valenciennes.",
        pattern=INSEE_CODE_PATTERN,
        examples=["59606"],
    )
    start: dt.date | None = Field(
        None,
        description="Premier jour (AAAA-MM-JJ, inclus), en date locale de Paris. "
        "Sans `start` ni `end`, seuls les événements à venir ou en cours sont listés.",
        examples=["2026-12-01"],
    )
    end: dt.date | None = Field(
        None,
        description="Dernier jour (AAAA-MM-JJ, inclus), en date locale de Paris.",
        examples=["2026-12-31"],
    )

    @field_validator("kind", mode="before")
    @classmethod
    def known_kind(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        if value is not None and value not in EventKind.values:
            raise PydanticCustomError(
                "unknown_kind",
                _("Type d'événement inconnu : « %(value)s ». Types possibles : %(choices)s.")
                % {"value": echo(value), "choices": ", ".join(EventKind.values)},
            )
        return value

    @field_validator("commune", mode="before")
    @classmethod
    def well_formed_insee_code(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        if value is None:
            return None
        code = str(value).upper()
        if not re.fullmatch(INSEE_CODE_PATTERN, code):
            raise PydanticCustomError(
                "invalid_commune",
                _(
                    "Code commune mal formé : « %(value)s ». Indiquez le code INSEE à 5 caractères, "
                    "par exemple 59606 pour Valenciennes."
                )
                % {"value": echo(value)},
            )
        return code

    @field_validator("start", mode="before")
    @classmethod
    def start_is_a_date(cls, value: Any) -> Any:
        return _parse_iso_date(_blank_to_none(value))

    @field_validator("end", mode="before")
    @classmethod
    def end_is_a_date(cls, value: Any) -> Any:
        return _parse_iso_date(_blank_to_none(value))

    @field_validator("end")
    @classmethod
    def end_not_before_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        # info.data has `start` only when it was valid; a bad start is reported on its own.
        start = info.data.get("start")
        if value is not None and start is not None and value < start:
            raise PydanticCustomError(
                "end_before_start",
                _("La date de fin (%(end)s) précède la date de début (%(start)s).")
                % {"end": value.isoformat(), "start": start.isoformat()},
            )
        return value


class EventPagination(LimitOffsetPagination):
    """limit/offset pagination answering {"count": total, "items": [...]}."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500, description="Nombre d'événements par page (500 au plus).")
        offset: int = Field(0, ge=0, le=MAX_DATABASE_INT, description="Nombre d'événements à sauter.")

    class Output(Schema):
        count: int = Field(description="Nombre total d'événements correspondant aux filtres.")
        items: list[Any]

    def __init__(self, **kwargs):
        super().__init__(max_limit=500, **kwargs)


class CommuneOut(Schema):
    insee_code: str
    name: str


class VenueOut(Schema):
    name: str
    address: str
    latitude: float | None = Field(description="Latitude du lieu ; null si elle n'est pas renseignée.")
    longitude: float | None = Field(description="Longitude du lieu ; null si elle n'est pas renseignée.")


class EventOut(Schema):
    id: int = Field(description="Identifiant de la page de l'événement.")
    kind: EventKind
    kind_label: str = Field(description="Libellé du type, en français.")
    title: str
    start: dt.datetime = Field(description="Début, ISO 8601 avec le décalage horaire de Paris.")
    end: dt.datetime = Field(description="Fin, ISO 8601 avec le décalage horaire de Paris.")
    commune: CommuneOut | None
    venue: VenueOut | None = Field(description="Lieu ; null si seule la commune est connue.")
    status: EventStatus
    capacity: int | None = Field(description="Nombre de places ; null : pas de limite.")
    seats_left: int | None = Field(description="Places restantes ; null : pas de limite.")
    summary: str
    url: str | None = Field(description="Adresse absolue de la page de l'événement.")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(EventKind(obj.kind).label)

    # Stored in UTC; partners expect the wall-clock time of Paris with its offset
    # (+01:00 in winter, +02:00 in summer).
    @staticmethod
    def resolve_start(obj) -> dt.datetime:
        return timezone.localtime(obj.start, PARIS)

    @staticmethod
    def resolve_end(obj) -> dt.datetime:
        return timezone.localtime(obj.end, PARIS)

    @staticmethod
    def resolve_url(obj, context) -> str | None:
        # Wagtail caches the site root paths on the request, so this costs no query per event.
        return obj.get_full_url(context["request"])
