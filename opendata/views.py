"""/donnees-ouvertes/: the territory's open data, the page that describes it and its files.

Each Wagtail site is a territory (Territory.for_request): its files hold its events, its
organisations and its plan's figures only. The files are for scripts as much as people: open
data portals harvest them by URL, so they answer conditional requests (a weak ETag over what
the file says, not over when it was generated: a 304 costs the build but not the transfer),
allow any origin (public data, no cookies involved) and point to their schema in a Link header.
"""

import datetime as dt

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from territory.models import PARIS, Territory

from .datasets import (
    event_records,
    fingerprint,
    indicator_records,
    organisation_records,
    plan_for,
    published_events,
    published_organisations,
    to_csv,
    to_json,
)
from .schemas import DATASETS, EVENTS, INDICATOR_VALUES, ORGANISATIONS, Dataset

CACHE_MAX_AGE = 3600
LICENCE_NAME = "Licence Ouverte / Open Licence version 2.0"
LICENCE_ID = "etalab-2.0"  # its SPDX identifier
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def _territory(request) -> Territory:
    territory = Territory.for_request(request)
    if territory is None:
        raise Http404(_("Aucun territoire n'est encore configuré sur ce site."))
    return territory


def _dataset(slug: str) -> Dataset:
    if slug not in DATASETS:
        raise Http404(_("Aucun jeu de données ne porte ce nom."))
    return DATASETS[slug]


def _records(dataset: Dataset, request, territory: Territory) -> list[dict]:
    if dataset is EVENTS:
        # Wagtail caches the sites' root paths on the request: no query per event.
        return event_records(published_events(territory), url_for=lambda page: page.get_full_url(request))
    if dataset is ORGANISATIONS:
        return organisation_records(published_organisations(territory), url_for=request.build_absolute_uri)
    if dataset is INDICATOR_VALUES:
        plan = plan_for(territory)
        return indicator_records(plan) if plan is not None else []
    raise Http404(_("Aucun jeu de données ne porte ce nom."))


def reference_sources() -> str:
    return _(
        "Communes (codes INSEE, noms, codes postaux, coordonnées des centres) : Code officiel géographique de "
        "l'INSEE, composition des EPCI de la DGCL et Base officielle des codes postaux de La Poste, sous Licence "
        "Ouverte."
    )


def licence(request, territory: Territory, updated: dt.date) -> dict:
    """The licence and the attribution it asks of reusers: the source and its last update."""
    page_url = request.build_absolute_uri(reverse("opendata:index"))
    return {
        "name": LICENCE_NAME,
        "id": LICENCE_ID,
        "url": LICENCE_URL,
        "producer": territory.name,
        "attribution": _("%(producer)s, Le Village de l'ESS (%(url)s), données mises à jour le %(date)s")
        % {"producer": territory.name, "url": page_url, "date": date_format(updated, "j F Y")},
        "reference_data": reference_sources(),
    }


def _last_update(records: list[dict]) -> dt.date:
    """The latest change the records carry; today for figures computed on each request."""
    stamps = [record["last_modified"] for record in records if record.get("last_modified")]
    if not stamps:
        return timezone.localdate()
    return max(dt.datetime.fromisoformat(stamp) for stamp in stamps).astimezone(PARIS).date()


def _file_name(dataset: Dataset, territory: Territory, extension: str) -> str:
    # The territory in the name: a partner downloading two territories' files keeps both.
    return f"{dataset.slug}-{territory.slug}.{extension}"


def _open(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def index(request):
    territory = _territory(request)
    plan = plan_for(territory)
    datasets = [
        {
            "dataset": dataset,
            "csv_url": reverse("opendata:download", args=[dataset.slug, "csv"]),
            "json_url": reverse("opendata:download", args=[dataset.slug, "json"]),
            "schema_url": reverse("opendata:schema", args=[dataset.slug]),
        }
        for dataset in DATASETS.values()
    ]
    return render(
        request,
        "opendata/index.html",
        {
            "territory": territory,
            "plan": plan,
            "datasets": datasets,
            "licence_name": LICENCE_NAME,
            "licence_url": LICENCE_URL,
            "page_url": request.build_absolute_uri(reverse("opendata:index")),
            "reference_sources": reference_sources(),
        },
    )


@require_safe
@cache_control(public=True, max_age=CACHE_MAX_AGE)
def download(request, slug: str, extension: str):
    dataset = _dataset(slug)
    territory = _territory(request)
    records = _records(dataset, request, territory)
    terms = licence(request, territory, _last_update(records))
    schema_url = request.build_absolute_uri(reverse("opendata:schema", args=[dataset.slug]))

    if extension == "csv":
        body = to_csv(dataset, records)
    else:
        metadata = {
            "territory": {"name": territory.name, "siren": territory.siren or None},
            "licence": terms,
            "generated_at": timezone.localtime(timezone.now(), PARIS).isoformat(timespec="seconds"),
            "schema": schema_url,
        }
        body = to_json(dataset, records, metadata=metadata)
    etag = "W/" + quote_etag(fingerprint(extension, records, terms, schema_url))

    response = HttpResponse(body, content_type=FORMATS[extension])
    response["Content-Disposition"] = f'attachment; filename="{_file_name(dataset, territory, extension)}"'
    response["Link"] = f'<{schema_url}>; rel="describedby"; type="application/json"'
    response["ETag"] = etag
    return _open(get_conditional_response(request, etag=etag, response=response))


@require_safe
@cache_control(public=True, max_age=CACHE_MAX_AGE)
def schema(request, slug: str):
    dataset = _dataset(slug)
    response = JsonResponse(dataset.table_schema(), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'inline; filename="{dataset.slug}.schema.json"'
    return _open(response)
