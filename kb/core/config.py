"""One settings object, read from environment variables prefixed `CTG_`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class RetrievalSettings(BaseModel):
    """The weights of the retrieval rules (kb.search.retrieval), each turned off in turn and
    measured by bench.rules. Set as `CTG_RETRIEVAL__<NAME>` (e.g. `CTG_RETRIEVAL__DENSE_WEIGHT`)."""

    model_config = ConfigDict(frozen=True)

    # Reciprocal rank fusion. A small constant trusts the top ranks of each list; BM25 weighs
    # more than the dense side, which is weaker on French paraphrases (docs/rules.md).
    rrf_k: int = Field(5, ge=0)
    dense_weight: float = Field(0.5, ge=0)
    lexical_weight: float = Field(1.0, ge=0)
    # Added to the fused score of a passage that holds the kind of fact asked for (a date for
    # "quand", an amount for "combien coûte"): a few ranks' worth of fusion score.
    answer_type_bonus: float = Field(0.03, ge=0)
    # Added to a passage of a document the question names ("EGOC", "fish-bowl": a rare word of
    # its title, provider or client, see kb.core.profiles)...
    named_bonus: float = Field(0.05, ge=0)
    # ...and taken from a passage of a document that restates another indexed one (a summary
    # sheet whose front matter cites the brochure), so that the original is retrieved and cited.
    # A programme sheet written from a brochure restates all of it, passage for passage, and
    # loses twice as much; a method or reference sheet cites a brochure for a fact or two.
    restatement_penalty: float = Field(0.04, ge=0)
    programme_restatement_penalty: float = Field(0.08, ge=0)
    # Added to a passage whose heading names the part asked about ("phase 2"), taken from one
    # whose heading names only another part of that kind ("Phase 3").
    part_bonus: float = Field(0.05, ge=0)
    # Added to a passage of a sheet the question names when it is the section asked for ("une
    # erreur classique en fish-bowl" → its "Pièges à éviter").
    section_bonus: float = Field(0.05, ge=0)
    # A question naming one or two documents is most often answered by one of their passages,
    # though not always by one the fusion ranked high (a sheet's "Rôles" shares few words with
    # "je dois rester au centre ou m'effacer ?"): every passage of a named document of at most
    # `named_pool_passages` passages is reordered with the shortlist.
    named_pool_documents: int = Field(2, ge=0)
    named_pool_passages: int = Field(30, ge=0)
    # A question a document answers by its headings (kb.search.headings) is answered there: what
    # a thing is, at the opening of the document titled by it, which the fusion ranks low since
    # every passage says "CTG"; or under a heading naming every word of the question.
    heading_bonus: float = Field(0.1, ge=0)
    # The fused shortlist is reordered by its best answering sentences (kb.search.support), at
    # least this deep, so that the first passage can come from a few ranks lower; the fused
    # score, relative to the best, counts `rerank_weight` in that order (of 0, 1, 2, 3, 5 and 8
    # tried on the seed brochures' dev set, 2 gave the best MRR there and on its held-out half).
    rerank_depth: int = Field(5, ge=1)
    rerank_weight: float = Field(2.0, ge=0)
    # Taken from a passage of any other document than a training programme when the question
    # speaks of a course: the method sheet on the same subject is not the answer. Taken from the
    # others rather than given to programmes, so that a base of programmes ranks as before.
    course_penalty: float = Field(0.05, ge=0)


class AnswerSettings(BaseModel):
    """How the extractive answer quotes and when the assistant declines (kb.answers). Set as
    `CTG_ANSWERS__<NAME>` (e.g. `CTG_ANSWERS__MAX_SENTENCES`)."""

    model_config = ConfigDict(frozen=True)

    # Passages read by the extractive backend (recall@5 alone bounds the answers), put in a
    # model's prompt (a small context window must hold them), and shown on an abstention.
    passages: int = Field(8, ge=1, le=50)
    llm_passages: int = Field(5, ge=1, le=20)
    closest: int = Field(3, ge=0, le=10)
    # An answer quotes one passage: the best sentence, and up to `max_sentences` - 1 more of the
    # same passage within `same_passage_margin` of its score (a list's other items, the rest of a
    # definition); a second passage added a wrong source more often than a missing fact. A
    # question asking for several things quotes the whole list, up to `max_list_sentences`.
    max_sentences: int = Field(4, ge=1)
    same_passage_margin: float = Field(2.0, ge=0)
    max_list_sentences: int = Field(8, ge=1)
    # Below this score the best sentence does not answer (bench/answer.py --calibrate: the middle
    # of the thresholds that abstain the most with at most 5 % false abstentions).
    abstain_below: float = 4.22
    # An answer whose best sentence scores below this is shown with a warning.
    unsure_below: float = 5.5
    # A question with this share of its words found in no document is not answered; with
    # `doubt_share` of them, only by a sentence scoring at least `doubt_below`.
    unknown_share: float = Field(2 / 3, ge=0)
    doubt_share: float = Field(0.3, ge=0)
    doubt_below: float = 5.0
    # An answer sentence is supported by a passage holding `strong_lexical` of its words with a
    # cosine of at least `related_dense` to one of its sentences, or `weak_lexical` of them
    # with at least `close_dense` (USE embeddings; set on the examples of tests/kb/answers).
    # A fragment of fewer than `min_tokens` words asserts nothing, and a sentence of which at
    # least an `echo` share of the words are the question's own only restates it.
    strong_lexical: float = Field(0.6, ge=0, le=1)
    related_dense: float = Field(0.3, ge=-1, le=1)
    weak_lexical: float = Field(0.5, ge=0, le=1)
    close_dense: float = Field(0.5, ge=-1, le=1)
    min_tokens: int = Field(3, ge=1)
    echo: float = Field(0.8, ge=0, le=1)


DEFAULT_ANSWERS = AnswerSettings()


class Settings(BaseSettings):
    """Runtime configuration. Every field maps to `CTG_<NAME>` (e.g. `CTG_DATA_DIR`)."""

    model_config = SettingsConfigDict(env_prefix="CTG_", env_file=".env", extra="ignore",
                                      env_nested_delimiter="__")

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
    retrieval: RetrievalSettings = RetrievalSettings()
    answers: AnswerSettings = AnswerSettings()
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
