"""The public JSON API, /api/v1/, with its OpenAPI schema at /api/v1/openapi.json."""

from ninja import NinjaAPI, Swagger

from events.api import router as events_router
from events.api_checkin import router as checkin_router
from indicators.api import router as indicators_router
from village.api_errors import ERROR_FORMAT_DESCRIPTION, install_error_handlers

DESCRIPTION = (
    """API publique du Village de l'ESS : agenda des événements et indicateurs des plans d'actions.

Les dates et heures sont en ISO 8601 avec le décalage horaire de Paris (par exemple
`2026-12-10T08:30:00+01:00`) ; les listes sont paginées (`limit`, `offset`) et répondent
`{"count": total, "items": [...]}`.
"""
    + ERROR_FORMAT_DESCRIPTION
)

api = NinjaAPI(
    title="Le Village de l'ESS",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    # Swagger UI is served from ninja's own static files ("ninja" is an installed app), never
    # from a CDN; its default online validator badge would call validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)
install_error_handlers(api)

api.add_router("/", events_router)
api.add_router("/", checkin_router)  # staff only: events/auth.py
api.add_router("/", indicators_router)
