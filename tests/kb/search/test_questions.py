from __future__ import annotations

import pytest

from kb.search.questions import (
    MAX_QUESTION_CHARS,
    QuestionError,
    clean_question,
    named_terms,
    proper_names,
    quoted_terms,
    without_fillers,
)


def test_questions_are_cleaned():
    assert clean_question("  Qu'est-ce\x07 que\n\tla  CTG ?\u200b ") == "Qu'est-ce que la CTG ?"


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02", "?!…"])
def test_empty_questions_are_refused(text):
    with pytest.raises(QuestionError, match="vide"):
        clean_question(text)


def test_long_questions_are_refused_with_french_numbers():
    with pytest.raises(QuestionError) as caught:
        clean_question("mot " * 5000)
    assert f"limite {MAX_QUESTION_CHARS:,}".replace(",", " ") in str(caught.value)


@pytest.mark.parametrize(("question", "plain"), [
    ("C'est quoi une CTG, en deux mots ?", "C'est quoi une CTG ?"),
    ("Le bonus territoire, ça sert à quoi exactement ?", "Le bonus territoire, ça sert à quoi ?"),
    ("C'est quoi concrètement le job, svp ?", "C'est quoi le job ?"),
    ("Un exemple concret de diagnostic ?", "Un exemple concret de diagnostic ?"),
    ("Concrètement ?", "Concrètement ?"),  # nothing else to ask with: kept
])
def test_words_that_ask_nothing_are_dropped(question, plain):
    assert without_fillers(question) == plain


@pytest.mark.parametrize(("question", "names"), [
    ("Comment demander le RSA ?", ["RSA"]),
    ("Qu'est-ce que l'AOC ?", ["AOC"]),
    ("Le rôle de la CAF42 et du CD42", ["CAF42", "CD42"]),
    ("La méthode du CSD (capital stratégique) ?", []),
    ("Quelle formation à Paris ?", []),
])
def test_named_terms_are_the_acronyms(question, names):
    assert named_terms(question) == names


@pytest.mark.parametrize(("question", "names"), [
    ("Qui est l'interlocuteur CTG à la Caf du Finistère ?", ["Caf", "Finistère"]),
    ("Est-ce qu’Askoria propose une formation ?", ["Askoria"]),
    ("Quelles orientations pour le SDSF de la Haute-Savoie ?", ["Haute-Savoie"]),
    # A word opening a sentence, an acronym written in mixed case, a name cut by an apostrophe.
    ("Bonjour. Comment animer un COPIL ?", []),
    ("D'où vient la TdC ?", []),
    ("La formation pour la Côte-d'Or", []),
])
def test_proper_names_are_capitalised_words_inside_a_sentence(question, names):
    assert proper_names(question) == names


@pytest.mark.parametrize(("question", "terms"), [
    ("Comment traiter les profils « déchirés » et « grognons » ?", ["déchirés", "grognons"]),
    ('Un "triangle d\'or", ça désigne qui ?', ["triangle d'or"]),
    # Longer, the quote is the user's own text to comment on, not a term.
    ("On a écrit « créer un lieu d'accueil parents-enfants » : ça va ?", []),
])
def test_quoted_terms_are_short_quotes(question, terms):
    assert quoted_terms(question) == terms
