"""Files dropped in the Bibliothèque: checked (count, size, format), given a safe name, saved
under `data_dir/uploads/` (in the type's folder when the user names one, so that ingestion types
them as it types the corpus folders)."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Protocol

from ingest.loaders import FOLDER_TYPES, SUPPORTED_SUFFIXES
from kb.core.config import Settings

MAX_FILES = 20  # per upload: an ingestion of more is a job for `ctg ingest`
MAX_NAME_BYTES = 150  # well under the 255 bytes most file systems allow
FORMATS = "PDF, Markdown, texte, DOCX, HTML"

# Control characters, and the invisible or direction-changing ones that make "fdp.exe" look
# like "exe.pdf".
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_RESERVED = re.compile(r'[<>:"|?*]')  # refused by other systems the folder may be copied to


class Upload(Protocol):
    """What Streamlit's UploadedFile offers and we use."""

    name: str
    size: int

    def getvalue(self) -> bytes: ...


Named = tuple[str, Upload]  # a file with the safe name it is saved under


@dataclass(frozen=True)
class Refused:
    name: str
    message: str


def uploads_dir(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def folder_for(settings: Settings, doc_type: str | None) -> Path:
    """Where files of `doc_type` go; None lets ingestion tell the type from the content."""
    folders = {str(kind): name for name, kind in FOLDER_TYPES.items()}
    base = uploads_dir(settings)
    return base / folders[doc_type] if doc_type in folders else base


def safe_name(name: str) -> str:
    """A plain file name for one folder: no path parts, no control or invisible characters, not
    hidden, at most MAX_NAME_BYTES bytes, its suffix kept."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = _RESERVED.sub("_", _INVISIBLE.sub("", name))
    name = " ".join(name.split()).strip(". ")  # a leading dot hides the file from ingestion
    suffix = PurePath(name).suffix if len(PurePath(name).suffix) <= 10 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    while stem and len(f"{stem}{suffix}".encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return f"{stem.rstrip('. ')}{suffix}" if stem.strip(". ") else f"document{suffix}"


def check(files: Sequence[Upload], max_bytes: int) -> tuple[list[Named], list[Refused]]:
    """Files to save under their safe names, and files refused with a French reason."""
    accepted: list[Named] = []
    refused: list[Refused] = []
    for number, upload in enumerate(files, 1):
        name = safe_name(upload.name)
        suffix = PurePath(name).suffix.lower()
        if number > MAX_FILES:
            reason = f"Trop de fichiers dans ce dépôt : {MAX_FILES} au plus à la fois."
        elif suffix not in SUPPORTED_SUFFIXES:
            reason = f"Format non pris en charge (« {suffix or 'sans extension'} ») : {FORMATS}."
        elif upload.size > max_bytes:
            reason = (
                f"Fichier trop volumineux ({upload.size / 1_048_576:.1f} Mo) : la limite est de "
                f"{max_bytes / 1_048_576:.0f} Mo (réglable par CTG_MAX_FILE_MB)."
            )
        elif not upload.size:
            reason = "Fichier vide."
        elif any(name == taken for taken, _ in accepted):
            reason = f"Un autre fichier de ce dépôt porte déjà le nom « {name} »."
        else:
            accepted.append((name, upload))
            continue
        refused.append(Refused(upload.name, reason))
    return accepted, refused


def save(accepted: list[Named], folder: Path) -> list[Path]:
    """Write the files into `folder` (a file of the same name is replaced: a new version)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, upload in accepted:
        path = folder / name
        partial = folder / f".{name}.part"  # hidden: never ingested half-written
        partial.write_bytes(upload.getvalue())
        os.replace(partial, path)
        paths.append(path)
    return paths


def is_upload(settings: Settings, path: str) -> bool:
    """Whether `path` is a file the Bibliothèque saved (and may therefore delete)."""
    if not path:
        return False
    return Path(path).resolve().is_relative_to(uploads_dir(settings).resolve())
