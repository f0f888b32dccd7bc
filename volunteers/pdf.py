"""Volunteers' badges for an event, as PDF bytes: 8 per A4 page, to cut along the dashed lines.

One badge per confirmed sign-up: the volunteer's name, the shift's role and times, the
event and the day, and a QR code of the badge's private link ({SITE_URL}/benevolat/
presence/<signup>/<token>/). An organiser scans it with any phone camera: the page it
opens marks the volunteer present (volunteers/presence.py). A volunteer on two shifts
gets two badges, each naming its own shift.

The layout imitates the exhibitors' badges (events/pdf/badges.py): 95 x 68 mm, which
fits the common 90 x 60 mm badge holders once trimmed; text in the PDF standard
Helvetica (Windows-1252: every French letter), real extractable text; long names
shrink, then wrap, rather than overflow.
"""

from collections.abc import Iterable
from io import BytesIO

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from events import dates
from events.qr import draw_qr

from .missions import site_url
from .presence import badge_path, shift_title

PAGE_WIDTH, PAGE_HEIGHT = A4
COLUMNS, ROWS = 2, 4
PER_PAGE = COLUMNS * ROWS
SIDE_MARGIN, TOP_MARGIN = 10 * mm, 12 * mm
BADGE_WIDTH = (PAGE_WIDTH - 2 * SIDE_MARGIN) / COLUMNS
BADGE_HEIGHT = (PAGE_HEIGHT - 2 * TOP_MARGIN) / ROWS
PADDING = 6 * mm
BAND = 9 * mm
# 28 mm holds a ~60-character link at about 0.7 mm per module: read at arm's length by a phone.
QR_SIZE = 28 * mm
# The site's colours (static/css/site.css): ink, muted text, forest green.
INK = HexColor("#22252b")
MUTED = HexColor("#54575f")
ACCENT = HexColor("#1f3d37")
CUT = HexColor("#9a958c")
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"


def badge_url(signup) -> str:
    return site_url(badge_path(signup))


def badges_pdf(event, signups: Iterable) -> bytes:
    """One badge per sign-up of `signups` (confirmed, with select_related("shift")), in the order given."""
    signups = list(signups)
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    with translation.override(settings.LANGUAGE_CODE):
        canvas.setTitle(_text(_("Badges des bénévoles : %(title)s") % {"title": event.title}))
        canvas.setAuthor(_("Le Village de l'ESS"))
        if not signups:
            canvas.setFont(REGULAR, 12)
            canvas.setFillColor(INK)
            canvas.drawString(
                SIDE_MARGIN, PAGE_HEIGHT - TOP_MARGIN - 12, _text(_("Aucun·e bénévole inscrit·e à cet événement."))
            )
            canvas.showPage()
        for start in range(0, len(signups), PER_PAGE):
            for index, signup in enumerate(signups[start : start + PER_PAGE]):
                column, row = index % COLUMNS, index // COLUMNS
                x = SIDE_MARGIN + column * BADGE_WIDTH
                y = PAGE_HEIGHT - TOP_MARGIN - (row + 1) * BADGE_HEIGHT
                _badge(canvas, x, y, signup, event)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _badge(canvas: Canvas, x: float, y: float, signup, event) -> None:
    shift = signup.shift
    canvas.saveState()
    # Cut lines.
    canvas.setStrokeColor(CUT)
    canvas.setLineWidth(0.4)
    canvas.setDash(3, 3)
    canvas.rect(x, y, BADGE_WIDTH, BADGE_HEIGHT, stroke=1, fill=0)
    canvas.setDash()
    # The band: who the badge is for.
    top = y + BADGE_HEIGHT
    canvas.setFillColor(ACCENT)
    canvas.rect(x, top - BAND, BADGE_WIDTH, BAND, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(BOLD, 10)
    canvas.drawString(x + PADDING, top - BAND + 3.2 * mm, _text(_("BÉNÉVOLE")))
    canvas.setFont(REGULAR, 9)
    canvas.drawRightString(x + BADGE_WIDTH - PADDING, top - BAND + 3.2 * mm, _text(_("Le Village de l'ESS")))

    inner = BADGE_WIDTH - 2 * PADDING
    cursor = top - BAND - 8 * mm
    # The name, across the badge: as large as fits in two lines, or three once smaller
    # (hyphenated names do not break between words).
    name = _text(signup.name)
    for size in (18, 16, 14, 12, 10):
        lines = simpleSplit(name, BOLD, size, inner)
        if len(lines) <= 2 or (size <= 14 and len(lines) <= 3) or size == 10:
            break
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, size)
    for line in lines[:3]:
        canvas.drawString(x + PADDING, cursor, line)
        cursor -= size * 1.2

    # The QR, bottom right; the shift and the event in the column to its left.
    bottom = y + 4 * mm
    draw_qr(canvas, badge_url(signup), x + BADGE_WIDTH - PADDING - QR_SIZE + 2 * mm, bottom, QR_SIZE)
    column = inner - QR_SIZE - 2 * mm
    cursor = min(cursor - 2 * mm, bottom + QR_SIZE - 4 * mm)
    canvas.setFillColor(ACCENT)
    canvas.setFont(BOLD, 11)
    for line in simpleSplit(_text(shift_title(shift)), BOLD, 11, column)[:2]:
        canvas.drawString(x + PADDING, cursor, line)
        cursor -= 13
    start, end = dates.local(shift.starts_at), dates.local(shift.ends_at)
    times = _("%(start)s – %(end)s") % {"start": dates.format_time(start.time()), "end": dates.format_time(end.time())}
    canvas.setFillColor(INK)
    canvas.setFont(REGULAR, 11)
    canvas.drawString(x + PADDING, cursor, _text(times))

    # The event and its day at the foot of the column, the day on the last line.
    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 8)
    title_lines = simpleSplit(_text(event.title), REGULAR, 8, column)[:2]
    line_y = bottom + 1 * mm
    canvas.drawString(x + PADDING, line_y, simpleSplit(_text(dates.format_day(start.date())), REGULAR, 8, column)[0])
    for line in reversed(title_lines):
        line_y += 10
        canvas.drawString(x + PADDING, line_y, line)
    canvas.restoreState()


def _text(text: str) -> str:
    # The standard fonts cover Windows-1252: a letter outside it would print as a black box.
    return (text or "").encode("cp1252", "replace").decode("cp1252")
