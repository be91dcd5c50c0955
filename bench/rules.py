"""What each named rule of the search and answer stages is worth: every rule is turned off in
turn and the figures are measured again, on the foreign documents (real public texts nobody here
wrote) and on the shipped corpus's own question sets, beside the whole stack and plain BM25.

Run: .venv/bin/python -m bench.rules --report docs/rules.md

A rule earns its place by what it does on the foreign documents; the shipped corpus's sets are
regression checks (no set should lose more than 0.03). The fresh part is read as aggregates only.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    CORPUS,
    EVAL,
    FOREIGN_DOCS,
    foreign_sets,
    index_real_corpus,
    temporary_settings,
    write_report,
)
from bench.evaluation import CORPUS_SETS
from kb.answers.answer import Assistant
from kb.core.config import Settings
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


@dataclass(frozen=True)
class Rule:
    """A rule by its name in French, and the settings that turn it off: (section, field, neutral
    value), a section of None being the top-level settings."""

    label: str
    off: tuple[tuple[str | None, str, object], ...]


def _retrieval(*fields: str) -> tuple[tuple[str | None, str, object], ...]:
    return tuple(("retrieval", name, 0) for name in fields)


RULES = (
    Rule("Recherche dense dans la fusion", _retrieval("dense_weight")),
    Rule("Bonus au type de fait demandé", _retrieval("answer_type_bonus")),
    Rule("Bonus au document nommé", _retrieval("named_bonus")),
    Rule("Tous les passages d'un document nommé", _retrieval("named_pool_documents")),
    Rule("Pénalité des fiches qui reformulent",
         _retrieval("restatement_penalty", "programme_restatement_penalty")),
    Rule("Bonus à la partie demandée (phase, jour)", _retrieval("part_bonus")),
    Rule("Bonus à la section demandée", _retrieval("section_bonus")),
    Rule("Bonus au titre qui répond", _retrieval("heading_bonus")),
    Rule("Pénalité hors formations (question de stage)", _retrieval("course_penalty")),
    Rule("Reclassement par la meilleure phrase", ((None, "rerank", False),)),
    Rule("Abstention : mots inconnus de la base", (("answers", "unknown_share", 2.0),
                                                   ("answers", "doubt_share", 2.0))),
    Rule("Abstention : probabilité calibrée de la réponse", ((None, "min_certainty", 0.0),)),
)


def without(settings: Settings, rule: Rule) -> Settings:
    """`settings` with `rule` turned off."""
    top: dict[str, object] = {}
    sections: dict[str, dict[str, object]] = {}
    for section, name, value in rule.off:
        if section is None:
            top[name] = value
        else:
            sections.setdefault(section, {})[name] = value
    for section, fields in sections.items():
        top[section] = getattr(settings, section).model_copy(update=fields)
    return settings.model_copy(update=top)


@dataclass
class Figures:
    """Aggregates over a group of question sets."""

    recall5: float
    mrr: float
    right: float
    abstention: float
    false_abstention: float
    worst: dict[str, float]  # recall@5 of each set, to find the one that loses most


@contextmanager
def turned_off(rule: Rule | None, stores: list[Store]) -> Iterator[None]:
    """The stack without `rule` (the whole stack for None)."""
    with ExitStack() as stack:
        for store in stores:
            if rule is not None:
                stack.callback(setattr, store, "settings", store.settings)
                store.settings = without(store.settings, rule)
        yield


def measure(store: Store, sets: dict[str, list[EvalQuestion]]) -> Figures:
    retriever = HybridRetriever(store=store)
    assistant = Assistant(store, store.settings, backend="extractive")
    questions = [q for part in sets.values() for q in part]
    found = evaluate_retrieval(retriever, questions)
    answers = evaluate_answers(assistant.ask, questions)
    worst = {name: evaluate_retrieval(retriever, part).recall[5]
             for name, part in sets.items() if any(not q.unanswerable for q in part)}
    return Figures(found.recall[5], found.mrr, answers.answer_hit_rate, answers.abstention_rate,
                   answers.false_abstention_rate, worst)


def bm25(store: Store, sets: dict[str, list[EvalQuestion]]) -> tuple[float, float]:
    questions = [q for part in sets.values() for q in part]
    found = evaluate_retrieval(PlainBM25(store), questions, standalone=naive_follow_up)
    return found.recall[5], found.mrr


def run() -> tuple[dict[str, tuple[float, float]], list[tuple[str, Figures, Figures]]]:
    foreign = foreign_sets()
    corpus = {name: load_questions(EVAL / f"{name}.jsonl") for name in CORPUS_SETS}
    with temporary_settings() as first, temporary_settings() as second:
        foreign_store = index_real_corpus(first, [FOREIGN_DOCS])
        corpus_store = index_real_corpus(second, [CORPUS])
        stores = [foreign_store, corpus_store]
        baselines = {"foreign": bm25(foreign_store, foreign), "corpus": bm25(corpus_store, corpus)}
        rows = []
        for rule in (None, *RULES):
            with turned_off(rule, stores):
                label = rule.label if rule else "Tout le système"
                row = (label, measure(foreign_store, foreign), measure(corpus_store, corpus))
            rows.append(row)
            print(f"{label:<48} étrangers R@5 {row[1].recall5:.3f} justes {row[1].right:.3f} "
                  f"abst {row[1].abstention:.3f} | corpus R@5 {row[2].recall5:.3f} "
                  f"justes {row[2].right:.3f}", flush=True)
    return baselines, rows


def _delta(value: float, reference: float) -> str:
    change = value - reference
    return f"{value:.3f} ({change:+.3f})" if abs(change) >= 0.0005 else f"{value:.3f} (=)"


def report(baselines: dict[str, tuple[float, float]],
           rows: list[tuple[str, Figures, Figures]]) -> str:
    """The Markdown page: the whole stack, then the stack without each rule, with differences."""
    (_, f0, c0), *ablations = rows
    lines = [
        "# Ce que vaut chaque règle",
        "",
        "Page écrite par `.venv/bin/python -m bench.rules --report docs/rules.md`. Chaque ligne "
        "retire une règle et refait toutes les mesures ; l'écart à la première ligne est entre "
        "parenthèses (un écart négatif : la règle aide). *Étrangers* : 25 documents publics réels, "
        "parties dev et fresh réunies ; *corpus* : les jeux de questions du corpus livré, sur le "
        "corpus seul ; *pire jeu* : le jeu du corpus dont le rappel à 5 change le plus.",
        "",
        f"BM25 seul, même index : étrangers R@5 {baselines['foreign'][0]:.3f}, MRR "
        f"{baselines['foreign'][1]:.3f} ; corpus R@5 {baselines['corpus'][0]:.3f}, MRR "
        f"{baselines['corpus'][1]:.3f}.",
        "",
        "| Sans la règle | Étrangers R@5 | Étrangers MRR | Étrangers justes | Étrangers abstention "
        "| Étrangers abstention à tort | Corpus R@5 | Corpus MRR | Corpus justes "
        "| Pire jeu du corpus (R@5) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        f"| *(tout le système)* | {f0.recall5:.3f} | {f0.mrr:.3f} | {f0.right:.3f} "
        f"| {f0.abstention:.3f} | {f0.false_abstention:.3f} | {c0.recall5:.3f} | {c0.mrr:.3f} "
        f"| {c0.right:.3f} | – |",
    ]
    for label, f, c in ablations:
        name, moved = min(((n, c.worst[n] - c0.worst[n]) for n in c0.worst), key=lambda x: x[1])
        worst = f"{name} {moved:+.3f}" if abs(moved) >= 0.0005 else "="
        lines.append(
            f"| {label} | {_delta(f.recall5, f0.recall5)} | {_delta(f.mrr, f0.mrr)} "
            f"| {_delta(f.right, f0.right)} | {_delta(f.abstention, f0.abstention)} "
            f"| {_delta(f.false_abstention, f0.false_abstention)} "
            f"| {_delta(c.recall5, c0.recall5)} | {_delta(c.mrr, c0.mrr)} "
            f"| {_delta(c.right, c0.right)} | {worst} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    write_report(__doc__.splitlines()[0], lambda: report(*run()))


if __name__ == "__main__":
    main()
