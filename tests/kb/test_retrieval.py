"""The hybrid retriever on small real corpora (real embeddings, real Chroma): what the document
profiles change in the ranking."""

from __future__ import annotations

import pytest

from ingest.pipeline import ingest
from kb.retrieval import HybridRetriever
from kb.store import open_store
from tests.conftest import make_settings

BROCHURE = """Animer la coopération territoriale

Tarif

Le tarif de la formation est de 1 240 euros par stagiaire, repas compris.

Lieu

La session se tient à Lyon, dans les locaux de l'organisme.
"""

SUMMARY = """---
title: "Fiche de synthèse : animer la coopération territoriale"
doc_type: reference
sources:
  - {cited}
---

# Fiche de synthèse : animer la coopération territoriale

## Tarif de la formation

Le tarif de la formation animer la coopération territoriale : 1 240 euros par stagiaire.
"""

OTHERS = {
    "notes.md": "# Notes de terrain\n\nLes comités se réunissent deux fois par an.\n",
    "ctg.md": "# La CTG\n\nLa convention territoriale globale est signée pour quatre ans.\n",
}


def _retriever(tmp_path, embeddings, files: dict[str, str], rerank: bool | None = None
               ) -> HybridRetriever:
    """A retriever over a fresh index of `files` (name → text), written under corpus/."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    store = open_store(settings, embeddings)
    assert ingest([corpus], settings, store).ok
    return HybridRetriever(store=store, rerank=rerank)


@pytest.mark.parametrize("cited, first", [
    ("seed:brochure.txt", "corpus/brochure.txt"),
    ("https://exemple.fr/brochure", "corpus/synthese.md"),
])
def test_the_original_outranks_a_sheet_that_restates_it(tmp_path, embeddings, cited, first):
    files = {"brochure.txt": BROCHURE, "synthese.md": SUMMARY.format(cited=cited), **OTHERS}
    hits = _retriever(tmp_path, embeddings, files).search(
        "Quel est le tarif de la formation animer la coopération territoriale ?")
    assert {h.chunk.source for h in hits[:2]} == {"corpus/brochure.txt", "corpus/synthese.md"}
    assert hits[0].chunk.source == first


NAMED = {
    "egoc.md": "# Parcours EGOC pour la Caf\n\n## Public\n\nLe groupe réunit onze agents.\n",
    "groupes.md": "# Taille des équipes\n\n## Repères\n\nCombien de personnes compte un bon "
                  "groupe de travail ? En général, un groupe compte de huit à douze personnes.\n",
    "ctg.md": OTHERS["ctg.md"],
    "notes.md": OTHERS["notes.md"],
}


@pytest.mark.parametrize("bonus, first", [(0.0, "corpus/groupes.md"), (None, "corpus/egoc.md")])
def test_a_document_the_question_names_comes_first_in_fusion(tmp_path, embeddings, monkeypatch,
                                                             bonus, first):
    """Before reranking: the sentence scorer then weighs the passages on their own words."""
    if bonus is not None:
        monkeypatch.setattr("kb.retrieval.NAMED_BONUS", bonus)
    retriever = _retriever(tmp_path, embeddings, NAMED, rerank=False)
    hits = retriever.search("Combien de personnes compte le groupe de l'EGOC ?")
    assert hits[0].chunk.source == first


PARTS = {
    "phase-1.md": "# Phase 1 : objectifs\n\nL'objectif est d'associer les "
                  "partenaires institutionnels et le Département au schéma, objectif partagé en 2 "
                  "temps avec les partenaires institutionnels.\n",
    "phase-2.md": "# Phase 2 : objectifs\n\nConstruire une stratégie avec les "
                  "partenaires.\n",
    "ctg.md": OTHERS["ctg.md"],
    "notes.md": OTHERS["notes.md"],
}


@pytest.mark.parametrize("bonus, first", [(0.0, "corpus/phase-1.md"), (None, "corpus/phase-2.md")])
def test_a_part_the_question_names_comes_first_in_fusion(tmp_path, embeddings, monkeypatch, bonus,
                                                         first):
    monkeypatch.setattr("kb.retrieval.NAMED_BONUS", 0.0)  # the titles name the parts too
    if bonus is not None:
        monkeypatch.setattr("kb.retrieval.PART_BONUS", bonus)
    retriever = _retriever(tmp_path, embeddings, PARTS, rerank=False)
    hits = retriever.search("Quel était l'objectif de la phase 2 avec les partenaires "
                            "institutionnels et le Département ?")
    assert hits[0].chunk.source == first
