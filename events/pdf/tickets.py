"""Tickets as a PDF: one A6 page per ticket, its QR drawn as one vector path.

The QR holds the ticket's link ({SITE_URL}/billet/<code>/), which any phone camera
opens and the check-in app reads (events.tokens.code_from_scan). The code exists in
clear only while the PDF is made: callers pass it alongside the ticket, since the
database keeps its hash only.

Text uses the PDF standard Helvetica (Windows-1252: every French letter, the
typographic apostrophe and the middle dot of "inscrit·e"), so nothing is embedded
and a 1,000-ticket PDF stays small and fast to make.
"""

from collections.abc import Iterable
from io import BytesIO

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from events import dates
from events.qr import draw_qr

PAGE_WIDTH, PAGE_HEIGHT = A6
MARGIN = 8 * mm
QR_SIZE = 52 * mm
# The site's colours (static/css/site.css): ink, muted text, forest green.
INK = HexColor("#22252b")
MUTED = HexColor("#54575f")
ACCENT = HexColor("#1f3d37")
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
TICKET_QR_MASK = 0


def _ticket_url(code: str) -> str:
    from events.services.registrations import ticket_url

    return ticket_url(code)


def _encodable(text: str) -> str:
    # The standard fonts cover Windows-1252: a letter outside it (a Polish "ł", a Turkish
    # "ğ") would print as a black box; "?" is honest and keeps the line readable.
    return text.encode("cp1252", "replace").decode("cp1252")


def _lines(canvas: Canvas, text: str, font: str, size: float, y: float, *, color=INK, max_lines=3) -> float:
    """Write `text` wrapped to the page width from `y` down; return the y below it."""
    canvas.setFont(font, size)
    canvas.setFillColor(color)
    lines = simpleSplit(_encodable(text), font, size, PAGE_WIDTH - 2 * MARGIN)
    for line in lines[:max_lines]:
        canvas.drawString(MARGIN, y, line)
        y -= size * 1.25
    return y


def seats_label(registration) -> str:
    if registration.is_group:
        return _("Groupe de %(count)s personnes") % {"count": registration.seats}
    return registration.get_category_display()


def _draw_ticket(canvas: Canvas, ticket, code: str) -> None:
    registration = ticket.registration
    event = registration.event
    # Header band
    canvas.setFillColor(ACCENT)
    canvas.rect(0, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH, 14 * mm, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont(BOLD, 11)
    canvas.drawString(MARGIN, PAGE_HEIGHT - 9 * mm, _("Le Village de l'ESS"))
    canvas.setFont(REGULAR, 8)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 9 * mm, _encodable(_("Billet d'entrée")))

    y = PAGE_HEIGHT - 21 * mm
    y = _lines(canvas, event.get_kind_display(), REGULAR, 8, y, color=MUTED, max_lines=1)
    y = _lines(canvas, event.title, BOLD, 12, y - 1, max_lines=3)
    y = _lines(canvas, dates.format_range(event.start, event.end), REGULAR, 9, y - 2, max_lines=2)
    y = _lines(canvas, event.place_label, REGULAR, 9, y, color=MUTED, max_lines=2)

    # The QR, centred in the space between the event and the name, as large as it allows.
    name_block = 24 * mm
    room = y - MARGIN - name_block
    size = min(QR_SIZE, room - 2 * mm)
    # A fixed mask skips qrcode's search for the best of eight masks (85 % of the QR's cost):
    # every mask decodes (tests/events/test_qr.py), and a 1,000-ticket PDF runs twice as fast.
    draw_qr(
        canvas,
        _ticket_url(code),
        (PAGE_WIDTH - size) / 2,
        MARGIN + name_block + (room - size) / 2,
        size,
        mask_pattern=TICKET_QR_MASK,
    )

    y = MARGIN + name_block - 5 * mm
    y = _lines(canvas, registration.name, BOLD, 12, y, max_lines=1)
    detail = seats_label(registration)
    if registration.organisation_name:
        detail = f"{detail} · {registration.organisation_name}"
    y = _lines(canvas, detail, REGULAR, 9, y, color=MUTED, max_lines=1)
    _lines(
        canvas,
        _("Présentez ce QR code à l'accueil, sur votre téléphone ou imprimé. Billet personnel."),
        REGULAR,
        7,
        MARGIN + 3 * mm,
        color=MUTED,
        max_lines=2,
    )


def tickets_pdf(tickets_with_codes: Iterable[tuple]) -> bytes:
    """One page per (ticket, code); fetch tickets with select_related("registration__event__venue",
    "registration__event__commune") to keep it to one query."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A6, pageCompression=1, invariant=1)
    canvas.setTitle(_("Billets - Le Village de l'ESS"))
    canvas.setAuthor(_("Le Village de l'ESS"))
    with translation.override(settings.LANGUAGE_CODE):
        for ticket, code in tickets_with_codes:
            _draw_ticket(canvas, ticket, code)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()
