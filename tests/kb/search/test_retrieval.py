"""The hybrid retriever on small real corpora (real embeddings, real Chroma): what the document
profiles change in the ranking."""

from __future__ import annotations

import pytest

from ingest.pipeline import ingest
from kb.core.config import RetrievalSettings
from kb.core.store import Store, open_store
from kb.search.analysis import analyse
from kb.search.retrieval import HybridRetriever
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


def _retriever(tmp_path, embeddings, files: dict[str, str], rerank: bool | None = None,
               weights: dict[str, float | None] | None = None, **settings) -> HybridRetriever:
    """A retriever over a fresh index of `files` (name → text), written under corpus/, with the
    retrieval `weights` given (a None weight: as configured)."""
    chosen = {name: value for name, value in (weights or {}).items() if value is not None}
    settings["retrieval"] = RetrievalSettings(**chosen)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = make_settings(tmp_path / "data", **settings)
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


@pytest.mark.parametrize("doc_type, before", [
    ("reference", "corpus/synthese.md"),
    ("programme", "corpus/brochure.txt"),
])
def test_a_programme_sheet_restating_a_brochure_loses_more_than_another_sheet(
        tmp_path, embeddings, doc_type, before):
    """A programme sheet restates its brochure passage for passage; a method or reference sheet
    citing it is mostly its own text, and outranks it when it matches the question better."""
    question = "Quel est le tarif de la formation animer la coopération territoriale ?"
    summary = SUMMARY.format(cited="seed:brochure.txt").replace(
        "doc_type: reference", f"doc_type: {doc_type}").replace(
        "## Tarif de la formation", "## En bref").replace(
        "Le tarif de la formation animer la coopération territoriale :",
        "Quel tarif pour la formation animer la coopération territoriale ? Il est de")
    files = {"brochure.txt": BROCHURE, "synthese.md": summary, **OTHERS,
             "tarifs.md": "# Tarifs\n\nLe tarif de la formation animer la coopération "
                          "territoriale : voir la brochure de la formation animer la "
                          "coopération territoriale.\n"}
    # A programme is named by its title: no bonus for it.
    order = [h.chunk.source for h in _retriever(tmp_path, embeddings, files, rerank=False,
                                                weights={"named_bonus": 0.0}).search(question)]
    assert min(order.index("corpus/synthese.md"), order.index("corpus/brochure.txt")) == (
        order.index(before))


NAMED = {
    "egoc.md": "# Parcours EGOC pour la Caf\n\n## Public\n\nLe groupe réunit onze agents.\n",
    "groupes.md": "# Taille des équipes\n\n## Repères\n\nCombien de personnes compte un bon "
                  "groupe de travail ? En général, un groupe compte de huit à douze personnes.\n",
    "ctg.md": OTHERS["ctg.md"],
    "notes.md": OTHERS["notes.md"],
}


@pytest.mark.parametrize("bonus, first", [(0.0, "corpus/groupes.md"), (None, "corpus/egoc.md")])
def test_a_document_the_question_names_comes_first_in_fusion(tmp_path, embeddings, bonus, first):
    """Before reranking: the sentence scorer then weighs the passages on their own words."""
    retriever = _retriever(tmp_path, embeddings, NAMED, rerank=False,
                           weights={"named_bonus": bonus})
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
def test_a_part_the_question_names_comes_first_in_fusion(tmp_path, embeddings, bonus, first):
    # The titles name the parts too: no bonus for a named document.
    retriever = _retriever(tmp_path, embeddings, PARTS, rerank=False,
                           weights={"named_bonus": 0.0, "part_bonus": bonus})
    hits = retriever.search("Quel était l'objectif de la phase 2 avec les partenaires "
                            "institutionnels et le Département ?")
    assert hits[0].chunk.source == first


PARCOURS = {
    "parcours.md": "# Le parcours de formation\n\n"
                   "## Phase 1 : en interne\n\nSont conviés à cette étape du parcours les agents "
                   "de la Caf, conviés à une étape interne du parcours de formation.\n\n"
                   "## Phase 2 : les institutions\n\nLes partenaires institutionnels signataires "
                   "du schéma départemental se réunissent.\n\n"
                   "## Phase 3 : les collectivités\n\nLes chargés de coopération des "
                   "collectivités rejoignent les agents.\n",
    "ctg.md": OTHERS["ctg.md"],
}


