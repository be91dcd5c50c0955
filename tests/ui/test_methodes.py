"""The Méthodes page: sheets filtered by CTG moment, time available and group size, then read."""

from __future__ import annotations

from kb.training.methods import filter_methods, load_methods
from tests.conftest import CORPUS
from tests.ui.conftest import open_page, texts


def _listed(app) -> list[str]:
    return [button.key.removeprefix("read-") for button in app.button
            if button.key and button.key.startswith("read-")]


def test_filters_keep_the_sheets_that_fit_the_moment_the_time_and_the_group(corpus_app):
    app = open_page("methodes")
    everything = load_methods(CORPUS / "methodes")
    assert len(_listed(app)) == len(everything)
    app.sidebar.selectbox(key="moment").set_value("evaluation")
    app.sidebar.number_input(key="duration").set_value(60)
    app.sidebar.number_input(key="group").set_value(12).run()
    expected = filter_methods(everything, "evaluation", 60, 12)
    assert expected and _listed(app) == [method.slug for method in expected]
    assert all("Évaluation" in caption for caption in texts(app, "caption")[1:])


def test_a_sheet_is_read_with_its_sections(corpus_app):
    app = open_page("methodes")
    app.button(key="read-fish-bowl").click().run()
    assert app.header[0].value == "Fish-bowl (bocal à poissons)"
    sections = [expander.label for expander in app.expander]
    assert sections[:2] == ["À quoi ça sert", "Quand l'utiliser dans une CTG"]
    assert "Déroulé pas à pas" in sections


def test_a_sheet_links_to_its_related_sheets_by_title(corpus_app):
    app = open_page("methodes")
    app.button(key="read-approche-orientee-changement").click().run()
    assert "Voir aussi" not in [expander.label for expander in app.expander]
    assert not any(".md" in text for text in texts(app, "markdown"))
    app.button(key="see-theorie-du-changement").click().run()
    assert app.header[0].value.startswith("Théorie du changement")


def test_no_sheet_fits_says_what_to_change(corpus_app):
    app = open_page("methodes")
    app.sidebar.number_input(key="duration").set_value(5).run()
    assert not _listed(app)
    assert any("Aucune fiche" in text for text in texts(app, "warning"))


def test_sheets_added_in_the_library_are_listed_and_a_bad_one_is_reported(app_env, tmp_path):
    added = tmp_path / "data" / "uploads" / "methodes"
    added.mkdir(parents=True)
    world_cafe = (CORPUS / "methodes" / "world-cafe.md").read_text(encoding="utf-8")
    (added / "cafe-des-parents.md").write_text(
        world_cafe.replace('title: "World café"', 'title: "Café des parents"', 1),
        encoding="utf-8")
    (added / "notes.md").write_text("# Notes de séance\n\nSans en-tête.\n", encoding="utf-8")
    app_env(tmp_path / "data")

    app = open_page("methodes")
    assert "cafe-des-parents" in _listed(app)
    assert len(_listed(app)) == len(load_methods(CORPUS / "methodes")) + 1
    reported = [e for e in app.expander if "non affiché" in e.label]
    assert len(reported) == 1 and "notes.md" in reported[0].markdown[0].value
