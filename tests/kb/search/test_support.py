"""Scoring the sentences of retrieved passages as answers, and reranking passages by them."""

from __future__ import annotations

from dataclasses import replace

from kb.answers.extractive import extract
from kb.core.documents import Chunk, DocType, SearchHit
from kb.search.analysis import analyse
from kb.search.retrieval import Retrieved
from kb.search.support import FEATURES, rerank, score_candidates


def _hit(text: str, chunk_id: str, context: str, score: float = 1.0,
         title: str = "Formation CTG") -> SearchHit:
    chunk = Chunk(id=chunk_id, text=text, source=f"{chunk_id}.txt", title=title,
                  doc_type=DocType.PROGRAMME, section="", page=None, position=0,
                  content_hash="h", context=context)
    return SearchHit(chunk=chunk, score=score)


def _found(question: str, hits: list[SearchHit]) -> Retrieved:
    return Retrieved(analyse(question), tuple(hits))


def test_a_sentence_repeating_the_provider_is_no_closer_to_the_fact(embeddings):
    hit = _hit("FR Consultants est un cabinet spécialisé dans l'innovation sociale.\n\n"
               "Jour 1 : historique des conventions territoriales et premier diagnostic.",
               "fr", "FR Consultants · formation inter")
    best = score_candidates(analyse("Que fait-on le premier jour chez FR Consultants ?"), [hit],
                            embeddings)[0]
    assert best.unit.text.startswith("Jour 1")


def test_a_fact_of_another_document_than_the_one_named_is_never_the_answer(embeddings):
    other = _hit("Tarifs : 850 € TTC par stagiaire.", "fr", "FR Consultants · formation inter")
    named = _hit("Public : un groupe d'agents de la Caf.", "egoc",
                 "EGOC · formation intra · CAF de la Loire", score=0.8)
    question = "Quel est le tarif de l'EGOC pour la Caf de la Loire ?"
    candidates = score_candidates(analyse(question), [other, named], embeddings)
    foreign = FEATURES.index("foreign")
    assert all(c.features[foreign] == (c.hit is other) for c in candidates)
    found = extract(_found(question, [other, named]), embeddings)
    assert not found.answerable
    assert all("850" not in s.sentence for s in found.sentences)
    priced = _hit("Tarifs : 1 200 € par groupe.", "egoc2", "EGOC · formation intra", score=0.5)
    found = extract(_found(question, [other, named, priced]), embeddings, threshold=0.0)
    assert found.answerable and "1 200 €" in found.sentences[0].sentence


def test_rerank_puts_first_the_passage_whose_sentence_answers(embeddings):
    vague = _hit("La formation aborde les enjeux de la coopération territoriale.", "a",
                 "FR Consultants", score=1.0)
    precise = _hit("Prochaine session : les 18 et 19 mai 2026 à Paris.", "b",
                   "FR Consultants", score=0.9)
    question = "Quelles sont les dates de la prochaine session ?"
    ranked = rerank(analyse(question), [vague, precise], embeddings)
    assert [h.chunk.id for h in ranked] == ["b", "a"]
    assert rerank(analyse(question), [vague], embeddings) == [vague]


def test_a_date_is_quoted_with_the_sentence_that_says_what_happens_then(embeddings):
    day = _hit("Phase 3 Jour 2 : jeudi 9 novembre 2023.\n\n"
               "Construire le socle commun d'un référentiel de mission.\n\n"
               "Repas libre.", "egoc", "EGOC · formation intra")
    found = extract(_found("Quand construit-on le référentiel de mission ?", [day]), embeddings,
                    threshold=0.0)
    said = " ".join(s.sentence for s in found.sentences)
    assert found.sentences[0].sentence.startswith("Phase 3 Jour 2")
    assert "socle commun" in said and "Repas" not in said


def test_a_sentence_spelling_out_the_acronym_asked_about_answers_whatever_its_score(embeddings):
    footer = _hit("Contact : 02 99 29 82 42.\n\nEntente du Grand Ouest et du Centre pour le "
                  "perfectionnement des personnels des caisses d'Allocations familiales.", "egoc",
                  "EGOC · formation intra")
    found = extract(_found("Que signifie le sigle EGOC ?", [footer]), embeddings, threshold=100.0)
    assert found.answerable and "perfectionnement" in found.sentences[0].sentence
    found = extract(_found("Que fait l'EGOC ?", [footer]), embeddings, threshold=100.0)
    assert not found.answerable


