"""The attendance sheet (feuille d'émargement) of an event, as PDF bytes.

Elected-official sessions and training sessions need signatures as proof of presence
(funders and the plan's indicators ask for them): one row per confirmed registration with
name, structure, mandate and commune, an empty box to sign, and a few blank rows for
people who come without registering. "Page 2 / 3" needs the page count before the first
page is finished: the canvas keeps every page's state and numbers them all at the end.
"""

from collections.abc import Iterable
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from events import dates
from events.models import EventKind

MARGIN = 14 * mm
ROW_HEIGHT = 12 * mm  # room for a signature
BLANK_ROWS = 5
# Standard PDF fonts: every viewer and printer has them, and they cover French (WinAnsi).
FONT, FONT_BOLD = "Helvetica", "Helvetica-Bold"
INK = colors.HexColor("#22252b")
RULE = colors.HexColor("#7d766a")
HEADER_FILL = colors.HexColor("#f3ebde")

_cell = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11, textColor=INK, alignment=TA_LEFT)
_head = ParagraphStyle("head", parent=_cell, fontName=FONT_BOLD)
_title = ParagraphStyle("title", fontName=FONT_BOLD, fontSize=18, leading=22, textColor=INK, spaceAfter=2 * mm)
_subtitle = ParagraphStyle("subtitle", fontName=FONT_BOLD, fontSize=13, leading=16, textColor=INK, spaceAfter=2 * mm)
_fact = ParagraphStyle("fact", fontName=FONT, fontSize=10, leading=14, textColor=INK)


def attendance_sheet_pdf(event, registrations: Iterable) -> bytes:
    """A4 sheet listing `registrations` (already filtered and ordered by the caller) for `event`."""
    registrations = list(registrations)
    buffer = BytesIO()
    running_title = _("Feuille d'émargement · %(title)s · %(day)s") % {
        "title": event.title,
        "day": dates.format_day(dates.local(event.start).date()),
    }
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN + 6 * mm,
        title=_("Feuille d'émargement : %(title)s") % {"title": event.title},
        author=_("Le Village de l'ESS"),
        subject=dates.format_range(event.start, event.end),
    )
    story = [
        Paragraph(_("Feuille d'émargement"), _title),
        Paragraph(_escape(event.title), _subtitle),
        Paragraph(_("<b>Date :</b> %(when)s") % {"when": _escape(dates.format_range(event.start, event.end))}, _fact),
    ]
    if event.place_label:
        story.append(Paragraph(_("<b>Lieu :</b> %(place)s") % {"place": _escape(event.place_label)}, _fact))
    story.append(
        Paragraph(
            _("<b>Type :</b> %(kind)s · <b>Inscrit·e·s :</b> %(count)s")
            % {"kind": _escape(str(EventKind(event.kind).label)), "count": len(registrations)},
            _fact,
        )
    )
    story += [Spacer(1, 5 * mm), _table(registrations)]

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(RULE)
        width, height = A4
        if doc.page > 1:
            canvas.drawString(MARGIN, height - MARGIN, _fit(running_title, width - 2 * MARGIN))
        canvas.drawString(
            MARGIN,
            MARGIN,
            _("Édité le %(date)s · la signature atteste la présence.")
            % {"date": dates.local(timezone.now()).strftime("%d/%m/%Y")},
        )
        canvas.restoreState()

    document.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _table(registrations: list) -> Table:
    header = [
        Paragraph(_("N°"), _head),
        Paragraph(_("Nom et prénom"), _head),
        Paragraph(_("Structure"), _head),
        Paragraph(_("Mandat"), _head),
        Paragraph(_("Commune"), _head),
        Paragraph(_("Signature"), _head),
    ]
    rows = [header]
    for number, registration in enumerate(registrations, start=1):
        rows.append(
            [
                Paragraph(str(number), _cell),
                Paragraph(_escape(_name(registration)), _cell),
                Paragraph(_escape(_structure(registration)), _cell),
                Paragraph(_escape(registration.mandate), _cell),
                Paragraph(_escape(_commune(registration)), _cell),
                "",
            ]
        )
    for number in range(len(registrations) + 1, len(registrations) + 1 + BLANK_ROWS):
        rows.append([Paragraph(str(number), _cell), "", "", "", "", ""])
    widths = [9 * mm, 40 * mm, 33 * mm, 35 * mm, 26 * mm]
    widths.append(A4[0] - 2 * MARGIN - sum(widths))
    table = Table(
        rows,
        colWidths=widths,
        rowHeights=[None] + [ROW_HEIGHT] * (len(rows) - 1),
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _name(registration) -> str:
    if registration.is_group and registration.seats > 1:
        return _("%(name)s (groupe de %(count)s)") % {"name": registration.name, "count": registration.seats}
    return registration.name


def _structure(registration) -> str:
    if registration.organisation_name:
        return registration.organisation_name
    if registration.is_group and registration.teacher_name:
        return registration.teacher_name
    return ""


def _commune(registration) -> str:
    # The commune of the mandate first: it is the one the plan's indicators count.
    if registration.mandate_commune_id:
        return registration.mandate_commune.name
    if registration.home_commune_id:
        return registration.home_commune.name
    if registration.outside_territory:
        return _("Hors territoire")
    return ""


def _escape(text: str) -> str:
    # Paragraph reads a small markup language: a name with "&" or "<" must stay text.
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fit(text: str, width: float) -> str:
    lines = simpleSplit(text, FONT, 8, width)
    return lines[0] if len(lines) <= 1 else lines[0].rstrip() + "…"


class _NumberedCanvas(Canvas):
    """Defers each page until the end so every page can say "Page n / total"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            self.setFillColor(RULE)
            self.drawRightString(
                A4[0] - MARGIN,
                MARGIN,
                _("Page %(page)s / %(total)s") % {"page": self._pageNumber, "total": total},
            )
            super().showPage()
        super().save()
