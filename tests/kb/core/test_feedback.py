from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest

from kb.core.feedback import MAX_COMMENT_CHARS, FeedbackStore, feedback_store


def test_ratings_are_stored_and_listed_newest_first(settings):
    store = feedback_store(settings)
    first = store.add("Prix ?", "850 € [1]", ["seeds/a.txt"], 1)
    second = store.add("Dates ?", "Je ne trouve pas…", [], -1, "  manque les dates  ")
    rows = store.all()
    assert [r.id for r in rows] == [second, first]
    assert rows[0].comment == "manque les dates" and rows[0].rating == -1
    assert rows[1].citations == ["seeds/a.txt"]
    # A new store object on the same file sees the same data: it is on disk.
    assert len(FeedbackStore(store.path).all()) == 2


def test_invalid_rating_is_refused(settings):
    with pytest.raises(ValueError, match="1 \\(utile\\)"):
        feedback_store(settings).add("q", "a", [], 0)


def test_comments_are_bounded(settings):
    store = feedback_store(settings)
    store.add("q", "a", [], 1, "x" * (MAX_COMMENT_CHARS + 50))
    assert len(store.all()[0].comment) == MAX_COMMENT_CHARS


def test_csv_export_round_trips(settings):
    store = feedback_store(settings)
    store.add("Qui anime ; le COPIL ?", "Le chargé de coopération [1]", ["ref/ctg.md"], 1, "ok")
    rows = list(csv.reader(io.StringIO(store.to_csv()), delimiter=";"))
    assert rows[0][2] == "question"
    assert rows[1][2] == "Qui anime ; le COPIL ?" and rows[1][5] == "utile"


def test_concurrent_writes(settings):
    store = feedback_store(settings)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: store.add(f"q{i}", "a", [], 1), range(40)))
    assert len(store.all()) == 40