@pytest.mark.parametrize("bonus, first", [(0.0, "Phase 1"), (None, "Phase 3")])
def test_the_last_part_asked_for_is_the_last_its_document_numbers(tmp_path, embeddings, bonus,
                                                                   first):
    retriever = _retriever(tmp_path, embeddings, PARCOURS, rerank=False, chunk_size=200,
                           weights={"part_bonus": bonus})
    hits = retriever.search("Qui est convié à la dernière étape du parcours ?")
    assert f"## {first} :" in hits[0].chunk.text


@pytest.mark.parametrize("rule, first", [(False, "Phase 1"), (True, "Phase 3")])
def test_the_reranker_keeps_the_passage_under_the_part_asked_for(tmp_path, embeddings,
                                                                 monkeypatch, rule, first):
    """Phase 1's sentence shares the question's words, Phase 3's none: reading sentences only,
    the reranker would put Phase 1 first."""
    if not rule:
        monkeypatch.setattr("kb.search.retrieval._keeping", lambda hits, k, kept: hits)
    retriever = _retriever(tmp_path, embeddings, PARCOURS, rerank=True, chunk_size=200)
    hits = retriever.search("Qui est convié à la dernière étape du parcours ?", k=1)
    assert f"## {first} :" in hits[0].chunk.text


TAUGHT = {
    "aoc.md": "---\ntitle: Approche orientée changement\ndoc_type: methode\n---\n\n"
              "# Approche orientée changement\n\n## À quoi ça sert\n\nL'approche orientée "
              "changement aide un groupe à découvrir les changements qu'il vise, pas ses "
              "actions.\n",
    "parcours.md": "---\ntitle: Parcours des agents\ndoc_type: programme\n---\n\n"
                   "# Parcours des agents\n\n## Programme\n\nDeuxième rendez-vous : "
                   "s'initier à l'approche orientée changement.\n",
    "ctg.md": OTHERS["ctg.md"],
    "notes.md": OTHERS["notes.md"],
}


@pytest.mark.parametrize("question, penalty, first", [
    ("À quelle séance les stagiaires découvrent-ils l'approche orientée changement ?", 0.0,
     "corpus/aoc.md"),
    ("À quelle séance les stagiaires découvrent-ils l'approche orientée changement ?", None,
     "corpus/parcours.md"),
    # No word of a course: the method sheet stays first.
    ("À quoi sert découvrir l'approche orientée changement ?", None, "corpus/aoc.md"),
])
def test_a_question_speaking_of_a_course_prefers_a_training_programme(
        tmp_path, embeddings, question, penalty, first):
    """The question names the method sheet by its title: in a question about a course, that
    names the subject taught, not the document to read."""
    retriever = _retriever(tmp_path, embeddings, TAUGHT, rerank=False,
                           weights={"course_penalty": penalty})
    assert retriever.search(question)[0].chunk.source == first


def test_a_base_of_programmes_only_ranks_as_without_the_course_rule(tmp_path, embeddings):
    """The rule takes from the other documents: scores of programmes stay as they were, and so
    does the reranking, which weighs each passage's score relative to the best."""
    programmes = {name: text for name, text in TAUGHT.items() if name == "parcours.md"}
    programmes["tarifs.md"] = ("---\ntitle: Tarifs des stagiaires\ndoc_type: programme\n---\n\n"
                               "# Tarifs des stagiaires\n\nChaque stagiaire paie 400 euros ; "
                               "le parcours compte trois rendez-vous.\n")
    retriever = _retriever(tmp_path, embeddings, programmes, rerank=True)
    question = "Que découvrent les stagiaires au deuxième rendez-vous du parcours ?"
    with_rule = [(h.chunk.id, h.score) for h in retriever.search(question)]
    store = retriever.store
    store.settings = store.settings.model_copy(
        update={"retrieval": RetrievalSettings(course_penalty=0.0)})
    assert [(h.chunk.id, h.score) for h in retriever.search(question)] == with_rule


