"""A 1,000-page ticket PDF (events.pdf.tickets.tickets_pdf): QR as one vector path vs reportlab's QrCodeWidget.

The three variants run the same ticket layout; only the function that draws the QR is
swapped (patched in events.pdf.tickets), so the difference is the QR drawing alone.
"""

import contextlib
import cProfile
import datetime as dt
import io
import pstats
import statistics
import sys
import time
from unittest import mock

from bench.timing import Table

TARGET_PAGES_PER_SECOND = 150


def widget_draw_qr(canvas, data, x, y, size, mask_pattern=None):
    """The same square drawn with reportlab's QrCodeWidget: one rectangle per dark module."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(data, barLevel="M")  # its own 4-module quiet zone, like draw_qr
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def _fixed_mask_draw_qr(canvas, data, x, y, size, mask_pattern=None):
    from events.qr import draw_qr

    draw_qr(canvas, data, x, y, size, mask_pattern=0)


def _pages_per_second(make, pages: int, runs: int) -> tuple[float, float, float, int]:
    """Pages/s over `runs` runs: median and best by the wall clock, median by the process's CPU
    time (what the code costs, even when other jobs share the cores), and the PDF's size."""
    durations, cpu, size = [], [], 0
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        size = len(make())
        durations.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    median_cpu = statistics.median(cpu)
    return pages / statistics.median(durations), pages / min(durations), pages / median_cpu, size


def profile_top(make, limit: int = 12) -> list[str]:
    profiler = cProfile.Profile()
    profiler.enable()
    make()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(limit)
    return out.getvalue().splitlines()


def run(args) -> list[Table]:
    from bench.fixtures import event_starting_in, make_tickets
    from events.pdf.tickets import tickets_pdf

    event = event_starting_in(dt.timedelta(days=7), slug="bench-pdf")
    began = time.perf_counter()
    tickets = make_tickets(event, args.tickets)
    print(f"made {args.tickets} tickets in {time.perf_counter() - began:.1f} s", file=sys.stderr)

    def make():
        return tickets_pdf(tickets)

    variants = [("QR as one vector path (`events.qr.draw_qr`), as shipped", None)]
    variants.append(("same, with a fixed `mask_pattern=0`", _fixed_mask_draw_qr))
    variants.append(("QR with reportlab's `QrCodeWidget`", widget_draw_qr))
    table = Table(
        f"Ticket PDF: {args.tickets} A6 pages by `tickets_pdf`, median of {args.pdf_runs} runs",
        ["QR drawn as", "pages/s (median)", "pages/s (best)", "pages per CPU-second", "seconds", "PDF size"],
    )
    shipped = None
    for label, patch in variants:
        context = mock.patch("events.pdf.tickets.draw_qr", patch) if patch else contextlib.nullcontext()
        with context:
            median, best, per_cpu, size = _pages_per_second(make, args.tickets, args.pdf_runs)
        shipped = median if shipped is None else shipped
        table.rows.append(
            [
                label,
                f"{median:.0f}",
                f"{best:.0f}",
                f"{per_cpu:.0f}",
                f"{args.tickets / median:.1f}",
                f"{size / 1e6:.1f} MB",
            ]
        )
    verdict = "meets" if shipped >= TARGET_PAGES_PER_SECOND else "misses"
    table.notes.append(f"The shipped module {verdict} the target of {TARGET_PAGES_PER_SECOND} pages/s.")
    if shipped < TARGET_PAGES_PER_SECOND or args.profile:
        sample = tickets[: min(len(tickets), 200)]
        lines = profile_top(lambda: tickets_pdf(sample))
        print("\n".join(["cProfile of tickets_pdf, 200 pages, by own time:", *lines]), file=sys.stderr)
    return [table]
