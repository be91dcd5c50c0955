"""Answer quality on the seed index, and on the shipped corpus. The scorer's weights were fitted
on the even-numbered lines of the dev set (bench/answer.py --fit), so hits and citations are
measured on the odd ones; the abstention threshold was set on every line (bench/answer.py
--calibrate: the unanswerable set is too small to split), so abstention is checked on every line,
as a guard against regressions."""

from __future__ import annotations

import pytest

from kb.answers.answer import Assistant
from kb.core.documents import Answer, Chunk, Citation, DocType
from kb.evaluation.metrics import EvalQuestion, evaluate_answers, evaluate_retrieval, load_questions
from kb.search.retrieval import HybridRetriever
from tests.conftest import EVAL

# Targets on the two seed brochures, each with the tolerance below. Answers are declined under
# the answerability gate's threshold (kb.answers.answerability), fitted on the foreign documents'
# dev questions: it declines a right answer or two here whose sentence shares few of the
# question's words, for a fifth more abstention on the foreign documents' unanswerable questions
# (docs/evaluation.md). Below the product's targets (hit 0.85, citations 0.95, abstention 0.90
# with at most 5 % false abstentions).
SEED_TOLERANCE = 0.03
MIN_HIT_RATE = 0.80 - SEED_TOLERANCE
MIN_CITATION_PRECISION = 0.85 - SEED_TOLERANCE
MIN_ABSTENTION = 0.90
MAX_FALSE_ABSTENTION = 0.05 + SEED_TOLERANCE
# seeds_unanswerable_heldout.jsonl was written by someone who had not seen the abstention rules,
# after they were made: 20 questions, so the tolerance is one question.
MIN_FRESH_ABSTENTION = 0.70 - 0.05
# seeds_fresh.jsonl: 40 questions on the brochures, written apart from the code and the other
# sets, and only ever read in aggregate (README).
MIN_FRESH_HIT_RATE = 0.77
# Answers on the shipped corpus plus the seeds, by question set: the hit rate measured when this
# file last changed. methods_heldout and the two fresh sets were written apart from the rules;
# methods_canonical asks each sheet's sections in the template's words, references_canonical a
# newcomer's first questions (README).
# Regression bands (right answers), as measured once the catalogue held its 16 real offers,
# each with a tolerance of TOLERANCE.
TOLERANCE = 0.03
CORPUS_HIT_RATES = {"methods_questions": 0.76, "references_questions": 0.69,
                    "methods_heldout": 0.55, "methods_fresh": 0.58, "references_fresh": 0.52,
                    "methods_canonical": 1.00, "references_canonical": 0.61}
MAX_CORPUS_FALSE_ABSTENTION = 0.09
# Questions near the corpus's topics that it does not answer, also written apart: the extractive
# backend still quotes something for most of them (README, "Qualité mesurée"), though no longer
# for a place or an organisation that no document names.
CORPUS_ABSTENTION = {"corpus_unanswerable": 0.37, "corpus_unanswerable_fresh": 0.58}


def _answer(text: str, abstained: bool = False, cited: tuple[str, ...] = ()) -> Answer:
    citations = [
        Citation(number=n, chunk=Chunk(id=str(n), text=t, source="s", title="t",
                                       doc_type=DocType.AUTRE, section="", page=None,
                                       position=0, content_hash="h"))
        for n, t in enumerate(cited, 1)
    ]
    return Answer(question="", text=text, abstained=abstained, citations=citations)


def test_figures_count_hits_citations_and_both_kinds_of_abstention():
    questions = [
        EvalQuestion("a", "prix ?", ("850€",)),
        EvalQuestion("b", "dates ?", ("18 et 19 mai",)),
        EvalQuestion("c", "lieu ?", ("Paris",)),
        EvalQuestion("u", "météo ?", unanswerable=True),
        EvalQuestion("v", "recette ?", unanswerable=True),
    ]
    answers = {
        "prix ?": _answer("850 € [1]", cited=("TARIFS : 850€", "Contact")),
        "dates ?": _answer("Les 18  et 19 MAI [1]", cited=("les 18 et 19 mai",)),
        "lieu ?": _answer("Je ne trouve pas…", abstained=True),
        "météo ?": _answer("Je ne trouve pas…", abstained=True),
        "recette ?": _answer("Une tarte."),
    }
    report = evaluate_answers(answers.__getitem__, questions)
    assert report.answer_hit_rate == pytest.approx(1 / 3)  # "850 €" is not "850€"
    assert report.citation_precision == pytest.approx(2 / 3)
    assert report.abstention_rate == pytest.approx(1 / 2)
    assert report.false_abstention_rate == pytest.approx(1 / 3)
    assert (report.answerable, report.unanswerable, report.citations) == (3, 2, 3)


