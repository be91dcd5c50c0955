"""The question analysis: what a question asks, read once, and no stage after it reading the
question again."""

from __future__ import annotations

import importlib

import pytest

from kb.answers.answer import Assistant
from kb.search.analysis import analyse
from kb.search.headings import HeadingMatch
from kb.search.questions import QuestionError
from kb.search.retrieval import HybridRetriever


def test_a_list_question_asks_for_several_things_from_a_section():
    analysis = analyse("Quelles sont les étapes d'un diagnostic partagé ?")
    assert analysis.plural
    assert analysis.sections == {"Déroulé pas à pas"}
    assert not analysis.kinds and not analysis.parts
    assert analysis.heading.subject is None


def test_a_two_part_question_keeps_the_definition_and_the_other_part():
    analysis = analyse("C'est quoi une CTG et qui la signe ?")
    assert analysis.kinds == {"definition:CTG"}
    assert analysis.definitions == {"definition:CTG"}
    assert {"ctg", "sign"} <= analysis.heading.words
    assert analysis.acronyms == ("CTG",)
    assert not analysis.plural


def test_the_questions_a_question_joins_are_read_apart_about_one_subject():
    first, second = analyse("C'est quoi une CTG et qui la signe ?").pieces
    assert first == "C'est quoi une CTG ?"
    assert second.startswith("qui la signe ?") and "CTG" in second  # its subject, borrowed
    assert len(analyse("Combien coûte la formation, et où a-t-elle lieu ?").pieces) == 2
    # "et" between two things asked about joins no second question.
    assert analyse("Quels sont les enjeux de la petite enfance et de la jeunesse ?").pieces == ()
    assert analyse("Qui signe et finance la CTG ?").pieces == ()


def test_a_fact_question_on_a_course_asks_for_a_price_and_a_date():
    analysis = analyse("Combien coûte la formation de l'EGOC et quand a lieu la prochaine "
                       "session ?")
    assert analysis.kinds == {"price", "date"}
    assert analysis.course and analysis.training_offer
    assert "egoc" in analysis.own_tokens
    assert "EGOC" in analysis.expanded and "EGOC" in analysis.acronyms
    assert analysis.sections == {"Tarif et modalités"}


def test_a_follow_up_is_analysed_as_the_standalone_question_it_stands_for():
    history = [("user", "Quel numéro appeler pour joindre l'EGOC ?"),
               ("assistant", "02 99 29 82 42 [1]")]
    analysis = analyse("Et son site internet ?", history)
    assert analysis.asked == "Et son site internet ?"
    assert analysis.text.startswith("Et son site internet ?") and "EGOC" in analysis.text
    assert analysis.kinds == {"website"}  # not the previous question's phone number
    assert "egoc" in analysis.own_tokens
    # What the question as asked names is checked against the base, not the borrowed topic.
    assert analysis.acronyms == ()
    # A model's rewrite, when there is one, is the standalone question.
    rewritten = analyse("Et son site ?", history, "Quel est le site internet de l'EGOC ?")
    assert rewritten.text == "Quel est le site internet de l'EGOC ?"


def test_a_question_naming_a_section_and_a_sheet():
    analysis = analyse("Quelle erreur classique en fish-bowl ?")
    assert analysis.sections == {"Pièges à éviter"}
    assert {"fish", "bowl", "fishbowl"} <= analysis.own_tokens
    parted = analyse("Qui est convié à la dernière étape du parcours ?")
    assert parted.parts == {("phase", 0)}  # the last, until a document numbers its phases
    assert parted.course


def test_the_text_is_cleaned_and_loses_the_words_that_ask_nothing():
    analysis = analyse("  C'est quoi   une CTG, en deux mots ?")
    assert analysis.text == "C'est quoi une CTG ?"
    assert analysis.heading.subject == "CTG"
    with pytest.raises(QuestionError):
        analyse(" ?! ")


# The stages after the analysis, and the functions that read a question's text.
DOWNSTREAM = ("kb.search.retrieval", "kb.search.support", "kb.search.naming",
              "kb.search.headings", "kb.search.sections", "kb.search.parts",
              "kb.search.answer_types", "kb.answers.extractive", "kb.answers.answer",
              "kb.answers.citations", "kb.answers.prompt")
PARSERS = ("expected_types", "defined_subject", "sections_asked", "parts", "tokenize",
           "query_tokens", "content_words", "fold", "expand", "named_terms", "proper_names",
           "quoted_terms", "without_fillers", "clean_question", "condense_extractive")


def _refuse_the_question(monkeypatch, texts: set[str]) -> None:
    """Make every parser bound in a downstream module fail on the question's text."""
    def refusing(name, parse):
        def guarded(text, *args, **kwargs):
            assert text not in texts, f"{name} reads the question again"
            return parse(text, *args, **kwargs)
        return guarded

    for module in map(importlib.import_module, DOWNSTREAM):
        for name in PARSERS:
            if hasattr(module, name):
                monkeypatch.setattr(module, name, refusing(name, getattr(module, name)))

    def of(cls, question):
        raise AssertionError("HeadingMatch.of reads the question again")

    monkeypatch.setattr(HeadingMatch, "of", classmethod(of))


@pytest.mark.parametrize("question", [
    "Combien coûte la formation inter de FR Consultants ?",
    "Comment animer un fish-bowl ?",
    "C'est quoi une CTG ?",
])
def test_no_stage_after_the_analysis_reads_the_question_again(corpus_index, monkeypatch,
                                                              question):
    retriever = HybridRetriever(store=corpus_index, k=8)
    assistant = Assistant(corpus_index, corpus_index.settings, backend="extractive")
    expected_hits = [h.chunk.id for h in retriever.search(question)]
    expected = assistant.ask(question)
    analysis = analyse(question)
    analysed = []

    def once(*args):
        analysed.append(args)
        return analysis

    monkeypatch.setattr("kb.answers.answer.analyse", once)
    _refuse_the_question(monkeypatch, {question, analysis.text})
    assert [h.chunk.id for h in retriever.retrieve(analysis).hits] == expected_hits
    answer = assistant.ask(question)
    assert len(analysed) == 1
    assert (answer.text, answer.confidence) == (expected.text, expected.confidence)
    assert not answer.abstained
