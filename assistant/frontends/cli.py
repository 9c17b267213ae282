"""The `assistant` command: ingest, ask, chat (and eval, ui)."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

T = TypeVar("T")

if TYPE_CHECKING:  # the heavy modules are imported by the commands that need them: `--help` stays fast
    from ..answering.answer import Answer
    from ..newsroom.check import DraftCheck
    from ..newsroom.digest import Digest
    from ..newsroom.quotes import Statements
    from ..newsroom.timeline import Timeline
    from ..pipeline import Assistant
    from ..settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Sourced question answering over news articles, fully offline.")

DocsOption = Annotated[Path | None, typer.Option("--docs", help="Documents folder [env ASSISTANT_DOCS].")]
IndexOption = Annotated[Path | None, typer.Option("--index", help="Index folder [env ASSISTANT_INDEX].")]
GeneratorOption = Annotated[str | None, typer.Option(
    "--generator", help="auto | extractive | local | openai [env ASSISTANT_GENERATOR].")]


class UserError(Exception):
    """A problem the user can fix; shown as one line, never a traceback."""


def settings_from(docs: Path | None, index: Path | None, generator: str | None, **more: object) -> Settings:
    from ..settings import get_settings

    try:
        return get_settings().with_overrides(docs=docs, index=index, generator=generator, **more)
    except ValueError as error:
        raise UserError(f"invalid setting: {error}") from error


def build_assistant(settings: Settings) -> Assistant:
    from ..library.embed import preload

    preload(settings.embed_threads)  # while the index libraries are imported and the index is opened
    from ..library.index import IndexDamaged
    from ..pipeline import Assistant

    if not settings.docs.is_dir():
        raise UserError(f"documents folder not found: {settings.docs}")
    try:
        return Assistant(settings)
    except (IndexDamaged, ValueError) as error:  # a damaged index, a malformed server address
        raise UserError(str(error)) from error


def ingest_with_progress(assistant: Assistant) -> None:
    from tqdm import tqdm

    bar = tqdm(total=0, unit="chunk", desc="embedding", leave=False, disable=None)

    def progress(done: int, total: int) -> None:
        if done == 0 and total:
            bar.write(f"{total} new chunks can be searched by keyword now; embedding them for meaning search")
        bar.total = total
        bar.n = done
        bar.refresh()

    report = assistant.ingest(progress)
    bar.close()
    for problem in report.skipped:
        typer.secho(f"warning: skipped {problem}", fg="yellow", err=True)
    typer.echo(report.summary())


def verified(assistant: Assistant) -> None:
    """The catalog's integrity (repaired from the vector store if damaged) and a test query of the vector index."""
    assistant.store.verify()
    typer.echo("index verified: the catalog is intact and the vector index answers")


@app.command()
def ingest(docs: Annotated[Path | None, typer.Argument(help="Documents folder.")] = None,
           index: IndexOption = None,
           rebuild: Annotated[bool, typer.Option(
               "--rebuild", help="Delete the index folder and build it again from the articles.")] = False) -> None:
    """Index a folder of articles (only new and changed files are embedded)."""
    settings = settings_from(docs, index, None)
    if rebuild:
        remove_index(settings.index)
        if settings.chroma_url:
            remove_collection(settings)
    assistant = build_assistant(settings)
    ingest_with_progress(assistant)
    verified(assistant)


def remove_index(index: Path) -> None:
    """Delete an index folder, after checking it holds nothing but an index (never a folder of other files)."""
    from ..library.index import CATALOG, TRASH

    if not index.exists():
        return
    if not index.is_dir():
        raise UserError(f"{index} is a file, not an index folder; move it away or pick another --index")
    unexpected = [p.name for p in index.iterdir()
                  if not p.name.startswith("chroma.sqlite3") and not _looks_like_segment(p)
                  and p.name not in (TRASH, CATALOG)]
    if unexpected:
        raise UserError(f"{index} holds files that are not part of an index ({', '.join(sorted(unexpected)[:3])}); "
                        "not deleting it")
    for entry in index.iterdir():
        if entry.name != TRASH:  # removed articles stay restorable
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    typer.echo(f"removed the index at {index}; rebuilding")


