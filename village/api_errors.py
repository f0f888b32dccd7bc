"""One error format for the whole JSON API, with messages in French.

Every refusal answers {"detail": [{"field": ..., "code": ..., "message": ...}]}: `code` is
stable for scripts, `message` is French for people, `field` names the parameter at fault
(null when the error is not about one parameter). Bad input is always HTTP 400, whether
pydantic or a view found it, so a client has one status to handle rather than ninja's 422
for some cases and 400 for others.
"""

from typing import get_args

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError
from pydantic_core.core_schema import ErrorType

# Parts of a ninja error location that name where a parameter came from, not the parameter.
_PARAM_SOURCES = {"query", "path", "body", "form", "header", "cookie", "file"}
_BUILTIN_ERROR_TYPES = frozenset(get_args(ErrorType))
# Echoed values are cut short: a message is for reading, not for replaying a long input.
_ECHO_LENGTH = 40


class ErrorItem(Schema):
    field: str | None
    code: str
    message: str


class ErrorOut(Schema):
    detail: list[ErrorItem]


class ApiError(Exception):
    """A refusal raised by an endpoint; rendered in the API's error format."""

    def __init__(self, message: str, *, code: str, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.status = status


def echo(value) -> str:
    """The user's value, shortened, for quoting in a message."""
    text = str(value)
    return text if len(text) <= _ECHO_LENGTH else text[: _ECHO_LENGTH - 1] + "…"


def _builtin_message(error: dict) -> str:
    """French wording for pydantic's own error types (those our validators do not raise)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("Ce paramètre est obligatoire.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Un nombre entier est attendu.")
    if kind == "greater_than_equal":
        return _("La valeur doit être supérieure ou égale à %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "greater_than":
        return _("La valeur doit être strictement supérieure à %(limit)s.") % {"limit": ctx.get("gt")}
    if kind == "less_than_equal":
        return _("La valeur doit être inférieure ou égale à %(limit)s.") % {"limit": ctx.get("le")}
    if kind == "less_than":
        return _("La valeur doit être strictement inférieure à %(limit)s.") % {"limit": ctx.get("lt")}
    if kind == "string_too_long":
        return _("Le texte ne doit pas dépasser %(limit)s caractères.") % {"limit": ctx.get("max_length")}
    if kind == "enum":
        return _("Valeur inconnue. Valeurs possibles : %(expected)s.") % {"expected": ctx.get("expected", "")}
    return _("Valeur refusée.")


def _field_name(loc) -> str | None:
    names = [str(part) for part in loc if part not in _PARAM_SOURCES and not isinstance(part, int)]
    return ".".join(names) or None


def validation_items(errors: list[dict]) -> list[dict]:
    """ninja/pydantic error dicts -> the API's error items.

    Our own validators raise PydanticCustomError with a French message and their code as the
    type; pydantic's built-in types are worded here, since pydantic only speaks English.
    """
    items = []
    for error in errors:
        kind = error["type"]
        message = _builtin_message(error) if kind in _BUILTIN_ERROR_TYPES else error["msg"]
        items.append({"field": _field_name(error.get("loc", ())), "code": kind, "message": message})
    return items


def error_response(api: NinjaAPI, request: HttpRequest, items: list[dict], status: int) -> HttpResponse:
    return api.create_response(request, {"detail": items}, status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's English handlers (422 with pydantic's messages, 404 "Not Found")."""

    @api.exception_handler(ValidationError)
    def on_validation_error(request, exc):
        return error_response(api, request, validation_items(exc.errors), status=400)

    @api.exception_handler(ApiError)
    def on_api_error(request, exc):
        return error_response(
            api, request, [{"field": exc.field, "code": exc.code, "message": exc.message}], exc.status
        )

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        item = {"field": None, "code": "not_found", "message": _("Ressource introuvable.")}
        return error_response(api, request, [item], status=404)


ERROR_FORMAT_DESCRIPTION = """
## Erreurs

Une requête refusée reçoit un statut HTTP et un corps JSON de la même forme, quel que soit le cas :

```json
{"detail": [{"field": "kind", "code": "unknown_kind",
             "message": "Type d'événement inconnu : « concert ». Types possibles : ..."}]}
```

- `field` : le paramètre en cause (`null` si l'erreur ne porte pas sur un paramètre) ;
- `code` : un code stable, à tester dans les scripts ;
- `message` : une explication en français, à montrer aux personnes.

Statuts : **400** pour toute donnée refusée (paramètre mal formé, inconnu ou incohérent, y compris
les erreurs de validation, que l'API ne renvoie jamais en 422) ; **404** pour une ressource introuvable.
"""
