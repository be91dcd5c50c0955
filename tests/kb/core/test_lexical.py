from __future__ import annotations

from kb.core.lexical import LexicalEntry, LexicalIndex
from kb.core.profiles import DocumentProfile, Profiles


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


def test_a_word_is_known_through_its_synonyms():
    index = LexicalIndex.build([(LexicalEntry("a", "x.md", "programme"),
                                 "Tarif : 850 euros. Nous contacter au 06 19 13 88 34.")], "f")
    # "prix" and "numéro" are not written, but their synonyms "tarif" and "contacter" are.
    assert index.unknown(["prix", "numéro", "hébergement"]) == ["hébergement"]
    # A word made of stop words only says nothing the base could lack.
    assert index.unknown(["Pas", "de"]) == []


def test_profiles_are_saved_with_the_index_and_an_older_index_is_rebuilt(tmp_path):
    import json

    index = LexicalIndex.build([(LexicalEntry("a", "x.md", "methode"), "Le fish bowl.")], "f")
    index.profiles = Profiles([DocumentProfile.of("x.md", "Fish-bowl", "", ["y.txt"])])
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert loaded.profiles.by_source == index.profiles.by_source
    assert loaded.source_of("a") == "x.md" and loaded.source_of("b") is None
    entries = tmp_path / "bm25" / "entries.json"
    meta = json.loads(entries.read_text(encoding="utf-8"))
    del meta["documents"]
    entries.write_text(json.dumps(meta), encoding="utf-8")
    assert LexicalIndex.load(tmp_path / "bm25") is None
