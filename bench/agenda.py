"""Agenda pages, the events API and market recurrences, on an agenda of many events."""

import sys
import time

from bench.timing import Table, timed


def run(args) -> list[Table]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.fixtures import build_agenda
    from territory.models import Venue

    began = time.perf_counter()
    build_agenda(args.events)
    print(f"built {args.events} events in {time.perf_counter() - began:.1f} s", file=sys.stderr)

    client = Client()
    table = Table(
        f"Agenda and API: {args.events} events, median of {args.repeat} runs, Django test client (no network)",
        ["what", "request", "queries", "median ms", "best ms"],
    )
    for label, url in [
        ("agenda, first page (20 of the upcoming events)", "/agenda/"),
        ("agenda, filtered by kind and commune", "/agenda/?kind=thematic_breakfast&commune=59606"),
        ("agenda, one month", "/agenda/?month=2027-03"),
        ("API, 100 events", "/api/v1/events?limit=100"),
        ("API, 500 events", "/api/v1/events?limit=500"),
        ("home page", "/"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        # Each request empties the query log (reset_queries on request_started): start the
        # capture from an empty log, or it slices past the end of the new one and counts 0.
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        median, best = timed(lambda url=url: client.get(url), args.repeat)
        table.rows.append([label, f"`{url}`", str(len(queries)), f"{median:.1f}", f"{best:.1f}"])

    market = Venue.objects.exclude(recurrence="").first()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        market.next_occurrences(10)  # one query for the market's closures (VenueClosure)
    median, best = timed(lambda: market.next_occurrences(10), args.repeat * 10)
    table.rows.append(
        [
            "next 10 occurrences of a weekly market",
            "`Venue.next_occurrences(10)`",
            str(len(queries)),
            f"{median:.1f}",
            f"{best:.1f}",
        ]
    )
    return [table]
