"""GET /api/v1/indicators: the plan's indicators at every level, for partners' scripts and dashboards.

Everything here is aggregated (counts, hours, rates): the roll-up (indicators/rollups.py)
never hands out a person, so neither does the API. The values are computed on each request
from what was counted at the door, the stand and the shift; nothing is typed in.
"""

import re
from typing import Any, Literal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import create_model, field_validator
from pydantic_core import PydanticCustomError

from events.schemas import INSEE_CODE_PATTERN, MAX_DATABASE_INT
from territory.models import Commune, Territory
from village.api_errors import ApiError, ErrorOut, echo

from .models import ActionPlan
from .rollups import INDICATORS, PlanRollup, Scope, compute

router = Router(tags=["Indicateurs du plan"])

YEAR_PATTERN = re.compile(r"[0-9]{4}")


def _blank_to_none(value: Any) -> Any:
    # `?plan=&year=&commune=` is the documented empty form: an empty value means "the default".
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class IndicatorFilters(Schema):
    plan: str | None = Field(
        None,
        description="Titre court (par exemple « PLDESS 2021-2026 ») ou identifiant du plan. "
        "Par défaut : le plan en vigueur sur le territoire du site.",
        max_length=80,
        examples=["PLDESS 2021-2026"],
    )
    year: int | None = Field(
        None,
        description="Année (heure de Paris), comprise dans la période du plan. Par défaut : toute la période.",
        examples=[2026],
    )
    commune: str | None = Field(
        None,
        description="Code INSEE d'une commune du territoire du plan (5 caractères), par exemple 59606 "
        "pour Valenciennes : seuls comptent alors ses événements et ses demandes.",
        pattern=INSEE_CODE_PATTERN,
        examples=["59606"],
    )

    @field_validator("plan", mode="before")
    @classmethod
    def plan_or_none(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("year", mode="before")
    @classmethod
    def year_is_a_year(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        if value is None or isinstance(value, int):
            return value
        if not YEAR_PATTERN.fullmatch(str(value)):
            raise PydanticCustomError(
                "invalid_year",
                _("Année illisible : « %(value)s ». Indiquez une année à quatre chiffres, par exemple 2026.")
                % {"value": echo(value)},
            )
        return int(value)

    @field_validator("commune", mode="before")
    @classmethod
    def well_formed_insee_code(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        if value is None:
            return None
        code = str(value).upper()
        if not re.fullmatch(INSEE_CODE_PATTERN, code):
            raise PydanticCustomError(
                "invalid_commune",
                _(
                    "Code commune mal formé : « %(value)s ». Indiquez le code INSEE à 5 caractères, "
                    "par exemple 59606 pour Valenciennes."
                )
                % {"value": echo(value)},
            )
        return code


# The answer -------------------------------------------------------------------------------------------------

Number = int | float | None

# One field per indicator, so that the OpenAPI document lists them with their meaning.
# The labels are French source strings: str() on them is safe at import time.
IndicatorValues = create_model(
    "IndicatorValues",
    __base__=Schema,
    **{
        indicator.key: (
            Number,
            Field(
                description=f"{indicator.label}{f' ({indicator.unit})' if indicator.unit else ''}. "
                f"{indicator.help}".strip()
            ),
        )
        for indicator in INDICATORS
    },
)
IndicatorValues.__doc__ = "Les valeurs des indicateurs d'un nœud ; null quand un taux ou un délai n'a pas de base."


class IndicatorOut(Schema):
    key: str
    label: str
    unit: str = Field(description="« % », « h », « jours », ou vide pour un nombre.")
    additive: bool = Field(
        description="Vrai si la valeur d'un nœud est la somme de celles de ses événements ; "
        "faux pour les comptes de personnes distinctes, les taux et les délais, qui ne s'additionnent pas."
    )
    help: str


class PlanOut(Schema):
    id: int
    title: str
    short_title: str
    start_year: int
    end_year: int


class ScopeCommuneOut(Schema):
    insee_code: str
    name: str


class ScopeOut(Schema):
    year: int | None = Field(description="L'année comptée ; null pour toute la période du plan.")
    first_day: str = Field(description="Premier jour compté (AAAA-MM-JJ).")
    last_day: str = Field(description="Dernier jour compté (AAAA-MM-JJ).")
    commune: ScopeCommuneOut | None = Field(description="La commune filtrée ; null pour tout le territoire.")
    commune_count: int = Field(description="Nombre de communes du territoire du plan.")


class NodeFields(Schema):
    level: str = Field(description="plan, orientation, objective ou action.")
    id: int
    code: str
    title: str
    values: IndicatorValues
    targets: dict[str, float] = Field(
        description="Les cibles fixées par le plan pour ce nœud et cette période, par indicateur."
    )


class ActionOut(NodeFields):
    level: Literal["action"]


class ObjectiveOut(NodeFields):
    level: Literal["objective"]
    children: list[ActionOut]


class OrientationOut(NodeFields):
    level: Literal["orientation"]
    children: list[ObjectiveOut]


class PlanNodeOut(NodeFields):
    level: Literal["plan"]
    children: list[OrientationOut]


class IndicatorsOut(Schema):
    plan: PlanOut
    scope: ScopeOut
    tree: PlanNodeOut = Field(description="Le plan, ses orientations, leurs objectifs et leurs actions.")
    indicators: list[IndicatorOut] = Field(description="La définition de chaque indicateur, dans l'ordre d'affichage.")


def _node_payload(node) -> dict:
    return {
        "level": node.level,
        "id": node.pk,
        "code": node.code,
        "title": node.title,
        "values": node.values,
        "targets": {key: float(value) for key, value in node.targets.items()},
        "children": [_node_payload(child) for child in node.children],
    }


def rollup_payload(rollup: PlanRollup) -> dict:
    scope, plan = rollup.scope, rollup.scope.plan
    return {
        "plan": plan,
        "scope": {
            "year": scope.year,
            "first_day": scope.first_day.isoformat(),
            "last_day": scope.last_day.isoformat(),
            "commune": scope.commune,
            "commune_count": rollup.commune_count,
        },
        "tree": _node_payload(rollup.plan),
        "indicators": [
            {
                "key": indicator.key,
                "label": str(indicator.label),
                "unit": indicator.unit,
                "additive": indicator.additive,
                "help": str(indicator.help),
            }
            for indicator in INDICATORS
        ],
    }


# Looking up the scope ---------------------------------------------------------------------------------------


def _plan(request, designation: str | None) -> ActionPlan:
    """The plan named, of any territory (the figures are public and aggregated); without a
    name, the plan in force on the territory of the site the request came to."""
    if designation is None:
        territory = Territory.for_request(request)
        plan = ActionPlan.objects.for_territory(territory).in_force(timezone.localdate().year) if territory else None
        if plan is None:
            raise ApiError(
                _("Aucun plan d'actions n'est en vigueur sur le territoire du site."),
                code="plan_not_found",
                field="plan",
                status=404,
            )
        return plan
    match = Q(short_title=designation)
    if designation.isdigit() and int(designation) <= MAX_DATABASE_INT:
        match |= Q(pk=int(designation))
    # A short title made of digits could also be another plan's id: the title wins.
    plans = sorted(ActionPlan.objects.filter(match), key=lambda plan: plan.short_title != designation)
    if not plans:
        raise ApiError(
            _("Aucun plan d'actions ne porte le titre court ou l'identifiant « %(value)s ».")
            % {"value": echo(designation)},
            code="plan_not_found",
            field="plan",
            status=404,
        )
    return plans[0]


def _check_year(plan: ActionPlan, year: int | None) -> None:
    if year is not None and not plan.start_year <= year <= plan.end_year:
        raise ApiError(
            _("Le plan %(plan)s couvre les années %(start)s à %(end)s : %(year)s n'en fait pas partie.")
            % {"plan": plan.short_title, "start": plan.start_year, "end": plan.end_year, "year": year},
            code="year_outside_plan",
            field="year",
        )


def _commune(plan: ActionPlan, code: str | None):
    if code is None:
        return None
    commune = Commune.objects.filter(insee_code=code, territory=plan.territory_id).only("insee_code", "name").first()
    if commune is None:
        raise ApiError(
            _("Aucune commune du territoire du plan ne porte le code INSEE %(code)s.") % {"code": echo(code)},
            code="unknown_commune",
            field="commune",
        )
    return commune


@router.get(
    "/indicators",
    response={200: IndicatorsOut, 400: ErrorOut, 404: ErrorOut},
    summary="Les indicateurs d'un plan d'actions",
    description=(
        "Chaque indicateur du plan, calculé à chaque niveau (plan, orientations, objectifs, actions) à "
        "partir de ce qui a été compté à l'entrée, au stand et aux créneaux : rien n'est saisi à la main. "
        "Un événement compte pour l'année locale (heure de Paris) de son début, une fois par nœud même "
        "s'il sert deux actions : les comptes de personnes distinctes et les taux ne s'additionnent "
        "donc pas d'un niveau à l'autre (voir `additive` dans `indicators`).\n\n"
        "Sans `year`, toute la période du plan ; avec `commune`, les événements de la commune et ses "
        "demandes de passage du village.\n\n"
        "Uniquement des chiffres agrégés : aucune donnée personnelle."
    ),
)
def plan_indicators(request, filters: Query[IndicatorFilters]):
    plan = _plan(request, filters.plan)
    _check_year(plan, filters.year)
    commune = _commune(plan, filters.commune)
    return rollup_payload(compute(Scope(plan, year=filters.year, commune=commune)))
