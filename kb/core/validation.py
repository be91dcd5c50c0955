"""Validation errors told in French: of the front matter of every kind of sheet the corpus
holds, and of the data files shipped with the code (glossary, templates)."""

from __future__ import annotations

import tomllib
from importlib.resources.abc import Traversable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)

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
    "enum": "valeur non autorisée",
    "string_too_short": "texte vide",
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


def load_toml(file: Traversable, model: type[Model], key: str | None = None) -> Model:
    """A TOML data file read into `model` (under `key`, when its tables are one field). A file
    that does not parse, or an entry that lacks a field, raises ValueError naming the file and
    the entry."""
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        return model.model_validate({key: data} if key else data)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"Fichier {file.name} illisible : {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(describe_error(error) for error in exc.errors())
        raise ValueError(f"Fichier {file.name} invalide : {problems}") from exc
