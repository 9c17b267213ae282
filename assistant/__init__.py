"""Sourced question answering over news articles, offline.

The names below are imported on first use, so `import assistant` and `assistant --help` stay fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .answering.answer import CANNOT_ANSWER, Answer
    from .answering.cite import Citation
    from .pipeline import Assistant, ask, ask_stream, check_draft, digest, timeline, who_said
    from .settings import Settings

_WHERE = {"CANNOT_ANSWER": "answering.answer", "Answer": "answering.answer", "Citation": "answering.cite",
          "Assistant": "pipeline", "ask": "pipeline", "ask_stream": "pipeline", "check_draft": "pipeline",
          "timeline": "pipeline", "digest": "pipeline", "who_said": "pipeline", "Settings": "settings"}
__all__ = ["CANNOT_ANSWER", "Answer", "Assistant", "Citation", "Settings", "ask", "ask_stream", "check_draft",
           "digest", "timeline", "who_said"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