SHEET = """---
title: "Fish-bowl"
doc_type: methode
aliases: [cercle de parole]
---

# Fish-bowl

## À quoi ça sert

Le fish-bowl est une méthode classique pour débattre en grand groupe : quelques personnes parlent
au centre, les autres écoutent autour.

## Préparation et installation

Deux cercles de chaises, dont une laissée vide au centre, et une question affichée au mur.

## Déroulé pas à pas

Lancer la question, laisser tourner la parole, puis faire une synthèse en plénière.

## Variantes

Un bocal fermé, sans chaise libre, quand le centre doit garder les mêmes personnes.

## Rôles

L'animateur pose le cadre puis se met en retrait ; le maître du temps annonce la fin de chaque
tour de parole.

## Pièges à éviter

Laisser le centre aux mêmes voix pendant toute la séance.
"""


@pytest.mark.parametrize("bonus", [0.0, None])
def test_the_section_of_a_named_sheet_the_question_asks_for_gains_in_fusion(
        tmp_path, embeddings, monkeypatch, bonus):
    """The fusion's bonus alone, without the final ordering by section (below)."""
    monkeypatch.setattr("kb.search.retrieval.names_document", lambda question, chunk: False)
    retriever = _retriever(tmp_path, embeddings, {"fish-bowl.md": SHEET, **NAMED}, rerank=False,
                           chunk_size=200,  # a passage per section
                           weights={"section_bonus": bonus})
    hits = retriever.search("Quelle erreur classique en fish-bowl ?")
    assert hits[0].chunk.section.endswith("Pièges à éviter") == (bonus is None)


@pytest.mark.parametrize("question, section, aliases, rule, first", [
    ("Comment animer un fish-bowl ?", "Déroulé pas à pas", "[]", True, True),
    ("Comment animer un fish-bowl ?", "Déroulé pas à pas", "[]", False, False),
    # Its alias, from the front matter, names the sheet too.
    ("Qui fait quoi dans un cercle de parole ?", "Rôles", "[cercle de parole]", True, True),
    ("Qui fait quoi dans un cercle de parole ?", "Rôles", "[]", True, False),
])
def test_the_section_asked_for_in_a_sheet_named_by_its_title_comes_first(
        tmp_path, embeddings, monkeypatch, question, section, aliases, rule, first):
    if not rule:
        monkeypatch.setattr("kb.search.retrieval.names_document", lambda question, chunk: False)
    sheet = SHEET.replace("[cercle de parole]", aliases)
    retriever = _retriever(tmp_path, embeddings, {"fish-bowl.md": sheet, **NAMED}, rerank=True,
                           chunk_size=200, weights={"section_bonus": 0.0})
    assert retriever.search(question)[0].chunk.section.endswith(section) == first


# Passages sharing the question's words, in documents the question does not name.
ROUNDS = {f"scrutin-{n}.md": f"# Élections {n}\n\nLa fin de chaque tour de scrutin est annoncée "
          f"en mairie, bureau {n}.\n" for n in range(6)}


def test_every_passage_of_a_named_sheet_is_weighed_by_its_sentences(tmp_path, embeddings,
                                                                    monkeypatch):
    weighed: list[set[str]] = []

    def recording(query, hits, embeddings, fused_weight):
        weighed.append({h.chunk.section for h in hits})
        return hits

    monkeypatch.setattr("kb.search.retrieval.rerank", recording)
    retriever = _retriever(tmp_path, embeddings, {"fish-bowl.md": SHEET, **ROUNDS}, rerank=True,
                           chunk_size=200)
    # The fusion's shortlist of five cannot hold the sheet's six passages.
    retriever.search("En fish-bowl, qui annonce la fin de chaque tour ?", k=1)
    retriever.search("Qui annonce la fin de chaque tour ?", k=1)
    sheet = {"Fish-bowl", *(f"Fish-bowl > {name}" for name in (
        "Préparation et installation", "Déroulé pas à pas", "Variantes", "Rôles",
        "Pièges à éviter"))}
    assert sheet <= weighed[0]
    assert not sheet <= weighed[1]


