from __future__ import annotations

from kb.lexical import LexicalEntry, LexicalIndex, content_words, query_tokens, tokenize


def test_tokens_are_stemmed_folded_and_stop_words_dropped():
    tokens = tokenize("Les coopérations territoriales de l'intercommunalité")
    assert "cooper" in tokens and "territorial" in tokens
    assert "les" not in tokens and "de" not in tokens
    assert all(t == t.lower() and t.isascii() for t in tokens if t.isalpha())


def test_question_words_bring_their_synonyms_but_count_less():
    tokens = query_tokens("Combien coûte la formation par participant ?")
    assert "tarif" in tokens and "stagiair" in tokens
    assert tokens.count("particip") > tokens.count("stagiair")


def test_index_search_filters_and_round_trips(tmp_path):
    entries = [
        (LexicalEntry("a", "x.md", "methode"), "Le fish bowl se joue en deux cercles."),
        (LexicalEntry("b", "y.md", "programme"), "Tarif : 850 euros par stagiaire."),
        (LexicalEntry("c", "z.md", "reference"), "La CTG remplace le contrat enfance jeunesse."),
    ]
    index = LexicalIndex.build(entries, "f1")
    assert index.search("prix de la formation", 2)[0][0] == "b"
    assert index.search("prix de la formation", 2, doc_types={"methode"}) == []
    assert index.search("CEJ", 3)[0][0] == "c"
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert loaded is not None and loaded.fingerprint == "f1"
    assert loaded.search("cercles", 1) == index.search("cercles", 1)
    assert "a" in loaded and "zz" not in loaded


def test_empty_and_missing_indexes(tmp_path):
    assert LexicalIndex.build([], "f").search("quoi", 5) == []
    assert LexicalIndex.load(tmp_path / "absent") is None


def test_content_words_leave_out_what_only_asks_or_links():
    assert content_words("Quels risques faut-il voir avant de lancer la phase 2 ?") == [
        "risques", "voir", "lancer", "phase"]
    assert content_words("Qu'est-ce que l'EGOC ?") == ["EGOC"]


def test_a_word_is_known_through_its_synonyms():
    index = LexicalIndex.build([(LexicalEntry("a", "x.md", "programme"),
                                 "Tarif : 850 euros. Nous contacter au 06 19 13 88 34.")], "f")
    # "prix" and "numéro" are not written, but their synonyms "tarif" and "contacter" are.
    assert index.unknown(["prix", "numéro", "hébergement"]) == ["hébergement"]
