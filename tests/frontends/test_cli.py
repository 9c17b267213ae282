import json
import os
import subprocess
import sys
from pathlib import Path

from assistant import CANNOT_ANSWER

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, docs: Path, index: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_DOCS": str(docs), "ASSISTANT_INDEX": str(index),
           "ASSISTANT_GENERATOR": "extractive"}
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=env, cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=300)


def test_ask_prints_the_answer_and_its_numbered_sources(docs, tmp_path) -> None:
    result = run_cli("ask", "Where did previous discussions take place?", docs=docs, index=tmp_path / "i")
    assert result.returncode == 0, result.stderr
    assert "Hallandale Beach" in result.stdout
    assert "[1] 003_001337cf8562453b.txt — \u201c" in result.stdout


def test_a_refusal_in_the_terminal_says_why_and_shows_the_closest_passages_as_not_an_answer(docs, tmp_path) -> None:
    """Seen: the terminal printed only "The sources don't say." where the web UI gives the reason and the closest
    passages (and, for "What happened this week?", that no article is dated in the week)."""
    refused = run_cli("ask", "What did the Chinese foreign minister say about the Florida talks?", docs=docs,
                      index=tmp_path / "i")
    assert refused.returncode == 0, refused.stderr
    lines = refused.stdout.splitlines()
    assert lines[0] == CANNOT_ANSWER and "Chinese" in lines[1]
    assert lines[2] == "Related, but not an answer:" and lines[3].startswith("[1] ") and ".txt — \u201c" in lines[3]
    week = run_cli("ask", "What happened this week?", docs=docs, index=tmp_path / "i")
    assert week.stdout.splitlines()[0] == CANNOT_ANSWER and "is dated between" in week.stdout


def test_ask_json_is_the_answer_object(docs, tmp_path) -> None:
    result = run_cli("ask", "--json", "Who may also participate?", docs=docs, index=tmp_path / "i")
    answer = json.loads(result.stdout)
    assert {"text", "answered", "citations", "generator", "timings"} <= answer.keys()
    assert answer["citations"][0]["source"].endswith(".txt")


def test_ingest_warns_about_bad_files_by_name_and_keeps_going(docs, tmp_path) -> None:
    (docs / "scan.pdf").write_bytes(b"not a pdf at all")
    result = run_cli("ingest", docs=docs, index=tmp_path / "i")
    assert result.returncode == 0
    assert "warning: skipped scan.pdf" in result.stderr
    assert "2 added" in result.stdout and "1 skipped" in result.stdout


def test_user_mistakes_get_one_line_not_a_traceback(docs, tmp_path) -> None:
    missing = run_cli("ask", "anything", "--docs", str(tmp_path / "nowhere"), docs=docs, index=tmp_path / "i")
    assert missing.returncode == 2 and "documents folder not found" in missing.stderr
    empty = run_cli("ask", "  ", docs=docs, index=tmp_path / "i")
    assert empty.returncode == 2 and "question is empty" in empty.stderr
    for result in (missing, empty):
        assert "Traceback" not in result.stderr


def test_chat_answers_follow_ups_until_an_empty_line(docs, tmp_path) -> None:
    conversation = "Who is Ukraine's chief negotiator?\nWho did he say had been briefed?\n\n"
    result = run_cli("chat", docs=docs, index=tmp_path / "i", stdin=conversation)
    assert result.returncode == 0, result.stderr
    assert "Umerov" in result.stdout and "Zelenskiy" in result.stdout


def test_help_and_import_load_no_heavy_library() -> None:
    """`assistant --help` and `import assistant` stay fast: chromadb, langchain, gradio … load only when used."""
    probe = ("import sys, assistant, assistant.frontends.cli; from typer.testing import CliRunner; "
             "assert CliRunner().invoke(assistant.frontends.cli.app, ['--help']).exit_code == 0; "
             "heavy = ('chromadb', 'langchain_openai', 'gradio', 'onnxruntime', 'bm25s'); "
             "print([m for m in heavy if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_who_said_what_from_the_command_line(docs, tmp_path) -> None:
    (docs / "harbour.txt").write_text("Harbour reopens\nDate: 2025-12-21\n\nThe harbour master, Maria Lopez, "
                                      "reopened the harbour.\n\"The ferries will run from Wednesday,\" Lopez "
                                      "said.\n", encoding="utf-8")
    said = run_cli("quotes", "Lopez", "--json", docs=docs, index=tmp_path / "i")
    assert said.returncode == 0, said.stderr
    [statement] = json.loads(said.stdout)["statements"]
    assert statement["speaker"] == "Maria Lopez" and statement["named_as"] == "Lopez"
    assert statement["citation"]["quote"] == '"The ferries will run from Wednesday,"'
    shown = run_cli("quotes", "Maria Lopez", docs=docs, index=tmp_path / "i")
    assert shown.stdout.startswith("# Who said what: Maria Lopez") and "[1] harbour.txt" in shown.stdout


def test_check_timeline_and_digest_from_the_command_line(docs, tmp_path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text("Kirill Dmitriev will lead the Russian delegation. The talks ended with a peace treaty.\n")
    checked = run_cli("check", str(draft), "--json", docs=docs, index=tmp_path / "i")
    assert checked.returncode == 0, checked.stderr
    assert [s["verdict"] for s in json.loads(checked.stdout)["sentences"]] == ["supported", "not_found"]
    from_stdin = run_cli("check", "-", docs=docs, index=tmp_path / "i", stdin=draft.read_text())
    assert from_stdin.returncode == 0 and "# Checked draft" in from_stdin.stdout and "[^1]:" in from_stdin.stdout
    story = run_cli("timeline", "the Florida talks", docs=docs, index=tmp_path / "i")
    assert story.returncode == 0 and story.stdout.startswith("# Timeline: the Florida talks")
    week = run_cli("digest", "--since", "2025-12-14", "--until", "2025-12-20", docs=docs, index=tmp_path / "i")
    assert week.returncode == 0 and "2025-12-20" in week.stdout and "[1]" in week.stdout
    missing = run_cli("check", str(tmp_path / "nowhere.txt"), docs=docs, index=tmp_path / "i")
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr
