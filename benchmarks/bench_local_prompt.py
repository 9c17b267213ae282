"""Where the local model's first token goes: its prompt's tokens (the span reader's, unless ASSISTANT_LLM_MODE says
prose), how many the llama.cpp server takes from its
prompt cache (the system prompt, shared by every question) and how many it must process, with the time to the
first token (a one-token reply), for each count of passages and of passages shown with their neighbours (every
passage with its title), beside the passages' sentences alone, in one run.

    .venv/bin/python benchmarks/bench_local_prompt.py --docs evals/realnews/test/docs \
        --questions evals/realnews/test/questions.jsonl --index /tmp/idx --sample 12 --passages 6 4 --neighbours 2 0

Needs the default local model installed. Run nothing else meanwhile: on 2 cores any other process doubles these.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Assistant, Settings
from assistant.answering.llm import LLMGenerator, chat_prompt, context_pieces, format_passages
from assistant.answering.llm_server import shared_server
from assistant.answering.local_model import resolve_model_path
from assistant.evaluate import load_questions, percentile, sample_questions

ROLES = {"system": "system", "human": "user"}  # LangChain's message types as the OpenAI API names them


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=12)
    parser.add_argument("--passages", type=int, nargs="+", default=[6, 4])
    parser.add_argument("--neighbours", type=int, nargs="+", default=[2, 0],
                        help="how many of the best passages are shown with the sentences around them")
    args = parser.parse_args()
    settings = Settings(docs=args.docs, index=args.index, generator="extractive")
    assistant = Assistant(settings)
    model = resolve_model_path(settings.model_path, settings.model_cache)
    url = shared_server(model, settings.llm_context, settings.llm_threads).base_url + "/chat/completions"
    prompt = chat_prompt(settings.prompts, settings.llm_mode)
    questions = [q.question for q in sample_questions(load_questions(args.questions), args.sample)]
    readings = [(q, assistant.gather(q, None).reading) for q in questions]
    print(f"{len(questions)} questions from {args.questions}\n")
    print("| passages | shown with | prompt tokens p50 | from the cache p50 | processed p50 | first token p50 | p95 |\n"
          "|---|---|---|---|---|---|---|")
    shapes = [(count, shown) for count in args.passages for shown in [None, *args.neighbours]]
    for count, shown in shapes:
        rows = []
        for number, (question, reading) in enumerate(readings):
            context = {} if shown is None else context_pieces(reading, count, shown)
            passages = format_passages(LLMGenerator.numbered_passages(reading.ranked[:count]), context)
            messages = [{"role": ROLES[m.type], "content": m.content}
                        for m in prompt.format_messages(question=question, passages=passages)]
            started = time.perf_counter()
            reply = httpx.post(url, timeout=300, json={"messages": messages, "max_tokens": 1, "temperature": 0}).json()
            seconds = time.perf_counter() - started
            if number:  # the first fills the cache with the system prompt
                timings = reply.get("timings", {})
                rows.append((reply["usage"]["prompt_tokens"], timings.get("cache_n", 0),
                             timings.get("prompt_n", 0), seconds))
        columns = list(zip(*rows))
        with_what = "sentence alone" if shown is None else f"title, neighbours for the best {shown}"
        print(f"| {count} | {with_what} | {statistics.median(columns[0]):.0f} | {statistics.median(columns[1]):.0f} | "
              f"{statistics.median(columns[2]):.0f} | {statistics.median(columns[3]):.2f} s | "
              f"{percentile(list(columns[3]), 95):.2f} s |")


if __name__ == "__main__":
    main()
