"""`ctg`: ingest the corpus, search it, look at the index, evaluate retrieval, open the app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import kb  # noqa: F401 -- sets the offline environment before any model code
from kb.cli_courses import courses_app
from kb.core.config import Settings, get_settings
from kb.core.documents import DOC_TYPE_LABELS, Chunk, DocType
from kb.core.logs import route_library_logs
from kb.core.reading import paragraphs

app = typer.Typer(
    help="Base de connaissances CTG : ingestion, recherche, évaluation.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(courses_app, name="courses")
console = Console()
err = Console(stderr=True)


@app.callback()
def _quiet_libraries() -> None:
    route_library_logs(get_settings())


def _where(settings: Settings) -> str:
    return settings.chroma_url or str(settings.data_dir.resolve())


_HINT = (
    "Indexez vos documents (ctg ingest), lancez ctg depuis le dossier du projet, ou désignez "
    "la base avec CTG_DATA_DIR=/chemin/vers/data."
)


def _store(check_model: bool = True, reading: bool = True):
    """The configured base. A command that only reads never creates a base where there is none:
    run from another folder, it says where it looked and how to point it at the right one."""
    from kb.core.store import StoreError, open_store

    settings = get_settings()
    if reading and not settings.chroma_url and not settings.chroma_dir.is_dir():
        err.print(f"Aucune base dans {_where(settings)}. {_HINT}", style="yellow", markup=False)
        raise typer.Exit(1)
    try:
        store = open_store(settings, check_model=check_model)
    except StoreError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    if reading and not store.count():
        err.print(f"La base {_where(settings)} est vide. {_HINT}", style="yellow", markup=False)
    return store


def _retriever():
    from kb.search.retrieval import HybridRetriever

    return HybridRetriever(store=_store(), k=get_settings().top_k)


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Fichiers ou dossiers (défaut : corpus/)")
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Repartir d'un index vide.")] = False,
    wait: Annotated[
        float, typer.Option(help="Secondes d'attente si une ingestion est en cours.")
    ] = 0,
) -> None:
    """Indexer les documents (seuls les fichiers nouveaux ou modifiés sont retraités)."""
    from ingest.pipeline import IngestionLocked, Status
    from ingest.pipeline import ingest as run

    settings = get_settings()
    store = _store(check_model=not rebuild, reading=False)
    roots = paths or [settings.corpus_dir]
    err.print(f"Base : {_where(settings)}", markup=False)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("Ingestion", total=None)

        def progress(done: int, total: int, source: str) -> None:
            bar.update(task, completed=done, total=total, description=f"Ingestion · {source[-40:]}")

        try:
            report = run(roots, settings, store, progress=progress, wait=wait, rebuild=rebuild)
        except IngestionLocked as exc:
            err.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(3) from exc
    for result in report.results:
        if result.status == Status.ERROR:
            err.print(f"[red]✗ {escape(result.source)}[/red] : {escape(result.message)}")
        elif result.status == Status.INDEXED and result.message:
            err.print(f"[yellow]⚠ {escape(result.source)}[/yellow] : {escape(result.message)}")
    console.print(
        f"{report.count(Status.INDEXED)} indexé(s), {report.count(Status.UNCHANGED)} inchangé(s), "
        f"{report.count(Status.REMOVED)} retiré(s), {len(report.errors)} en erreur."
    )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def search(
    question: str,
    k: Annotated[int, typer.Option("-k", help="Nombre de passages.")] = 5,
    doc_type: Annotated[DocType | None, typer.Option("--type", help="Type de document.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Chercher les passages les plus pertinents pour une question."""
    from kb.search.questions import QuestionError

    try:
        hits = _retriever().search(question, k=k, doc_types={str(doc_type)} if doc_type else None)
    except QuestionError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "rank": r,
                        "score": h.score,
                        "source": h.chunk.source,
                        "title": h.chunk.title,
                        "section": h.chunk.section,
                        "page": h.chunk.page,
                        "text": h.chunk.text,
                    }
                    for r, h in enumerate(hits, 1)
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if not hits:
        console.print("Aucun passage trouvé.")
    # Best first, as retrieval ordered them; the fused scores (in --json) came before reranking.
    for rank, hit in enumerate(hits, 1):
        where = f" · {hit.chunk.location}" if hit.chunk.location else ""
        console.rule(f"[bold]{rank}. {escape(hit.chunk.title)}[/bold]{escape(where)}", align="left")
        console.print(f"[dim]{escape(hit.chunk.path or hit.chunk.source)}[/dim]")
        for block in paragraphs(hit.chunk.text):
            console.print(block, markup=False, highlight=False)


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """La base ouverte, ses documents et passages, par type."""
    settings = get_settings()
    if not settings.chroma_url and not settings.chroma_dir.is_dir():
        by_type: dict[str, dict[str, int]] = {}
        err.print(f"Aucune base dans {_where(settings)} : elle est vide. {_HINT}",
                  style="yellow", markup=False)
    else:
        by_type = _store().stats()
    if as_json:
        print(json.dumps(by_type, ensure_ascii=False))
        return
    table = Table("Type", "Documents", "Passages", title=f"Base : {_where(settings)}")
    for doc_type, row in sorted(by_type.items()):
        table.add_row(DOC_TYPE_LABELS[DocType(doc_type)], str(row["documents"]), str(row["chunks"]))
    table.add_row(
        "Total",
        str(sum(r["documents"] for r in by_type.values())),
        str(sum(r["chunks"] for r in by_type.values())),
        style="bold",
    )
    console.print(table)