def test_words_for_the_document_itself_do_not_count(embeddings):
    hit = _hit("Voir la fiche.\n\nFormateur : un expert de l'ingénierie de projet.", "egoc",
               "EGOC · formation intra")
    candidates = score_candidates(analyse("Quel formateur est annoncé dans la fiche ?"), [hit],
                                  embeddings)
    pointer = next(c for c in candidates if c.unit.text == "Voir la fiche.")
    assert pointer.feature("lexical") == 0.0
    assert candidates[0].unit.display.startswith("Formateur")


def test_rerank_puts_first_the_passage_that_spells_out_the_acronym_asked_about(embeddings):
    mention = _hit("Que signifie le sigle EGOC ? Nous avons formé pour l'EGOC en 2018.", "fr",
                   "FR Consultants", score=1.0)
    footer = _hit("Entente du Grand Ouest et du Centre pour le perfectionnement des personnels "
                  "des caisses d'Allocations familiales.", "egoc", "EGOC", score=0.5)
    ranked = rerank(analyse("Que signifie le sigle EGOC ?"), [mention, footer], embeddings)
    assert [h.chunk.id for h in ranked] == ["egoc", "fr"]


def test_a_date_asked_for_one_phase_is_the_one_stated_for_that_phase(embeddings):
    table = _hit("Phase 1 · 24 novembre 2022 : rencontre entre partenaires institutionnels et "
                 "premiers échanges.\n\nPhase 1 · 2 décembre 2022 : stratégie d'alliés.",
                 "egoc", "EGOC · formation intra", score=1.0)
    day = _hit("Phase 2 Jour 1 : mardi 4 avril 2023.\n\n"
               "Échange entre partenaires institutionnels.", "egoc-2", "EGOC · formation intra",
               score=0.6)
    question = "Quand a lieu la rencontre entre partenaires institutionnels de la phase 2 ?"
    found = extract(_found(question, [table, day]), embeddings, threshold=0.0)
    said = " ".join(s.sentence for s in found.sentences)
    assert found.sentences[0].sentence.startswith("Phase 2 Jour 1")
    assert "novembre" not in said and "décembre" not in said
    # Without a phase in the question, the first passage's dates are fair answers.
    found = extract(_found("Quand a lieu la rencontre entre partenaires institutionnels ?",
                           [table, day]), embeddings, threshold=0.0)
    assert "novembre" in found.sentences[0].sentence


def test_a_question_asking_for_several_things_gets_the_whole_list(embeddings):
    offers = _hit("Les offres d'emploi lues décrivent des tâches stables :\n\n"
                  "- conseiller les élus et les comités de pilotage ;\n"
                  "- animer les partenariats locaux ;\n"
                  "- suivre les indicateurs du plan d'actions ;\n"
                  "- préparer les bilans annuels ;\n"
                  "- rédiger les comptes rendus ;\n"
                  "- chercher des financements complémentaires.\n", "offres",
                  "Fiche chargé de coopération")
    listed = extract(_found("Quelles tâches décrivent les offres d'emploi ?", [offers]), embeddings,
                     threshold=0.0)
    said = " ".join(s.sentence for s in listed.sentences)
    assert all(task in said for task in ("élus", "partenariats", "indicateurs", "bilans",
                                         "comptes rendus", "financements"))
    one = extract(_found("Quelle tâche concerne les financements dans les offres d'emploi ?",
                         [offers]), embeddings, threshold=0.0)
    assert len(one.sentences) < len(listed.sentences)


def test_a_heading_that_answers_best_brings_what_it_heads(embeddings):
    sheet = _hit("## Checklist avant d'acheter une formation CTG\n\n"
                 "Les programmes omettent souvent des informations.\n\n"
                 "- Le public visé et l'effectif ;\n- Le prix, TTC ou HT ;\n"
                 "- La certification Qualiopi.\n\n"
                 "## Les financements\n\nLe plan de formation de la Caf prend en charge.",
                 "qualite", "Se former à la CTG")
    found = extract(_found("Checklist avant d'acheter une formation CTG ?", [sheet]), embeddings,
                    threshold=0.0)
    said = [s.sentence for s in found.sentences]
    assert said[0] == "Checklist avant d'acheter une formation CTG"
    assert any("Qualiopi" in s for s in said) and any("prix" in s for s in said)
    assert not any("financements" in s or "plan de formation" in s for s in said)


