"""Operations on the territory's reference data: importing the member communes of an EPCI.

The import is all or nothing: every row is checked before the first write, inside one
transaction, so a malformed file leaves the database as it was and the organiser gets
the list of what to fix, line by line, in French.
"""

import csv
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Commune, Territory

COMMUNES_DIR = Path(__file__).resolve().parent / "data" / "communes"
COMMUNE_COLUMNS = ("insee_code", "name", "postcode", "population", "latitude", "longitude")
# Two characters for the département (digits, or 2A/2B in Corsica), three for the commune.
INSEE_CODE = re.compile(r"^(?:\d{2}|2[AB])\d{3}$")
POSTCODE = re.compile(r"^\d{5}$")
MAX_LISTED_PROBLEMS = 20
NAME_MAX_LENGTH = Commune._meta.get_field("name").max_length


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong in an imported file; `line` is 1-based, None when it concerns the whole file."""

    code: str
    message: str
    line: int | None = None

    def __str__(self):
        if self.line is None:
            return self.message
        return _("ligne %(line)s : %(message)s") % {"line": self.line, "message": self.message}


class DataImportError(Exception):
    """A file was refused; nothing was written. `problems` lists every reason found."""

    def __init__(self, source_name: str, problems: Iterable[ImportProblem]):
        self.source_name = source_name
        # Sorted by line (whole-file problems first) so the list reads like the file.
        self.problems = sorted(problems, key=lambda problem: problem.line or 0)
        self.code = self.problems[0].code if len(self.problems) == 1 else "invalid_file"
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = [
            _("%(source)s n'a pas été importé, rien n'a été modifié :") % {"source": self.source_name},
            *(f"- {problem}" for problem in self.problems[:MAX_LISTED_PROBLEMS]),
        ]
        if len(self.problems) > MAX_LISTED_PROBLEMS:
            lines.append(
                _("… et %(count)s autre(s) problème(s).") % {"count": len(self.problems) - MAX_LISTED_PROBLEMS}
            )
        return "\n".join(lines)


class CommuneImportError(DataImportError):
    pass


@dataclass(frozen=True)
class ShippedCommunes:
    """A communes file shipped in territory/data/communes/, with its EPCI's identity."""

    name: str
    territory_name: str
    siren: str
    slug: str

    @property
    def path(self) -> Path:
        return COMMUNES_DIR / f"communes_{self.name}.csv"


SHIPPED_COMMUNES = {
    shipped.name: shipped
    for shipped in (
        ShippedCommunes("valenciennes_metropole", "Valenciennes Métropole", "245901160", "valenciennes-metropole"),
        ShippedCommunes("mel", "Métropole Européenne de Lille", "200093201", "metropole-europeenne-de-lille"),
        ShippedCommunes("maubeuge_val_de_sambre", "Maubeuge Val de Sambre", "200043396", "maubeuge-val-de-sambre"),
    )
}


def shipped_communes(file_or_name: str) -> ShippedCommunes | None:
    """The shipped file that "mel", "communes_mel.csv" or a path to that file designates, if any."""
    stem = Path(file_or_name).name.removesuffix(".csv").removeprefix("communes_")
    return SHIPPED_COMMUNES.get(stem)


