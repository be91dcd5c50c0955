from __future__ import annotations

from kb.core.tokens import content_words, query_tokens, tokenize


def test_tokens_are_stemmed_folded_and_stop_words_dropped():
    tokens = tokenize("Les coopérations territoriales de l'intercommunalité")
    assert "cooper" in tokens and "territorial" in tokens
    assert "les" not in tokens and "de" not in tokens
    assert all(t == t.lower() and t.isascii() for t in tokens if t.isalpha())


def test_question_words_bring_their_synonyms_but_count_less():
    tokens = query_tokens("Combien coûte la formation par participant ?")
    assert "tarif" in tokens and "stagiair" in tokens
    assert tokens.count("particip") > tokens.count("stagiair")


def test_content_words_leave_out_what_only_asks_or_links():
    assert content_words("Quels risques faut-il voir avant de lancer la phase 2 ?") == [
        "risques", "voir", "lancer", "phase"]
    assert content_words("Qu'est-ce que l'EGOC ?") == ["EGOC"]
    assert content_words("Après un COPIL, je dois rédiger quoi ? Et je vais l'envoyer ?") == [
        "COPIL", "rédiger", "envoyer"]


def test_hyphenated_words_also_match_their_joined_spelling():
    assert "fishbowl" in tokenize("Animation fish-bowl")
    assert {"fish", "bowl"} <= set(tokenize("Animation fish-bowl"))
    assert set(tokenize("le fishbowl")) <= set(tokenize("un fish-bowl"))
