"""Passers-by counted at the village and market stands: the poster's self check-in, and the totals.

What counts as a visit: the person scanned the poster *and* pressed "Je suis passé·e" on
the page. Opening the page alone does not count: a team member checking the poster, a
link shared on a social network or a curious passer-by who walks on would inflate the
figure the steering committee reads. The questions are optional, so counting costs one tap.

No personal data: a visit row holds the event, a SHA-256 of a random token that only the
visitor's browser keeps (one cookie per event, gone at the end of the event's day), and
the optional answers (commune, age bracket, role). Neither the IP address nor anything
else that identifies the person is stored, so the rows need no retention rule.

The tally (+1 / -1 from the stand's counter, `TallyMark`) belongs to the check-in app;
`visitor_counts` adds both up for the organisers and the indicators.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import AgeBracket, EventPage, TallyMark, VisitorCheckIn, VisitorRole
from territory.models import PARIS, Commune

# The team sets up the stand and hangs the poster before the market opens; early visitors
# and the team's own test scan fit in two hours.
OPENS_BEFORE_START = dt.timedelta(hours=2)
DEVICE_TOKEN_BYTES = 32


class SelfCheckinState(models.TextChoices):
    OPEN = "open", _("Ouvert")
    NOT_STARTED = "not_started", _("Pas encore commencé")
    OVER = "over", _("Terminé")
    CANCELLED = "cancelled", _("Annulé")
    NOT_PUBLISHED = "not_published", _("Non publié")


class VisitError(Exception):
    """A visit that cannot be recorded; `code` is stable, the message is for the visitor."""

    def __init__(self, message, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class VisitorAnswers:
    """The optional answers of the self check-in form; all empty is a valid visit."""

    home_commune: Commune | None = None
    outside_territory: bool = False
    age_bracket: str = ""
    role: str = ""

    def as_fields(self) -> dict:
        return {
            "home_commune": self.home_commune,
            "outside_territory": self.outside_territory and self.home_commune is None,
            "age_bracket": self.age_bracket,
            "role": self.role,
        }


@dataclass(frozen=True)
class Share:
    """One line of a breakdown: a stable key ("" for no answer), its label, how many."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class VisitorCounts:
    self_checkins: int
    # Sum of the +1/-1 marks, never below zero: a -1 tapped before any +1 corrects nothing.
    tally: int
    by_commune: list[Share]
    by_age: list[Share]
    by_role: list[Share]

    @property
    def total(self) -> int:
        return self.self_checkins + self.tally


# The window -----------------------------------------------------------------------


def self_checkin_window(event: EventPage) -> tuple[dt.datetime, dt.datetime]:
    """[opens, closes): from two hours before the start to midnight (Paris) after the end's day."""
    end_day = timezone.localtime(event.end, PARIS).date()
    # Built from the calendar date, so the day after a DST change still closes at midnight.
    closes = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(0), tzinfo=PARIS)
    return event.start - OPENS_BEFORE_START, closes


def self_checkin_state(event: EventPage, now: dt.datetime | None = None) -> SelfCheckinState:
    if not event.live:
        return SelfCheckinState.NOT_PUBLISHED
    if event.is_cancelled:
        return SelfCheckinState.CANCELLED
    now = now or timezone.now()
    opens, closes = self_checkin_window(event)
    if now < opens:
        return SelfCheckinState.NOT_STARTED
    if now >= closes:
        return SelfCheckinState.OVER
    return SelfCheckinState.OPEN


_CLOSED_MESSAGES = {
    SelfCheckinState.NOT_STARTED: _("Ce rendez-vous n'a pas encore commencé."),
    SelfCheckinState.OVER: _("Ce rendez-vous est terminé."),
    SelfCheckinState.CANCELLED: _("Ce rendez-vous est annulé."),
    SelfCheckinState.NOT_PUBLISHED: _("Ce rendez-vous n'est pas publié."),
}


# Devices ----------------------------------------------------------------------------


def new_device_token() -> str:
    return secrets.token_urlsafe(DEVICE_TOKEN_BYTES)


