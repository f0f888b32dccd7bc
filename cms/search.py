"""Accent- and case-insensitive matching for the directory search.

People type "economie" for "Économie" and "oeuvre" for "Œuvre". SQLite's LIKE only
folds ASCII case and has no unaccent, and PostgreSQL's unaccent is an extension that
may not be installed, so both sides of the comparison are folded the same way:
`fold()` in Python for the query, `Folded()` in SQL for the columns (a Python function
registered on each SQLite connection, translate() on PostgreSQL).
"""

import unicodedata

from django.db.models import Func, Q, TextField

SQLITE_FUNCTION = "village_fold"

_LIGATURES = {"œ": "oe", "æ": "ae", "’": "'"}

# PostgreSQL's lower() only folds ASCII under the C locale: list both cases. translate()
# maps character by character, so the two strings have the same length (tested).
_PG_ACCENTED = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝŸàáâãäåçèéêëìíîïñòóôõöùúûüýÿ"
_PG_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyaaaaaaceeeeiiiinooooouuuuyy"


def fold(text: str | None) -> str:
    """Lower-case, without accents, ligatures spelled out: "Œuvre d'Économie" -> "oeuvre d'economie"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    for ligature, spelled in _LIGATURES.items():
        plain = plain.replace(ligature, spelled)
    return plain


class Folded(Func):
    """SQL counterpart of fold(), so `Folded("name")` can be compared with `fold(query)`."""

    arity = 1
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=SQLITE_FUNCTION, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        folded = f"translate(lower({sql}), %s, %s)"
        params = [*params, _PG_ACCENTED, _PG_PLAIN]
        for ligature, spelled in [*_LIGATURES.items(), ("Œ", "oe"), ("Æ", "ae")]:
            folded = f"replace({folded}, %s, %s)"
            params += [ligature, spelled]
        return folded, params

    def as_sql(self, compiler, connection, **extra_context):
        # Other databases: case-insensitive only.
        return super().as_sql(compiler, connection, function="LOWER", **extra_context)


def register_sqlite_function(sender, connection, **kwargs):
    """connection_created receiver: make Folded() available on SQLite connections."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)


def matching_words(queryset, query: str, fields: list[str]):
    """Rows where every word of `query` appears in at least one of `fields`, ignoring case and accents."""
    folded_fields = {f"_folded_{name}": Folded(name) for name in fields}
    queryset = queryset.alias(**folded_fields)
    for word in fold(query).split():
        condition = Q()
        for alias in folded_fields:
            condition |= Q(**{f"{alias}__contains": word})
        queryset = queryset.filter(condition)
    return queryset