@dataclass
class CommuneImportResult:
    territory: Territory
    territory_created: bool = False
    territory_updated: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Communes of the territory that the file no longer lists: kept, since events and
    # organisations point to them, but worth a look (a commune may have left the EPCI).
    not_in_file: list[Commune] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def changed_anything(self) -> bool:
        return bool(self.territory_created or self.territory_updated or self.created or self.updated)

    def summary(self) -> str:
        return _(
            "%(total)s communes : %(created)s créée(s), %(updated)s mise(s) à jour, %(unchanged)s inchangée(s)"
        ) % {"total": self.total, "created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass(frozen=True)
class _CommuneRow:
    line: int
    insee_code: str
    name: str
    postcodes: str
    population: int
    latitude: float
    longitude: float

    def values(self) -> dict:
        return {
            "name": self.name,
            "postcodes": self.postcodes,
            "population": self.population,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


def import_communes(path: Path | str, territory_name: str, *, siren: str = "", slug: str = "") -> CommuneImportResult:
    """Create or update the territory and its communes from a CSV file (see territory/data/communes/SOURCES.md).

    Columns: insee_code,name,postcode,population,latitude,longitude. Communes are matched on
    their INSEE code, so running the same file again changes nothing. Raises
    CommuneImportError, having written nothing, when any row is wrong.
    """
    path = Path(path)
    territory_name = territory_name.strip()
    slug = slug.strip() or slugify(territory_name)
    siren = siren.strip()
    with transaction.atomic():
        territory = Territory.objects.filter(name=territory_name).first()
        problems = _check_territory(territory, territory_name, siren, slug)
        rows, row_problems = _read_commune_rows(path)
        problems += row_problems
        problems += _check_membership(rows, territory)
        if problems:
            raise CommuneImportError(path.name, problems)
        return _write_communes(rows, territory, territory_name, siren, slug)


def _check_territory(territory: Territory | None, name: str, siren: str, slug: str) -> list[ImportProblem]:
    problems = []
    if not name:
        problems.append(ImportProblem("missing_territory", _("le nom du territoire est vide.")))
    if siren and not re.fullmatch(r"\d{9}", siren):
        problems.append(
            ImportProblem("invalid_siren", _("SIREN « %(siren)s » invalide : 9 chiffres attendus.") % {"siren": siren})
        )
    if territory is None:
        taken = Territory.objects.filter(slug=slug).first()
        if taken is not None:
            problems.append(
                ImportProblem(
                    "slug_taken",
                    _("l'identifiant « %(slug)s » est déjà celui du territoire « %(other)s ».")
                    % {"slug": slug, "other": taken.name},
                )
            )
    elif territory.slug != slug:
        # The slug is in URLs and in DEFAULT_TERRITORY: an import never renames it.
        problems.append(
            ImportProblem(
                "slug_mismatch",
                _("le territoire « %(name)s » existe déjà avec l'identifiant « %(slug)s », et non « %(asked)s ».")
                % {"name": territory.name, "slug": territory.slug, "asked": slug},
            )
        )
    return problems


def _read_commune_rows(path: Path) -> tuple[list[_CommuneRow], list[ImportProblem]]:
    try:
        # utf-8-sig: spreadsheets often save a byte-order mark in front of the header.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return [], [ImportProblem("file_not_found", _("fichier introuvable : %(path)s.") % {"path": path})]
    except UnicodeDecodeError:
        return [], [
            ImportProblem("not_utf8", _("le fichier n'est pas en UTF-8 : enregistrez-le au format « CSV UTF-8 »."))
        ]
    except OSError as exc:
        return [], [ImportProblem("unreadable", _("fichier illisible : %(error)s.") % {"error": exc.strerror})]

    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return [], [ImportProblem("empty_file", _("le fichier est vide."), line=1)]
    # A spreadsheet set to French saves "CSV" with semicolons and decimal commas.
    delimiter = ";" if ";" in lines[0] and "," not in lines[0] else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = [column.strip() for column in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [column for column in COMMUNE_COLUMNS if column not in header]
    if missing:
        return [], [
            ImportProblem(
                "missing_column",
                _("colonne(s) manquante(s) : %(missing)s. Colonnes attendues : %(expected)s.")
                % {"missing": ", ".join(missing), "expected": ",".join(COMMUNE_COLUMNS)},
                line=1,
            )
        ]

    rows, problems, first_line_of = [], [], {}
    for record in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in record.values()):
            continue  # a blank line, often left at the end by spreadsheets
        row, row_problems = _parse_commune_row(record, line, decimal_comma=delimiter == ";")
        problems += row_problems
        if row is None:
            continue
        if row.insee_code in first_line_of:
            problems.append(
                ImportProblem(
                    "duplicate_insee_code",
                    _("le code INSEE %(code)s figure déjà ligne %(first)s.")
                    % {"code": row.insee_code, "first": first_line_of[row.insee_code]},
                    line=line,
                )
            )
            continue
        first_line_of[row.insee_code] = line
        rows.append(row)
    if not rows and not problems:
        problems.append(ImportProblem("empty_file", _("le fichier ne contient aucune commune."), line=2))
    return rows, problems


def _parse_commune_row(
    record: dict, line: int, *, decimal_comma: bool
) -> tuple[_CommuneRow | None, list[ImportProblem]]:
    def cell(column):
        return (record.get(column) or "").strip()

    problems = []

    def problem(problem_code, message, **params):
        problems.append(ImportProblem(problem_code, message % params, line=line))

    insee_code = cell("insee_code").upper()
    if not INSEE_CODE.match(insee_code):
        problem(
            "invalid_insee_code",
            _("code INSEE « %(value)s » invalide : 5 caractères attendus (chiffres, ou 2A/2B pour la Corse)."),
            value=cell("insee_code"),
        )
    name = cell("name")
    if not name:
        problem("missing_name", _("le nom de la commune est vide."))
    elif len(name) > NAME_MAX_LENGTH:
        problem("name_too_long", _("le nom de la commune dépasse %(max)s caractères."), max=NAME_MAX_LENGTH)
    postcodes = [part.strip() for part in cell("postcode").split("|")]
    if not all(POSTCODE.match(part) for part in postcodes):
        problem(
            "invalid_postcode",
            _("code postal « %(postcode)s » invalide : 5 chiffres, plusieurs séparés par « | »."),
            postcode=cell("postcode"),
        )
    population = None
    try:
        population = int(cell("population"))
    except ValueError:
        problem(
            "invalid_population",
            _("population « %(value)s » : un nombre entier est attendu."),
            value=cell("population"),
        )
    else:
        if population < 0:
            problem("invalid_population", _("population négative : %(value)s."), value=population)
    latitude = _parse_coordinate(cell("latitude"), 90, decimal_comma)
    if latitude is None:
        problem(
            "invalid_latitude",
            _("latitude « %(value)s » invalide : un nombre entre -90 et 90 est attendu."),
            value=cell("latitude"),
        )
    longitude = _parse_coordinate(cell("longitude"), 180, decimal_comma)
    if longitude is None:
        problem(
            "invalid_longitude",
            _("longitude « %(value)s » invalide : un nombre entre -180 et 180 est attendu."),
            value=cell("longitude"),
        )
    if problems:
        return None, problems
    return _CommuneRow(line, insee_code, name, "|".join(postcodes), population, latitude, longitude), []


def _parse_coordinate(text: str, bound: float, decimal_comma: bool) -> float | None:
    if decimal_comma:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    # NaN and infinities parse as floats but are no place on Earth.
    if not math.isfinite(value) or not -bound <= value <= bound:
        return None
    return value


def _check_membership(rows: list[_CommuneRow], territory: Territory | None) -> list[ImportProblem]:
    """A commune belongs to one EPCI: refuse to move one silently from another territory."""
    line_of = {row.insee_code: row.line for row in rows}
    elsewhere = Commune.objects.filter(insee_code__in=line_of).select_related("territory")
    if territory is not None:
        elsewhere = elsewhere.exclude(territory=territory)
    return [
        ImportProblem(
            "commune_in_other_territory",
            _("la commune %(code)s (%(name)s) appartient déjà au territoire « %(territory)s ».")
            % {"code": commune.insee_code, "name": commune.name, "territory": commune.territory.name},
            line=line_of[commune.insee_code],
        )
        for commune in sorted(elsewhere, key=lambda commune: line_of[commune.insee_code])
    ]


def _write_communes(
    rows: list[_CommuneRow], territory: Territory | None, name: str, siren: str, slug: str
) -> CommuneImportResult:
    result = CommuneImportResult(territory=territory)
    if territory is None:
        result.territory = territory = Territory.objects.create(name=name, slug=slug, siren=siren)
        result.territory_created = True
    elif siren and territory.siren != siren:
        territory.siren = siren
        territory.save(update_fields=["siren"])
        result.territory_updated = True

    existing = {commune.insee_code: commune for commune in territory.communes.all()}
    for row in rows:
        commune = existing.pop(row.insee_code, None)
        values = row.values()
        if commune is None:
            Commune.objects.create(territory=territory, insee_code=row.insee_code, **values)
            result.created += 1
        elif any(getattr(commune, attribute) != value for attribute, value in values.items()):
            for attribute, value in values.items():
                setattr(commune, attribute, value)
            commune.save()
            result.updated += 1
        else:
            result.unchanged += 1
    result.not_in_file = sorted(existing.values(), key=lambda commune: commune.insee_code)
    return result