def remove_collection(settings: Settings) -> None:
    """Delete this folder's collection on the Chroma server (other folders' collections stay)."""
    from ..library.index import chroma_client, collection_name

    try:
        chroma_client(settings).delete_collection(collection_name(settings.docs))
    except Exception as error:  # NotFoundError when there is none yet
        if "does not exist" not in str(error):
            raise UserError(f"cannot delete the collection on {settings.chroma_url}: {error}") from error
    typer.echo(f"removed the collection on {settings.chroma_url}")


def _looks_like_segment(path: Path) -> bool:
    """Chroma keeps each collection's vectors in a folder named by a UUID."""
    return path.is_dir() and len(path.name) == 36 and path.name.count("-") == 4


@app.command()
def add(urls: Annotated[list[str], typer.Argument(help="Addresses of news pages (http or https).")],
        docs: DocsOption = None, index: IndexOption = None) -> None:
    """Fetch web pages, save their articles in the documents folder (with their URL and date), and index them."""
    from ..library.fetch import FetchError, add_url

    assistant = build_assistant(settings_from(docs, index, None))
    assistant.ensure_index()
    added = 0
    for url in urls:
        try:
            typer.echo(f"{url}: added as {add_url(assistant.store, url)}")
            added += 1
        except FetchError as error:
            typer.secho(f"warning: {error}", fg="yellow", err=True)
    if added:
        ingest_with_progress(assistant)
    if not added:
        raise typer.Exit(1)


@app.command()
def watch(docs: DocsOption = None, index: IndexOption = None) -> None:
    """Index the documents folder, then keep indexing what is added, changed, moved or removed in it (and the
    new items of ASSISTANT_FEEDS); Ctrl-C stops."""
    from ..library.feeds import FeedPoller
    from ..library.watch import FolderWatcher

    settings = settings_from(docs, index, None)
    assistant = build_assistant(settings)
    ingest_with_progress(assistant)
    if settings.feed_urls:
        FeedPoller(assistant.store, settings.feed_urls, settings.feed_minutes).start()
    typer.echo(f"watching {settings.docs} (Ctrl-C stops)")
    FolderWatcher(assistant.store).run()


@app.command()
def ask(question: Annotated[str, typer.Argument(help="The question.")],
        as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON.")] = False,
        docs: DocsOption = None, index: IndexOption = None, generator: GeneratorOption = None,
        since: Annotated[datetime | None, typer.Option(
            formats=["%Y-%m-%d"], help="Only articles published on or after this date.")] = None,
        until: Annotated[datetime | None, typer.Option(
            formats=["%Y-%m-%d"], help="Only articles published on or before this date.")] = None,
        as_of: Annotated[datetime | None, typer.Option(
            "--as-of", formats=["%Y-%m-%d"], help="'Today' for 'this week', 'latest' … [default: today].")] = None,
        ) -> None:
    """Answer one question with citations."""
    assistant = build_assistant(settings_from(docs, index, generator))
    dates = {"as_of": as_of, "since": since, "until": until}
    answer = run_question(assistant, question, None, **{k: v.date() for k, v in dates.items() if v})
    typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2) if as_json else answer.render())


@app.command()
def check(draft: Annotated[str, typer.Argument(help="A file holding the draft, or - to read it from stdin.")],
          as_json: Annotated[bool, typer.Option("--json", help="Print the verdicts as JSON.")] = False,
          docs: DocsOption = None, index: IndexOption = None) -> None:
    """Check a draft against the articles: each sentence supported, contradicted or not found, with citations."""
    from ..pipeline import check_draft

    text = _read_draft(draft)
    assistant = build_assistant(settings_from(docs, index, "extractive"))
    result = _as_user_error(lambda: check_draft(text, assistant=assistant))
    _show(result, as_json)


