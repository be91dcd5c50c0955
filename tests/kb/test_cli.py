"""The `ctg` command end to end, as a user runs it (a real subprocess, real store)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each command is a process loading the embedding model


@pytest.fixture(scope="module")
def project(tmp_path_factory, brochures_dir):
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(brochures_dir, root / "seeds")
    questions = [
        {"id": "b-1", "question": "Combien paie un stagiaire ?", "answers": ["780 €"]},
        {"id": "b-2", "question": "Qui anime l'accompagnement du Val d'Arvière ?",
         "answers": ["Samuel Ferrand"]},
    ]
    (root / "questions.jsonl").write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8"
    )
    return root


def ctg(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CTG_DATA_DIR": str(project / "data"),
        "CTG_CORPUS_DIR": "seeds",
        "HF_HUB_OFFLINE": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "kb", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ingest_search_stats_eval(project):
    first = ctg(project, "ingest")
    assert first.returncode == 0, first.stderr
    assert "2 indexé(s)" in first.stdout

    again = ctg(project, "ingest")
    assert "0 indexé(s), 2 inchangé(s)" in again.stdout

    found = ctg(project, "search", "Quel est le tarif par stagiaire ?", "--json", "-k", "3")
    passages = json.loads(found.stdout)
    assert len(passages) == 3 and passages[0]["rank"] == 1
    assert any("780 €" in p["text"] for p in passages)
    assert {"source", "title", "section", "page", "score"} <= set(passages[0])

    typed = json.loads(ctg(project, "search", "tarif", "--type", "methode", "--json").stdout)
    assert typed == []

    asked = ctg(project, "ask", "Combien coûte la formation sur la coopération entre partenaires ?")
    assert asked.returncode == 0, asked.stderr
    sources, others = asked.stdout.split("Autres passages retrouvés")
    assert "780" in sources and "[1] " in sources
    assert "• " in others and "[1] " not in others

    declined = ctg(project, "ask", "Quel est le tarif du téléphérique de Grenoble ?")
    assert declined.stdout.startswith("Je n'ai pas de réponse directe dans les documents")
    closest = declined.stdout.split("Passages les plus proches")[1]
    # Each closest passage is followed by the sentence of it nearest to an answer.
    assert closest.count("[") == closest.count("    « ") >= 1

    stats = json.loads(ctg(project, "stats", "--json").stdout)
    assert stats["programme"]["documents"] == 2

    evaluation = ctg(project, "eval", str(project / "questions.jsonl"), "--json")
    figures = json.loads(evaluation.stdout)
    assert {"recall@1", "recall@3", "recall@5", "mrr", "questions"} <= set(figures)
    first_question = figures["questions"][0]
    assert {"id", "question", "passages"} <= set(first_question)
    assert {"rank", "text", "source", "score"} <= set(first_question["passages"][0])


def test_ingest_reports_bad_files_and_exit_code(project, tmp_path):
    bad = tmp_path / "lot"
    bad.mkdir()
    (bad / "vide.txt").write_bytes(b"")
    (bad / "note.md").write_text("# Note\n\nUne note lisible.", encoding="utf-8")
    result = ctg(project, "ingest", str(bad))
    assert result.returncode == 1
    assert "vide.txt" in result.stderr and "Fichier vide" in result.stderr
    assert "1 indexé(s)" in result.stdout


def test_eval_file_errors_are_clear(project, tmp_path):
    broken = tmp_path / "q.jsonl"
    broken.write_text('{"id": 1}\n', encoding="utf-8")
    result = ctg(project, "eval", str(broken))
    assert result.returncode == 2 and "ligne 1" in result.stderr
