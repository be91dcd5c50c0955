"""Measured quality, written to docs/evaluation.md: retrieval and extractive answers on the
foreign documents (real public texts nobody here wrote), alone and added to the shipped corpus,
and on the shipped corpus's own question sets, each beside plain BM25 on the same index.

Run: .venv/bin/python -m bench.evaluation --report docs/evaluation.md

The fresh parts are reported as aggregate figures only (per-question results: `ctg eval --json`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.calibration import THRESHOLDS, curve, outcomes
from bench.common import (
    CORPUS,
    EVAL,
    FOREIGN_DOCS,
    foreign_sets,
    index_real_corpus,
    temporary_settings,
)
from kb.answers.answer import Assistant
from kb.answers.answerability import load_gate
from kb.core.store import Store
from kb.evaluation.baseline import PlainBM25
from kb.evaluation.metrics import (
    EvalQuestion,
    evaluate_answers,
    evaluate_retrieval,
    load_questions,
    naive_follow_up,
)
from kb.search.retrieval import HybridRetriever

# The shipped corpus's own sets: regression checks, written from the sheets.
CORPUS_SETS = (
    "methods_questions", "methods_heldout", "methods_fresh", "references_questions",
    "references_fresh", "programmes_questions", "firstweek_questions", "newcomer_fresh",
    "corpus_unanswerable", "corpus_unanswerable_fresh",
)  # fmt: skip


# The indexes measured, as the chart's labels name them.
SHORT = {"documents étrangers": "étrangers", "étrangers + corpus": "étrangers+corpus",
         "corpus livré": "corpus"}


@dataclass
class Row:
    """One question set on one index: the project's figures beside plain BM25's."""

    index: str
    name: str
    answerable: int
    unanswerable: int
    recall: dict[int, float]
    mrr: float
    bm25_recall5: float
    bm25_mrr: float
    right: float
    citations: float
    abstention: float
    false_abstention: float
    seconds: float


def measure(index: str, store: Store, sets: dict[str, list[EvalQuestion]]) -> list[Row]:
    assistant = Assistant(store, store.settings, backend="extractive")
    retriever = HybridRetriever(store=store)
    baseline = PlainBM25(store)
    rows = []
    for name, questions in sets.items():
        start = time.perf_counter()
        ours = evaluate_retrieval(retriever, questions)
        plain = evaluate_retrieval(baseline, questions, standalone=naive_follow_up)
        answers = evaluate_answers(assistant.ask, questions)
        rows.append(Row(
            index, name, ours.answerable, answers.unanswerable, ours.recall, ours.mrr,
            plain.recall[5], plain.mrr, answers.answer_hit_rate, answers.citation_precision,
            answers.abstention_rate, answers.false_abstention_rate,
            time.perf_counter() - start,
        ))
        print(f"{index:>18} {name:<28} R@5 {ours.recall[5]:.3f} (BM25 {plain.recall[5]:.3f})"
              f"  MRR {ours.mrr:.3f} (BM25 {plain.mrr:.3f})  justes {answers.answer_hit_rate:.3f}"
              f"  abstention {answers.abstention_rate:.3f}", flush=True)
    return rows


def run() -> tuple[list[Row], list[tuple[float, ...]]]:
    foreign = foreign_sets()
    corpus = {name: load_questions(EVAL / f"{name}.jsonl") for name in CORPUS_SETS}
    rows: list[Row] = []
    plans = (
        ("documents étrangers", [FOREIGN_DOCS], foreign),
        ("étrangers + corpus", [FOREIGN_DOCS, CORPUS], foreign),
        ("corpus livré", [CORPUS], corpus),
    )
    points: list[tuple[float, ...]] = []
    for index, roots, sets in plans:
        with temporary_settings() as settings:
            store = index_real_corpus(settings, roots)
            rows += measure(index, store, sets)
            if roots == [FOREIGN_DOCS]:
                assistant = Assistant(store, settings, backend="extractive")
                seen = outcomes(assistant, sets["foreign_dev"])
                gate = load_gate()
                served = {gate.threshold} if gate else set()
                points = [(t, *curve(seen, t)) for t in sorted(set(THRESHOLDS) | served)]
    return rows, points


def _figure(value: float, answerable: int) -> str:
    return f"{value:.3f}" if answerable else "–"


def report(rows: list[Row], points: list[tuple[float, ...]]) -> str:
    """The Markdown page: what was measured, a table per index, and a chart by question set."""
    lines = [
        "# Qualité mesurée",
        "",
        "Page écrite par `.venv/bin/python -m bench.evaluation --report docs/evaluation.md` : "
        "elle se régénère, elle ne se corrige pas à la main.",
        "",
        "- **Documents étrangers** : 25 textes publics réels (Caf, Cnaf, collectivités, "
        "fédérations, offres d'emploi, guides de méthodes) que le corpus livré n'a pas servi à "
        "écrire, en PDF, DOCX, HTML, Markdown et texte (`tests/eval/foreign/`). Leurs questions "
        "sont partagées en une partie *dev*, dont les erreurs sont lues, et une partie *fresh*, "
        "lue seulement en chiffres globaux.",
        "- **BM25** : un BM25 seul (bm25s, racines françaises, mots vides français), sans "
        "aucune règle du projet, sur le même index et dans la même exécution.",
        "- **Réponses** : réponse extractive par défaut ; *justes* = la réponse contient le fait "
        "attendu ; *citations* = part des citations dont le passage le contient ; *abstention* "
        "= part des questions sans réponse où l'assistant dit ne pas savoir ; *abstention à "
        "tort* = part des questions avec réponse où il le dit.",
        "",
    ]
    for index in dict.fromkeys(row.index for row in rows):
        lines += [
            f"## Index : {index}",
            "",
            "| Jeu | Questions (sans réponse) | R@1 | R@5 | MRR | BM25 R@5 | BM25 MRR "
            "| Justes | Citations | Abstention | Abstention à tort |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in (r for r in rows if r.index == index):
            n = row.answerable
            lines.append(
                f"| {row.name} | {n} ({row.unanswerable}) | {_figure(row.recall[1], n)} "
                f"| {_figure(row.recall[5], n)} | {_figure(row.mrr, n)} "
                f"| {_figure(row.bm25_recall5, n)} | {_figure(row.bm25_mrr, n)} "
                f"| {_figure(row.right, n)} | {_figure(row.citations, n)} "
                f"| {_figure(row.abstention, row.unanswerable)} "
                f"| {_figure(row.false_abstention, n)} |"
            )
        lines.append("")
    charted = [row for row in rows if row.answerable]
    labels = ", ".join(f'"{row.name} ({SHORT[row.index]})"' for row in charted)
    lines += [
        "## Rappel à 5 par jeu de questions : le projet (barres) et BM25 seul (ligne)",
        "",
        "```mermaid",
        "xychart-beta",
        '    title "Rappel à 5"',
        f"    x-axis [{labels}]",
        '    y-axis "R@5" 0 --> 1',
        f"    bar [{', '.join(f'{row.recall[5]:.3f}' for row in charted)}]",
        f"    line [{', '.join(f'{row.bm25_recall5:.3f}' for row in charted)}]",
        "```",
        "",
        "## Risque et couverture des réponses (documents étrangers, partie dev)",
        "",
        "La probabilité qu'une réponse tienne vient d'un modèle logistique sur quelques "
        "signaux nommés (`kb/answers/answerability.py`), ajusté sur la partie dev par "
        "`python -m bench.calibration --fit`. Pour chaque seuil de probabilité sous lequel "
        "l'assistant dit « Je n'ai pas de réponse directe dans les documents » et montre les "
        "passages les plus proches : *couverture* = part des questions auxquelles il répond ; "
        "*risque* = part de ses réponses qui ne contiennent pas le fait attendu (ou répondent à "
        "une question sans réponse). Le seuil en service est celui de l'ajustement "
        f"({load_gate().threshold if load_gate() else 0:.2f}) : le plus bas des seuils qui "
        "s'abstiennent le plus sur la partie dev avec au plus 7 % d'abstentions à tort.",
        "",
        "| Seuil | Couverture | Risque | Abstention (sans réponse) | Abstention à tort |",
        "|---|---|---|---|---|",
        *(f"| {t:.2f} | {c:.3f} | {r:.3f} | {a:.3f} | {f:.3f} |" for t, c, r, a, f in points),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, help="Markdown page to write")
    parser.add_argument("--json", type=Path, help="figures as JSON")
    args = parser.parse_args()
    rows, points = run()
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(report(rows, points), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps([row.__dict__ for row in rows], ensure_ascii=False,
                                        indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
