"""Settings: every field from a `CTG_` variable, the rules' weights in nested sections."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kb.core.config import AnswerSettings, RetrievalSettings, Settings


def test_a_rule_weight_is_read_from_its_nested_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("CTG_RETRIEVAL__DENSE_WEIGHT", "0.25")
    monkeypatch.setenv("CTG_ANSWERS__CLOSEST", "5")
    settings = Settings(data_dir=tmp_path, _env_file=None)
    assert settings.retrieval.dense_weight == 0.25
    assert settings.answers.closest == 5
    # The other weights keep their defaults.
    assert settings.retrieval.named_bonus == RetrievalSettings().named_bonus
    assert settings.answers.passages == AnswerSettings().passages


@pytest.mark.parametrize("variable, value", [
    ("CTG_RETRIEVAL__NAMED_BONUS", "-0.1"),
    ("CTG_ANSWERS__PASSAGES", "0"),
    ("CTG_RETRIEVAL__RRF_K", "cinq"),
])
def test_an_impossible_weight_is_refused_by_name(monkeypatch, tmp_path, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as error:
        Settings(data_dir=tmp_path, _env_file=None)
    assert variable.split("__")[1].lower() in str(error.value)


def test_a_section_is_not_changed_in_place():
    """Settings are shared by the store, the retriever and the assistant: a change is a copy."""
    with pytest.raises(ValidationError):
        RetrievalSettings().dense_weight = 0.0  # type: ignore[misc]
