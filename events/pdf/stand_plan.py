"""The stand plan of a village stop (plan des stands), as PDF bytes.

What the team on site needs on one printed sheet: where and when, the set-up and
tear-down hours, each pitch with its equipment and the organisation that holds it (with
the phone of the person on the stand and what the pitch lacks for them), the
applications still waiting, and the volunteers on the day's shifts.

Text is real text in the PDF standard Helvetica (Windows-1252, so every French letter),
which pdftotext and screen readers read back; a letter outside Windows-1252 prints as "?".
"""

from collections.abc import Iterable
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from events import dates
from events.models import EventStatus, StandStatus

# The attendance sheet's numbered canvas ("Page n / total") and colours: one look for the team's sheets.
from .attendance import FONT, FONT_BOLD, HEADER_FILL, INK, MARGIN, RULE, _NumberedCanvas

DANGER = colors.HexColor("#9b1c1c")

_cell = ParagraphStyle("plan-cell", fontName=FONT, fontSize=8.5, leading=10.5, textColor=INK)
_head = ParagraphStyle("plan-head", parent=_cell, fontName=FONT_BOLD)
_muted = ParagraphStyle("plan-muted", parent=_cell, textColor=RULE)
_title = ParagraphStyle("plan-title", fontName=FONT_BOLD, fontSize=18, leading=22, textColor=INK, spaceAfter=2 * mm)
_subtitle = ParagraphStyle("plan-subtitle", fontName=FONT_BOLD, fontSize=13, leading=16, textColor=INK)
_section = ParagraphStyle(
    "plan-section", fontName=FONT_BOLD, fontSize=12, leading=15, textColor=INK, spaceBefore=5 * mm, spaceAfter=2 * mm
)
_fact = ParagraphStyle("plan-fact", fontName=FONT, fontSize=10, leading=14, textColor=INK)
_alert = ParagraphStyle("plan-alert", parent=_fact, fontName=FONT_BOLD, textColor=DANGER, spaceBefore=2 * mm)

WIDTH = A4[0] - 2 * MARGIN


def stand_plan_pdf(stop, *, pitches: Iterable, stands: Iterable, volunteers: Iterable) -> bytes:
    """`pitches` of the stop in number order, its active `stands` (confirmed and applied, with
    organisation and pitch), and `volunteers` (events.signals.volunteers_of)."""
    pitches, stands, volunteers = list(pitches), list(stands), list(volunteers)
    holders = {stand.pitch_id: stand for stand in stands if stand.status == StandStatus.CONFIRMED}
    pending = [stand for stand in stands if stand.status == StandStatus.APPLIED]
    buffer = BytesIO()
    day = dates.format_day(dates.local(stop.start).date())
    running_title = _("Plan des stands · %(title)s · %(day)s") % {"title": stop.title, "day": day}
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN + 6 * mm,
        title=_text(_("Plan des stands : %(title)s") % {"title": stop.title}),
        author=_("Le Village de l'ESS"),
        subject=_text(dates.format_range(stop.start, stop.end)),
    )
    story = [
        Paragraph(_("Plan des stands"), _title),
        Paragraph(_escape(stop.title), _subtitle),
        Spacer(1, 2 * mm),
        _fact_line(_("Date"), dates.format_range(stop.start, stop.end)),
    ]
    if stop.place_label:
        place = stop.place_label
        if stop.venue_id and stop.venue.address:
            place = f"{place} ({stop.venue.address})"
        story.append(_fact_line(_("Lieu"), place))
    hours = []
    if stop.setup_from:
        hours.append(_("montage à partir de %(time)s") % {"time": dates.format_time(stop.setup_from)})
    if stop.teardown_until:
        hours.append(_("démontage jusqu'à %(time)s") % {"time": dates.format_time(stop.teardown_until)})
    if hours:
        story.append(_fact_line(_("Installation"), " · ".join(hours)))
    story.append(
        _fact_line(
            _("Stands"),
            _("%(confirmed)s confirmé(s) sur %(pitches)s emplacement(s), %(pending)s candidature(s) en attente")
            % {"confirmed": len(holders), "pitches": len(pitches), "pending": len(pending)},
        )
    )
    if stop.status == EventStatus.CANCELLED:
        story.append(Paragraph(_escape(_("ÉTAPE ANNULÉE. %(note)s") % {"note": stop.status_note}), _alert))
    elif stop.status == EventStatus.POSTPONED:
        story.append(Paragraph(_escape(_("ÉTAPE REPORTÉE. %(note)s") % {"note": stop.status_note}), _alert))

    story += [Paragraph(_("Emplacements"), _section), _pitch_table(pitches, holders)]
    if pending:
        story += [Paragraph(_("Candidatures en attente"), _section), _pending_table(pending)]
    story.append(Paragraph(_("Bénévoles sur les créneaux"), _section))
    if volunteers:
        story.append(_volunteer_table(volunteers))
    else:
        story.append(Paragraph(_("Aucun bénévole inscrit sur les créneaux de cette étape."), _fact))

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(RULE)
        width, height = A4
        if doc.page > 1:
            canvas.drawString(MARGIN, height - MARGIN, _text(running_title)[:110])
        canvas.drawString(
            MARGIN, MARGIN, _("Édité le %(date)s") % {"date": dates.local(timezone.now()).strftime("%d/%m/%Y %H:%M")}
        )
        canvas.restoreState()

    document.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _fact_line(label: str, value: str) -> Paragraph:
    return Paragraph(f"<b>{_escape(label)} :</b> {_escape(value)}", _fact)


