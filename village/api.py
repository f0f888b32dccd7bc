"""The public JSON API, /api/v1/, with its OpenAPI schema at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Le Village de l'ESS",
    version="1",
    description="API publique du Village de l'ESS : agenda des événements.",
    urls_namespace="api-v1",
)
