"""Sourced question answering over news articles, offline."""

from .answer import CANNOT_ANSWER, Answer
from .cite import Citation
from .pipeline import Assistant, ask, ask_stream
from .settings import Settings

__all__ = ["CANNOT_ANSWER", "Answer", "Assistant", "Citation", "Settings", "ask", "ask_stream"]