def _p(text: str, style=_cell) -> Paragraph:
    return Paragraph(_escape(text), style)


def _contact(stand) -> str:
    return " · ".join(part for part in (stand.contact_name, stand.contact_phone) if part)


def _needs(stand) -> str:
    needs = [
        str(label)
        for needed, label in (
            (stand.needs_power, _("électricité")),
            (stand.needs_table, _("table")),
            (stand.needs_shelter, _("abri")),
        )
        if needed
    ]
    return ", ".join(needs) or "—"


def _pitch_table(pitches: list, holders: dict) -> Table:
    rows = [
        [
            _p(_("N°"), _head),
            _p(_("Thème"), _head),
            _p(_("Équipement"), _head),
            _p(_("Structure"), _head),
            _p(_("Sur le stand"), _head),
            _p(_("Besoins non couverts"), _head),
        ]
    ]
    for pitch in pitches:
        stand = holders.get(pitch.pk)
        rows.append(
            [
                _p(str(pitch.number), _head),
                _p(pitch.theme or "—"),
                _p(", ".join(pitch.equipment) or "—"),
                _p(stand.organisation.name) if stand else _p(_("Libre"), _muted),
                _p(_contact(stand)) if stand else "",
                _p(", ".join(stand.unmet_needs) or "—") if stand else "",
            ]
        )
    if not pitches:
        rows.append([_p(_("Aucun emplacement n'est défini pour cette étape."), _muted), "", "", "", "", ""])
    widths = [9 * mm, 24 * mm, 28 * mm, 40 * mm, 52 * mm]
    widths.append(WIDTH - sum(widths))
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = _table_style()
    if not pitches:
        style.add("SPAN", (0, 1), (-1, 1))
    table.setStyle(style)
    return table


def _pending_table(pending: list) -> Table:
    rows = [
        [
            _p(_("Structure"), _head),
            _p(_("Sur le stand"), _head),
            _p(_("Présente"), _head),
            _p(_("Besoins"), _head),
        ]
    ]
    for stand in pending:
        rows.append(
            [
                _p(stand.organisation.name),
                _p(_contact(stand)),
                _p(stand.activity or "—"),
                _p(_needs(stand)),
            ]
        )
    widths = [45 * mm, 42 * mm, 60 * mm]
    widths.append(WIDTH - sum(widths))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_table_style())
    return KeepTogether([table]) if len(rows) < 8 else table


def _volunteer_table(volunteers: list) -> Table:
    rows = [[_p(_("Rôle"), _head), _p(_("Horaires"), _head), _p(_("Nom"), _head), _p(_("Téléphone"), _head)]]
    for volunteer in volunteers:
        rows.append(
            [
                _p(volunteer.role),
                _p(
                    _("%(start)s – %(end)s")
                    % {
                        "start": dates.format_time(dates.local(volunteer.starts_at).time()),
                        "end": dates.format_time(dates.local(volunteer.ends_at).time()),
                    }
                ),
                _p(volunteer.name),
                _p(volunteer.phone or "—"),
            ]
        )
    widths = [45 * mm, 35 * mm, 60 * mm]
    widths.append(WIDTH - sum(widths))
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(_table_style())
    return table


def _table_style() -> TableStyle:
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]
    )


def _text(text: str) -> str:
    # The standard fonts cover Windows-1252: a letter outside it would print as a black box.
    return (text or "").encode("cp1252", "replace").decode("cp1252")


def _escape(text: str) -> str:
    # Paragraph reads a small markup language: a name with "&" or "<" must stay text.
    return _text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
