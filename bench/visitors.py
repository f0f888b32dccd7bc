"""Visitor self check-in (events.services.visitors.record_visit) and the counts, next to the same baseline."""

import datetime as dt
import time

from bench.checkin import create_counter_table, database_label, statements
from bench.timing import Latencies, Table, elapsed_ms, timed


def run(args) -> list[Table]:
    from django.utils import timezone

    from bench.checkin import baseline_update, comparison_rows
    from bench.fixtures import event_starting_in
    from events.models import AgeBracket, TallyMark, VisitorRole
    from events.services.visitors import VisitorAnswers, record_visit, territory_communes, visitor_counts

    # Started an hour ago: the poster's page is open until midnight.
    event = event_starting_in(-dt.timedelta(hours=1), village=True, slug=f"bench-visitors-{time.time_ns()}")
    communes = list(territory_communes(event))
    create_counter_table(args.visits)
    ages, roles = list(AgeBracket), list(VisitorRole)

    def answers(n):
        return VisitorAnswers(home_commune=communes[n % len(communes)], age_bracket=ages[n % 4], role=roles[n % 5])

    for n in range(20):
        baseline_update(n + 1)
        record_visit(event, f"warm-{n}", answers(n))
    first_queries = statements(lambda: record_visit(event, "probe", answers(0)))
    again_queries = statements(lambda: record_visit(event, "probe", answers(1)))

    base, first, again = [], [], []
    for n in range(args.visits):
        base.append(elapsed_ms(lambda n=n: baseline_update(n + 1)))
        first.append(elapsed_ms(lambda n=n: record_visit(event, f"device-{n}", answers(n))))
    for n in range(args.visits):
        base.append(elapsed_ms(lambda n=n: baseline_update(n + 1)))
        again.append(elapsed_ms(lambda n=n: record_visit(event, f"device-{n}", answers(n + 1))))

    TallyMark.objects.bulk_create(
        TallyMark(event=event, delta=1, nonce=f"bench-tally-{event.pk}-{n}", counted_at=timezone.now())
        for n in range(args.visits)
    )
    count_queries = statements(lambda: visitor_counts(event))
    counts_median, counts_best = timed(lambda: visitor_counts(event), args.repeat)

    table = Table(
        f"Visitor self check-in on {database_label()}: {args.visits} phones, one at a time",
        ["operation", "statements", "median ms", "p95 ms", "per second", "× baseline (median)"],
        comparison_rows(
            Latencies(base),
            [
                ("`record_visit`, a phone's first visit (counted)", str(first_queries), Latencies(first)),
                ("`record_visit`, the same phone again (answers updated)", str(again_queries), Latencies(again)),
            ],
        ),
        [
            f"`visitor_counts` over {args.visits + 21} visits and {args.visits} tally marks: "
            f"{count_queries} queries, median {counts_median:.2f} ms (best {counts_best:.2f} ms) "
            f"of {args.repeat} runs."
        ],
    )
    return [table]
