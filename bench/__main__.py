"""`make bench`: performance figures on a throw-away SQLite database.

Run: `make bench` (or `.venv/bin/python -m bench --events 2000`). Prints a Markdown table that
docs/benchmarks.md records with the date and the machine. Never part of the test suite: timings
belong here, behaviour in tests/.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time


def timed(function, repeat: int) -> tuple[float, float]:
    """Median and best wall-clock milliseconds of `repeat` calls."""
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), min(samples)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000, help="events in the agenda (default 2000)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="village-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "village.settings.dev"
    os.environ["VAR_DIR"] = workdir
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.fixtures import build_agenda

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    build_agenda(args.events)
    print(f"built {args.events} events in {time.perf_counter() - began:.1f} s (SQLite in {workdir})", file=sys.stderr)

    # Keep one connection for the whole run, as a persistent web worker does: otherwise each
    # request closes it and the captured query log starts empty.
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    client = Client()
    rows = []
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
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        median, best = timed(lambda url=url: client.get(url), args.repeat)
        rows.append((label, url, len(queries), median, best))

    from territory.models import Venue

    market = Venue.objects.exclude(recurrence="").first()
    median, best = timed(lambda: market.next_occurrences(10), args.repeat * 10)
    rows.append(("next 10 occurrences of a weekly market", "Venue.next_occurrences(10)", 0, median, best))

    print(f"\n{args.events} events, median of {args.repeat} runs, Django test client (no network)\n")
    print("| what | request | queries | median ms | best ms |")
    print("|---|---|---:|---:|---:|")
    for label, url, count, median, best in rows:
        print(f"| {label} | `{url}` | {count} | {median:.1f} | {best:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
