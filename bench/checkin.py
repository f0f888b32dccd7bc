"""The check-in service (events.services.checkin.perform_checkin) against a raw single-UPDATE baseline.

Each scan is timed next to one baseline UPDATE on the same connection, interleaved, so
both see the same database state, page cache and WAL size: the ratio between them says
what the service's rules (nonce log, row lock, duplicate check, audit row) cost over the
cheapest possible durable write.
"""

import datetime as dt
import sys
import time

from bench.timing import Latencies, Table, elapsed_ms

COUNTER_TABLE = "bench_counter"
RATIO_LIMIT = 10


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (file, WAL, synchronous=NORMAL, IMMEDIATE transactions)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"PostgreSQL {version} (same machine, TCP)"


def create_counter_table(rows: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COUNTER_TABLE}")
        cursor.execute(f"CREATE TABLE {COUNTER_TABLE} (id integer PRIMARY KEY, x integer NOT NULL)")
        cursor.executemany(f"INSERT INTO {COUNTER_TABLE} (id, x) VALUES (%s, 0)", [(n,) for n in range(1, rows + 1)])  # noqa: S608


def baseline_update(row: int) -> None:
    """The cheapest durable write a scan could be: one UPDATE by primary key in its own transaction."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {COUNTER_TABLE} SET x = x + 1 WHERE id = %s", [row])  # noqa: S608


def statements(function) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def comparison_rows(baseline: Latencies, series: list[tuple[str, str, Latencies]]) -> list[list[str]]:
    rows = [
        [
            "raw `UPDATE … SET x = x + 1 WHERE id = %s` in its own transaction (baseline)",
            "1",
            f"{baseline.median:.3f}",
            f"{baseline.p95:.3f}",
            f"{baseline.per_second:,.0f}",
            "1.0",
        ]
    ]
    for label, queries, latencies in series:
        rows.append(
            [
                label,
                queries,
                f"{latencies.median:.3f}",
                f"{latencies.p95:.3f}",
                f"{latencies.per_second:,.0f}",
                f"{latencies.median / baseline.median:.1f}",
            ]
        )
    return rows


def run(args) -> list[Table]:
    from bench.checkin_sketch import sketch_checkin, sketch_checkin_raw
    from bench.fixtures import checkin_staff, event_starting_in, make_tickets
    from events.models import ScanResult
    from events.services.checkin import perform_checkin
    from events.services.registrations import ticket_url

    # Starts in an hour: the door opened an hour ago (two hours before the start).
    event = event_starting_in(dt.timedelta(hours=1), slug=f"bench-checkin-{time.time_ns()}")
    warm_up = 20
    began = time.perf_counter()
    tickets = make_tickets(event, 3 * args.scans + warm_up + 3)
    print(f"made {len(tickets)} tickets in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    staff = checkin_staff()
    create_counter_table(args.scans)
    links = [ticket_url(code) for _ticket, code in tickets]

    def scan(link, nonce):
        return perform_checkin(event=event, code_or_link=link, nonce=nonce, device="bench", by=staff).result

    def sketch(link, nonce):
        return sketch_checkin(event=event, code_or_link=link, nonce=nonce, device="bench", by=staff)

    def raw(link, nonce):
        return sketch_checkin_raw(event=event, code_or_link=link, nonce=nonce, device="bench", by=staff)

    shipped_links, sketch_links = links[: args.scans], links[args.scans : 2 * args.scans]
    raw_links, spare = links[2 * args.scans : 3 * args.scans], links[3 * args.scans :]
    for n in range(warm_up):
        baseline_update(n + 1)
        scan(spare[n], f"warm-{n}")
    queries = {
        "shipped accepted": statements(lambda: scan(spare[-2], "probe-accepted")),
        "shipped duplicate": statements(lambda: scan(spare[-2], "probe-duplicate")),
        "sketch accepted": statements(lambda: sketch(spare[-1], "probe-sketch-accepted")),
        "sketch duplicate": statements(lambda: sketch(spare[-1], "probe-sketch-duplicate")),
        "raw accepted": statements(lambda: raw(spare[-3], "probe-raw-accepted")),
        "raw duplicate": statements(lambda: raw(spare[-3], "probe-raw-duplicate")),
    }

    base = []
    samples = {key: [] for key in queries}
    for kind, expected in [("accepted", ScanResult.ACCEPTED), ("duplicate", ScanResult.DUPLICATE)]:
        for n in range(args.scans):
            base.append(elapsed_ms(lambda n=n: baseline_update(n + 1)))
            for name, function, link in [
                ("shipped", scan, shipped_links[n]),
                ("sketch", sketch, sketch_links[n]),
                ("raw", raw, raw_links[n]),
            ]:
                began = time.perf_counter()
                result = function(link, f"{name}-{kind}-{n}")
                samples[f"{name} {kind}"].append((time.perf_counter() - began) * 1000)
                assert result == expected, (name, kind, result)

    baseline = Latencies(base)
    accepted, duplicate = Latencies(samples["shipped accepted"]), Latencies(samples["shipped duplicate"])
    worst = max(accepted.median, duplicate.median) / baseline.median
    table = Table(
        f"Check-in service on {database_label()}: {args.scans} scans of each kind, one at a time",
        ["operation", "statements", "median ms", "p95 ms", "per second", "× baseline (median)"],
        comparison_rows(
            baseline,
            [
                (
                    "`perform_checkin`, accepted (first scan of a ticket's link)",
                    str(queries["shipped accepted"]),
                    accepted,
                ),
                ("`perform_checkin`, duplicate (second scan, new nonce)", str(queries["shipped duplicate"]), duplicate),
                (
                    "sketch with the suggested changes (bench only), accepted",
                    str(queries["sketch accepted"]),
                    Latencies(samples["sketch accepted"]),
                ),
                (
                    "sketch with the suggested changes (bench only), duplicate",
                    str(queries["sketch duplicate"]),
                    Latencies(samples["sketch duplicate"]),
                ),
                (
                    "same rules in hand-written SQL (bench only), accepted",
                    str(queries["raw accepted"]),
                    Latencies(samples["raw accepted"]),
                ),
                (
                    "same rules in hand-written SQL (bench only), duplicate",
                    str(queries["raw duplicate"]),
                    Latencies(samples["raw duplicate"]),
                ),
            ],
        ),
        [
            f"Worst ratio of the shipped service to the baseline: {worst:.1f}× "
            f"({'within' if worst <= RATIO_LIMIT else 'OVER'} the {RATIO_LIMIT}× budget). "
            "Statements are those Django sends, transaction control included. "
            "The sketch is bench/checkin_sketch.py: the same rules with fewer, narrower statements."
        ],
    )
    return [table]
