"""The plan's tree with its indicators and targets, as CSV and XLSX files.

One row per node (plan, orientations, objectives, actions, in the dashboard's order), and
for each indicator two columns: its value and its target. The views only wrap the bytes.

Titles are organisers' input, and a spreadsheet runs a cell that starts with "=" as a
formula (OWASP "CSV injection"): the CSV prefixes such text with an apostrophe, the XLSX
stores it as text explicitly (openpyxl would otherwise write a formula).

The CSV is written for a French spreadsheet: semicolons, decimal commas, and a byte-order
mark so that Excel reads UTF-8.
"""

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _

from .rollups import ACTION, INDICATORS, OBJECTIVE, ORIENTATION, PLAN, PlanRollup

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def level_labels() -> dict:
    return {PLAN: _("Plan"), ORIENTATION: _("Orientation"), OBJECTIVE: _("Objectif"), ACTION: _("Action")}


def header() -> list[str]:
    columns = [_("Niveau"), _("Code"), _("Intitulé")]
    for indicator in INDICATORS:
        label = f"{indicator.label} ({indicator.unit})" if indicator.unit else str(indicator.label)
        columns += [label, _("Cible : %(label)s") % {"label": label}]
    return columns


def table(rollup: PlanRollup) -> list[list]:
    """The header, then one row per node: text, numbers (int, float, Decimal) and None for empty."""
    levels = level_labels()
    rows = [header()]
    for node, _depth in rollup.walk():
        row = [levels[node.level], node.code, node.title]
        for indicator in INDICATORS:
            row += [node.values.get(indicator.key), node.targets.get(indicator.key)]
        rows.append(row)
    return rows


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert by a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, float | Decimal) and value != int(value):
        return str(value).replace(".", ",")
    return str(int(value))


def to_csv(rollup: PlanRollup) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in table(rollup):
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rollup: PlanRollup, scope_lines: list[tuple[str, str]]) -> bytes:
    """A workbook: the indicators sheet, and a sheet saying which scope it covers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Indicateurs")
    for row in table(rollup):
        sheet.append([float(value) if isinstance(value, Decimal) else value for value in row])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                # Text stays text: a title starting with "=" is not a formula.
                cell.data_type = "s"
                cell.quotePrefix = cell.value.startswith(FORMULA_TRIGGERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "D2"
    sheet.column_dimensions["C"].width = 60

    about = workbook.create_sheet(_("Périmètre"))
    for label, value in scope_lines:
        about.append([str(label), str(value)])
    for row in about.iter_rows():
        for cell in row:
            cell.data_type = "s"
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 60

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
