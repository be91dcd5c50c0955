"""Document text through Streamlit's Markdown: shown as written, never interpreted; the
sentence an answer leans on in bold."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from ui.markdown import answer_markdown, escape, literal, readable, support_spans

HOSTILE = "[clic](javascript:alert(1)) <img src=x> $x^2$ :red[rouge] # titre\n1. liste `code` *a*"


def _unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def test_every_markdown_mark_of_a_passage_is_escaped():
    escaped = escape(HOSTILE)
    # No Markdown or HTML construct survives: every ASCII punctuation mark is backslashed.
    assert not re.search(r"(?<!\\)[\[\]()<>$*`#:]", escaped)
    assert _unescaped(escaped) == HOSTILE


def test_an_answer_keeps_its_list_but_nothing_a_passage_wrote():
    answer = (f"Déroulé - pas à pas [1]\n\nLes étapes :\n- {HOSTILE.splitlines()[0]} [1]\n"
              "- Synthèse (5 min) [2]")
    html = MarkdownIt().render(answer_markdown(answer))
    assert html.count("<li>") == 2
    assert "<a" not in html and "<img" not in html and "<code>" not in html
    assert "Déroulé - pas à pas" in html  # a dash inside a line is text
    assert _unescaped(answer_markdown(answer)) == answer


def test_lines_are_kept_and_leading_spaces_cannot_open_a_code_block():
    text = "Titre\n\n    indenté\nsuite"
    assert literal(text) == "Titre\n\nindenté\\\nsuite"


def test_the_supporting_sentence_is_bolded_with_its_label_in_its_rejoined_item():
    text = readable(
        "## En bref\n\n- **Organisme** : FR Consultants.\n- **Tarif** : 850 € TTC par stagiaire,\n"
        "  déjeuner compris.\n- Durée : 2 jours."
    )
    spans = support_spans(text, ["## En bref : Tarif : 850 € TTC par stagiaire, déjeuner compris."])
    shown = literal(text, [span for span in spans if span])
    assert shown == (
        "En bref\n\n"
        "• Organisme \\: FR Consultants\\.\\\n"
        "• **Tarif \\: 850 € TTC par stagiaire\\, déjeuner compris**\\.\\\n"
        "• Durée \\: 2 jours\\."
    )


def test_overlapping_supports_make_one_bold_run():
    text = "Pour le COTECH (deux à quatre semaines avant le COPIL) :"
    shown = literal(text, [(0, 52), (16, 54)])
    assert shown == "**Pour le COTECH \\(deux à quatre semaines avant le COPIL\\)** \\:"


def test_a_paraphrase_points_at_the_passage_sentence_sharing_its_words():
    text = "La CTG dure quatre ans. Elle est signée par la CAF et la commune."
    spans = support_spans(text, ["La convention est signée par la commune et la CAF."])
    assert spans[0] and text[spans[0][0] : spans[0][1]].startswith("Elle est signée")
    assert support_spans(text, ["Les pompiers arrosent les jardins."]) == [None]


def test_markup_of_the_source_is_dropped_and_links_keep_their_words_only():
    assert readable("**Gras** et [site](https://exemple.fr)^[1]") == "Gras et site"


def test_hard_wrapped_lines_are_joined_and_headings_and_list_items_kept_apart():
    text = "## Titre\nUne phrase coupée\nen deux.\n- point\n  qui continue\n- autre"
    assert readable(text) == "Titre\n\nUne phrase coupée en deux.\n\n• point qui continue\n• autre"
