"""Chat-model backends, chosen by `CTG_LLM`: `extractive` (no model), `openai` (any
OpenAI-compatible server: Albert, Mistral, vLLM, Ollama's /v1, llama.cpp's server), `ollama`
(native API) and `llamacpp` (a GGUF file run in this process, optional extra).

Every generative backend is a LangChain chat model with a bounded time and output length; the
answer chain falls back to `extractive` when one fails.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from kb.core.config import Settings

EXTRACTIVE = "extractive"
BACKENDS = (EXTRACTIVE, "openai", "ollama", "llamacpp")
TEMPERATURE = 0.0  # answers quote sources: no room for invention, and runs are repeatable
_ROLES = {"human": "user", "ai": "assistant", "system": "system"}


class BackendError(RuntimeError):
    """A backend cannot be used as configured; the message says why, in French."""


def _require(value: Any, variable: str, backend: str) -> Any:
    if not value:
        raise BackendError(f"Le modèle « {backend} » demande la variable {variable}.")
    return value


def chat_model(settings: Settings, backend: str | None = None) -> BaseChatModel | None:
    """The chat model for `backend` (default: `settings.llm`); None for `extractive`."""
    backend = (backend or settings.llm).strip().lower()
    if backend == EXTRACTIVE:
        return None
    if backend == "openai":
        from langchain_openai import ChatOpenAI

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "sans-cle"
        return ChatOpenAI(
            base_url=_require(settings.llm_base_url, "CTG_LLM_BASE_URL", backend),
            model=_require(settings.llm_model, "CTG_LLM_MODEL", backend),
            api_key=key,
            timeout=settings.llm_timeout,
            max_retries=1,
            temperature=TEMPERATURE,
            max_completion_tokens=settings.llm_max_tokens,
            # llama.cpp's server ignores max_completion_tokens (langchain-openai 1.x sends only
            # that one): the limit travels under its older name too.
            extra_body={"max_tokens": settings.llm_max_tokens},
        )
    if backend == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            base_url=settings.llm_base_url or "http://127.0.0.1:11434",
            model=_require(settings.llm_model, "CTG_LLM_MODEL", backend),
            temperature=TEMPERATURE,
            num_predict=settings.llm_max_tokens,
            client_kwargs={"timeout": settings.llm_timeout},
        )
    if backend == "llamacpp":
        path = _require(settings.llm_model_path, "CTG_LLM_MODEL_PATH", backend)
        return LlamaCppChat(
            model_path=str(path), max_tokens=settings.llm_max_tokens, timeout=settings.llm_timeout
        )
    raise BackendError(
        f"Modèle inconnu : « {backend} ». Valeurs possibles : {', '.join(BACKENDS)}."
    )


@lru_cache(maxsize=2)
def _load_llama(model_path: str, n_ctx: int) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise BackendError(
            "Le moteur llama.cpp n'est pas installé. Installez-le avec : "
            "pip install 'llama-cpp-python>=0.3' (ou choisissez CTG_LLM=openai avec un serveur)."
        ) from exc
    if not Path(model_path).is_file():
        raise BackendError(f"Fichier de modèle GGUF introuvable : {model_path}")
    return Llama(model_path=model_path, n_ctx=n_ctx, verbose=False)


class LlamaCppChat(BaseChatModel):
    """A GGUF model run in this process by llama-cpp-python, as a LangChain chat model.
    Generation stops at `max_tokens` or after `timeout` seconds, whichever comes first."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    max_tokens: int = 512
    timeout: float = 60.0
    n_ctx: int = 4096
    temperature: float = TEMPERATURE

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = _load_llama(self.model_path, self.n_ctx)
        deadline = time.monotonic() + self.timeout
        # One generation at a time: a llama.cpp context is not shared between threads.
        with _LLAMA_LOCK:
            pieces = llama.create_chat_completion(
                messages=[{"role": _ROLES.get(m.type, "user"), "content": m.text}
                          for m in messages],
                max_tokens=self.max_tokens,
                temperature=self.temperature,
                stop=stop,
                stream=True,
            )
            said = False
            for piece in pieces:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"llama.cpp a dépassé {self.timeout:g} s")
                text = piece["choices"][0]["delta"].get("content") or ""
                if text:
                    said = True
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                    if run_manager:
                        run_manager.on_llm_new_token(text, chunk=chunk)
                    yield chunk
            if not said:  # an empty answer is an answer, not an error
                yield ChatGenerationChunk(message=AIMessageChunk(content=""))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(c.text for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


_LLAMA_LOCK = threading.Lock()
