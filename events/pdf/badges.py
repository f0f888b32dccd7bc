"""Exhibitors' badges for a village stop, as PDF bytes: 8 per A4 page, to cut along the dashed lines.

One badge per confirmed stand: the organisation's name, the person on the stand, the
pitch number (what a visitor or a volunteer looks for), the stop and its date. Each
badge is 95 x 68 mm, which fits the common 90 x 60 mm badge holders once trimmed.

Text is drawn in the PDF standard Helvetica (Windows-1252: every French letter), so it
stays real, extractable text; long names shrink, then wrap, rather than overflow.
"""

from collections.abc import Iterable
from io import BytesIO

from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from events import dates

PAGE_WIDTH, PAGE_HEIGHT = A4
COLUMNS, ROWS = 2, 4
PER_PAGE = COLUMNS * ROWS
SIDE_MARGIN, TOP_MARGIN = 10 * mm, 12 * mm
BADGE_WIDTH = (PAGE_WIDTH - 2 * SIDE_MARGIN) / COLUMNS
BADGE_HEIGHT = (PAGE_HEIGHT - 2 * TOP_MARGIN) / ROWS
PADDING = 6 * mm
BAND = 9 * mm
# The site's colours (static/css/site.css): ink, muted text, forest green, the village's green.
INK = HexColor("#22252b")
MUTED = HexColor("#54575f")
ACCENT = HexColor("#1f3d37")
CUT = HexColor("#9a958c")
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"


def badges_pdf(stop, stands: Iterable) -> bytes:
    """One badge per stand of `stands` (confirmed, with organisation and pitch), in the order given."""
    stands = list(stands)
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(_text(_("Badges des exposants : %(title)s") % {"title": stop.title}))
    canvas.setAuthor(_("Le Village de l'ESS"))
    day = dates.format_day(dates.local(stop.start).date())
    if not stands:
        canvas.setFont(REGULAR, 12)
        canvas.setFillColor(INK)
        canvas.drawString(SIDE_MARGIN, PAGE_HEIGHT - TOP_MARGIN - 12, _("Aucun stand confirmé pour cette étape."))
        canvas.showPage()
    for start in range(0, len(stands), PER_PAGE):
        for index, stand in enumerate(stands[start : start + PER_PAGE]):
            column, row = index % COLUMNS, index // COLUMNS
            x = SIDE_MARGIN + column * BADGE_WIDTH
            y = PAGE_HEIGHT - TOP_MARGIN - (row + 1) * BADGE_HEIGHT
            _badge(canvas, x, y, stand, stop, day)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _badge(canvas: Canvas, x: float, y: float, stand, stop, day: str) -> None:
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
    canvas.drawString(x + PADDING, top - BAND + 3.2 * mm, _text(_("EXPOSANT")))
    canvas.setFont(REGULAR, 9)
    canvas.drawRightString(x + BADGE_WIDTH - PADDING, top - BAND + 3.2 * mm, _text(_("Le Village de l'ESS")))

    inner = BADGE_WIDTH - 2 * PADDING
    cursor = top - BAND - 8 * mm
    # The organisation: as large as fits in three lines.
    name = _text(stand.organisation.name)
    for size in (18, 16, 14, 12, 10):
        lines = simpleSplit(name, BOLD, size, inner)
        if len(lines) <= 2 or size == 10:
            break
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, size)
    for line in lines[:3]:
        canvas.drawString(x + PADDING, cursor, line)
        cursor -= size * 1.2
    if stand.contact_name:
        canvas.setFont(REGULAR, 12)
        canvas.drawString(x + PADDING, cursor - 1 * mm, simpleSplit(_text(stand.contact_name), REGULAR, 12, inner)[0])

    # The pitch, bottom right, and the stop, bottom left.
    bottom = y + PADDING
    number = str(stand.pitch.number) if stand.pitch_id else "—"
    canvas.setFillColor(ACCENT)
    canvas.setFont(BOLD, 26)
    canvas.drawRightString(x + BADGE_WIDTH - PADDING, bottom, number)
    number_width = canvas.stringWidth(number, BOLD, 26)
    canvas.setFont(REGULAR, 8)
    canvas.drawRightString(x + BADGE_WIDTH - PADDING, bottom + 28, _text(_("Emplacement")))
    canvas.setFillColor(MUTED)
    text_width = inner - max(number_width, canvas.stringWidth(_("Emplacement"), REGULAR, 8)) - 4 * mm
    title_lines = simpleSplit(_text(stop.title), REGULAR, 8, text_width)[:2]
    line_y = bottom + 10 + 10 * (len(title_lines) - 1)
    for line in title_lines:
        canvas.drawString(x + PADDING, line_y, line)
        line_y -= 10
    canvas.drawString(x + PADDING, bottom, simpleSplit(_text(day), REGULAR, 8, text_width)[0])
    canvas.restoreState()


def _text(text: str) -> str:
    # The standard fonts cover Windows-1252: a letter outside it would print as a black box.
    return (text or "").encode("cp1252", "replace").decode("cp1252")
