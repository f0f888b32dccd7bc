"""The steering committee's report (rapport du comité de pilotage) of an action plan, as PDF bytes.

For a period of one or more years, and optionally one commune: a cover, the key figures,
one table per orientation with its objectives and actions against their targets, the
participants per month (one year) or per year, the communes reached, the events held and
the volunteering. Every figure comes from indicators/rollups.py.

A period of several years is computed year by year. Its total is exact only over the
plan's whole period, which rollups can count at once (a person who came three years is one
person). Over other periods, additive indicators are added up and the others (distinct
people or communes, rates) are given per year only: the report says so in a footnote.

Text is real text in the standard Helvetica (Windows-1252, every French letter), tagged
with its title, author and language, so pdftotext and screen readers read it back; the
charts have their figures written out under them.
"""

import copy
import datetime as dt
from dataclasses import dataclass, field
from io import BytesIO

from django.db.models import Count, Sum
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from events import dates
from events.pdf.attendance import FONT, FONT_BOLD, HEADER_FILL, INK, MARGIN, RULE, _NumberedCanvas

from .rollups import BY_KEY, INDICATORS, PlanRollup, Scope, compute, scope_events

LANGUAGE = "fr-FR"
WIDTH = A4[0] - 2 * MARGIN
BAR = colors.HexColor("#1f6f5c")
NBSP = "\u00a0"
# Figures of each part: the plan's cover page gives the whole list, the parts their own.
KEY_FIGURES = [indicator.key for indicator in INDICATORS]
VOLUNTEERING = ["volunteers", "volunteer_hours", "matches_accepted"]
# The columns of the orientation tables; the node's targets come next to them.
NODE_COLUMNS = ["events_held", "participants"]
MONTH_ABBREVIATIONS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]

_cell = ParagraphStyle("report-cell", fontName=FONT, fontSize=8.5, leading=10.5, textColor=INK)
_head = ParagraphStyle("report-head", parent=_cell, fontName=FONT_BOLD)
_number = ParagraphStyle("report-number", parent=_cell, alignment=2)
_head_number = ParagraphStyle("report-head-number", parent=_head, alignment=2)
_cover_title = ParagraphStyle(
    "report-cover-title", fontName=FONT_BOLD, fontSize=24, leading=30, textColor=INK, spaceAfter=8 * mm
)
_cover_line = ParagraphStyle("report-cover-line", fontName=FONT, fontSize=13, leading=19, textColor=INK)
_h1 = ParagraphStyle(
    "report-h1", fontName=FONT_BOLD, fontSize=15, leading=19, textColor=INK, spaceBefore=8 * mm, spaceAfter=3 * mm
)
_h2 = ParagraphStyle(
    "report-h2", fontName=FONT_BOLD, fontSize=12, leading=15, textColor=INK, spaceBefore=5 * mm, spaceAfter=2 * mm
)
_text = ParagraphStyle("report-text", fontName=FONT, fontSize=10, leading=14, textColor=INK, spaceAfter=2 * mm)
_note = ParagraphStyle("report-note", fontName=FONT, fontSize=8, leading=10, textColor=RULE, spaceBefore=2 * mm)


@dataclass
class EventRow:
    start: dt.datetime
    title: str
    commune: str
    kind: str
    participants: int = 0
    visitors: int = 0


@dataclass
class ReportData:
    plan: object
    years: list
    commune: object
    now: dt.datetime
    by_year: dict  # year -> PlanRollup
    period: PlanRollup  # values over the period: exact, or additive sums (see `exact`)
    exact: bool
    events: list = field(default_factory=list)

    @property
    def single_year(self) -> bool:
        return len(self.years) == 1


def steering_report_pdf(plan, first_year: int, last_year: int, commune=None, now=None) -> bytes:
    """The report of `plan` from `first_year` to `last_year` (inclusive), for `commune` if given."""
    now = now or timezone.now()
    # The document says it is French: it is written in French whatever the admin's language.
    with translation.override("fr"):
        return _render(collect(plan, first_year, last_year, commune, now))


def collect(plan, first_year: int, last_year: int, commune, now) -> ReportData:
    years = list(range(first_year, last_year + 1))
    by_year = {year: compute(Scope(plan, year=year, commune=commune, now=now)) for year in years}
    if len(years) == 1:
        period, exact = by_year[first_year], True
    elif (first_year, last_year) == (plan.start_year, plan.end_year):
        period, exact = compute(Scope(plan, commune=commune, now=now)), True
    else:
        period, exact = _added_up(list(by_year.values())), False
    events = _events(plan, years, commune, now)
    return ReportData(plan, years, commune, now, by_year, period, exact, events)