@app.command()
def timeline(topic: Annotated[str, typer.Argument(help="The story, in a few words ('the Florida talks').")],
             as_json: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
             since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                            help="Only events on or after this date.")] = None,
             until: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                            help="Only events on or before this date.")] = None,
             docs: DocsOption = None, index: IndexOption = None) -> None:
    """A story's dated events across the articles, oldest first, each cited."""
    from ..pipeline import timeline as story_timeline

    assistant = build_assistant(settings_from(docs, index, "extractive"))
    result = _as_user_error(lambda: story_timeline(topic, since=since.date() if since else None,
                                                   until=until.date() if until else None, assistant=assistant))
    _show(result, as_json)


@app.command()
def quotes(speaker: Annotated[str, typer.Argument(help="The person or organisation ('Witkoff', 'the Kremlin').")],
           as_json: Annotated[bool, typer.Option("--json", help="Print the statements as JSON.")] = False,
           since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                          help="Only articles dated on or after this date.")] = None,
           until: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                          help="Only articles dated on or before this date.")] = None,
           docs: DocsOption = None, index: IndexOption = None) -> None:
    """Who said what: the speaker's statements quoted in the articles, newest first, each exact and cited."""
    from ..pipeline import who_said

    assistant = build_assistant(settings_from(docs, index, "extractive"))
    result = _as_user_error(lambda: who_said(speaker, since=since.date() if since else None,
                                             until=until.date() if until else None, assistant=assistant))
    _show(result, as_json)


@app.command()
def digest(question: Annotated[str | None, typer.Argument(
               help="'this week', 'today', 'since Monday' … [default: the last seven days].")] = None,
           as_json: Annotated[bool, typer.Option("--json", help="Print the digest as JSON.")] = False,
           since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                          help="First day of the span.")] = None,
           until: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                          help="Last day of the span [default: today].")] = None,
           as_of: Annotated[datetime | None, typer.Option("--as-of", formats=["%Y-%m-%d"],
                                                          help="'Today' for 'this week' [default: today].")] = None,
           docs: DocsOption = None, index: IndexOption = None) -> None:
    """The stories of the articles dated in a span, newest first, each a cited line."""
    from ..pipeline import digest as news_digest

    assistant = build_assistant(settings_from(docs, index, "extractive"))
    result = _as_user_error(lambda: news_digest(
        since.date() if since else None, until.date() if until else None, question=question,
        as_of=as_of.date() if as_of else None, assistant=assistant))
    _show(result, as_json)


def _read_draft(draft: str) -> str:
    if draft == "-":
        return sys.stdin.read()
    path = Path(draft)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise UserError(f"{draft}: no such file") from error
    except UnicodeDecodeError as error:
        raise UserError(f"{draft} is not UTF-8 text") from error
    except OSError as error:
        raise UserError(f"{draft}: {error.strerror}") from error


def _as_user_error(run: Callable[[], T]) -> T:
    """Bad input and a damaged index are the user's one-line error, not a traceback."""
    from ..library.index import IndexDamaged

    try:
        return run()
    except (ValueError, IndexDamaged) as error:
        raise UserError(str(error)) from error


def _show(result: DraftCheck | Timeline | Digest | Statements, as_json: bool) -> None:
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if as_json else result.markdown())