def device_key(device_token: str) -> str:
    """What the database keeps of the device's token: its SHA-256, so a leaked table names no cookie."""
    return hashlib.sha256(device_token.encode("ascii", "replace")).hexdigest()


def visit_for_device(event: EventPage, device_token: str | None) -> VisitorCheckIn | None:
    if not device_token:
        return None
    return (
        VisitorCheckIn.objects.select_related("home_commune")
        .filter(event=event, device_key=device_key(device_token))
        .first()
    )


def _territory_id(event: EventPage) -> int | None:
    return event.commune.territory_id if event.commune_id else None


def territory_communes(event: EventPage):
    """The communes a visitor may name: those of the event's territory, by name."""
    return Commune.objects.filter(territory_id=_territory_id(event)).order_by("name")


# Recording ---------------------------------------------------------------------------


def record_visit(
    event: EventPage, device_token: str, answers: VisitorAnswers, now: dt.datetime | None = None
) -> tuple[VisitorCheckIn, bool]:
    """Count the device's visit once; a later call from the same device updates its answers.

    Returns (visit, created). Raises VisitError outside the window or for a commune of
    another territory.
    """
    state = self_checkin_state(event, now)
    if state != SelfCheckinState.OPEN:
        raise VisitError(_CLOSED_MESSAGES[state], code=state.value)
    commune = answers.home_commune
    if commune is not None and commune.territory_id != _territory_id(event):
        raise VisitError(_("Cette commune n'est pas sur le territoire."), code="wrong_territory")

    key = device_key(device_token)
    fields = answers.as_fields()
    # No row lock is needed: nothing is counted against a limit. The unique constraint on
    # (event, device_key) is what makes a device count once: of two submissions racing
    # (a double tap, a resent request), exactly one INSERT succeeds and the other lands
    # in the IntegrityError branch, where it only updates the answers. INSERT comes first
    # because a first visit is the common case: one statement.
    try:
        with transaction.atomic():
            return VisitorCheckIn.objects.create(event=event, device_key=key, **fields), True
    except IntegrityError:
        pass
    visit = VisitorCheckIn.objects.get(event=event, device_key=key)
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.save(update_fields=list(fields))
    return visit, False


# Counting ----------------------------------------------------------------------------


def visitor_counts(event: EventPage) -> VisitorCounts:
    """Self check-ins, tally and breakdowns of one event, in three queries whatever the numbers."""
    visits = VisitorCheckIn.objects.filter(event=event)
    totals = visits.aggregate(
        total=Count("pk"),
        outside=Count("pk", filter=Q(outside_territory=True)),
        no_commune=Count("pk", filter=Q(home_commune__isnull=True, outside_territory=False)),
        age_none=Count("pk", filter=Q(age_bracket="")),
        role_none=Count("pk", filter=Q(role="")),
        **{f"age_{value}": Count("pk", filter=Q(age_bracket=value)) for value in AgeBracket.values},
        **{f"role_{value}": Count("pk", filter=Q(role=value)) for value in VisitorRole.values},
    )
    per_commune = (
        visits.filter(home_commune__isnull=False)
        .values("home_commune__insee_code", "home_commune__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "home_commune__name")
    )
    tally = TallyMark.objects.filter(event=event).aggregate(total=Sum("delta"))["total"] or 0

    not_answered = _("Sans réponse")
    by_commune = [
        Share(row["home_commune__insee_code"], row["home_commune__name"], row["count"]) for row in per_commune
    ]
    by_commune += [
        Share("outside", str(_("Hors du territoire")), totals["outside"]),
        Share("", str(not_answered), totals["no_commune"]),
    ]
    return VisitorCounts(
        self_checkins=totals["total"],
        tally=max(tally, 0),
        by_commune=by_commune,
        by_age=[Share(m.value, str(m.label), totals[f"age_{m.value}"]) for m in AgeBracket]
        + [Share("", str(not_answered), totals["age_none"])],
        by_role=[Share(m.value, str(m.label), totals[f"role_{m.value}"]) for m in VisitorRole]
        + [Share("", str(not_answered), totals["role_none"])],
    )
