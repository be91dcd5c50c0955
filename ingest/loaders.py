"""Read corpus files (PDF, Markdown, text, DOCX, HTML) into `LoadedDocument`s with provenance.

Every failure becomes an `IngestError` whose message tells the user, in French, what is wrong.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import zipfile
from collections.abc import Callable, Iterable
from datetime import date
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ingest.errors import IngestError, Reason
from ingest.footnotes import attach_footnotes
from kb.core.documents import DocType, LoadedDocument, Section
from kb.core.profiles import restated_files

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = {".pdf", ".docx", *TEXT_SUFFIXES, *MARKDOWN_SUFFIXES, *HTML_SUFFIXES}
FOLDER_TYPES = {
    "programmes": DocType.PROGRAMME,
    "methodes": DocType.METHODE,
    "references": DocType.REFERENCE,
}
# Below this many letters a PDF is taken to have no text layer (a scan).
MIN_LETTERS = 20


class FrontMatter(BaseModel):
    """The front matter keys every document may carry; type-specific keys are checked elsewhere."""

    model_config = ConfigDict(extra="allow")

    title: str | None = None
    doc_type: DocType | None = None
    tags: list[str] = []
    sources: list[str] = []
    updated: date | None = None
    aliases: list[str] = []


def _megabytes(size: int) -> str:
    """2202009 → '2,1' (French decimal comma, no trailing ',0')."""
    return f"{size / 1_048_576:.1f}".replace(".", ",").removesuffix(",0")


# Bumped when reading or cutting documents changes (footnotes brought to their calls, restated
# sources, labels no longer read as headings, aliases kept, a course's provider as an alias):
# every file then counts as changed and is indexed again by the next run.
READER_VERSION = 5


def content_hash(data: bytes) -> str:
    """The file's SHA-256, salted with READER_VERSION."""
    return hashlib.sha256(f"reader-{READER_VERSION}\n".encode() + data).hexdigest()