def test_extractive_answers_on_held_out_questions(seed_index):
    dev = load_questions(EVAL / "seeds_dev.jsonl")
    unanswerable = load_questions(EVAL / "seeds_unanswerable.jsonl")
    fresh = load_questions(EVAL / "seeds_unanswerable_heldout.jsonl")
    fresh_answerable = load_questions(EVAL / "seeds_fresh.jsonl")
    assistant = Assistant(seed_index, seed_index.settings, backend="extractive")
    answers = {q.question: assistant.ask(q.question)
               for q in dev + unanswerable + fresh + fresh_answerable}
    held_out = evaluate_answers(answers.__getitem__, dev[1::2])
    every_line = evaluate_answers(answers.__getitem__, dev + unanswerable)
    unseen = evaluate_answers(answers.__getitem__, fresh)
    written_apart = evaluate_answers(answers.__getitem__, fresh_answerable)
    figures = {f"{name} {k}": round(v, 3)
               for name, report in (("held out", held_out), ("every line", every_line),
                                    ("fresh unanswerable", unseen), ("fresh", written_apart))
               for k, v in report.to_dict().items() if isinstance(v, float)}
    assert held_out.answer_hit_rate >= MIN_HIT_RATE, figures
    assert held_out.citation_precision >= MIN_CITATION_PRECISION, figures
    assert every_line.abstention_rate >= MIN_ABSTENTION, figures
    assert every_line.false_abstention_rate <= MAX_FALSE_ABSTENTION, figures
    assert unseen.abstention_rate >= MIN_FRESH_ABSTENTION, figures
    assert written_apart.answer_hit_rate >= MIN_FRESH_HIT_RATE, figures
    assert written_apart.false_abstention_rate <= MAX_FALSE_ABSTENTION, figures


@pytest.mark.parametrize("name", sorted(CORPUS_HIT_RATES))
def test_extractive_answers_on_the_corpus(corpus_index, name):
    assistant = Assistant(corpus_index, corpus_index.settings, backend="extractive")
    report = evaluate_answers(assistant.ask, load_questions(EVAL / f"{name}.jsonl"))
    figures = {k: v for k, v in report.to_dict().items() if isinstance(v, float)}
    assert report.answer_hit_rate >= CORPUS_HIT_RATES[name] - TOLERANCE, figures
    assert report.false_abstention_rate <= MAX_CORPUS_FALSE_ABSTENTION, figures


@pytest.mark.parametrize("name", sorted(CORPUS_ABSTENTION))
def test_abstention_on_questions_the_corpus_does_not_answer(corpus_index, name):
    assistant = Assistant(corpus_index, corpus_index.settings, backend="extractive")
    report = evaluate_answers(assistant.ask, load_questions(EVAL / f"{name}.jsonl"))
    assert report.abstention_rate >= CORPUS_ABSTENTION[name] - TOLERANCE, report.abstention_rate


# On the shipped corpus alone, as `make run` opens it: targets for recall@5, MRR and right answers,
# within TOLERANCE, as measured once the catalogue held its 16 real offers.
# programmes_questions.jsonl, written apart from the code on the programme sheets alone (with the
# brochures indexed too, these are quoted instead, in their own words); firstweek_questions.jsonl,
# a chargé·e de coopération's first-week questions as typed in a chat, written apart on the corpus
# sheets (tests/eval/firstweek.md), then examined: 0.675 right answers before the rules on words
# that ask nothing and on questions asking what a thing is; newcomer_fresh.jsonl, the same kind of
# questions written apart afterwards and only ever read in aggregate (tests/eval/newcomer_fresh.md).
SHIPPED_TARGETS = {"programmes_questions": (0.83, 0.55, 0.36),
                   "firstweek_questions": (0.92, 0.86, 0.80),
                   "newcomer_fresh": (0.86, 0.75, 0.61)}


@pytest.mark.parametrize("name", sorted(SHIPPED_TARGETS))
def test_questions_on_the_shipped_corpus(shipped_index, name):
    recall, mrr, hit_rate = (target - TOLERANCE for target in SHIPPED_TARGETS[name])
    questions = load_questions(EVAL / f"{name}.jsonl")
    report = evaluate_retrieval(HybridRetriever(store=shipped_index), questions)
    assert report.recall[5] >= recall and report.mrr >= mrr, report.to_dict()
    assistant = Assistant(shipped_index, shipped_index.settings, backend="extractive")
    answers = evaluate_answers(assistant.ask, questions)
    figures = {k: v for k, v in answers.to_dict().items() if isinstance(v, float)}
    assert answers.answer_hit_rate >= hit_rate, figures
    assert answers.false_abstention_rate <= MAX_CORPUS_FALSE_ABSTENTION, figures
