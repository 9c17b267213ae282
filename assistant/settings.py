"""The one settings object: environment variables (ASSISTANT_*), overridden by CLI flags."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROMPTS = Path(__file__).resolve().parent / "prompt_files"  # shipped in the wheel; `prompts/` links here

GeneratorName = Literal["auto", "extractive", "local", "openai"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore", populate_by_name=True)

    docs: Path = Field(Path("seeds"), description="Folder of articles to answer from.")
    index: Path = Field(Path(".assistant"), description="Folder holding the Chroma index, or with a Chroma server "
                                                      "the catalog and keyword index beside it.")
    chroma_url: str | None = Field(None, description="A Chroma server (http://host:port) to keep the embeddings "
                                                     "in, shared by several app processes; unset: the index folder.")
    prompts: Path = Field(PROMPTS, description="Folder of prompt files.")
    generator: GeneratorName = Field("auto", description="Which backend writes the answer.")

    chunk_size: int = Field(800, ge=100, description="Characters per chunk.")
    chunk_overlap: int = Field(120, ge=0, description="Characters shared by neighbouring chunks.")
    top_k: int = Field(6, ge=1, le=50, description="Chunks handed to the answer stage.")
    fusion_depth: int = Field(20, ge=1, description="Candidates each retriever contributes to fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal rank fusion constant.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    dense_weight: float = Field(0.7, ge=0, description="Weight of the dense ranking in fusion.")
    answer_threshold: float | None = Field(
        None, ge=0, le=1,
        description="Answer only when the decision stage's probability that the sources hold the answer is at "
                    "least this; unset: the threshold fitted on the real-news dev split (answerability.json).",
    )
    max_sentences: int = Field(3, ge=1, description="Most sentences an extractive answer quotes.")
    embed_threads: int = Field(2, ge=1, description="onnxruntime threads for embeddings.")
    max_file_mb: float = Field(25.0, gt=0, description="Largest article file indexed or uploaded, in MB; "
                                                       "bigger files are skipped with a message.")
    watch: bool = Field(True, description="`assistant serve` watches the documents folder and indexes what changes.")
    feeds: str | None = Field(None, description="RSS or Atom feed URLs, comma-separated: polled by `assistant serve` "
                                                "and `assistant watch`, each new item added once.")
    feed_minutes: float = Field(30.0, gt=0, description="Minutes between two polls of the feeds.")
    fetch_timeout: float = Field(15.0, gt=0, description="Seconds a page or feed may take to arrive.")
    load_timeout: float = Field(60.0, gt=0, description="Most seconds one HTML or PDF file may take to read; a "
                                                         "slower one is skipped with a message.")
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted, in characters.")
    max_draft_chars: int = Field(20000, ge=100, description="Longest draft `check` accepts, in characters.")

    # LLM backends
    model_path: Path | None = Field(None, description="GGUF file for the local backend.")
    model_cache: Path = Field(
        Path.home() / ".cache" / "news-assistant", description="Where the assembled default model lives."
    )
    model: str = Field("gpt-4o-mini", description="Model name for the openai backend.")
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("OPENAI_API_KEY", "ASSISTANT_OPENAI_API_KEY"),
        description="Key for the openai backend (never printed).",
    )
    openai_base_url: str | None = Field(
        None, validation_alias=AliasChoices("OPENAI_BASE_URL", "ASSISTANT_OPENAI_BASE_URL"),
        description="Any OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio).",
    )
    llm_timeout: float = Field(120.0, gt=0, description="Seconds before an LLM call is given up.")
    llm_threads: int = Field(2, ge=1, description="CPU threads for the local model.")
    llm_context: int = Field(4096, ge=512, description="Context window for the local model.")
    max_tokens: int = Field(256, ge=16, description="Most tokens an LLM answer may use.")
    llm_mode: Literal["span", "prose"] = Field(
        "span", description="span: the model picks the answer's words from a passage (JSON, checked in code) "
                            "and the passage is quoted; prose: the model writes sentences, each verified against "
                            "its quote.")

    # Web UI
    host: str = Field("127.0.0.1", description="Address the web UI binds.")
    port: int = Field(7860, ge=0, le=65535, description="Port the web UI binds.")
    api_keys: SecretStr | None = Field(None, description="Bearer keys the HTTP API accepts, comma-separated; "
                                                         "unset: no key needed (the server binds 127.0.0.1).")
    username: str | None = Field(None, description="Optional UI login name.")
    password: str | None = Field(None, description="Optional UI login password.", repr=False)

    @property
    def feed_urls(self) -> list[str]:
        return [url.strip() for url in (self.feeds or "").split(",") if url.strip()]

    def with_overrides(self, **overrides: object) -> Settings:
        """A copy with the given (non-None) values replaced, validated again."""
        changes = {k: v for k, v in overrides.items() if v is not None}
        return Settings.model_validate({**self.model_dump(), **changes})  # python-mode dump keeps secrets


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