@pytest.mark.parametrize("rule", [True, False])
def test_the_section_asked_for_in_a_sheet_named_by_its_title_is_fetched(tmp_path, embeddings,
                                                                        monkeypatch, rule):
    """However low the fusion ranks it: "Lancer la question…" shares no word with "animer"."""
    if not rule:
        monkeypatch.setattr(HybridRetriever, "_add_asked_sections", lambda self, *args: None)
    retriever = _retriever(tmp_path, embeddings, {"fish-bowl.md": SHEET, **ROUNDS},
                           rerank=False, chunk_size=200)
    hits = retriever.search("Comment animer un fish-bowl ?", k=1)
    assert hits[0].chunk.section.endswith("Déroulé pas à pas") == rule


COURSE = """---
title: "Conduire un projet social de territoire"
doc_type: programme
aliases: [stage projet social]
provider: {name: Cabinet Alpha, kind: cabinet}
client: Caf du Cher
offers: [intra]
---

# Conduire un projet social de territoire

## En bref

Deux jours pour conduire un projet social de territoire, en intra pour la Caf du Cher.

## Public et prérequis

Des agents de collectivités qui coordonnent une convention ; aucune connaissance préalable.

## Objectifs

Savoir conduire un projet social de territoire avec les partenaires.

## Programme

Jour 1 : le diagnostic. Jour 2 : le plan d'actions et son pilotage.

## Méthodes

Des cas pratiques tirés des territoires des stagiaires.

## Formateurs

Deux consultants du cabinet, spécialistes des conventions.

## Tarif et modalités

Sur devis, selon le nombre de stagiaires.

## Contact et inscription

Par courriel auprès du cabinet.
"""


@pytest.mark.parametrize("question", [
    "La formation du Cabinet Alpha, c'est pour qui ?",  # its provider
    "Le stage de la Caf du Cher, c'est pour qui ?",  # its client
    "Le stage projet social, c'est pour qui ?",  # its alias
])
def test_a_course_named_by_its_provider_client_or_alias_answers_from_the_section_asked(
        tmp_path, embeddings, question):
    retriever = _retriever(tmp_path, embeddings, {"alpha.md": COURSE, **NAMED}, rerank=True,
                           chunk_size=200)
    assert retriever.search(question)[0].chunk.section.endswith("Public et prérequis")


@pytest.mark.parametrize("rule", [False, True])
def test_what_a_thing_is_is_answered_by_the_opening_of_the_sheet_it_titles(
        corpus_index, monkeypatch, rule):
    """Every passage says "CTG": without the rule, a short one that merely mentions it wins."""
    if not rule:
        monkeypatch.setattr("kb.search.headings.defined_subject", lambda question: None)
    found = HybridRetriever(store=corpus_index).retrieve(analyse("C'est quoi une CTG ?"))
    top = found.hits[0]
    opening = (top.chunk.source.endswith("references/ctg.md"), top.chunk.position)
    assert (opening == (True, 0)) is rule
    assert found.first_is_asked_section() is rule


def test_searches_read_the_manifest_only_to_check_the_index_is_fresh(tmp_path, embeddings,
                                                                     monkeypatch):
    """Reading the manifest takes 77 ms at 100 000 passages: not once per question."""
    retriever = _retriever(tmp_path, embeddings, {"fish-bowl.md": SHEET, **ROUNDS},
                           chunk_size=200)
    monkeypatch.setattr("kb.core.store.FRESHNESS_SECONDS", 3600.0)
    retriever.search("fish-bowl")  # the index checked fresh once
    reads: list[str] = []
    documents = Store.documents
    monkeypatch.setattr(Store, "documents", lambda self: reads.append("") or documents(self))
    for question in ("Comment animer un fish-bowl ?", "C'est quoi un fish-bowl ?",
                     "Quelle erreur classique en fish-bowl ?", "Que fait-on à la dernière étape ?"):
        assert retriever.search(question)
    assert not reads
