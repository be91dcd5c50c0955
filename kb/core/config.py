"""One settings object, read from environment variables prefixed `CTG_`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration. Every field maps to `CTG_<NAME>` (e.g. `CTG_DATA_DIR`)."""

    model_config = SettingsConfigDict(env_prefix="CTG_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Index, catalogue and feedback live here.")
    corpus_dir: Path = Field(Path("corpus"), description="Default folder indexed by `ctg ingest`.")
    chroma_url: str | None = Field(None, description="Chroma server URL; unset = embedded store.")
    collection: str = "ctg"
    embeddings: str = Field(
        "use-multilingual", description="'use-multilingual', 'e5-small' or 'st:<model>'."
    )
    top_k: int = Field(5, ge=1, le=50)
    rerank: bool = Field(True, description="Reorder the best passages by their best sentence.")
    min_certainty: float | None = Field(
        None, ge=0, le=1,
        description="Probability below which the assistant does not answer; unset = the one "
                    "fitted with the answerability gate.",
    )
    chunk_size: int = Field(1600, ge=200, le=8000, description="Target chunk length in characters.")
    max_file_mb: float = Field(25.0, gt=0, description="Files larger than this are refused.")

    llm: str = Field("extractive", description="extractive | openai | ollama | llamacpp")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible or Ollama server URL.")
    llm_model: str | None = Field(None, description="Model name on the server.")
    llm_api_key: SecretStr | None = Field(None, description="Never logged nor shown.")
    llm_model_path: Path | None = Field(None, description="GGUF file for the llamacpp backend.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds before falling back to extractive.")
    llm_max_tokens: int = Field(512, ge=16, le=8192)

    admin_password: SecretStr | None = Field(None, description="Enables the Bibliothèque page.")

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
