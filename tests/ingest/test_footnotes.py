from __future__ import annotations

from ingest.footnotes import attach_footnotes
from ingest.loaders import load_document
from kb.core.documents import Section
from tests.conftest import EGOC


def _texts(*texts: str) -> list[str]:
    return [s.text for s in attach_footnotes([Section(t, ("x",)) for t in texts])]


def test_a_note_is_written_after_the_nearest_earlier_call_of_its_number():
    texts = _texts(
        "Trois phases (ou non)^[1].\nAnimation fish-bowl^[1] : TC",
        "[1] Voir la fiche fish bowl.\nUne action émancipatrice [\\[1\\]](#) ».",
        "[1] « Pratiques émancipatrices » - M. Séguier",
    )
    assert texts[0] == ("Trois phases (ou non)^[1].\n"
                        "Animation fish-bowl^[1] (note : Voir la fiche fish bowl.) : TC")
    assert "[\\[1\\]](#) (note : « Pratiques émancipatrices » - M. Séguier) »." in texts[1]
    # The notes themselves stay where they were.
    assert texts[2] == "[1] « Pratiques émancipatrices » - M. Séguier"


def test_markdown_notes_and_texts_without_notes():
    assert _texts("Le CEJ[^2] a pris fin.", "[^2]: Contrat enfance jeunesse.") == [
        "Le CEJ[^2] (note : Contrat enfance jeunesse.) a pris fin.",
        "[^2]: Contrat enfance jeunesse.",
    ]
    plain = ["Un texte [sans] note.", "[1] Une note que rien n'appelle."]
    assert _texts(*plain) == plain


def test_the_seed_brochure_carries_its_reference_book_where_it_cites_it(seeds_dir):
    doc = load_document(seeds_dir / EGOC, EGOC, 10_000_000)
    citing = next(s.text for s in doc.sections if "action émancipatrice" in s.text)
    assert "Paolo Freire" in citing
