"""The package as a user installs it: a built wheel, in a fresh virtual environment, run outside the checkout."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import small_test_model

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.llm

PROBE = """
import json, assistant
from assistant import ask
answer = ask("Who leads the Russian delegation?")
print(json.dumps({"module": assistant.__file__, "generator": answer.generator, "answered": answer.answered,
                  "notes": answer.notes, "first_token": answer.timings.get("first_token", 0.0)}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = shutil.copytree(ROOT, out / "source", symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".assistant", "build", "evals", "tests", "docs", "*.egg-info", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(source)], check=True, cwd=out)
    return next(out.glob("news_assistant-*.whl"))


def test_the_wheel_ships_the_prompts_and_the_decision_model(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    prompts = {Path(n).name for n in names if "/prompt_files/" in n}
    assert {"answer_system.txt", "answer_user.txt", "rewrite_question.txt"} <= prompts
    assert {"assistant/answering/answerability.json", "assistant/answering/answer_types.json",
            "assistant/answering/reader.json"} <= set(names)


def test_an_installed_wheel_answers_with_the_model_from_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)], check=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # the dependencies come from the project's environment; the package itself only from the wheel
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    docs = shutil.copytree(ROOT / "seeds", tmp_path / "articles")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ASSISTANT_DOCS": str(docs),
           "ASSISTANT_INDEX": str(tmp_path / "index"), "ASSISTANT_GENERATOR": "local",
           "ASSISTANT_MODEL_PATH": str(small_test_model()), "ASSISTANT_LLM_CONTEXT": "2048"}
    done = subprocess.run([str(python), "-c", PROBE], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["module"].startswith(site), "the package must come from the wheel, not the checkout"
    assert result["answered"] and result["first_token"] > 0, "the model was asked (its prompts were found)"
    assert result["generator"] == "local", result["notes"]