@app.command()
def chat(docs: DocsOption = None, index: IndexOption = None, generator: GeneratorOption = None) -> None:
    """An interactive chat in the terminal; follow-up questions use the conversation so far."""
    assistant = build_assistant(settings_from(docs, index, generator))
    ingest_with_progress(assistant)
    typer.echo("Ask about the articles (empty line or Ctrl-D to quit).")
    history: list[tuple[str, str]] = []
    while True:
        try:
            question = input("\n? ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question:
            break
        answer = run_question(assistant, question, history)
        typer.echo(answer.render())
        history.append((question, answer.text))


@app.command("eval")
def eval_command(
    docs: DocsOption = None, index: IndexOption = None, generator: GeneratorOption = None,
    questions: Annotated[Path, typer.Option(help="Question file (JSON lines).")] = Path("evals/questions.jsonl"),
    out: Annotated[Path | None, typer.Option(help="Report folder [evals/reports/<docs>-<generator>].")] = None,
    thresholds: Annotated[Path | None, typer.Option(help="JSON of metric floors; exit 1 if one is missed.")] = None,
    redact: Annotated[bool, typer.Option(help="Keep question and answer text out of report.md.")] = False,
    sample: Annotated[int | None, typer.Option(help="Ask only a fixed, evenly spread subset of N questions.")] = None,
    chat: Annotated[bool, typer.Option(help="Ask the questions one after another in one conversation, each with "
                                            "the two turns before it as history.")] = False,
) -> None:
    """Score retrieval, answers, citations and refusals on a question file; write a report."""
    from ..evaluate import (
        QuestionFileError,
        check_thresholds,
        load_questions,
        run_eval,
        sample_questions,
        summary_table,
        write_report,
    )

    settings = settings_from(docs, index, generator)
    assistant = build_assistant(settings)
    try:
        rows_in = sample_questions(load_questions(questions), sample)
    except QuestionFileError as error:
        raise UserError(str(error)) from error
    ingest_with_progress(assistant)
    from tqdm import tqdm

    with tqdm(total=len(rows_in), unit="question", desc="asking", disable=None) as bar:
        rows, summary = run_eval(assistant, rows_in, lambda done, total: bar.update(done - bar.n), chat=chat)
    folder = out or Path("evals/reports") / f"{settings.docs.resolve().name}-{summary['generator']}"
    report = write_report(folder, rows, summary, f"{questions} over {settings.docs}", redact)
    typer.echo(summary_table(summary))
    typer.echo(f"\nreport: {report}")
    if thresholds:
        floors = json.loads(thresholds.read_text(encoding="utf-8"))
        missed = check_thresholds(summary, floors)
        for line in missed:
            typer.secho(f"below threshold: {line}", fg="red", err=True)
        if missed:
            raise typer.Exit(1)


@app.command()
def serve(docs: DocsOption = None, index: IndexOption = None, generator: GeneratorOption = None,
          host: Annotated[str | None, typer.Option(help="Address to bind [env ASSISTANT_HOST].")] = None,
          port: Annotated[int | None, typer.Option(help="Port [env ASSISTANT_PORT].")] = None) -> None:
    """The web UI and the HTTP API (OpenAI-compatible) in one server (http://127.0.0.1:7860)."""
    from .api import serve as serve_app

    settings = settings_from(docs, index, generator, host=host, port=port)
    serve_app(settings, assistant=build_assistant(settings))  # the folder is checked before the server starts


@app.command()
def ui(docs: DocsOption = None, index: IndexOption = None, generator: GeneratorOption = None,
       host: Annotated[str | None, typer.Option(help="Address to bind [env ASSISTANT_HOST].")] = None,
       port: Annotated[int | None, typer.Option(help="Port [env ASSISTANT_PORT].")] = None) -> None:
    """The web UI (http://127.0.0.1:7860 unless told otherwise)."""
    from .api import serve as serve_app

    settings = settings_from(docs, index, generator, host=host, port=port)
    serve_app(settings, with_api=False, assistant=build_assistant(settings))


def run_question(assistant: Assistant, question: str, history: list[tuple[str, str]] | None,
                 **dates: date) -> Answer:
    return _as_user_error(lambda: assistant.ask(question, history, **dates))


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        app()
    except UserError as error:
        typer.secho(f"error: {error}", fg="red", err=True)
        sys.exit(2)
    except Exception as error:  # an index problem met by any command: one line, never a traceback
        import sqlite3

        from ..library.problems import IndexDamaged, explain

        if not isinstance(error, IndexDamaged | sqlite3.DatabaseError):
            raise
        typer.secho(f"error: {explain(error)}", fg="red", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