def _added_up(rollups: list) -> PlanRollup:
    """The additive indicators summed over the years, node by node; the others unknown (None).

    A period target exists for an additive indicator when each year has one: their sum.
    """
    total = copy.deepcopy(rollups[0])
    for key, node in total.nodes.items():
        yearly = [rollup.nodes[key] for rollup in rollups]
        for indicator in INDICATORS:
            if indicator.additive:
                node.values[indicator.key] = sum(year.values.get(indicator.key) or 0 for year in yearly)
            else:
                node.values[indicator.key] = None
        node.values["volunteer_hours"] = round(node.values["volunteer_hours"], 1)
        node.targets = {
            indicator.key: sum(year.targets[indicator.key] for year in yearly)
            for indicator in INDICATORS
            if indicator.additive and all(indicator.key in year.targets for year in yearly)
        }
    return total


def _events(plan, years: list, commune, now) -> list:
    """The events held in the period, in date order, with their participants and stand visitors."""
    from events.models import Registration, RegistrationStatus, TallyMark, VisitorCheckIn

    rows = {}
    for year in years:
        held = scope_events(Scope(plan, year=year, commune=commune, now=now)).order_by("start", "pk")
        for pk, start, title, commune_name, kind in held.values_list("pk", "start", "title", "commune__name", "kind"):
            rows[pk] = EventRow(start, title, commune_name or "", kind)
    if not rows:
        return []
    participants = (
        Registration.objects.filter(event__in=list(rows), ticket__checkin__isnull=False)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by()
        .values("event_id")
        .annotate(n=Sum("seats"))
        .values_list("event_id", "n")
    )
    for event_id, count in participants:
        rows[event_id].participants = count or 0
    visits = VisitorCheckIn.objects.filter(event__in=list(rows)).order_by().values("event_id").annotate(n=Count("pk"))
    for event_id, count in visits.values_list("event_id", "n"):
        rows[event_id].visitors += count
    tallies = TallyMark.objects.filter(event__in=list(rows)).order_by().values("event_id").annotate(n=Sum("delta"))
    for event_id, total in tallies.values_list("event_id", "n"):
        # The counter can be taken back below zero by mistake: as in the roll-ups, never negative.
        rows[event_id].visitors += max(total or 0, 0)
    return sorted(rows.values(), key=lambda row: row.start)


# Rendering ---------------------------------------------------------------------------------------------------


class _ReportDocument(SimpleDocTemplate):
    """Adds each heading to the PDF's outline, so a reader can jump from part to part."""

    def afterFlowable(self, flowable):  # noqa: N802 - reportlab's name
        if isinstance(flowable, Paragraph) and flowable.style.name in (_h1.name, _h2.name):
            key = f"heading-{id(flowable)}"
            self.canv.bookmarkPage(key)
            level = 0 if flowable.style.name == _h1.name else 1
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level, closed=False)


