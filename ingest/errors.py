"""Why a file could not be indexed, said in French for the user."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    CORRUPT = "corrompu"
    ENCRYPTED = "chiffré"
    EMPTY = "vide"
    NO_TEXT = "sans texte"
    UNKNOWN_FORMAT = "format inconnu"
    TOO_LARGE = "trop volumineux"
    BINARY = "binaire"
    BAD_FRONT_MATTER = "en-tête invalide"
    UNSAFE_PATH = "chemin refusé"
    UNREADABLE = "illisible"
    INTERNAL = "erreur interne"


class IngestError(Exception):
    """A file that cannot be indexed; `message` is the French explanation shown to the user."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
