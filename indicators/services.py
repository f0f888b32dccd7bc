"""Importing an action plan (plan > orientation > objective > action) from YAML.

The YAML format is the one of indicators/data/action_plans/. The whole file is checked
before anything is written, inside one transaction: a malformed plan leaves the database
as it was. Re-importing a plan (matched on its short title) updates it in place, and never
deletes an action that events are linked to, since that would silently unlink them.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from events.models import EventKind
from territory.models import Territory
from territory.services import DataImportError, ImportProblem

from .models import Action, ActionPlan, Committee, Objective, Orientation

ACTION_PLANS_DIR = Path(__file__).resolve().parent / "data" / "action_plans"
MIN_YEAR, MAX_YEAR = 1900, 2200


class PlanImportError(DataImportError):
    pass


def shipped_plans() -> list[str]:
    return sorted(path.stem for path in ACTION_PLANS_DIR.glob("*.yaml"))


def shipped_plan_path(name: str) -> Path | None:
    """The shipped plan that "valenciennes_pldess_2021_2026" (with or without .yaml) designates."""
    path = ACTION_PLANS_DIR / f"{Path(name).name.removesuffix('.yaml')}.yaml"
    return path if path.is_file() else None


# Reading YAML with line numbers ----------------------------------------------------


class _Mapping(dict):
    """A YAML mapping that remembers where it and each of its keys start (1-based lines)."""

    line: int | None = None
    key_lines: dict

    def line_of(self, key) -> int | None:
        return self.key_lines.get(key, self.line)


class _PlanLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {key.value: key.start_mark.line + 1 for key, _value in node.value}
    yield mapping
    mapping.update(loader.construct_mapping(node))


_PlanLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _leading_comment(text: str) -> str:
    """The comment block opening the file: the shipped plans say there where they were transcribed from."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.removeprefix("#").strip())
    return " ".join(line for line in lines if line)


# The plan as read from the file -----------------------------------------------------


@dataclass
class _ActionSpec:
    code: str
    title: str
    position: int
    stands_for_objective: bool = False


@dataclass
class _ObjectiveSpec:
    code: str
    title: str
    position: int
    actions: list[_ActionSpec] = field(default_factory=list)


@dataclass
class _OrientationSpec:
    code: str
    title: str
    stake: str
    position: int
    objectives: list[_ObjectiveSpec] = field(default_factory=list)


@dataclass
class _CommitteeSpec:
    name: str
    role: str
    min_meetings_per_year: int | None
    every_years: int | None


@dataclass
class _PlanSpec:
    territory_name: str
    title: str
    short_title: str
    start_year: int
    end_year: int
    default_action_codes: dict
    volunteering_action_code: str
    source: str
    orientations: list[_OrientationSpec]
    committees: list[_CommitteeSpec]

    def action_codes(self) -> set[str]:
        return {a.code for o in self.orientations for obj in o.objectives for a in obj.actions}