def _render(data: ReportData) -> bytes:
    plan = data.plan
    buffer = BytesIO()
    period = _period_label(data.years)
    subject = _("Période %(period)s") % {"period": period}
    if data.commune is not None:
        subject += " · " + data.commune.name
    document = _ReportDocument(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN + 6 * mm,
        title=_plain(
            _("Rapport du comité de pilotage : %(plan)s, %(period)s") % {"plan": plan.title, "period": period}
        ),
        author=_("Le Village de l'ESS"),
        subject=_plain(subject),
        lang=LANGUAGE,
    )
    story = _cover(data, period)
    story += [PageBreak(), Paragraph(_("Chiffres clés"), _h1)]
    story += _figures(data, KEY_FIGURES)
    story += _chart(data)
    story += [PageBreak(), Paragraph(_("Orientations, objectifs et actions"), _h1)]
    story += _orientations(data)
    story += [Paragraph(_("Communes touchées"), _h1)]
    story += _coverage(data)
    story += [Paragraph(_("Événements tenus"), _h1)]
    story += _event_list(data)
    story += [Paragraph(_("Bénévolat"), _h1)]
    story += _figures(data, VOLUNTEERING)

    running = _plain(
        _("Rapport du comité de pilotage · %(plan)s · %(period)s") % {"plan": plan.short_title, "period": period}
    )

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(RULE)
        canvas.drawString(MARGIN, MARGIN, running[:110])
        canvas.restoreState()

    document.build(story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _cover(data: ReportData, period: str) -> list:
    plan = data.plan
    story = [
        Spacer(1, 40 * mm),
        Paragraph(_("Rapport du comité de pilotage"), _cover_title),
        Paragraph(f"<b>{_escape(plan.title)}</b>", _cover_line),
        Paragraph(_escape(plan.territory.name), _cover_line),
        Spacer(1, 6 * mm),
        Paragraph(_("Période : %(period)s") % {"period": period}, _cover_line),
    ]
    if data.commune is not None:
        story.append(Paragraph(_("Commune : %(commune)s") % {"commune": _escape(data.commune.name)}, _cover_line))
    edition = dates.format_day(dates.local(data.now).date())
    story.append(Paragraph(_("Édité le %(date)s") % {"date": edition}, _cover_line))
    story += [
        Spacer(1, 10 * mm),
        Paragraph(
            _(
                "Tous les chiffres sont calculés à partir de ce qui a été compté sur place : inscriptions, "
                "pointages à l'entrée, visites des stands, créneaux des bénévoles, demandes des communes. "
                "Seuls les événements déjà tenus et non annulés comptent."
            ),
            _text,
        ),
    ]
    return story


def _figures(data: ReportData, keys: list) -> list:
    """One row per indicator: value, target and progress for one year; for several, each year and the period."""
    if data.single_year:
        node = data.period.plan
        rows = [
            [
                _p(_("Indicateur"), _head),
                *(_p(label, _head_number) for label in (_("Valeur"), _("Cible"), _("Avancement"))),
            ]
        ]
        for key in keys:
            indicator = BY_KEY[key]
            rows.append(
                [
                    _p(str(indicator.label)),
                    _p(_format(node.values.get(key), indicator.unit), _number),
                    _p(_format(node.targets.get(key), indicator.unit), _number),
                    _p(_percent(node.progress(key)), _number),
                ]
            )
        return [_table(rows, [WIDTH - 3 * 28 * mm, 28 * mm, 28 * mm, 28 * mm])]

    header = [_p(_("Indicateur"), _head), *(_p(str(year), _head_number) for year in data.years)]
    header.append(_p(_("Période"), _head_number))
    rows = [header]
    for key in keys:
        indicator = BY_KEY[key]
        label = str(indicator.label) + ("" if data.exact or indicator.additive else " *")
        row = [_p(label)]
        row += [_p(_format(data.by_year[year].plan.values.get(key), indicator.unit), _number) for year in data.years]
        row.append(_p(_format(data.period.plan.values.get(key), indicator.unit), _number))
        rows.append(row)
    figure_width = min(20 * mm, (WIDTH - 55 * mm) / (len(data.years) + 1))
    widths = [WIDTH - figure_width * (len(data.years) + 1)] + [figure_width] * (len(data.years) + 1)
    return [_table(rows, widths), Paragraph(_period_footnote(data), _note)]


def _period_footnote(data: ReportData) -> str:
    if data.exact:
        return _(
            "La colonne « Période » porte sur toute la durée du plan : une personne, une structure ou une "
            "commune comptée plusieurs années y compte une fois."
        )
    return _(
        "* Sur une période qui n'est pas celle du plan, la colonne « Période » additionne les indicateurs "
        "cumulables d'une année sur l'autre. Les personnes, structures et communes distinctes et les taux "
        "ne s'additionnent pas (une personne venue deux années compterait deux fois) : ils sont donnés "
        "année par année."
    )


def _chart(data: ReportData) -> list:
    """Participants per month (one year) or per year, drawn, then written out for those who cannot see it."""
    if data.single_year:
        heading = _("Participant·es pointé·es par mois")
        labels = MONTH_ABBREVIATIONS
        values = [0] * 12
        for event in data.events:
            values[dates.local(event.start).month - 1] += event.participants
    else:
        heading = _("Participant·es pointé·es par année")
        labels = [str(year) for year in data.years]
        values = [data.by_year[year].plan.values.get("participants") or 0 for year in data.years]

    drawing = Drawing(WIDTH, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 8 * mm
    chart.width, chart.height = WIDTH - 16 * mm, 48 * mm
    chart.data = [values]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(values + [1]) * 1.15
    chart.valueAxis.forceZero = True
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    # No "0" over every empty month.
    chart.barLabelFormat = lambda value: _format(value) if value else ""
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    # Every year is named; of the months, those with participants.
    described = ", ".join(
        f"{label} : {_format(value)}"
        for label, value in zip(labels, values, strict=True)
        if value or not data.single_year
    )
    description = (
        _("En chiffres : %(values)s.") % {"values": described} if described else _("Aucun·e participant·e pointé·e.")
    )
    return [KeepTogether([Paragraph(heading, _h2), drawing, Paragraph(_escape(description), _note)])]


def _orientations(data: ReportData) -> list:
    story = []
    for orientation in data.period.plan.children:
        story.append(Paragraph(_escape(f"{orientation.code} {orientation.title}"), _h2))
        header = [_p(_("Code"), _head), _p(_("Intitulé"), _head)]
        header += [_p(str(BY_KEY[key].label), _head_number) for key in NODE_COLUMNS]
        header.append(_p(_("Cibles et avancement"), _head))
        rows = [header]
        row_styles = []
        for node, depth in _walk(orientation):
            title_style = _head if depth < 2 else _cell
            row = [_p(node.code, title_style), Paragraph(NBSP * 3 * depth + _escape(node.title), title_style)]
            row += [_p(_format(node.values.get(key), BY_KEY[key].unit), _number) for key in NODE_COLUMNS]
            row.append(_p(_targets(node)))
            rows.append(row)
            if depth == 0:
                row_styles.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), HEADER_FILL))
        widths = [16 * mm, WIDTH - 16 * mm - 2 * 24 * mm - 50 * mm, 24 * mm, 24 * mm, 50 * mm]
        story.append(_table(rows, widths, extra=row_styles))
    if not data.exact:
        story.append(
            Paragraph(
                _("Sur cette période, les cibles sont la somme des cibles annuelles, quand chaque année en a une."),
                _note,
            )
        )
    return story


