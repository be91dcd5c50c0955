"""`ctg courses`: find a training course in plain French, read its sheet, export its sessions.

`ctg courses "je suis élue, une formation en mai ?"` is short for `ctg courses find "…"`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from langchain_core.embeddings import Embeddings
from typer.core import TyperGroup

if TYPE_CHECKING:  # typer 0.2x ships its own click; its Context is the one passed here
    from typer._click.core import Context as _ClickContext

from kb.catalogue.calendar import to_ics
from kb.catalogue.display import course_sheet
from kb.catalogue.model import (
    AudienceRole,
    Catalogue,
    Course,
    CourseFormat,
    OfferKind,
    catalogue_path,
)
from kb.catalogue.ranking import CourseMatch, search_courses
from kb.catalogue.requests import CourseFilters
from kb.core.config import Settings, get_settings


class _FindByDefault(TyperGroup):
    """Sends `ctg courses <request> [options]` to `find` when the first word is no subcommand."""

    def parse_args(self, ctx: _ClickContext, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["find", *args]
        return super().parse_args(ctx, args)


courses_app = typer.Typer(
    cls=_FindByDefault,
    help="Trouver une formation CTG, lire sa fiche, exporter ses sessions dans un agenda.",
)


def _load_catalogue() -> Catalogue:
    path = catalogue_path(get_settings())
    catalogue = Catalogue.load(path)
    if not catalogue.courses:
        typer.echo(f"Catalogue vide ({path}) : lancez d'abord « ctg ingest ».", err=True)
        raise typer.Exit(1)
    return catalogue


def _course(catalogue: Catalogue, course_id: str) -> Course:
    course = catalogue.get(course_id)
    if course is None:
        known = ", ".join(c.id for c in catalogue.courses)
        typer.echo(
            f"Formation « {course_id} » introuvable. Identifiants connus : {known}", err=True
        )
        raise typer.Exit(1)
    return course


def _embeddings(settings: Settings) -> Embeddings | None:
    """The configured embeddings, or None (with a notice) when they cannot be loaded."""
    try:
        from kb.core.embeddings import get_embeddings

        return get_embeddings(settings)
    except Exception as exc:  # ranking by meaning is a bonus: words alone still find courses
        typer.echo(f"Classement par le sens indisponible ({exc}) : recherche par mots.", err=True)
        return None


def _print_matches(heading: str, matches: list[CourseMatch]) -> None:
    if not matches:
        return
    typer.echo(f"\n{heading}")
    for number, match in enumerate(matches, start=1):
        typer.echo(f"{number}. {match.course.title or match.course.id}  [{match.course.id}]")
        typer.echo(f"   {match.reason}")


@courses_app.command("find")
def find(
    words: Annotated[list[str] | None, typer.Argument(help="Votre demande, en français.")] = None,
    month: Annotated[
        int | None, typer.Option(min=1, max=12, help="Mois des sessions (1-12).")
    ] = None,
    place: Annotated[str | None, typer.Option(help="Ville des sessions.")] = None,
    max_price: Annotated[
        float | None, typer.Option(min=1, help="Budget maximum par stagiaire, en euros.")
    ] = None,
    max_days: Annotated[float | None, typer.Option(min=0.5, help="Durée maximum en jours.")] = None,
    audience: Annotated[AudienceRole | None, typer.Option(help="Public.")] = None,
    format_: Annotated[CourseFormat | None, typer.Option("--format", help="Modalité.")] = None,
    offer: Annotated[OfferKind | None, typer.Option(help="Type d'offre.")] = None,
    open_only: Annotated[bool, typer.Option(help="Sessions à venir seulement.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="Nombre maximum de résultats.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Chercher une formation : demande en français et/ou critères explicites (qui priment)."""
    request = " ".join(words or [])
    catalogue = _load_catalogue()
    filters = CourseFilters(
        audience=audience,
        month=month,
        place=place,
        format=format_,
        offer=offer,
        max_price=max_price,
        max_days=max_days,
        open_only=open_only,
    )
    embeddings = _embeddings(get_settings()) if request.strip() else None
    result = search_courses(
        catalogue, request, filters, today=date.today(), embeddings=embeddings, limit=limit
    )
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(result.message)
    _print_matches("Formations :", result.results)
    _print_matches("Prestations intra ou sur mesure possibles :", result.intra_options)
    if result.results:
        typer.echo("\nFiche complète : ctg courses show <identifiant>")


@courses_app.command("show")
def show(course_id: Annotated[str, typer.Argument(help="Identifiant de la formation.")]) -> None:
    """Afficher la fiche d'une formation (Markdown), contact et inscription compris."""
    typer.echo(course_sheet(_course(_load_catalogue(), course_id), today=date.today()))


@courses_app.command("ics")
def ics(
    course_id: Annotated[str, typer.Argument(help="Identifiant de la formation.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Fichier .ics (défaut : <id>.ics).")
    ] = None,
) -> None:
    """Exporter les sessions d'une formation dans un fichier agenda (.ics)."""
    course = _course(_load_catalogue(), course_id)
    if not course.sessions:
        typer.echo(f"« {course.title} » n'a aucune session datée à exporter.", err=True)
        raise typer.Exit(1)
    if course.status(date.today()) == "past":
        typer.echo("Attention : toutes les sessions de cette formation sont passées.", err=True)
    target = output or Path(f"{course.id}.ics")
    target.write_bytes(to_ics(course))
    count = len(course.sessions)
    plural = "s" if count > 1 else ""
    typer.echo(f"{count} session{plural} exportée{plural} dans {target}")
