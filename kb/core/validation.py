"""Front-matter validation errors told in French, for every kind of sheet the corpus holds."""

from __future__ import annotations

from typing import Any

_ERRORS_FR = {
    "missing": "clé obligatoire absente",
    "extra_forbidden": "clé inconnue",
    "too_short": "liste vide, au moins une valeur attendue",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "greater_than": "nombre positif attendu",
    "string_type": "texte attendu",
    "list_type": "liste attendue",
    "date_type": "date AAAA-MM-JJ attendue",
    "date_from_datetime_parsing": "date AAAA-MM-JJ attendue",
    "literal_error": "valeur non autorisée",
}


def describe_error(error: Any) -> str:
    """One pydantic error in French: where in the front matter, and what was expected."""
    where = ".".join(str(part) for part in error["loc"]) or "en-tête"
    if error["type"] == "value_error":
        return f"{where} : {error['ctx']['error']}"
    label = _ERRORS_FR.get(error["type"], error["msg"])
    if error["type"] == "literal_error":
        label += f" (attendu : {error['ctx']['expected']})"
    return f"{where} : {label}"