def _field_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class _PlanReader:
    """Turns the YAML data into a _PlanSpec, collecting every problem instead of stopping at the first."""

    def __init__(self):
        self.problems: list[ImportProblem] = []

    def problem(self, code: str, message: str, line: int | None):
        self.problems.append(ImportProblem(code, message, line=line))

    def text(self, mapping: _Mapping, key: str, where: str, *, max_length: int, required: bool = True) -> str:
        value = mapping.get(key)
        if value is None or value == "":
            if required:
                self.problem(
                    "missing_key",
                    _("%(where)s : clé « %(key)s » manquante ou vide.") % {"where": where, "key": key},
                    mapping.line,
                )
            return ""
        if not isinstance(value, str):
            # `code: 1.1` reads as a number in YAML; codes and titles are text.
            self.problem(
                "not_text",
                _("%(where)s : « %(key)s » doit être un texte (mettez la valeur entre guillemets).")
                % {"where": where, "key": key},
                mapping.line_of(key),
            )
            return ""
        value = value.strip()
        if len(value) > max_length:
            self.problem(
                "too_long",
                _("%(where)s : « %(key)s » dépasse %(max)s caractères.")
                % {"where": where, "key": key, "max": max_length},
                mapping.line_of(key),
            )
        return value

    def integer(self, mapping: _Mapping, key: str, where: str, *, minimum: int, maximum: int, required: bool = True):
        value = mapping.get(key)
        if value is None:
            if required:
                self.problem(
                    "missing_key",
                    _("%(where)s : clé « %(key)s » manquante.") % {"where": where, "key": key},
                    mapping.line,
                )
            return None
        # bool is an int in Python, but `yes` is no year.
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.problem(
                "not_integer",
                _("%(where)s : « %(key)s » doit être un nombre entier entre %(min)s et %(max)s.")
                % {"where": where, "key": key, "min": minimum, "max": maximum},
                mapping.line_of(key),
            )
            return None
        return value

    def mapping(self, value, where: str, line: int | None) -> _Mapping | None:
        if isinstance(value, _Mapping):
            return value
        self.problem(
            "not_mapping",
            _("%(where)s : une liste de clés (code, title…) est attendue.") % {"where": where},
            line,
        )
        return None

    def items(self, mapping: _Mapping, key: str, where: str, *, required: bool) -> list:
        value = mapping.get(key)
        if value is None:
            if required:
                self.problem(
                    "missing_key",
                    _("%(where)s : clé « %(key)s » manquante.") % {"where": where, "key": key},
                    mapping.line,
                )
            return []
        if not isinstance(value, list):
            self.problem(
                "not_list",
                _("%(where)s : « %(key)s » doit être une liste (des lignes commençant par « - »).")
                % {"where": where, "key": key},
                mapping.line_of(key),
            )
            return []
        return value

    def read(self, data, *, territory_given: bool, source: str) -> _PlanSpec | None:
        if not isinstance(data, _Mapping):
            self.problem(
                "not_a_plan",
                _("le fichier doit décrire un plan : territory, title, short_title, period, orientations…"),
                None,
            )
            return None
        where = _("le plan")
        territory_name = self.text(
            data, "territory", where, max_length=_field_length(Territory, "name"), required=not territory_given
        )
        title = self.text(data, "title", where, max_length=_field_length(ActionPlan, "title"))
        short_title = self.text(data, "short_title", where, max_length=_field_length(ActionPlan, "short_title"))
        start_year = end_year = None
        period = data.get("period")
        if period is None:
            self.problem("missing_key", _("le plan : clé « period » manquante ({start: 2021, end: 2026})."), None)
        elif (period := self.mapping(period, "period", data.line_of("period"))) is not None:
            start_year = self.integer(period, "start", "period", minimum=MIN_YEAR, maximum=MAX_YEAR)
            end_year = self.integer(period, "end", "period", minimum=MIN_YEAR, maximum=MAX_YEAR)
            if start_year is not None and end_year is not None and end_year < start_year:
                self.problem(
                    "period_order",
                    _("period : la fin (%(end)s) précède le début (%(start)s).")
                    % {"end": end_year, "start": start_year},
                    period.line,
                )

        orientations = self.read_orientations(data)
        committees = self.read_committees(data)
        spec = _PlanSpec(
            territory_name=territory_name,
            title=title,
            short_title=short_title,
            start_year=start_year,
            end_year=end_year,
            default_action_codes={},
            volunteering_action_code="",
            source=source,
            orientations=orientations,
            committees=committees,
        )
        self.read_defaults(data, spec)
        return spec

    def read_orientations(self, data: _Mapping) -> list[_OrientationSpec]:
        orientations = []
        # Codes are unique across the whole plan, whatever the level: events and the
        # default actions name an action by its code alone.
        first_line_of_code: dict[str, int | None] = {}

        def unique(code: str, line: int | None) -> bool:
            if not code:
                return False
            if code in first_line_of_code:
                self.problem(
                    "duplicate_code",
                    _("code « %(code)s » en double dans le plan (déjà utilisé ligne %(first)s).")
                    % {"code": code, "first": first_line_of_code[code]},
                    line,
                )
                return False
            first_line_of_code[code] = line
            return True

        raw_orientations = self.items(data, "orientations", _("le plan"), required=True)
        if isinstance(data.get("orientations"), list) and not raw_orientations:
            self.problem("no_orientations", _("le plan n'a aucune orientation."), data.line_of("orientations"))
        for o_index, raw in enumerate(raw_orientations, start=1):
            where = _("orientation n° %(n)s") % {"n": o_index}
            raw = self.mapping(raw, where, data.line_of("orientations"))
            if raw is None:
                continue
            code = self.text(raw, "code", where, max_length=_field_length(Orientation, "code"))
            where = _("orientation %(code)s") % {"code": code} if code else where
            orientation = _OrientationSpec(
                code=code,
                title=self.text(raw, "title", where, max_length=_field_length(Orientation, "title")),
                stake=self.text(raw, "stake", where, max_length=_field_length(Orientation, "stake"), required=False),
                position=o_index,
            )
            unique(code, raw.line)
            for b_index, raw_objective in enumerate(self.items(raw, "objectives", where, required=True), start=1):
                objective = self.read_objective(raw_objective, b_index, where, raw.line_of("objectives"), unique)
                if objective is not None:
                    orientation.objectives.append(objective)
            orientations.append(orientation)
        return orientations

    def read_objective(self, raw, position: int, parent: str, line: int | None, unique) -> _ObjectiveSpec | None:
        where = _("objectif n° %(n)s de l'%(parent)s") % {"n": position, "parent": parent}
        raw = self.mapping(raw, where, line)
        if raw is None:
            return None
        code = self.text(raw, "code", where, max_length=_field_length(Objective, "code"))
        where = _("objectif %(code)s") % {"code": code} if code else where
        objective = _ObjectiveSpec(
            code=code,
            title=self.text(raw, "title", where, max_length=_field_length(Objective, "title")),
            position=position,
        )
        unique(code, raw.line)
        for a_index, raw_action in enumerate(self.items(raw, "actions", where, required=False), start=1):
            action_where = _("action n° %(n)s de l'%(parent)s") % {"n": a_index, "parent": where}
            raw_action = self.mapping(raw_action, action_where, raw.line_of("actions"))
            if raw_action is None:
                continue
            action_code = self.text(raw_action, "code", action_where, max_length=_field_length(Action, "code"))
            action_where = _("action %(code)s") % {"code": action_code} if action_code else action_where
            action = _ActionSpec(
                code=action_code,
                title=self.text(raw_action, "title", action_where, max_length=_field_length(Action, "title")),
                position=a_index,
            )
            unique(action_code, raw_action.line)
            objective.actions.append(action)
        if not raw.get("actions"):
            # See indicators/models.py: an objective the plan does not break down gets one
            # action standing for it, so events always link to actions.
            objective.actions.append(
                _ActionSpec(code=code, title=objective.title, position=1, stands_for_objective=True)
            )
        return objective

    def read_committees(self, data: _Mapping) -> list[_CommitteeSpec]:
        committees, seen = [], set()
        for index, raw in enumerate(self.items(data, "governance", _("le plan"), required=False), start=1):
            where = _("instance de gouvernance n° %(n)s") % {"n": index}
            raw = self.mapping(raw, where, data.line_of("governance"))
            if raw is None:
                continue
            name = self.text(raw, "name", where, max_length=_field_length(Committee, "name"))
            if name in seen:
                self.problem(
                    "duplicate_committee",
                    _("instance de gouvernance « %(name)s » en double.") % {"name": name},
                    raw.line,
                )
            seen.add(name)
            committees.append(
                _CommitteeSpec(
                    name=name,
                    role=self.text(raw, "role", where, max_length=10_000, required=False),
                    min_meetings_per_year=self.integer(
                        raw, "min_meetings_per_year", where, minimum=0, maximum=365, required=False
                    ),
                    every_years=self.integer(raw, "every_years", where, minimum=1, maximum=100, required=False),
                )
            )
        return committees

    def read_defaults(self, data: _Mapping, spec: _PlanSpec):
        action_codes = spec.action_codes()
        defaults = data.get("default_action_for_kind")
        if defaults is not None:
            defaults = self.mapping(defaults, "default_action_for_kind", data.line_of("default_action_for_kind"))
        for kind, code in (defaults or {}).items():
            line = defaults.line_of(kind)
            if kind not in EventKind.values:
                self.problem(
                    "unknown_kind",
                    _("default_action_for_kind : type d'événement inconnu « %(kind)s » (types possibles : %(kinds)s).")
                    % {"kind": kind, "kinds": ", ".join(EventKind.values)},
                    line,
                )
            elif not isinstance(code, str) or code not in action_codes:
                self.problem(
                    "unknown_action",
                    _("default_action_for_kind : l'action « %(code)s » (pour %(kind)s) n'existe pas dans le plan.")
                    % {"code": code, "kind": kind},
                    line,
                )
            else:
                spec.default_action_codes[kind] = code
        volunteering = data.get("volunteering_action")
        if volunteering is not None:
            if not isinstance(volunteering, str) or volunteering not in action_codes:
                self.problem(
                    "unknown_action",
                    _("volunteering_action : l'action « %(code)s » n'existe pas dans le plan.")
                    % {"code": volunteering},
                    data.line_of("volunteering_action"),
                )
            else:
                spec.volunteering_action_code = volunteering


