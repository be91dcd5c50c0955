"""Course facts read from brochures by rules: the two seeds (hand-checked), small brochures in
other formats, the passage each fact came from, and how documents become courses."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ingest.extract import course_from_document, extract_course, looks_like_programme
from ingest.loaders import load_document
from kb.catalogue.display import FIELD_LABELS
from kb.catalogue.model import Course
from kb.core.documents import DocType, LoadedDocument, Section
from kb.core.glossary import fold
from tests.builders import make_docx, make_pdf
from tests.conftest import CORPUS, EGOC, EGOC_DAYS, FR_CONSULTANTS

LATER = date(2026, 11, 25)


def from_seed(seeds_dir: Path, name: str) -> Course:
    return extract_course((seeds_dir / name).read_text(encoding="utf-8"), f"seeds/{name}")


@pytest.fixture(scope="module")
def fr(seeds_dir) -> Course:
    return from_seed(seeds_dir, FR_CONSULTANTS)


@pytest.fixture(scope="module")
def egoc(seeds_dir) -> Course:
    return from_seed(seeds_dir, EGOC)


def test_fr_consultants_brochure(fr):
    assert fr.title.startswith("Piloter et faire vivre une Convention Territoriale Globale")
    assert (fr.provider.name, fr.provider.kind) == ("FR Consultants", "cabinet")
    assert fr.provider.phones == ["06 19 13 88 34"]
    assert fr.provider.email == "info@fr-consultants.com" and fr.provider.website is None
    assert fr.price.model_dump() == {
        "amount": 850,
        "basis": "per_trainee",
        "per_day": 425,
        "taxes": "TTC",
        "included": ["déjeuner", "collation"],
    }
    assert fr.duration.days == 2 and fr.duration.hours is None
    assert "2 jours de formation" in fr.provenance["duration.days"]
    assert [(s.start, s.end, s.place) for s in fr.sessions] == [
        (date(2026, 5, 18), date(2026, 5, 19), "Paris")
    ]
    assert fr.prerequisites == "Aucun prérequis"
    assert fr.qualiopi is True
    assert [(t.name, len(t.expertise)) for t in fr.trainers] == [
        ("François Rousseau", 2),
        ("Eva Jordan", 2),
    ]
    assert fr.trainers[1].expertise[1] == "Management des organisations publiques"
    assert fr.offers == ["inter", "sur_mesure"]
    assert len(fr.objectives) == 4 and fr.objectives[0].startswith("Maîtriser les enjeux")
    assert [(b.label, len(b.contents)) for b in fr.programme] == [("Jour 1", 3), ("Jour 2", 4)]
    assert fr.certificate == "Attestation de participation"
    assert fr.deliverables == ["Dossier ressource sous forme dématérialisée"]
    assert fr.methods == ["participation-des-habitants"]
    # Unknown in the brochure: left unknown, never guessed.
    assert fr.format is None and fr.audience == [] and fr.accessibility is None
    assert fr.status(date(2026, 3, 1)) == "open" and fr.status(LATER) == "past"


def test_egoc_brochure(egoc):
    assert egoc.title.startswith("Faire vivre la relation partenaires et la coopération")
    assert egoc.offers[0] == "intra" and egoc.format == "presentiel"
    assert egoc.client == "CAF de la Loire"
    assert [s.start for s in egoc.sessions] == EGOC_DAYS
    assert all(s.end == s.start for s in egoc.sessions)
    assert [s.label for s in egoc.sessions] == [
        f"Phase {phase} – Jour {day}" for phase in (1, 2, 3) for day in (1, 2)
    ]
    assert egoc.status(LATER) == "past"
    assert egoc.price.amount is None and egoc.price.per_day is None
    assert egoc.duration.days == 6
    assert egoc.provider.name == "EGOC" and egoc.provider.website == "www.egoc.org"
    assert egoc.provider.phones == ["02 99 29 82 42", "02 99 29 82 43"]
    assert egoc.prerequisites == "Aucun prérequis"
    assert egoc.audience == ["agent_caf"] and egoc.audience_text == "1 groupe d'agents CAF 42"
    assert egoc.qualiopi is None and egoc.trainers == []
    assert set(egoc.methods) == {
        "fish-bowl",
        "approche-orientee-changement",
        "capital-strategique-de-developpement",
        "strategie-d-allies",
        "meta-plan",
        "impact-collectif",
        "mesure-d-impact-social",
    }
    assert len(egoc.evaluation) == 4 and egoc.evaluation[2].startswith("Evaluation à chaud")
    assert "15 jours" in egoc.access_delay and "handicap" in egoc.accessibility
    assert "www.egoc.org" in egoc.registration


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", fold(text))


def _expected_in_passage(course: Course) -> dict[str, list[str]]:
    """Per field, the strings its passage must contain: the value as the text writes it."""
    return {
        "title": [course.title or ""],
        "provider.name": [course.provider.name or ""],
        "provider.phones": course.provider.phones,
        "provider.email": [course.provider.email or ""],
        "provider.website": [course.provider.website or ""],
        "prerequisites": [course.prerequisites or ""],
        "price.amount": [str(int(course.price.amount or 0))],
        "price.per_day": [str(int(course.price.per_day or 0))],
        "price.taxes": [course.price.taxes or ""],
        "price.included": course.price.included,
        "sessions": [str(s.start.day) for s in course.sessions]
        + [s.place for s in course.sessions if s.place],
        "trainers": [t.name or "" for t in course.trainers]
        + [e for t in course.trainers for e in t.expertise],
        "qualiopi": ["qualiopi"],
        "certificate": [course.certificate or ""],
        "deliverables": course.deliverables,
        "objectives": course.objectives,
        "evaluation": course.evaluation,
        "audience_text": [course.audience_text or ""],
        "client": [course.client or ""],
        "format": [{"presentiel": "présentiel"}.get(course.format or "", "")],
    }


@pytest.mark.parametrize("seed", [FR_CONSULTANTS, EGOC])
def test_each_fact_keeps_the_passage_it_came_from(seeds_dir, seed):
    course = from_seed(seeds_dir, seed)
    letters = _letters((seeds_dir / seed).read_text(encoding="utf-8"))
    assert set(course.provenance) <= set(FIELD_LABELS)
    for passage in course.provenance.values():  # lines of the document, markup and notes aside
        assert all(_letters(line) in letters for line in passage.splitlines())
    checked = 0
    for field, values in _expected_in_passage(course).items():
        if field in course.provenance:
            passage = _norm(course.provenance[field])
            for value in values:
                assert _norm(value) in passage, (field, value, course.provenance[field])
                checked += 1
    assert checked >= 15


def test_seed_loaded_through_the_loader_gives_the_same_course(seeds_dir, fr):
    document = load_document(seeds_dir / FR_CONSULTANTS, f"seeds/{FR_CONSULTANTS}", 10**7)
    assert document.doc_type == DocType.PROGRAMME
    course = course_from_document(document)
    assert course.model_dump(exclude={"provenance"}) == fr.model_dump(exclude={"provenance"})


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Session : les 18 et 19 mai 2026 à Lyon", [
            (date(2026, 5, 18), date(2026, 5, 19), "Lyon")]),
        ("Mardi 4 avril 2023", [(date(2023, 4, 4), date(2023, 4, 4), None)]),
        ("24 NOVEMBRE 2022", [(date(2022, 11, 24), date(2022, 11, 24), None)]),
        ("02 DECEMBRE 2022", [(date(2022, 12, 2), date(2022, 12, 2), None)]),
        ("Jeudi 9 novembre 2023", [(date(2023, 11, 9), date(2023, 11, 9), None)]),
        ("Session du 30 juin au 2 juillet 2026 à Rennes", [
            (date(2026, 6, 30), date(2026, 7, 2), "Rennes")]),
        ("Dates : 24/11/2022 et 02/12/2022", [
            (date(2022, 11, 24), date(2022, 11, 24), None),
            (date(2022, 12, 2), date(2022, 12, 2), None)]),
        ("MAJ : Dimanche 05 juillet 2026", []),
        ("suite à un entretien téléphonique le 24 janvier 2023", []),
        ("Prochaines sessions : les 3 et 4 juin", []),  # no year anywhere: not guessed
    ],
)  # fmt: skip
def test_french_date_forms(line, expected):
    course = extract_course(f"Formation test\n\n{line}\n", "t.txt")
    assert [(s.start, s.end, s.place) for s in course.sessions] == expected


def test_year_comes_from_the_heading_above():
    course = extract_course("PROCHAINES SESSIONS 2027\nLES 3 ET 4 JUIN À NANTES\n", "t.txt")
    assert [(s.start, s.place) for s in course.sessions] == [(date(2027, 6, 3), "Nantes")]
    assert "2027" in course.provenance["sessions"]


def test_pdf_brochure(tmp_path):
    text = (
        "Animer un comite de pilotage CTG\n\nPublic : elus et DGS des communes\n\n"
        "Prerequis : aucun prerequis\n\nSession : le 12 mars 2027 a Lille\n\n"
        "Tarif : 390 euros HT par participant\n\nFormation en distanciel, 1 jour de formation.\n\n"
        "Contact : formation@exemple-coop.fr ou 03 20 00 00 00\n\nFormatrice\n\nClaire MARTIN\n"
        "Sociologue des organisations\n\nInscription : sur le site www.exemple-coop.fr\n"
    )
    path = make_pdf(tmp_path / "brochure.pdf", [text])
    document = load_document(path, "depot/brochure.pdf", 10**7)
    course = extract_course(document.text, document.source)
    assert (course.price.amount, course.price.basis, course.price.taxes) == (
        390,
        "per_trainee",
        "HT",
    )
    assert [(s.start, s.place) for s in course.sessions] == [(date(2027, 3, 12), "Lille")]
    assert course.format == "distanciel" and course.duration.days == 1
    assert course.audience == ["elu", "direction_collectivite"]
    assert course.provider.phones == ["03 20 00 00 00"]
    assert course.provider.website == "www.exemple-coop.fr"
    assert [t.name for t in course.trainers] == ["Claire Martin"]
    assert "comite-de-pilotage-et-comite-technique" in course.methods
    assert course.offers == ["inter"]  # sold per participant


def test_docx_brochure(tmp_path):
    path = make_docx(
        tmp_path / "brochure.docx",
        "Conduire un diagnostic social de territoire avec les habitants",
        {
            "Objectifs": ["- Recueillir la parole des habitants", "- Partager le diagnostic"],
            "Public": ["Chargés de coopération et travailleurs sociaux"],
            "Modalités": ["Formation intra en présentiel", "Durée : 3 jours"],
        },
    )
    document = load_document(path, "depot/brochure.docx", 10**7)
    course = extract_course(document.text, document.source)
    assert course.title == "Conduire un diagnostic social de territoire avec les habitants"
    assert course.objectives == ["Recueillir la parole des habitants", "Partager le diagnostic"]
    assert course.audience == ["charge_cooperation", "travailleur_social"]
    assert course.offers == ["intra"] and course.format == "presentiel"
    assert course.duration.days == 3
    assert course.sessions == [] and course.price.amount is None


def test_looks_like_programme(seeds_dir):
    for seed in (FR_CONSULTANTS, EGOC):
        assert looks_like_programme((seeds_dir / seed).read_text(encoding="utf-8"))
    for sheet in [*CORPUS.glob("methodes/*.md"), *CORPUS.glob("references/*.md")]:
        assert not looks_like_programme(sheet.read_text(encoding="utf-8")), sheet.name
    news = (
        "La communauté de communes a inauguré samedi sa nouvelle crèche de 40 places, en "
        "présence du maire et de la présidente de la CAF. Les travaux, commencés en 2024, ont "
        "coûté 2 millions d'euros. Les inscriptions sont ouvertes en mairie."
    )
    assert not looks_like_programme(news)


def _document(metadata: dict, doc_type: DocType, text: str = "Texte.") -> LoadedDocument:
    return LoadedDocument(
        source="programmes/essai.md",
        path="/tmp/essai.md",
        title="Titre du chargeur",
        doc_type=doc_type,
        content_hash="x",
        sections=[Section(text)],
        metadata=metadata,
    )


def test_front_matter_is_authoritative(seeds_dir):
    brochure = (seeds_dir / FR_CONSULTANTS).read_text(encoding="utf-8")
    metadata = {"title": "Fiche", "doc_type": "programme", "price": {"amount": 990}}
    course = course_from_document(_document(metadata, DocType.PROGRAMME, brochure))
    assert course.price.amount == 990 and course.sessions == [] and course.provenance == {}
    assert course.id == "essai"


def test_programme_without_course_front_matter_is_extracted(seeds_dir):
    brochure = (seeds_dir / EGOC).read_text(encoding="utf-8")
    course = course_from_document(_document({"title": "Titre"}, DocType.PROGRAMME, brochure))
    assert course.title == "Titre" and len(course.sessions) == 6
    untitled = course_from_document(_document({}, DocType.PROGRAMME, "Rien à lire ici."))
    assert untitled.title == "Titre du chargeur"


def test_other_documents_give_no_course(seeds_dir):
    brochure = (seeds_dir / FR_CONSULTANTS).read_text(encoding="utf-8")
    assert course_from_document(_document({}, DocType.REFERENCE, brochure)) is None


def test_bad_front_matter_raises_a_french_error_naming_the_file():
    metadata = {"doc_type": "programme", "sessions": [{"start": "bientôt"}], "format": "visio"}
    with pytest.raises(ValueError) as error:
        course_from_document(_document(metadata, DocType.PROGRAMME))
    message = str(error.value)
    assert message.startswith("Fiche formation programmes/essai.md invalide")
    assert "sessions.0.start : date AAAA-MM-JJ attendue" in message
    assert "format : valeur non autorisée" in message
