"""`make bench`: performance figures on a throw-away SQLite database (and PostgreSQL when asked).

Run: `make bench`, or `.venv/bin/python -m bench --only qr,pdf,checkin,agenda` for some
sections. Sections: agenda (pages and API on 2,000 events), qr (one code), pdf (a 1,000-page
ticket PDF), checkin (the check-in service against a raw UPDATE), visitors (the stand's
self check-in), matching (100,000 volunteers ranked for one mission), indicators (the plan's
dashboard over a million check-ins against one hand-written query), calendar (the agenda's
feed over 10,000 events, from scratch and from stored VEVENTs). With BENCH_DATABASE_URL=postgres://user@host:5432/ the database
sections run a second time on a throw-away PostgreSQL database created and dropped there.

Prints Markdown tables that docs/benchmarks.md records with the date and the machine.
Never part of the test suite: timings belong here, behaviour in tests/.
"""

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

SECTIONS = ["agenda", "qr", "pdf", "checkin", "visitors", "matching", "indicators", "calendar"]
# Sections that measure the database, and so run again on PostgreSQL when asked.
DATABASE_SECTIONS = ["checkin", "visitors", "matching", "indicators"]
# Sections that need no database at all: no migration before them.
PURE_SECTIONS = ["qr"]


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {','.join(SECTIONS)}")
    parser.add_argument("--events", type=int, default=2000, help="events in the agenda (default 2000)")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each timed page or call (default 20)")
    parser.add_argument("--tickets", type=int, default=1000, help="pages of the ticket PDF (default 1000)")
    parser.add_argument("--pdf-runs", type=int, default=3, help="runs of each ticket PDF variant (default 3)")
    parser.add_argument("--scans", type=int, default=1000, help="accepted and duplicate scans (default 1000)")
    parser.add_argument("--visits", type=int, default=1000, help="visitor self check-ins (default 1000)")
    parser.add_argument("--volunteers", type=int, default=100_000, help="volunteers to rank (default 100000)")
    parser.add_argument(
        "--checkins", type=int, default=1_000_000, help="check-ins under the plan's dashboard (default 1000000)"
    )
    parser.add_argument(
        "--calendar-events", type=int, default=10_000, help="events in the calendar feed (default 10000)"
    )
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the ticket PDF to stderr")
    # Internal: how the PostgreSQL run calls itself back.
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sections = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}; choose among {', '.join(SECTIONS)}")
    return args


def setup_django(database_url: str | None, migrate: bool = True) -> str:
    workdir = tempfile.mkdtemp(prefix="village-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "village.settings.dev"
    os.environ["VAR_DIR"] = workdir
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    if migrate:
        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.perf_counter() - began:.1f} s ({workdir})", file=sys.stderr)

    # Keep one connection for the whole run, as a persistent web worker does: otherwise each
    # request closes it and the captured query log starts empty.
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    return workdir


def run_sections(args) -> list:
    from django.test.utils import override_settings

    tables = []
    for name in args.sections:
        began = time.perf_counter()
        section = importlib.import_module(f"bench.{name}")
        if name == "agenda":
            # As the agenda figures have always been measured: the dev settings, DEBUG on.
            tables += section.run(args)
        else:
            # DEBUG off: Django would otherwise log every SQL statement, a cost production
            # does not pay and that would weigh on the many-statement side of each ratio.
            with override_settings(DEBUG=False):
                tables += section.run(args)
        print(f"section {name}: {time.perf_counter() - began:.1f} s", file=sys.stderr)
    return tables


def run_on_postgresql(server_url: str, args) -> list:
    """Create a throw-away database on the server, run the database sections there, drop it."""
    import psycopg

    from bench.timing import Table

    name = f"village_bench_{os.getpid()}"
    server = urlsplit(server_url)
    # Connect to the database the URL names (or "postgres") to create and drop ours.
    admin_url = urlunsplit(server._replace(path=server.path if server.path.strip("/") else "/postgres"))
    database_url = urlunsplit(server._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        command = [
            sys.executable,
            "-m",
            "bench",
            "--json",
            "--database-url",
            database_url,
            "--only",
            ",".join(s for s in args.sections if s in DATABASE_SECTIONS),
            "--repeat",
            str(args.repeat),
            "--scans",
            str(args.scans),
            "--visits",
            str(args.visits),
            "--volunteers",
            str(args.volunteers),
            "--checkins",
            str(args.checkins),
        ]
        output = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
        sys.stderr.write(output.stderr)
        return [Table(**table) for table in json.loads(output.stdout)]
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    except OSError:
        pass
    return (
        f"{dt.date.today().isoformat()}, {os.cpu_count()} CPU cores ({model or platform.processor()}), "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main(argv: list[str]) -> int:
    args = parse(argv)
    setup_django(args.database_url, migrate=not set(args.sections) <= set(PURE_SECTIONS))
    tables = run_sections(args)
    server = os.environ.get("BENCH_DATABASE_URL")
    if args.json:
        print(json.dumps([table.as_dict() for table in tables]))
        return 0
    if server and any(section in DATABASE_SECTIONS for section in args.sections):
        tables += run_on_postgresql(server, args)

    print(f"\n{machine()}\n")
    for table in tables:
        print(table.markdown())
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