@app.command()
def ask(
    question: str,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    llm: Annotated[str | None, typer.Option(
        "--llm", help="extractive, openai, ollama ou llamacpp (défaut : CTG_LLM).")] = None,
    doc_type: Annotated[DocType | None, typer.Option("--type", help="Type de document.")] = None,
) -> None:
    """Poser une question : réponse sourcée, ou « pas de réponse directe » avec les passages
    les plus proches et, pour chacun, la phrase qui s'approche le plus d'une réponse."""
    from kb.answers.answer import Assistant
    from kb.search.questions import QuestionError

    try:
        answer = Assistant(_store(), get_settings(), backend=llm).ask(
            question, doc_types={str(doc_type)} if doc_type else None
        )
    except QuestionError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    console.print(answer.text, markup=False, highlight=False)
    if answer.notice:
        err.print(f"[yellow]{escape(answer.notice)}[/yellow]")
    sources = [(c.number, c.chunk, c.location) for c in answer.citations] or [
        (n, h.chunk, h.chunk.location) for n, h in enumerate(answer.passages, 1)
    ]
    if sources:
        console.rule("Sources" if answer.citations else "Passages les plus proches", align="left")
    for number, chunk, where in sources:
        _passage_line(f"[{number}]", chunk, where)
        if chunk.id in answer.nearest:  # an abstention: what comes nearest to an answer there
            console.print(f"    « {answer.nearest[chunk.id]} »", style="dim", markup=False,
                          highlight=False)
    others = answer.uncited()
    if others:
        console.rule("Autres passages retrouvés (non cités)", align="left")
    for hit in others:
        _passage_line("•", hit.chunk, hit.chunk.location)


def _passage_line(mark: str, chunk: Chunk, where: str) -> None:
    where = f" · {where}" if where else ""
    console.print(f"{mark} {chunk.title}{where} · {chunk.path or chunk.source}",
                  markup=False, highlight=False)


@app.command()
def plan(
    goal: Annotated[str, typer.Argument(help="L'objectif de la séance, en français.")],
    duree: Annotated[str | None, typer.Option(
        "--duree", help="Temps disponible : 3h, 3h30, 90 minutes, demi-journée…")] = None,
    participants: Annotated[int | None, typer.Option(
        "--participants", min=1, help="Nombre de participants.")] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Fichier à écrire : .docx, .md ou .html.")] = None,
) -> None:
    """Proposer un déroulé de séance à partir des fiches méthodes (tableau, ou fichier avec -o)."""
    from kb.training.export import EXPORTS, rows
    from kb.training.methods import load_methods
    from kb.training.sessions import check_plan, draft_plan, parse_duration

    settings = get_settings()
    methods = load_methods(settings.corpus_dir / "methodes")
    if not methods:
        err.print(f"Aucune fiche méthode dans {(settings.corpus_dir / 'methodes').resolve()}. "
                  "Lancez ctg depuis le dossier du projet, ou désignez le corpus avec "
                  "CTG_CORPUS_DIR=/chemin/vers/corpus.", style="yellow", markup=False)
        raise typer.Exit(1)
    minutes_ = parse_duration(duree) if duree else None
    if duree and minutes_ is None:
        err.print(f"Durée illisible : « {duree} » (exemples : 3h, 3h30, 90 minutes).",
                  style="red", markup=False)
        raise typer.Exit(2)
    draft = draft_plan(goal, methods, _plan_searcher(), minutes_, participants)
    for note in draft.notes:
        err.print(note, markup=False)
    for warning in check_plan(draft, methods):
        err.print(warning, style="yellow", markup=False)
    if output is None:
        from rich.text import Text

        # Text cells: a goal or a title with brackets must not be read as rich markup.
        table = Table("Horaire", "Durée", "Objectif", "Méthode", title=Text(draft.title))
        for row in rows(draft, methods):
            table.add_row(*map(Text, row[:4]))
        console.print(table)
        return
    exporter = EXPORTS.get(output.suffix.lower().lstrip("."))
    if exporter is None:
        err.print("[red]Formats possibles : .docx, .md ou .html.[/red]")
        raise typer.Exit(2)
    content: str | bytes = exporter[1](draft, methods)
    if isinstance(content, bytes):
        output.write_bytes(content)
    else:
        output.write_text(content, encoding="utf-8")
    console.print(f"Déroulé écrit dans {output}", markup=False)


