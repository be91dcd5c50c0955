"""Course finder benchmark: filtering and ranking 1,000 synthetic courses derived from the two real
programme sheets (varied dates, places, prices, audiences). Course embeddings are computed once,
as a loaded catalogue keeps them; each search embeds its request (one query embedding).

Run: python bench/courses.py [--courses 1000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import get_args

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPUS, summary, time_calls
from ingest.extract import course_from_document
from ingest.loaders import load_document
from kb.catalogue.model import (
    AudienceRole,
    Catalogue,
    Course,
    CourseFormat,
    Duration,
    OfferKind,
    Price,
    Session,
)
from kb.catalogue.ranking import search_courses
from kb.core.embeddings import load_embeddings

TODAY = date(2026, 3, 1)
PLACES = ["Paris", "Lyon", "Lille", "Nantes", "Bordeaux", "Rennes", "Marseille", "Toulouse"]
TITLE_ANGLES = [
    "",
    "Pour les élus : ",
    "Prise de poste : ",
    "Approfondissement : ",
    "En équipe CAF : ",
    "Évaluer et piloter : ",
    "Mobiliser les partenaires : ",
    "Avec les habitants : ",
    "Du diagnostic au plan d'actions : ",
    "Atelier pratique : ",
]
REQUESTS = [
    "je suis élue référente CTG, quelle formation ?",
    "une formation en mai à Paris",
    "formation intra pour une équipe CAF",
    "budget 500 € maximum",
    "moins de 3 jours",
    "en distanciel",
    "une formation sur la mesure d'impact social",
    "formation en plongée sous-marine",
    "formation en octobre à Lyon pour des travailleurs sociaux",
    "comment réaliser un diagnostic social de territoire ?",
    "formation pour un élu, budget 300 euros",
    "formation inter à Paris pour chargée de coopération",
    "animer un fish-bowl avec les partenaires du SDSF",
    "je suis DGS, je veux comprendre la CTG",
    "approche orientée changement, en présentiel",
    "prochaines sessions à Nantes",
    "entre avril et juin, 1 200 euros max",
    "coopération territoriale et référentiel de mission du chargé de coopération",
    "formation hybride de deux jours maximum",
    "",
]


def real_courses() -> list[Course]:
    courses = []
    for path in sorted((CORPUS / "programmes").glob("*.md")):
        document = load_document(path, f"programmes/{path.name}", 10**7)
        course = course_from_document(document)
        if course is not None:
            courses.append(course)
    return courses


def synthetic(base: list[Course], count: int, rng: random.Random) -> list[Course]:
    """`count` variations of the real courses: same contents, other facts."""
    roles, formats, offers = get_args(AudienceRole), get_args(CourseFormat), get_args(OfferKind)
    courses = []
    for number in range(count):
        model = base[number % len(base)]
        days = rng.choice([1, 2, 3, 6])
        start = date(2025, 9, 1) + timedelta(days=rng.randrange(700))
        session = Session(
            start=start, end=start + timedelta(days=days - 1), place=rng.choice(PLACES)
        )
        price = Price(
            amount=rng.randrange(300, 2500, 50),
            basis=rng.choice(["per_trainee", "per_trainee", "per_group"]),
            taxes=rng.choice(["TTC", "HT"]),
        )
        update = {
            "id": f"{model.id}-{number}",
            "source": f"synthetique/{number}.md",
            "title": f"{rng.choice(TITLE_ANGLES)}{model.title}",
            "sessions": [session],
            "duration": Duration(days=days),
            "price": price if rng.random() > 0.1 else Price(),
            "audience": rng.sample(roles, rng.randint(1, 3)),
            "format": rng.choice(formats),
            "offers": [rng.choice(offers)],
        }
        courses.append(model.model_copy(update=update))
    return courses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--courses", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    catalogue = Catalogue(synthetic(real_courses(), args.courses, random.Random(4)))
    embeddings = load_embeddings()

    started = time.perf_counter()
    catalogue.vectors(catalogue.courses, embeddings)
    distinct = len({course.meaning_text() for course in catalogue.courses})
    print(
        f"{args.courses} formations synthétiques, {distinct} textes distincts à encoder : "
        f"{time.perf_counter() - started:.1f} s (une fois par catalogue chargé)"
    )
    query_ms = [
        ms
        for request in REQUESTS
        if request
        for ms in time_calls(lambda request=request: embeddings.embed_query(request))
    ]
    print(f"encodage d'une demande (USE)        {summary(query_ms)}")

    for label, used in (("sens + mots (USE)", embeddings), ("mots seuls", None)):
        timings = [
            ms
            for _ in range(args.repeat)
            for request in REQUESTS
            for ms in time_calls(
                lambda request=request, used=used: search_courses(
                    catalogue, request, today=TODAY, embeddings=used
                )
            )
        ]
        print(
            f"filtrage + classement, {label:17} {summary(timings)}  "
            f"({len(REQUESTS)} demandes × {args.repeat})"
        )


if __name__ == "__main__":
    main()
