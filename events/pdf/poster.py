"""The A4 poster hung on a village or market stand: its QR opens the event's self check-in page.

A pure function of the event and the URL: the view passes the site contact's names, so
this module reads nothing from the database. Colours are the site's (static/css/site.css
custom properties). Fonts are PDF's standard Helvetica: nothing to embed, every viewer
and printer has it, and its encoding covers French (é, ·, —, ’).
"""

from io import BytesIO

from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from events import dates
from events.qr import draw_qr

PAPER = HexColor("#fffaf2")  # --paper
INK = HexColor("#22252b")  # --ink
MUTED = HexColor("#54575f")  # --muted
BRAND = HexColor("#a63a12")  # --brand
BRAND_DARK = HexColor("#7f2b0c")  # --brand-dark
FOREST = HexColor("#1f3d37")  # --forest
LINE = HexColor("#e6dccb")  # --line
SUN = HexColor("#f6c768")  # --sun
FOOTER_INK = HexColor("#fff6e8")  # the footer's text colour on the site
# The four kinds' colours, the site header's ribbon.
RIBBON = [HexColor("#d97706"), HexColor("#2f8f4e"), HexColor("#3b62c4"), HexColor("#b83b8f")]

BOLD = "Helvetica-Bold"
REGULAR = "Helvetica"
MARGIN = 40
QR_SIZE = 300  # points: about 10.6 cm, readable from two metres


def _centred_lines(canvas, lines, y, font, size, leading, colour) -> float:
    """Draw centred lines downwards from `y` (first baseline); return the next baseline."""
    width, _height = A4
    canvas.setFont(font, size)
    canvas.setFillColor(colour)
    for line in lines:
        canvas.drawCentredString(width / 2, y, line)
        y -= leading
    return y


def _wrapped(text, font, size, max_width, max_lines) -> list[str]:
    lines = simpleSplit(text, font, size, max_width)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
        # The last line takes what is left, shortened so it still fits the page.
        while len(lines[-1]) > 1 and simpleSplit(lines[-1] + "…", font, size, max_width)[1:]:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + "…"
    return lines


def _title_size(text, max_width) -> tuple[int, list[str]]:
    """The largest title size (28 down to 18) that keeps the event's title on two lines."""
    for size in (28, 26, 24, 22, 20, 18):
        lines = simpleSplit(text, BOLD, size, max_width)
        if len(lines) <= 2:
            return size, lines
    return 18, _wrapped(text, BOLD, 18, max_width, 3)


def poster_pdf(event, url: str, *, organisation: str = "", team: str = "") -> bytes:
    """One A4 page: welcome, the event, a big QR of `url`, the instruction, who runs it."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(_("Affiche : %(title)s") % {"title": event.title})
    canvas.setAuthor(organisation or _("Le Village de l'ESS"))
    canvas.setSubject(_("Comptage des visiteurs du Village de l'ESS"))
    width, height = A4
    text_width = width - 2 * MARGIN

    canvas.setFillColor(PAPER)
    canvas.rect(0, 0, width, height, stroke=0, fill=1)

    # Header: the brand band with a rising sun, under the kinds' ribbon.
    band_bottom = height - 178
    canvas.setFillColor(BRAND)
    canvas.rect(0, band_bottom, width, height - band_bottom, stroke=0, fill=1)
    canvas.saveState()
    path = canvas.beginPath()
    path.rect(0, band_bottom, width, height - band_bottom)
    canvas.clipPath(path, stroke=0, fill=0)
    canvas.setFillColor(SUN)
    canvas.circle(width - 60, band_bottom - 10, 96, stroke=0, fill=1)
    canvas.setFillColor(BRAND_DARK)
    canvas.circle(58, height + 10, 70, stroke=0, fill=1)
    canvas.restoreState()
    for index, colour in enumerate(RIBBON):
        canvas.setFillColor(colour)
        canvas.rect(index * width / 4, height - 10, width / 4 + 1, 10, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(BOLD, 30)
    canvas.drawString(MARGIN, height - 76, _("Bienvenue au"))
    canvas.setFont(BOLD, 50)
    canvas.drawString(MARGIN, height - 134, _("Village de l'ESS"))

    # The event: title, date, place.
    size, title_lines = _title_size(event.title, text_width)
    y = _centred_lines(canvas, title_lines, band_bottom - 46, BOLD, size, size * 1.18, INK)
    when = dates.format_range(event.start, event.end)
    y = _centred_lines(canvas, _wrapped(when, BOLD, 16, text_width, 2), y - 4, BOLD, 16, 20, BRAND_DARK)
    if event.place_label:
        y = _centred_lines(canvas, _wrapped(event.place_label, REGULAR, 15, text_width, 2), y, REGULAR, 15, 19, MUTED)

    # The QR on a white card with the site's line colour, centred in the space left.
    footer_top = 78
    instruction_height = 100
    card = QR_SIZE + 24
    free_top, free_bottom = y - 6, footer_top + instruction_height
    card_y = free_bottom + max((free_top - free_bottom - card) / 2, 0)
    card_x = (width - card) / 2
    canvas.setFillColor(white)
    canvas.setStrokeColor(LINE)
    canvas.setLineWidth(1.5)
    canvas.roundRect(card_x, card_y, card, card, 18, stroke=1, fill=1)
    draw_qr(canvas, url, card_x + 12, card_y + 12, QR_SIZE)

    # The instruction, then the address for those whose phone does not scan.
    y = card_y - 36
    canvas.setFont(BOLD, 23)
    canvas.setFillColor(INK)
    canvas.drawCentredString(width / 2, y, _("Scannez pour nous dire que vous êtes passé·e"))
    canvas.setFillColor(BRAND)
    canvas.drawCentredString(width / 2, y - 28, _("— c'est anonyme"))
    canvas.setFont(REGULAR, 11)
    canvas.setFillColor(MUTED)
    canvas.drawCentredString(width / 2, y - 50, _("Sans appareil photo : %(url)s") % {"url": url})

    # Footer: who runs the village, and the promise about personal data.
    canvas.setFillColor(FOREST)
    canvas.rect(0, 0, width, footer_top, stroke=0, fill=1)
    canvas.setFillColor(FOOTER_INK)
    canvas.setFont(BOLD, 13)
    runner = organisation or _("Le Village de l'ESS")
    if team:
        runner = _("%(organisation)s · %(team)s") % {"organisation": runner, "team": team}
    canvas.drawCentredString(width / 2, 48, _("Une démarche de %(runner)s") % {"runner": runner})
    canvas.setFont(REGULAR, 10.5)
    canvas.drawCentredString(
        width / 2,
        28,
        _("Aucune donnée personnelle : ni nom, ni coordonnées, ni adresse IP. Un simple compteur de passages."),
    )

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