def load_document(path: Path, source: str, max_bytes: int) -> LoadedDocument:
    """Read `path` (known to the index as `source`) into a document, or raise `IngestError`."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            Reason.UNKNOWN_FORMAT,
            f"Format non pris en charge (« {suffix or 'sans extension'} »). Formats acceptés : "
            "PDF, Markdown, texte, DOCX, HTML.",
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(
            Reason.TOO_LARGE,
            f"Fichier trop volumineux ({_megabytes(size)} Mo) : la limite est de "
            f"{_megabytes(max_bytes)} Mo (réglable par CTG_MAX_FILE_MB).",
        )
    data = path.read_bytes()
    if not data.strip():
        raise IngestError(Reason.EMPTY, "Fichier vide : il ne contient aucun texte.")
    reader = _READERS[suffix]
    sections, meta = reader(data)
    sections = attach_footnotes([s for s in sections if s.text.strip()])
    if not sections:
        raise IngestError(Reason.EMPTY, "Aucun texte exploitable dans ce fichier.")
    front = _front_matter(meta)
    title = front.title or meta.get("_title") or _first_line(sections) or path.stem
    return LoadedDocument(
        source=source,
        path=str(path.resolve()),
        title=title.strip(),
        doc_type=front.doc_type or infer_doc_type(source, sections),
        content_hash=content_hash(data),
        sections=sections,
        metadata={k: v for k, v in meta.items() if not k.startswith("_")},
        restates=restated_files(front.sources),
        aliases=tuple(front.aliases),
    )


def infer_doc_type(source: str, sections: list[Section]) -> DocType:
    """Type from the folder the file sits in, else from its content."""
    for part in PurePosixPath(source).parts[:-1]:
        if part in FOLDER_TYPES:
            return FOLDER_TYPES[part]
    from ingest.extract import looks_like_programme

    if looks_like_programme("\n".join(s.text for s in sections)):
        return DocType.PROGRAMME
    return DocType.AUTRE


# Pydantic's error kinds ("string_type", "date_from_datetime_parsing"…) by their first word.
_FIELD_ERRORS = {
    "string": "doit être un texte",
    "list": "doit être une liste",
    "date": "doit être une date au format AAAA-MM-JJ",
    "enum": "n'est pas une valeur reconnue (programme, methode, reference ou autre)",
}


def _front_matter(meta: dict[str, Any]) -> FrontMatter:
    try:
        return FrontMatter.model_validate({k: v for k, v in meta.items() if not k.startswith("_")})
    except ValidationError as exc:
        problems = " ; ".join(
            f"« {'.'.join(str(p) for p in err['loc'])} » "
            f"{_FIELD_ERRORS.get(err['type'].split('_')[0], 'a une valeur invalide')}"
            for err in exc.errors()
        )
        raise IngestError(
            Reason.BAD_FRONT_MATTER, f"En-tête (front matter) aux valeurs invalides : {problems}."
        ) from exc


def _first_line(sections: list[Section]) -> str | None:
    """A title for a file that declares none: its first Markdown H1, else the longest line that
    is not a sentence near the top (brochures open with form fields before their title)."""
    for section in sections:
        if section.heading_path and section.text.lstrip().startswith("# "):
            return section.heading_path[0]
    head = "\n".join(s.text for s in sections)[:1500].splitlines()[:-1]
    candidates = [
        line.strip(" #*\t")
        for line in head
        if len(line.strip(" #*\t")) <= 160 and not line.rstrip().endswith((".", ":", ";"))
    ]
    return max(candidates, key=len, default=None) or None


# --- plain text ----------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes) -> str:
    """Decode text in any common encoding (UTF-8/16/32, Latin-1, Windows-1252…), or refuse
    binary data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    utf16 = _utf16_without_bom(data[:8192])
    if utf16:
        return data.decode(utf16, errors="replace")
    if b"\x00" in data[:8192]:
        raise _binary()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(data)
    control = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if control > max(8, len(text) // 100):
        raise _binary()
    return text


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' for Latin-script UTF-16 written without a byte order mark:
    one byte of each pair is nearly always zero, the other never."""
    even, odd = head[0::2], head[1::2]
    if len(head) < 4:
        return None
    if odd.count(0) > 0.3 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes) -> str:
    """Non-UTF-8 text. French files are nearly always Windows-1252 or Latin-1, and a detector
    guesses wrong on short texts (Central European code pages), so that one is tried first."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise _binary() from None
        return str(best)


def _binary() -> IngestError:
    return IngestError(
        Reason.BINARY, "Ce fichier contient des données binaires, pas du texte lisible."
    )


_HEADING_PATTERN = re.compile(r"^(jour|phase|partie|module|etape|étape)\s*\d+\b", re.IGNORECASE)


def _is_heading(line: str, prev_blank: bool, next_blank: bool) -> bool:
    """Plain-text headings: short lines in capitals, 'Jour 1 …' lines, or short isolated lines."""
    stripped = line.strip().strip("*#").strip()
    letters = [c for c in stripped if c.isalpha()]
    if not stripped or len(stripped) > 90 or len(letters) < 3 or not prev_blank:
        return False
    if stripped[-1] in ".,;!?…»)" or stripped.startswith(("-", "•", "*", "|")):
        return False
    if _HEADING_PATTERN.match(stripped):
        return True
    upper = sum(1 for c in letters if c.isupper()) / len(letters)
    if upper > 0.8 and len(letters) >= 4:
        return True
    # A short line with a colon is a label ("Fin de matinée :", "Animation : TC"), not a heading.
    return (next_blank and len(stripped.split()) <= 5 and stripped[0].isupper()
            and ":" not in stripped)


def split_plain_text(text: str, page: int | None = None) -> list[Section]:
    """Cut text with no markup into sections at the lines that look like headings."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sections: list[Section] = []
    heading: tuple[str, ...] = ()
    body: list[str] = []

    def flush() -> None:
        if "\n".join(body).strip():
            sections.append(Section("\n".join(body).strip(), heading, page))
        body.clear()

    for i, line in enumerate(lines):
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
        if _is_heading(line, prev_blank, next_blank):
            flush()
            heading = (line.strip().strip("*#").strip(),)
        # The heading stays in the text: a short "Pré-requis / Aucun prérequis" pair is content.
        body.append(line)
    flush()
    return sections


def _read_text(data: bytes) -> tuple[list[Section], dict[str, Any]]:
    return split_plain_text(decode_text(data)), {}


# --- Markdown ------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _read_markdown(data: bytes) -> tuple[list[Section], dict[str, Any]]:
    import frontmatter
    import yaml

    text = decode_text(data)
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1})" if mark is not None else ""
        raise IngestError(
            Reason.BAD_FRONT_MATTER,
            f"En-tête YAML illisible{where} : vérifiez les lignes entre les deux « --- ».",
        ) from exc
    if not isinstance(post.metadata, dict):
        raise IngestError(Reason.BAD_FRONT_MATTER, "L'en-tête YAML doit être une liste de clés.")
    # An HTML comment is a note to the editor ("<!-- source : … -->"): no reader sees it.
    return split_markdown(_HTML_COMMENT.sub("", post.content)), dict(post.metadata)


def split_markdown(text: str) -> list[Section]:
    """Sections at ATX headings, each carrying its heading path ('Jour 1 > Objectifs')."""
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    body: list[str] = []
    in_fence = False

    def flush() -> None:
        if "\n".join(body).strip():
            sections.append(Section("\n".join(body).strip(), tuple(t for _, t in path)))
        body.clear()

    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _MD_HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            path = [(lvl, t) for lvl, t in path if lvl < level]
            path.append((level, match.group(2).strip()))
        body.append(line)
    flush()
    return sections


# --- PDF -----------------------------------------------------------------------------------


def _read_pdf(data: bytes) -> tuple[list[Section], dict[str, Any]]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileNotDecryptedError("password required")
        pages = [page.extract_text() or "" for page in reader.pages]
        metadata = reader.metadata
        title = metadata.get("/Title") if metadata else None
    except (FileNotDecryptedError, DependencyError) as exc:
        raise IngestError(
            Reason.ENCRYPTED,
            "PDF protégé par un mot de passe : enregistrez-en une copie non protégée pour "
            "l'indexer.",
        ) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise IngestError(
            Reason.CORRUPT, "PDF corrompu ou tronqué : il ne peut pas être lu."
        ) from exc
    if sum(c.isalpha() for page in pages for c in page) < MIN_LETTERS:
        raise IngestError(
            Reason.NO_TEXT,
            "Ce PDF ne contient pas de texte extractible (document scanné ?). Passez-le d'abord "
            "dans un logiciel de reconnaissance de caractères (OCR).",
        )
    sections = [s for number, text in enumerate(pages, 1) for s in split_plain_text(text, number)]
    meta = {"_title": str(title)} if title else {}
    return sections, meta


# --- DOCX ----------------------------------------------------------------------------------


def _read_docx(data: bytes) -> tuple[list[Section], dict[str, Any]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(
            Reason.CORRUPT, "Fichier DOCX illisible : ce n'est pas un document Word valide."
        ) from exc
    blocks: list[tuple[int, str]] = []  # (heading level or 0, text)
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            level = _docx_heading_level(style)
            if paragraph.text.strip():
                blocks.append((level, paragraph.text.strip()))
        elif tag == "tbl":
            table = Table(child, document)
            rows = [" | ".join(cell.text.strip() for cell in row.cells) for row in table.rows]
            blocks.append((0, "\n".join(rows)))
    markdown = "\n\n".join(("#" * level + " " if level else "") + text for level, text in blocks)
    title = document.core_properties.title
    return split_markdown(markdown), ({"_title": title} if title else {})


def _docx_heading_level(style: str) -> int:
    if style == "Title":
        return 1
    match = re.match(r"(?:Heading|Titre)\s*(\d)", style)
    return int(match.group(1)) if match else 0


# --- HTML ----------------------------------------------------------------------------------

_HTML_DROP = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "nav",
    "footer",
    "form",
)


def _read_html(data: bytes) -> tuple[list[Section], dict[str, Any]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(data), "lxml")
    # Scripts and styles are data to drop, never content to keep or render.
    for tag in soup(_HTML_DROP):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    lines: list[str] = []
    root = soup.body or soup
    for element in root.find_all(
        ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre", "blockquote", "dd", "dt"]
    ):
        if element.find_parent(["li", "tr", "blockquote"]) is not None and element.name != "tr":
            continue
        if element.name == "tr":
            text = " | ".join(c.get_text(" ", strip=True) for c in element.find_all(["td", "th"]))
        else:
            text = element.get_text(" ", strip=True)
        if not text:
            continue
        if element.name[0] == "h" and element.name[1:].isdigit():
            lines.append(f"{'#' * int(element.name[1])} {text}")
        elif element.name == "li":
            lines.append(f"- {text}")
        else:
            lines.append(text)
    return split_markdown("\n\n".join(lines)), ({"_title": title} if title else {})


_READERS: dict[str, Callable[[bytes], tuple[list[Section], dict[str, Any]]]] = {
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    **dict.fromkeys(TEXT_SUFFIXES, _read_text),
    **dict.fromkeys(MARKDOWN_SUFFIXES, _read_markdown),
    **dict.fromkeys(HTML_SUFFIXES, _read_html),
}


def supported(paths: Iterable[Path]) -> list[Path]:
    """The paths whose extension a loader reads."""
    return [p for p in paths if p.suffix.lower() in SUPPORTED_SUFFIXES]
