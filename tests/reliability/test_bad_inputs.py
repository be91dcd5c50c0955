"""Bad inputs of every kind in one corpus, ingested once: each file gets a clear French answer,
and nothing else is lost (every good file of the same run is indexed and found).

`KINDS` doubles as the README table "Entrée | Ce que l'utilisateur lit"."""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.errors import Reason
from ingest.pipeline import FileResult, IngestReport, Status, ingest
from kb.core.config import Settings
from kb.core.store import Store, open_store
from kb.search.questions import QuestionError
from kb.search.retrieval import HybridRetriever
from tests.builders import make_encrypted_pdf, make_fake_docx, make_image_pdf, make_pdf
from tests.conftest import BROCHURES, CORPUS
from tests.processes import isolated_env
from tests.reliability.support import copy_tree, ctg

LIMIT_MB = 1
OUTSIDE = "jetonexterieur"  # in files outside the corpus: must never be indexed
SCRIPT = "jetonscript"  # in an HTML page's scripts, styles and comments: must be dropped
# Indexed or refused with a reason: both are clean answers for an odd file name.
INDEXED_OR_REFUSED = (Status.INDEXED, Status.ERROR)
# Words of Python's or a library's own messages: the user must read French.
ENGLISH = re.compile(r"\b(should|Input|Errno|codec|No such|Error|Exception)\b")


def write(name: str, data: str | bytes) -> Callable[[Path], None]:
    def build(corpus: Path) -> None:
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)

    return build


def note(title: str, sentence: str) -> str:
    return f"# {title}\n\n{sentence}\n"


def truncated_pdf(corpus: Path) -> None:
    whole = make_pdf(corpus / "entier.tmp", ["Programme complet de la formation CTG."] * 3)
    (corpus / "pdf-tronque.pdf").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    whole.unlink()


def outside(corpus: Path) -> Path:
    """A folder beside the corpus, with a file the index must never see."""
    folder = corpus.parent / "dehors"
    folder.mkdir(exist_ok=True)
    (folder / "secret.md").write_text(note("Secret", f"Données {OUTSIDE}."), encoding="utf-8")
    return folder


def link(name: str, target: Callable[[Path], Path]) -> Callable[[Path], None]:
    return lambda corpus: (corpus / name).symlink_to(target(corpus))


LATIN1 = "Réunion des élus à Montbéliard : coopération déjà prévue à Pâques."
UTF16 = "Schéma départemental des services aux familles : cœur des priorités."
HTML = f"""<html><head><title>Relais petite enfance</title>
<style>body {{ color: red }} /* {SCRIPT} */</style><script>var t = "{SCRIPT}";</script></head>
<body onload="alert('{SCRIPT}')"><h1>Relais petite enfance</h1><!-- {SCRIPT} -->
<p>Le relais petite enfance ouvre le mercredi matin à Quimperlé.</p>
<noscript>{SCRIPT}</noscript><script>document.write("{SCRIPT}")</script></body></html>"""


@dataclass(frozen=True)
class Kind:
    label: str  # the README's "Entrée"
    marker: str  # a part of the file name found in no other: finds the file's result
    build: Callable[[Path], object]
    status: Status | tuple[Status, ...] | None  # None: not reported at all (never looked at)
    reason: Reason | None = None
    words: str = ""  # what the message must say
    text: str = ""  # for an indexed file: a sentence its chunks hold, exactly