def test_a_verb_that_asks_points_at_no_sentence(embeddings):
    """In "Que fait un chargé de coopération ?", once the words naming the sheet are set aside,
    "fait" is left: a sentence merely sharing it ("a fait de cette relation…") matches nothing."""
    hit = _hit("La Caf a fait de cette relation un objet de formation.\n\n"
               "Il anime les comités et conseille les élus.", "c", "",
               title="Le chargé de coopération")
    candidates = score_candidates(analyse("Que fait un chargé de coopération ?"), [hit], embeddings)
    lexical = {c.unit.text[:6]: c.feature("lexical") for c in candidates}
    assert lexical["La Caf"] == lexical["Il ani"]


def test_est_ce_asks_and_points_at_no_sentence(embeddings):
    """"Qu'est-ce que…" asks: a heading that repeats it is no closer to the answer."""
    hit = _hit("Qu'est-ce que le SDSF, et à quoi sert-il ?\n\n"
               "Un SDSF comprend un diagnostic et un plan d'actions.", "c", "",
               title="Le SDSF")
    candidates = score_candidates(analyse("Qu'est-ce qu'un SDSF comprend ?"), [hit], embeddings)
    lexical = {c.unit.text[:6]: c.feature("lexical") for c in candidates}
    assert lexical["Qu'est"] < lexical["Un SDS"]
    # "Quoi" asks too: "à quoi sert-il" is no closer to what "c'est quoi" asks for.
    hit = _hit("À quoi sert le schéma ?\n\nLe schéma est un plan commun.", "c", "",
               title="Le dispositif")
    candidates = score_candidates(analyse("C'est quoi le schéma ?"), [hit], embeddings)
    lexical = {c.unit.text[:6]: c.feature("lexical") for c in candidates}
    assert lexical["À quoi"] <= lexical["Le sch"]


def test_a_quoted_example_question_is_a_question(embeddings):
    """« Exemple : « Quels changements… ? » » asks; it does not answer "Quel matériel… ?"."""
    hit = _hit("Exemple : « Quels changements voulons-nous ? »\n\nPrévoir des cartes.",
               "c", "", title="Méta-plan")
    candidates = score_candidates(analyse("Quel matériel pour un méta-plan ?"), [hit], embeddings)
    asks = {c.unit.text[:6]: c.feature("question") for c in candidates}
    assert asks["Exempl"] == 1.0 and asks["Prévoi"] == 0.0


def test_the_last_part_asked_for_is_the_last_its_document_numbers(embeddings):
    def part(text: str, chunk_id: str, score: float) -> SearchHit:
        hit = _hit(text, chunk_id, "EGOC · formation intra", score=score)
        return replace(hit, chunk=replace(hit.chunk, source="egoc.txt"))

    first = part("Phase 1 · 24 novembre 2022 : sont conviés les agents de la Caf.", "egoc-1", 1.0)
    last = part("Phase 3 · 19 septembre 2023 : sont conviés les chargés de coopération du "
                "département.", "egoc-3", 0.6)
    found = extract(_found("Qui est convié à la dernière étape ?", [first, last]), embeddings,
                    threshold=0.0)
    said = " ".join(s.sentence for s in found.sentences)
    assert "chargés de coopération" in said and "agents de la Caf" not in said


def test_a_sentence_quoted_for_one_part_of_a_question_answers_no_other(embeddings):
    hit = _hit("La convention est signée pour cinq ans par la Caf et la collectivité.\n\n"
               "D'autres partenaires peuvent aussi la signer : l'État et la MSA.", "ctg",
               "Convention territoriale globale", title="La convention territoriale globale")
    found = _found("Qui d'autre peut la signer ? (convention cinq ans)", [hit])
    first = extract(found, embeddings, threshold=0.0).sentences[0].sentence
    assert first.startswith("La convention est signée")
    again = extract(found, embeddings, threshold=0.0, taken={("ctg", first)})
    assert again.sentences and all(s.sentence != first for s in again.sentences)
    assert "MSA" in again.best.unit.text
