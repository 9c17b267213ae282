"""The peer baseline: LangChain's RAG tutorial as a user would write it, scored like the assistant.

    .venv/bin/python evals/peer_baseline.py --docs evals/realnews/dev/docs \
        --questions evals/realnews/dev/questions.jsonl --out evals/reports/realnews-dev-peer --sample 80

RecursiveCharacterTextSplitter(1000, 200), a Chroma vector store with the same MiniLM embeddings the
assistant uses, similarity top-4, the tutorial's stuff-documents prompt (rlm/rag-prompt), and the same local
model (Qwen2.5-Coder-1.5B on the same llama.cpp server settings). The reply is scored by the same code as
`assistant eval`: its "citations" are the four retrieved chunks (the tutorial shows its sources that way), and
a reply saying it does not know counts as a refusal.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.answering.answer import Answer
from assistant.answering.cite import Citation
from assistant.evaluate import load_questions, sample_questions, score, summarise, summary_table, write_report
from assistant.library.embed import langchain_embeddings
from assistant.pipeline import local_client
from assistant.settings import Settings

# hub.pull("rlm/rag-prompt"), as the tutorial uses it
RAG_PROMPT = (
    "You are an assistant for question-answering tasks. Use the following pieces of retrieved context to "
    "answer the question. If you don't know the answer, just say that you don't know. Use three sentences "
    "maximum and keep the answer concise.\nQuestion: {question} \nContext: {context} \nAnswer:"
)
DONT_KNOW = re.compile(r"\b(do not|don't|does not|doesn't) (know|have|provide|contain|mention|say)|"
                       r"\bno (information|mention)\b|\bnot (mentioned|provided|specified)\b", re.I)


def build_store(docs: Path, persist: Path) -> Chroma:
    embeddings = langchain_embeddings()
    store = Chroma(collection_name="peer", embedding_function=embeddings, persist_directory=str(persist))
    if store._collection.count():
        return store
    pages = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": p.name})
             for p in sorted(docs.glob("*.txt"))]
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True
                                            ).split_documents(pages)
    for start in range(0, len(splits), 1000):
        store.add_documents(splits[start:start + 1000])
    return store


def tutorial_chain():
    """The tutorial's stuff-documents prompt into the same local model the assistant uses."""
    return ChatPromptTemplate.from_messages([("human", RAG_PROMPT)]) | local_client(Settings()) | StrOutputParser()


def answer(chain, retriever, question: str) -> tuple[Answer, list[Document]]:
    """The tutorial's reply as an Answer, and the chunks it was given (best first)."""
    started = time.perf_counter()
    found = retriever.invoke(question)
    context = "\n\n".join(d.page_content for d in found)
    first_token, pieces = 0.0, []
    for piece in chain.stream({"question": question, "context": context}):
        if not pieces:
            first_token = time.perf_counter() - started
        pieces.append(piece)
    text = "".join(pieces).strip()
    citations = [Citation(n, d.metadata["source"], "", d.page_content, d.metadata.get("start_index", 0),
                          d.metadata.get("start_index", 0) + len(d.page_content)) for n, d in enumerate(found, 1)]
    refused = bool(DONT_KNOW.search(text)) or not text
    return Answer(question=question, text=text, answered=not refused, citations=[] if refused else citations,
                  generator="peer-langchain-tutorial",
                  timings={"first_token": first_token, "total": time.perf_counter() - started}), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--index", type=Path, default=None, help="Chroma folder [OUT/peer-index, git-ignored]")
    parser.add_argument("--sample", type=int, default=None, help="a fixed, evenly spread subset of N questions")
    args = parser.parse_args()
    started = time.perf_counter()
    store = build_store(args.docs, args.index or args.docs.parent / "peer-index")
    print(f"peer index ready in {time.perf_counter() - started:.0f} s ({store._collection.count()} chunks)")
    retriever = store.as_retriever(search_kwargs={"k": 4})
    chain = tutorial_chain()
    questions = sample_questions(load_questions(args.questions), args.sample)
    rows = []
    for number, question in enumerate(questions, start=1):
        reply, found = answer(chain, retriever, question.question)
        rows.append(score(question, reply, [d.metadata["source"] for d in found]))
        print(f"{number}/{len(questions)}", end="\r", flush=True)
    by_type = {kind: summarise([r for r in rows if r["type"] == kind]) for kind in sorted({r["type"] for r in rows})}
    summary = {"overall": summarise(rows), "by_type": by_type, "generator": "peer-langchain-tutorial",
               "seconds": time.perf_counter() - started}
    write_report(args.out, rows, summary, f"peer (LangChain RAG tutorial) on {args.questions}", redact=True)
    print(summary_table(summary))


if __name__ == "__main__":
    main()