def _walk(node, depth=0):
    yield node, depth
    for child in node.children:
        yield from _walk(child, depth + 1)


def _targets(node) -> str:
    parts = []
    for key, target in node.targets.items():
        indicator = BY_KEY.get(key)
        if indicator is None:
            continue
        parts.append(
            _("%(indicator)s : %(value)s sur %(target)s (%(progress)s)")
            % {
                "indicator": indicator.label,
                "value": _format(node.values.get(key), indicator.unit),
                "target": _format(target, indicator.unit),
                "progress": _percent(node.progress(key)),
            }
        )
    return " ; ".join(parts) if parts else "—"


def _coverage(data: ReportData) -> list:
    from events.models import EventKind

    territory_communes = data.period.commune_count
    with_events = sorted({event.commune for event in data.events if event.commune})
    visited = sorted(
        {event.commune for event in data.events if event.commune and event.kind == EventKind.ITINERANT_VILLAGE}
    )
    story = [
        Paragraph(
            _("Communes ayant accueilli au moins un événement : %(count)s sur %(total)s.")
            % {"count": len(with_events), "total": territory_communes},
            _text,
        ),
        Paragraph(
            _("Communes visitées par le village itinérant : %(count)s sur %(total)s.")
            % {"count": len(visited), "total": territory_communes},
            _text,
        ),
    ]
    if with_events:
        story.append(Paragraph(_escape(_("Communes : %(names)s.") % {"names": ", ".join(with_events)}), _text))
    elected = data.period.plan.values.get("elected_communes")
    if elected is not None:
        story.append(
            Paragraph(
                _("Communes dont des élu·es ont participé : %(count)s sur %(total)s.")
                % {"count": _format(elected), "total": territory_communes},
                _text,
            )
        )
    return story


def _event_list(data: ReportData) -> list:
    from events.models import EventKind

    if not data.events:
        return [Paragraph(_("Aucun événement tenu sur la période."), _text)]
    rows = [
        [
            _p(_("Date"), _head),
            _p(_("Événement"), _head),
            _p(_("Commune"), _head),
            _p(_("Participant·es"), _head_number),
            _p(_("Visiteurs des stands"), _head_number),
        ]
    ]
    for event in data.events:
        rows.append(
            [
                _p(dates.local(event.start).strftime("%d/%m/%Y")),
                _p(event.title),
                _p(event.commune),
                _p(_format(event.participants), _number),
                _p(_format(event.visitors) if event.kind == EventKind.ITINERANT_VILLAGE else "—", _number),
            ]
        )
    widths = [20 * mm, WIDTH - 20 * mm - 35 * mm - 2 * 24 * mm, 35 * mm, 24 * mm, 24 * mm]
    return [
        _table(rows, widths),
        Paragraph(
            ngettext("%(count)s événement tenu.", "%(count)s événements tenus.", len(data.events))
            % {"count": len(data.events)},
            _note,
        ),
    ]


# Small helpers -----------------------------------------------------------------------------------------------


def _table(rows: list, widths: list, extra: list = ()) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                *extra,
            ]
        )
    )
    return table


def _period_label(years: list) -> str:
    # Years without the thousands separator the French locale would add.
    return str(years[0]) if len(years) == 1 else f"{years[0]} – {years[-1]}"


def _format(value, unit: str = "") -> str:
    """ "1 234", "26,8 %", "5 h"; a dash when the value is unknown."""
    if value is None:
        return "—"
    if not isinstance(value, int) and float(value).is_integer():
        value = int(value)
    text = number_format(value, decimal_pos=None if isinstance(value, int) else 1, force_grouping=True)
    return f"{text} {unit}" if unit else text


def _percent(share) -> str:
    return "—" if share is None else f"{round(100 * share)}{NBSP}%"


def _plain(text: str) -> str:
    # The standard fonts cover Windows-1252: a letter outside it would print as a black box.
    return (text or "").encode("cp1252", "replace").decode("cp1252")


def _escape(text: str) -> str:
    # Paragraph reads a small markup language: a title with "&" or "<script>" must stay text.
    return _plain(str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _p(text, style=_cell) -> Paragraph:
    return Paragraph(_escape(text), style)
