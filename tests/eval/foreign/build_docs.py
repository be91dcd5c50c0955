"""Build the PDF / DOCX / HTML documents of the foreign evaluation set.

The source texts live in ``sources/*.txt`` (real public French texts, lightly
cleaned).  Their markup is minimal:

- ``# `` / ``## `` / ``### `` : headings;
- ``- `` : bullet item;
- ``| a | b |`` : table row (the first row of a block is the header row);
- blank line : paragraph break.

Markdown / plain-text documents are stored directly in ``docs/`` and are not
built here.  The generated files are committed: tests never call this script.

Usage (from the repository root)::

    .venv/bin/python tests/eval/foreign/build_docs.py
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
DOCS = HERE / "docs"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FIXED_DATE = dt.datetime(2026, 12, 6, 12, 0, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Doc:
    stem: str
    fmt: str  # "pdf", "docx" or "html"
    org: str
    url: str


DOCUMENTS: list[Doc] = [
    Doc("caprural_charge_cooperation", "pdf", "Cap Rural",
        "http://www.caprural.org/des-ressources/cooperation/4606-charge-e-de-cooperation-une-mission-des-specificites-2"),
    Doc("caf75_fonds_publics_territoires_2024", "pdf", "Caf de Paris",
        "https://caf.fr/professionnels/offres-et-services/caf-de-paris/partenaires-locaux/appel-projet/appel-projet-fonds-publics-et-territoires"),
    Doc("interpole_world_cafe", "pdf", "Interpole",
        "https://interpole.xyz/?WorldCafe"),
    Doc("caf71_bonus_territoire_ctre", "pdf", "Caf de Saône-et-Loire",
        "https://www.caf.fr/professionnels/offres-et-services/caf-de-saone-et-loire/partenaires-locaux/accueil-de-la-petite-enfance/bonus-territoire-et-contrat-territorial-reservataire-eaje"),
    Doc("caf42_animation_vie_sociale", "pdf", "Caf de la Loire",
        "https://caf42.fr/lanimation-de-la-vie-sociale"),
    Doc("gardrhodanien_offre_charge_cooperation_ctg", "docx",
        "Communauté d'Agglomération du Gard rhodanien",
        "https://www.gardrhodanien.fr/offre-d-emploi/charge-de-cooperation-ctg"),
    Doc("cnaf_centre_social", "docx", "Cnaf (caf.fr)",
        "https://caf.fr/professionnels/offres-et-services/dispositif-partenaires/centre-social"),
    Doc("caf91_ps_jeunes", "docx", "Caf de l'Essonne",
        "https://www.esprit-de-famille-caf91.fr/ps-jeune-permettre-aux-jeunes-de-realiser-leurs-projets/"),
    Doc("pass_santepro_metaplan", "docx", "Pass Santé Pro",
        "http://pass-santepro.org/techniques-danimation/travailler-les-representations/le-creaplan"),
    Doc("ccsa_ctg_2026_2030", "html", "Communauté de Communes du Sud-Avesnois",
        "https://github.com/gestionsiteccsa/cc-sudavesnois/blob/main/home/templates/home/ctg.html"),
    Doc("if_saint_etienne_signature_ctg_loire", "html", "IF Saint-Étienne",
        "https://www.if-saint-etienne.fr/politique-societe/ctg-signature-dune-convention-entre-la-caf-et-six-communes-de-la-loire"),
    Doc("maine_et_loire_laep", "html", "Département de Maine-et-Loire",
        "https://www.maine-et-loire.fr/aides-et-services/professionnels/ingenierie-territoriale/offre-dingenierie/aide-et-accompagnement-a-louverture-dun-lieu-daccueil-enfants-parents"),
    Doc("manche_gouv_sdsf", "html", "Préfecture de la Manche",
        "https://www.manche.gouv.fr/index.php/Actions-de-l-Etat/Cohesion-sociale-et-Solidarites/Actions-en-faveur-des-familles-et-de-l-enfance/Schema-departemental-des-services-aux-familles"),
]


# --------------------------------------------------------------------------
# Parsing of the minimal markup
# --------------------------------------------------------------------------

def parse_blocks(text: str) -> list[tuple[str, object]]:
    """Return blocks: ("h1"|"h2"|"h3"|"p", str), ("ul", [str]), ("table", [[str]])."""
    blocks: list[tuple[str, object]] = []
    for chunk in text.strip().split("\n\n"):
        lines = [ln.rstrip() for ln in chunk.strip().splitlines() if ln.strip()]
        if not lines:
            continue
        first = lines[0]
        if first.startswith("|"):
            rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines]
            blocks.append(("table", rows))
        elif all(ln.startswith("- ") for ln in lines):
            blocks.append(("ul", [ln[2:].strip() for ln in lines]))
        elif first.startswith("#"):
            level = len(first) - len(first.lstrip("#"))
            blocks.append((f"h{min(level, 3)}", first.lstrip("#").strip()))
            rest = lines[1:]
            if rest:
                blocks.extend(parse_blocks("\n".join(rest)))
        else:
            blocks.append(("p", " ".join(lines)))
    return blocks


def title_of(blocks: list[tuple[str, object]]) -> str:
    for kind, value in blocks:
        if kind == "h1":
            return str(value)
    return ""


# --------------------------------------------------------------------------
# PDF (fpdf2) with running header and footer
# --------------------------------------------------------------------------

def build_pdf(doc: Doc, blocks: list[tuple[str, object]], out: Path) -> None:
    from fpdf import FPDF

    title = title_of(blocks)

    class PDF(FPDF):
        def header(self) -> None:  # running header
            self.set_font("DejaVu", "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, f"{doc.org} — {title[:80]}", new_x="LMARGIN", new_y="NEXT", align="L")
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(4)
            self.set_text_color(0, 0, 0)

        def footer(self) -> None:  # running footer with page number
            self.set_y(-14)
            self.set_font("DejaVu", "", 7)
            self.set_text_color(110, 110, 110)
            self.cell(0, 4, f"Page {self.page_no()}/{{nb}}", new_x="LMARGIN", new_y="NEXT",
                      align="C")
            self.cell(0, 4, f"Source : {doc.url[:110]}", align="C")
            self.set_text_color(0, 0, 0)

    pdf = PDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_author(doc.org)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 15, 20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for kind, value in blocks:
        if kind in ("h1", "h2", "h3"):
            size = {"h1": 15, "h2": 12.5, "h3": 11}[kind]
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", size)
            pdf.multi_cell(width, size * 0.55, str(value), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif kind == "p":
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(width, 5.2, str(value), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "ul":
            pdf.set_font("DejaVu", "", 10)
            for item in value:  # type: ignore[union-attr]
                pdf.set_x(pdf.l_margin + 4)
                pdf.multi_cell(width - 4, 5.2, f"• {item}", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "table":
            rows = value  # type: ignore[assignment]
            pdf.set_font("DejaVu", "", 9)
            with pdf.table(text_align="LEFT", line_height=4.8, first_row_as_headings=True) as table:
                for row in rows:  # type: ignore[union-attr]
                    r = table.row()
                    for cell in row:
                        r.cell(cell)
            pdf.ln(3)
    pdf.output(str(out))


# --------------------------------------------------------------------------
# DOCX (python-docx)
# --------------------------------------------------------------------------

def build_docx(doc: Doc, blocks: list[tuple[str, object]], out: Path) -> None:
    import docx

    d = docx.Document()
    props = d.core_properties
    props.author = doc.org
    props.title = title_of(blocks)
    props.created = FIXED_DATE.replace(tzinfo=None)
    props.modified = FIXED_DATE.replace(tzinfo=None)
    props.last_modified_by = doc.org
    props.revision = 1
    section = d.sections[0]
    section.header.paragraphs[0].text = doc.org
    section.footer.paragraphs[0].text = f"Source : {doc.url}"
    for kind, value in blocks:
        if kind in ("h1", "h2", "h3"):
            d.add_heading(str(value), level=int(kind[1]))
        elif kind == "p":
            d.add_paragraph(str(value))
        elif kind == "ul":
            for item in value:  # type: ignore[union-attr]
                d.add_paragraph(item, style="List Bullet")
        elif kind == "table":
            rows = value  # type: ignore[assignment]
            table = d.add_table(rows=len(rows), cols=len(rows[0]))  # type: ignore[arg-type]
            table.style = "Table Grid"
            for i, row in enumerate(rows):  # type: ignore[arg-type]
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
    d.save(str(out))


# --------------------------------------------------------------------------
# HTML (real tags, with site navigation and footer around the article)
# --------------------------------------------------------------------------

def build_html(doc: Doc, blocks: list[tuple[str, object]], out: Path) -> None:
    esc = html.escape
    title = title_of(blocks)
    body: list[str] = []
    for kind, value in blocks:
        if kind in ("h1", "h2", "h3"):
            body.append(f"<{kind}>{esc(str(value))}</{kind}>")
        elif kind == "p":
            body.append(f"<p>{esc(str(value))}</p>")
        elif kind == "ul":
            items = "".join(f"<li>{esc(i)}</li>" for i in value)  # type: ignore[union-attr]
            body.append(f"<ul>{items}</ul>")
        elif kind == "table":
            rows = value  # type: ignore[assignment]
            head = "".join(f"<th>{esc(c)}</th>" for c in rows[0])  # type: ignore[index]
            trs = "".join(
                "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows[1:]  # type: ignore[index]
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>")
    page = f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{esc(title)} | {esc(doc.org)}</title>
<meta name="author" content="{esc(doc.org)}">
<link rel="canonical" href="{esc(doc.url)}">
</head>
<body>
<header>
<nav aria-label="Navigation principale"><ul><li><a href="/">Accueil</a></li>
<li><a href="#main-content">Aller au contenu</a></li></ul></nav>
</header>
<main id="main-content">
<article>
{chr(10).join(body)}
</article>
</main>
<footer><p>{esc(doc.org)}</p><p>Source : <a href="{esc(doc.url)}">{esc(doc.url)}</a></p></footer>
</body>
</html>
"""
    out.write_text(page, encoding="utf-8")


BUILDERS = {"pdf": build_pdf, "docx": build_docx, "html": build_html}


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    for doc in DOCUMENTS:
        text = (SOURCES / f"{doc.stem}.txt").read_text(encoding="utf-8")
        blocks = parse_blocks(text)
        out = DOCS / f"{doc.stem}.{doc.fmt}"
        BUILDERS[doc.fmt](doc, blocks, out)
        print(f"built {out.relative_to(HERE)}")


if __name__ == "__main__":
    main()
