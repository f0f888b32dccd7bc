"""The open datasets' records and files: querysets in, rows of plain JSON values out, then bytes.

Every record is a dict whose keys are its dataset's field names, in order (opendata/schemas.py),
holding JSON values: str, int, float, bool, None, and lists for `list` fields. Dates and times
are already ISO 8601 strings, times with the Paris offset. The CSV and the JSON file are both
written from these records, so they cannot disagree with each other or with the schema.

Only what the public pages show goes out: an event's organiser email is not on its page, so it
is not here; an organisation's email and phone are on its directory page, so they are.
"""

import csv
import datetime as dt
import hashlib
import io
import json
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from events.models import EventKind, EventPage, EventStatus
from indicators.exports import level_labels, neutralise
from indicators.models import Action, ActionPlan
from indicators.rollups import INDICATORS, PLAN, Scope, compute
from territory.models import PARIS, LegalForm, Organisation, Sector

from .schemas import LIST_DELIMITER, WHOLE_PERIOD, Dataset


def _local_iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment, PARIS).isoformat(timespec="seconds")


def _number(value):
    """Decimal targets as int or float; JSON has no decimal type."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# Events -----------------------------------------------------------------------------------------------------


def published_events(territory):
    """Live public events of the territory's communes, past and upcoming, cancelled ones included."""
    return (
        EventPage.objects.live()
        .public()
        .filter(commune__territory=territory)
        .select_related("venue", "commune")
        .prefetch_related(Prefetch("plan_actions", queryset=Action.objects.only("code").order_by("code")))
        .order_by("start", "pk")
    )


def event_records(events, url_for) -> list[dict]:
    """`url_for(page)`: the page's absolute URL (the view passes the request's site)."""
    records = []
    for event in events:
        venue, commune = event.venue, event.commune
        if venue is not None and venue.latitude is not None and venue.longitude is not None:
            latitude, longitude, coordinates_from = venue.latitude, venue.longitude, "venue"
        elif commune is not None:
            latitude, longitude, coordinates_from = commune.latitude, commune.longitude, "commune"
        else:
            latitude = longitude = coordinates_from = None
        record = {
            "id": event.pk,
            "kind": event.kind,
            "kind_label": str(EventKind(event.kind).label),
            "title": event.title,
            "summary": event.summary,
            "start": _local_iso(event.start),
            "end": _local_iso(event.end),
            "start_date": event.start_date.isoformat(),
            "status": event.status,
            "status_label": str(EventStatus(event.status).label),
            "status_note": event.status_note,
            "commune_insee_code": commune.insee_code if commune else None,
            "commune_name": commune.name if commune else None,
            "venue_name": venue.name if venue else None,
            "venue_address": (venue.address or None) if venue else None,
            "latitude": latitude,
            "longitude": longitude,
            "coordinates_from": coordinates_from,
            "capacity": event.capacity,
            "plan_actions": [action.code for action in event.plan_actions.all()],
            "url": url_for(event),
            "last_modified": _local_iso(event.last_published_at),
        }
        records.append(record)
    return records


# Organisations ----------------------------------------------------------------------------------------------


def published_organisations(territory):
    """The organisations the directory publishes, in the territory's communes."""
    return (
        Organisation.objects.published()
        .in_territory(territory)
        .select_related("commune")
        .prefetch_related(Prefetch("sectors", queryset=Sector.objects.order_by("name")))
        .order_by("name", "pk")
    )


def organisation_records(organisations, url_for) -> list[dict]:
    """`url_for(path)`: the absolute URL of a path on the request's site."""
    return [
        {
            "slug": organisation.slug,
            "name": organisation.name,
            "legal_form": organisation.legal_form,
            "legal_form_label": str(LegalForm(organisation.legal_form).label),
            "sectors": [sector.name for sector in organisation.sectors.all()],
            "commune_insee_code": organisation.commune.insee_code,
            "commune_name": organisation.commune.name,
            "postcode": organisation.commune.main_postcode,
            "address": organisation.address or None,
            "summary": organisation.summary,
            "website": organisation.website or None,
            "contact_email": organisation.contact_email or None,
            "contact_phone": organisation.contact_phone or None,
            "is_example": organisation.is_example,
            "url": url_for(organisation.get_absolute_url()),
            "last_modified": _local_iso(organisation.updated_at),
        }
        for organisation in organisations
    ]


# Indicators -------------------------------------------------------------------------------------------------


def plan_for(territory, today: dt.date | None = None) -> ActionPlan | None:
    """The plan the public figures page shows: the one in force this year on the territory."""
    today = today or timezone.localdate()
    return ActionPlan.objects.for_territory(territory).in_force(today.year)


def indicator_records(plan: ActionPlan, now: dt.datetime | None = None) -> list[dict]:
    """Every indicator at every node, for each year of the plan then its whole period.

    One roll-up per period (indicators/rollups.py): the number of queries grows with the
    plan's years, never with the events or the people counted.
    """
    levels = level_labels()
    periods = [*range(plan.start_year, plan.end_year + 1), None]
    records = []
    for year in periods:
        rollup = compute(Scope(plan, year=year, now=now))
        for node, parent in _nodes_with_parents(rollup.plan):
            for indicator in INDICATORS:
                records.append(
                    {
                        "plan": plan.short_title,
                        "level": node.level,
                        "level_label": str(levels[node.level]),
                        "parent_code": parent.code if parent is not None and parent.level != PLAN else None,
                        "code": node.code,
                        "title": node.title,
                        "indicator": indicator.key,
                        "indicator_label": str(indicator.label),
                        "unit": indicator.unit or None,
                        "period": str(year) if year else WHOLE_PERIOD,
                        "year": year,
                        "value": _number(node.values.get(indicator.key)),
                        "target": _number(node.targets.get(indicator.key)),
                    }
                )
    return records


def _nodes_with_parents(root):
    """(node, parent) pairs, the plan first, depth first: the dashboard's order."""
    stack = [(root, None)]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        stack.extend((child, node) for child in reversed(node.children))


# Files ------------------------------------------------------------------------------------------------------


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = LIST_DELIMITER.join(value)
    if isinstance(value, str):
        # Organisers' and organisations' text, opened in a spreadsheet: no formulas.
        return neutralise(value)
    return str(value)


def to_csv(dataset: Dataset, records: list[dict]) -> bytes:
    """RFC 4180 CSV as open-data portals expect it: UTF-8 without BOM, commas, a header of the
    schema's field names, decimal points."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(dataset.field_names)
    for record in records:
        writer.writerow([_csv_cell(record[name]) for name in dataset.field_names])
    return buffer.getvalue().encode("utf-8")


def to_json(dataset: Dataset, records: list[dict], *, metadata: dict) -> bytes:
    """`{"dataset", "title", ...metadata (licence, generated_at, schema), "records"}`, UTF-8."""
    document = {"dataset": dataset.slug, "title": str(dataset.title), **metadata, "records": records}
    # Compact: the indicators run to thousands of rows, and browsers indent JSON for people.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fingerprint(*parts) -> str:
    """A hash of what a file says (records, licence), not of when it was generated: the ETag."""
    canonical = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
