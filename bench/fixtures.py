"""Data for the benchmarks: a territory and many events spread over two years."""

import datetime as dt
import random

from wagtail.models import Page, Site

from cms.models import HomePage
from events.models import AgendaPage, ElectedAwarenessPage, ThematicBreakfastPage, VillageStopPage, YouthOutreachPage
from territory.models import PARIS, Venue, VenueKind
from territory.services import SHIPPED_COMMUNES, import_communes


def build_agenda(count: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    shipped = SHIPPED_COMMUNES["valenciennes_metropole"]
    territory = import_communes(shipped.path, shipped.territory_name, siren=shipped.siren, slug=shipped.slug).territory
    communes = list(territory.communes.all())
    market = Venue.objects.create(
        commune=communes[0],
        name="Marché du samedi (exemple)",
        kind=VenueKind.MARKET,
        recurrence="FREQ=WEEKLY;BYDAY=SA",
        opens_at=dt.time(8),
        closes_at=dt.time(13),
        is_example=True,
    )
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Le Village de l'ESS", slug="bench-home"))
    Site.objects.update(root_page=home)
    agenda = home.add_child(instance=AgendaPage(title="Agenda", slug="agenda"))
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