def _plan_searcher():
    # Citing the passage behind each method is a bonus: without an index, the plan is still drawn.
    from kb.core.store import StoreError, open_store
    from kb.search.retrieval import HybridRetriever

    try:
        return HybridRetriever(store=open_store(get_settings()))
    except StoreError as exc:
        err.print(f"Sans index, pas de passages cités : {exc}", style="yellow", markup=False)
        return None


@app.command(name="eval")
def evaluate(
    questions: Annotated[list[Path], typer.Argument(help="Fichiers de questions (JSONL).")],
    k: Annotated[int, typer.Option("-k")] = 5,
    answers: Annotated[bool, typer.Option(
        "--answers", help="Évaluer aussi les réponses (citations, abstention).")] = False,
    llm: Annotated[str | None, typer.Option("--llm", help="Modèle des réponses.")] = None,
    baseline: Annotated[str | None, typer.Option(
        "--baseline", help="Mesurer aussi un BM25 seul sur le même index (bm25).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Mesurer le rappel et le MRR de la recherche sur des jeux de questions (JSONL) et, avec
    --answers, la justesse des réponses, de leurs citations et des abstentions."""
    from kb.evaluation.baseline import BASELINES, PlainBM25
    from kb.evaluation.metrics import (
        evaluate_answers,
        evaluate_retrieval,
        load_questions,
        naive_follow_up,
    )

    if baseline is not None and baseline not in BASELINES:
        err.print(f"[red]Référence inconnue : {escape(baseline)} (possible : bm25).[/red]")
        raise typer.Exit(2)
    try:
        items = [q for path in questions for q in load_questions(path)]
    except (OSError, ValueError) as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    report = evaluate_retrieval(_retriever(), items, k=k)
    compared = (
        evaluate_retrieval(PlainBM25(_store()), items, k=k, standalone=naive_follow_up)
        if baseline else None
    )
    answered = None
    if answers:
        from kb.answers.answer import Assistant

        assistant = Assistant(_store(), get_settings(), backend=llm)
        answered = evaluate_answers(assistant.ask, items)
    if as_json:
        out = report.to_dict()
        if answered is not None:
            out["answers"] = answered.to_dict()
        if compared is not None:
            out["baseline"] = {"name": baseline, **compared.to_dict()}
        print(json.dumps(out, ensure_ascii=False))
        return
    for label, measured in (("Assistant", report), ("BM25 seul, même index", compared)):
        if measured is not None:
            figures = "  ".join(f"recall@{c} {v:.3f}" for c, v in measured.recall.items())
            console.print(f"{label} · {measured.answerable} questions · {figures}  "
                          f"MRR {measured.mrr:.3f}")
    if answered is not None:
        console.print(
            f"Réponses · justes {answered.answer_hit_rate:.3f}  citations exactes "
            f"{answered.citation_precision:.3f}  abstention (sans réponse) "
            f"{answered.abstention_rate:.3f} sur {answered.unanswerable}  abstention à tort "
            f"{answered.false_abstention_rate:.3f} sur {answered.answerable}"
        )


@app.command(name="app")
def run_app(port: Annotated[int, typer.Option()] = 8501) -> None:
    """Ouvrir l'application Streamlit."""
    script = Path(__file__).resolve().parent.parent / "app.py"
    raise typer.Exit(
        subprocess.call(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
        )
    )
