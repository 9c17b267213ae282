"""Prompts live as files in assistant/prompt_files/ (linked as prompts/ at the top of the repository, and
shipped in the wheel); this loads them by name."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


class PromptMissing(FileNotFoundError):
    pass


@lru_cache(maxsize=32)
def load_prompt(folder: Path, name: str) -> str:
    path = Path(folder) / f"{name}.txt"
    if not path.is_file():
        raise PromptMissing(f"prompt file not found: {path}")
    return path.read_text(encoding="utf-8").strip()