KINDS = [
    Kind("PDF corrompu", "pdf-corrompu",
         write("pdf-corrompu.pdf", b"%PDF-1.7\n" + random.Random(1).randbytes(4000)),
         Status.ERROR, Reason.CORRUPT, "PDF corrompu ou tronqué"),
    Kind("PDF tronqué", "pdf-tronque", truncated_pdf,
         Status.ERROR, Reason.CORRUPT, "PDF corrompu ou tronqué"),
    Kind("PDF chiffré (mot de passe)", "pdf-protege",
         lambda c: make_encrypted_pdf(c / "pdf-protege.pdf", "Budget confidentiel", "secret"),
         Status.ERROR, Reason.ENCRYPTED, "mot de passe"),
    Kind("PDF chiffré au mot de passe vide", "pdf-ouvert",
         lambda c: make_encrypted_pdf(c / "pdf-ouvert.pdf", "Calendrier des comités ouvert.", ""),
         Status.INDEXED, text="Calendrier des comités ouvert."),
    Kind("PDF sans couche texte (scan)", "pdf-scan",
         lambda c: make_image_pdf(c / "pdf-scan.pdf"), Status.ERROR, Reason.NO_TEXT, "OCR"),
    Kind("Fichier de 0 octet", "zero-octet", write("zero-octet.txt", b""),
         Status.ERROR, Reason.EMPTY, "Fichier vide"),
    Kind(f"Fichier au-delà de CTG_MAX_FILE_MB ({LIMIT_MB} Mo ici)", "trop-gros",
         write("trop-gros.txt", "Compte rendu du comité de pilotage.\n" * 60_000),
         Status.ERROR, Reason.TOO_LARGE, "CTG_MAX_FILE_MB"),
    Kind("Données binaires nommées .txt", "binaire", write("binaire.txt", bytes(range(256)) * 64),
         Status.ERROR, Reason.BINARY, "données binaires"),
    Kind("Format inconnu (.xlsx)", "tableur", write("tableur.xlsx", b"PK\x03\x04 classeur"),
         Status.ERROR, Reason.UNKNOWN_FORMAT, "Format non pris en charge"),
    Kind("Texte Latin-1", "latin1.txt", write("latin1.txt", LATIN1.encode("latin-1")),
         Status.INDEXED, text=LATIN1),
    Kind("Texte UTF-16 (avec BOM)", "utf16-bom", write("utf16-bom.txt", UTF16.encode("utf-16")),
         Status.INDEXED, text=UTF16),
    Kind("Texte UTF-16 sans BOM", "utf16-sans-bom",
         write("utf16-sans-bom.txt", UTF16.encode("utf-16-le")), Status.INDEXED, text=UTF16),
    Kind("Markdown au front matter YAML cassé", "yaml-casse",
         write("yaml-casse.md", "---\ntitle: [non fermé\n---\n" + note("Fiche", "Texte.")),
         Status.ERROR, Reason.BAD_FRONT_MATTER, "En-tête YAML illisible"),
    Kind("Front matter aux types faux", "yaml-types",
         write("yaml-types.md", "---\ntitle: [1, 2]\nupdated: pas-une-date\n---\n# Fiche\n"),
         Status.ERROR, Reason.BAD_FRONT_MATTER, "valeurs invalides"),
    Kind("DOCX qui est un ZIP d'autre chose", "faux-word",
         lambda c: make_fake_docx(c / "faux-word.docx"),
         Status.ERROR, Reason.CORRUPT, "DOCX illisible"),
    Kind("HTML avec scripts, styles et commentaires", "page-scripts",
         write("page-scripts.html", HTML),
         Status.INDEXED, text="Le relais petite enfance ouvre le mercredi matin à Quimperlé."),
    Kind("Nom avec des parties « ..\\..\\ »", "rapport..",
         write("rapport..\\..\\final.md", note("Rapport", "Rapport final du comité technique.")),
         Status.INDEXED, text="Rapport final du comité technique."),
    Kind("Nom commençant par « ..\\ »", "hors-corpus",
         write("..\\..\\hors-corpus.md", note("Caché", "Fichier caché.")), None),
    Kind("Nom avec un caractère de contrôle", "cloche",
         write("cloche\x07bip.md", note("Cloche", "Une note au nom piégé.")), INDEXED_OR_REFUSED),
    Kind("Nom qui n'est pas de l'UTF-8", "nom-en-latin1",
         write(os.fsdecode(b"nom-en-latin1-\xe9t\xe9.md"), note("Été", "Programme d'été.")),
         INDEXED_OR_REFUSED),
    Kind("Nom de 250 caractères (identifiant de plus de 300)", "nom-long",
         write(f"dossier-{'x' * 60}/nom-long-{'n' * 236}.md", note("Long", "Un nom très long.")),
         Status.INDEXED, text="Un nom très long."),
    Kind("Nom avec des crochets de mise en forme", "crochets [bold]",
         write("crochets [bold] vide.txt", b""), Status.ERROR, Reason.EMPTY, "Fichier vide"),
    Kind("Titre avec des crochets de mise en forme", "titre-crochets",
         write("titre-crochets.md", note("Budget [/] CTG [bold]2026",
                                         "Le budget prévisionnel de la convention pour 2026.")),
         Status.INDEXED, text="Le budget prévisionnel de la convention pour 2026."),
    Kind("Lien symbolique vers un fichier hors du corpus", "lien-externe",
         link("lien-externe.md", lambda c: outside(c) / "secret.md"),
         Status.ERROR, Reason.UNSAFE_PATH, "hors du corpus"),
    Kind("Lien symbolique vers un dossier hors du corpus", "dossier-lie",
         link("dossier-lie", outside), None),
    Kind("Lien symbolique cassé", "lien-casse",
         link("lien-casse.md", lambda c: c / "disparu.md"), Status.ERROR),
]

EMPTY = "La question est vide : écrivez quelques mots."
TOO_LONG = (
    "La question est trop longue (20 000 caractères ; limite 2 000). Posez une question courte, "
    "ou indexez le texte comme document."
)
QUESTIONS = [  # with the exact message each gets
    pytest.param("", EMPTY, id="empty"),
    pytest.param(("Quel est le tarif ? " * 1000).strip() + "?", TOO_LONG, id="20000"),
    pytest.param("\x07\x1b\x7f\u200b\t\n", EMPTY, id="control"),
]


@dataclass
class Run:
    corpus: Path
    settings: Settings
    store: Store
    report: IngestReport

    def results(self, marker: str) -> list[FileResult]:
        return [r for r in self.report.results if marker in r.source]

    @property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(store=self.store)


