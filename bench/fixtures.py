"""Data for the benchmarks: a territory, many events spread over two years, tickets, staff."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Page, Site

from cms.models import HomePage
from events.models import (
    AgendaPage,
    AttendeeCategory,
    ElectedAwarenessPage,
    Registration,
    RegistrationStatus,
    ThematicBreakfastPage,
    Ticket,
    VillageStopPage,
    YouthOutreachPage,
)
from events.tokens import hash_code, new_code
from territory.models import PARIS, Commune, Venue, VenueKind
from territory.services import SHIPPED_COMMUNES, import_communes


def ensure_site() -> AgendaPage:
    """The territory's communes, a home page and the agenda, made once per database."""
    agenda = AgendaPage.objects.first()
    if agenda is not None:
        return agenda
    shipped = SHIPPED_COMMUNES["valenciennes_metropole"]
    import_communes(shipped.path, shipped.territory_name, siren=shipped.siren, slug=shipped.slug)
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Le Village de l'ESS", slug="bench-home"))
    Site.objects.update(root_page=home)
    return home.add_child(instance=AgendaPage(title="Agenda", slug="agenda"))


def _market(commune) -> Venue:
    market, _created = Venue.objects.get_or_create(
        commune=commune,
        name="Marché du samedi (exemple)",
        defaults={
            "kind": VenueKind.MARKET,
            "recurrence": "FREQ=WEEKLY;BYDAY=SA",
            "opens_at": dt.time(8),
            "closes_at": dt.time(13),
            "is_example": True,
        },
    )
    return market


def build_agenda(count: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    agenda = ensure_site()
    communes = list(Commune.objects.all())  # by name, as the territory lists them
    market = _market(communes[0])
    kinds = [
        (ThematicBreakfastPage, {"theme": "Alimentation durable"}),
        (VillageStopPage, {}),
        (ElectedAwarenessPage, {}),
        (YouthOutreachPage, {"structure_name": "Lycée"}),
    ]
    first_day = dt.date.today() - dt.timedelta(days=180)
    for n in range(count):
        page_class, extra = kinds[n % 4]
        day = first_day + dt.timedelta(days=rng.randrange(540))
        start = dt.datetime.combine(day, dt.time(rng.choice([8, 10, 14, 18]), 30), tzinfo=PARIS)
        place = {"venue": market} if page_class is VillageStopPage else {"commune": rng.choice(communes)}
        agenda.add_child(
            instance=page_class(
                title=f"Événement {n}",
                slug=f"evenement-{n}",
                start=start,
                end=start + dt.timedelta(hours=2),
                summary="Événement de mesure.",
                capacity=30,
                **place,
                **extra,
            )
        )


def event_starting_in(delta: dt.timedelta, *, village: bool = False, slug: str) -> ThematicBreakfastPage:
    """A live event starting `delta` from now, so its check-in window is open during the run."""
    agenda = ensure_site()
    start = timezone.now() + delta
    commune = Commune.objects.first()
    if village:
        page = VillageStopPage(venue=_market(commune))
    else:
        page = ThematicBreakfastPage(commune=commune, theme="Alimentation durable", capacity=None)
    page.title = f"Événement de mesure {slug}"
    page.slug = slug
    page.start = start
    page.end = start + dt.timedelta(hours=2)
    page.summary = "Événement de mesure."
    return agenda.add_child(instance=page)


def make_tickets(event, count: int) -> list[tuple[Ticket, str]]:
    """`count` confirmed registrations with their tickets, and each ticket's clear code."""
    now = timezone.now()
    registrations = Registration.objects.bulk_create(
        Registration(
            event=event,
            status=RegistrationStatus.CONFIRMED,
            name=f"Personne n° {n}",
            email=f"personne{n}@example.org",
            email_key=f"personne{n}@example.org",
            category=AttendeeCategory.RESIDENT,
            consent_at=now,
            confirmed_at=now,
        )
        for n in range(count)
    )
    codes = [new_code() for _ in registrations]
    Ticket.objects.bulk_create(
        Ticket(registration=registration, code_hash=hash_code(code))
        for registration, code in zip(registrations, codes, strict=True)
    )
    tickets = {
        ticket.registration_id: ticket
        for ticket in Ticket.objects.filter(registration__event=event).select_related(
            "registration__event__venue", "registration__event__commune"
        )
    }
    return [(tickets[registration.pk], code) for registration, code in zip(registrations, codes, strict=True)]


def checkin_staff():
    user, _created = get_user_model().objects.get_or_create(username="bench-staff", defaults={"first_name": "Camille"})
    user.groups.add(Group.objects.get(name="Équipe de pointage"))
    return user