# Writing -----------------------------------------------------------------------------


@dataclass
class PlanImportResult:
    plan: ActionPlan
    plan_created: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def summary(self) -> str:
        plan = self.plan
        return _(
            "%(plan)s (%(territory)s) : %(orientations)s orientation(s), %(objectives)s objectif(s), "
            "%(actions)s action(s), %(committees)s instance(s) de gouvernance. "
            "Lignes : %(created)s créée(s), %(updated)s mise(s) à jour, %(unchanged)s inchangée(s), "
            "%(deleted)s supprimée(s)."
        ) % {
            "plan": plan.short_title,
            "territory": plan.territory.name,
            "orientations": plan.orientations.count(),
            "objectives": Objective.objects.filter(orientation__plan=plan).count(),
            "actions": Action.objects.of_plan(plan).count(),
            "committees": plan.committees.count(),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
        }

    def sync(self, instance, model, values: dict, **identity):
        """Create the row, or update it only when a value differs, so re-imports report "unchanged"."""
        if instance is None:
            self.created += 1
            return model.objects.create(**identity, **values)
        if any(getattr(instance, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(instance, name, value)
            instance.save()
            self.updated += 1
        else:
            self.unchanged += 1
        return instance


def import_action_plan(source: Path | str | TextIO, territory: Territory | None = None) -> PlanImportResult:
    """Create or update an action plan from YAML: a path, a shipped plan's name, or an open text stream.

    The plan's territory is `territory` when given, else the territory named in the file,
    which must already exist (import its communes first). Raises PlanImportError, having
    written nothing, when anything is wrong.
    """
    text, source_name = _read_source(source)
    try:
        data = yaml.load(text, Loader=_PlanLoader)  # noqa: S506 - _PlanLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlanImportError(
            source_name,
            [
                ImportProblem(
                    "invalid_yaml",
                    _("YAML invalide : %(problem)s.") % {"problem": getattr(exc, "problem", None) or exc},
                    line=mark.line + 1 if mark else None,
                )
            ],
        ) from exc

    reader = _PlanReader()
    provenance = " — ".join(part for part in (source_name, _leading_comment(text)) if part)
    spec = reader.read(data, territory_given=territory is not None, source=provenance)
    with transaction.atomic():
        if spec is not None:
            territory = territory or _territory_named(spec.territory_name, reader)
            _check_plan_owner(spec, territory, reader)
        if reader.problems:
            raise PlanImportError(source_name, reader.problems)
        return _write_plan(spec, territory)


def _read_source(source) -> tuple[str, str]:
    if hasattr(source, "read"):
        return source.read(), Path(getattr(source, "name", "") or "plan.yaml").name
    path = Path(source)
    if not path.exists():
        path = shipped_plan_path(str(source)) or path
    try:
        return path.read_text(encoding="utf-8-sig"), path.name
    except FileNotFoundError as exc:
        raise PlanImportError(
            path.name,
            [
                ImportProblem(
                    "file_not_found",
                    _("fichier introuvable : %(path)s. Plans fournis : %(shipped)s.")
                    % {"path": source, "shipped": ", ".join(shipped_plans())},
                )
            ],
        ) from exc
    except UnicodeDecodeError as exc:
        raise PlanImportError(path.name, [ImportProblem("not_utf8", _("le fichier n'est pas en UTF-8."))]) from exc


def _territory_named(name: str, reader: _PlanReader) -> Territory | None:
    if not name:
        return None
    territory = Territory.objects.filter(name=name).first()
    if territory is None:
        reader.problem(
            "unknown_territory",
            _(
                "le territoire « %(name)s » n'existe pas encore : importez d'abord ses communes "
                "(python manage.py import_communes), ou désignez un territoire existant (--territory)."
            )
            % {"name": name},
            None,
        )
    return territory


def _check_plan_owner(spec: _PlanSpec, territory: Territory | None, reader: _PlanReader):
    existing = ActionPlan.objects.filter(short_title=spec.short_title).select_related("territory").first()
    if existing is not None and territory is not None and existing.territory_id != territory.pk:
        reader.problem(
            "plan_of_other_territory",
            _("un plan « %(plan)s » existe déjà pour le territoire « %(territory)s ».")
            % {"plan": spec.short_title, "territory": existing.territory.name},
            None,
        )


def _write_plan(spec: _PlanSpec, territory: Territory) -> PlanImportResult:
    existing_plan = ActionPlan.objects.filter(short_title=spec.short_title).first()
    result = PlanImportResult(plan=existing_plan, plan_created=existing_plan is None)
    plan = result.sync(
        existing_plan,
        ActionPlan,
        {
            "territory_id": territory.pk,
            "title": spec.title,
            "start_year": spec.start_year,
            "end_year": spec.end_year,
            "default_action_codes": spec.default_action_codes,
            "volunteering_action_code": spec.volunteering_action_code,
            "source": spec.source,
        },
        short_title=spec.short_title,
    )
    result.plan = plan

    orientations = {o.code: o for o in plan.orientations.all()}
    objectives = {o.code: o for o in Objective.objects.filter(orientation__plan=plan)}
    actions = {a.code: a for a in Action.objects.of_plan(plan)}
    seen_orientations, seen_objectives, seen_actions = set(), set(), set()
    for o_spec in spec.orientations:
        orientation = result.sync(
            orientations.get(o_spec.code),
            Orientation,
            {"title": o_spec.title, "stake": o_spec.stake, "position": o_spec.position},
            plan=plan,
            code=o_spec.code,
        )
        seen_orientations.add(o_spec.code)
        for b_spec in o_spec.objectives:
            # Matched on the code across the plan, so an objective moved to another
            # orientation keeps its actions (and their events).
            objective = result.sync(
                objectives.get(b_spec.code),
                Objective,
                {"orientation_id": orientation.pk, "title": b_spec.title, "position": b_spec.position},
                code=b_spec.code,
            )
            seen_objectives.add(b_spec.code)
            for a_spec in b_spec.actions:
                result.sync(
                    actions.get(a_spec.code),
                    Action,
                    {
                        "objective_id": objective.pk,
                        "title": a_spec.title,
                        "position": a_spec.position,
                        "stands_for_objective": a_spec.stands_for_objective,
                    },
                    code=a_spec.code,
                )
                seen_actions.add(a_spec.code)

    _remove_stale(result, actions, seen_actions, objectives, seen_objectives, orientations, seen_orientations)

    committees = {c.name: c for c in plan.committees.all()}
    for c_spec in spec.committees:
        result.sync(
            committees.pop(c_spec.name, None),
            Committee,
            {
                "role": c_spec.role,
                "min_meetings_per_year": c_spec.min_meetings_per_year,
                "every_years": c_spec.every_years,
            },
            plan=plan,
            name=c_spec.name,
        )
    # Committees the file does not list were added in the admin (or dropped from the file):
    # kept, because their meetings count for the plan's governance.
    for committee in committees.values():
        result.warnings.append(
            _("L'instance « %(name)s » n'est pas dans le fichier : elle est conservée.") % {"name": committee.name}
        )
    return result


def _remove_stale(result, actions, seen_actions, objectives, seen_objectives, orientations, seen_orientations):
    """Delete what the file no longer lists, except what events still rely on."""
    for code, action in actions.items():
        if code in seen_actions:
            continue
        event_count = action.events.count()
        if event_count:
            result.warnings.append(
                _(
                    "L'action %(code)s n'est plus dans le fichier, mais %(count)s événement(s) s'y rattachent : "
                    "elle est conservée."
                )
                % {"code": code, "count": event_count}
            )
        else:
            action.delete()
            result.deleted += 1
    for code, objective in objectives.items():
        if code in seen_objectives:
            continue
        if objective.actions.exists():
            result.warnings.append(
                _("L'objectif %(code)s n'est plus dans le fichier, mais garde des actions utilisées : il est conservé.")
                % {"code": code}
            )
        else:
            objective.delete()
            result.deleted += 1
    for code, orientation in orientations.items():
        if code in seen_orientations:
            continue
        if orientation.objectives.exists():
            result.warnings.append(
                _("L'orientation %(code)s n'est plus dans le fichier, mais garde des objectifs utilisés : conservée.")
                % {"code": code}
            )
        else:
            orientation.delete()
            result.deleted += 1