@pytest.fixture(scope="module")
def run(tmp_path_factory, embeddings) -> Run:
    """Test brochures, reference sheets and every bad input in one folder, ingested once."""
    root = tmp_path_factory.mktemp("bad-inputs")
    corpus = root / "corpus"
    copy_tree(BROCHURES, corpus / "brochures")
    copy_tree(CORPUS / "references", corpus / "references")
    for kind in KINDS:
        kind.build(corpus)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CTG_MAX_FILE_MB", str(LIMIT_MB))
        env.setenv("CTG_DATA_DIR", str(root / "data"))
        settings = Settings(_env_file=None)
    store = open_store(settings, embeddings)
    return Run(corpus, settings, store, ingest([corpus], settings, store))


def problems_of(kind: Kind, run: Run) -> list[str]:
    """How the outcome of `kind` differs from what the user should read."""
    results = run.results(kind.marker)
    if kind.status is None:
        return [f"reported: {r}" for r in results]
    if len(results) != 1:
        return [f"{len(results)} results"]
    result = results[0]
    expected = kind.status if isinstance(kind.status, tuple) else (kind.status,)
    problems = [] if result.status in expected else [f"{result.status}: {result.message!r}"]
    if kind.reason and result.reason != kind.reason:
        problems.append(f"reason {result.reason}")
    if kind.words not in result.message or ENGLISH.search(result.message):
        problems.append(f"message {result.message!r}")
    if result.status == Status.ERROR and (result.reason == Reason.INTERNAL or not result.reason):
        problems.append(f"no reason for the user: {result.message!r}")
    if not result.source.isprintable():
        problems.append(f"source not printable: {result.source!r}")
    indexed = result.source in run.store.documents()
    if indexed != (result.status == Status.INDEXED):
        problems.append(f"in the index: {indexed}")
    if indexed and kind.text:
        text = "\n".join(c.text for c in run.store.chunks_of(result.source))
        if kind.text not in text:
            problems.append(f"text read as {text!r}")
    return problems


@pytest.mark.parametrize("kind", KINDS, ids=[k.marker for k in KINDS])
def test_each_input_gets_a_clear_outcome(run, kind):
    assert problems_of(kind, run) == []


def test_every_good_file_is_indexed_and_found(run):
    indexed = {r.source for r in run.report.results if r.status == Status.INDEXED}
    good = [r for r in run.report.results if "brochures/" in r.source or "references/" in r.source]
    assert len(good) == 7 and all(r.status == Status.INDEXED for r in good)
    assert set(run.store.documents()) == indexed
    lost = []
    for source in sorted(indexed):
        first = run.store.chunks_of(source)[0]
        hits = run.retriever.search(f"{first.title} {first.text[:150]}", k=5)
        if source not in [h.chunk.source for h in hits]:
            lost.append(source)
    assert lost == []


def test_scripts_styles_and_comments_never_reach_the_index(run):
    stored = run.store._chunks.get(include=["documents"])["documents"]
    assert stored and not any(SCRIPT in text for text in stored)
    assert run.store.lexical.search(SCRIPT, 5) == []
    assert not any(SCRIPT in h.chunk.text for h in run.retriever.search(SCRIPT))


def test_links_out_of_the_corpus_are_not_followed(run):
    assert not any(OUTSIDE in chunk.text for chunk in run.store.iter_chunks())
    inside = run.corpus.resolve()
    for record in run.store.documents().values():
        assert record.source.startswith("corpus/")
        assert Path(record.path).is_relative_to(inside)


@pytest.mark.parametrize(("question", "message"), QUESTIONS)
def test_bad_questions_are_refused_in_french(run, question, message):
    with pytest.raises(QuestionError) as caught:
        run.retriever.search(question)
    assert str(caught.value) == message


@pytest.mark.parametrize("command", ["search", "ask"])
@pytest.mark.parametrize(("question", "message"), QUESTIONS)
def test_bad_questions_exit_2_from_the_cli(run, question, message, command):
    done = ctg(run.corpus.parent, isolated_env(run.settings.data_dir), command, question)
    assert done.returncode == 2
    assert " ".join(done.stderr.split()) == message


def cli_env(run: Run) -> dict[str, str]:
    env = isolated_env(run.settings.data_dir, max_file_mb=str(LIMIT_MB))
    env["COLUMNS"] = "1000"  # one line per file: rich wraps at the terminal width
    return env


def test_the_cli_names_every_refused_file(run):
    again = ctg(run.corpus.parent, cli_env(run), "ingest", "corpus")
    assert again.returncode == 1
    assert f"0 indexé(s), {run.report.count(Status.INDEXED)} inchangé(s)" in again.stdout
    lines = [f"✗ {r.source} : {r.message}" for r in run.report.errors]
    assert [line for line in lines if line not in again.stderr.splitlines()] == []


def test_the_cli_shows_titles_with_brackets(run):
    found = ctg(run.corpus.parent, cli_env(run), "search", "budget prévisionnel", "-k", "1")
    assert found.returncode == 0, found.stderr[-300:]
    assert "Budget [/] CTG [bold]2026" in found.stdout
