"""Generate a clearly synthetic news corpus for scale and distractor tests (deterministic).

Every article is invented: fictional towns, people and figures, written from a handful of story templates
so that many articles look alike and differ only in their facts. Each answerable question's answer sits in
exactly one article; unanswerable questions ask about towns that no article covers.

    python evals/make_synthetic.py --out evals/synthetic --articles 240 --seed 7
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from assistant import figures

SYLLABLES = ["var", "nor", "hal", "mer", "tov", "lin", "dar", "bre", "sta", "kel", "ost", "wen", "rim",
             "gal", "fen", "bor", "sel", "tam", "quin", "ard", "lov", "pel", "cor", "dun"]
ENDINGS = ["holm", "ford", "wick", "stad", "mere", "by", "ton", "vale", "port", "field"]
FIRST = ["Anna", "Boris", "Clara", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kaja",
         "Lars", "Mira", "Nils", "Olga", "Pavel", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wim", "Yara", "Zeno"]
LAST = ["Abel", "Brandt", "Castell", "Dorn", "Engel", "Falk", "Gruber", "Holt", "Iversen", "Jansen", "Krol",
        "Lund", "Moser", "Nagel", "Ortega", "Petrov", "Quist", "Roth", "Sandberg", "Tamm", "Ulrich", "Voss"]
MONTHS = [month[:3].title() for month in figures.MONTHS]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TOPICS = ["a new tram line", "a flood barrier", "a public library", "a district heating plant",
          "a harbour extension", "a cycling bridge", "a children's hospital wing", "a water treatment works"]
SPORTS = ["rowing", "handball", "curling", "volleyball", "fencing", "chess"]


@dataclass
class Story:
    title: str
    body: str
    questions: list[tuple[str, str, str]]  # (question, answer, type)


def council(r: random.Random, town: str, person: str, amount: int, day: str) -> Story:
    project = r.choice(TOPICS)
    votes_for = r.randint(9, 20)
    votes_against = r.randint(1, 8)
    return Story(
        f"{town} Council Approves Funding for {project.title()}",
        f"The {town} city council voted {votes_for} to {votes_against} on {day} to fund {project}. "
        f"The project will cost {amount} million crowns, according to council treasurer {person}. "
        f"Construction is expected to take {r.randint(2, 6)} years. "
        f"Opponents said the money should have gone to road repairs.",
        [(f"What did the {town} council vote to fund?", project, "synthetic_fact"),
         (f"Who is the council treasurer in {town}?", person, "synthetic_person"),
         (f"How much will the project approved by the {town} council cost?", f"{amount} million crowns",
          "synthetic_number")],
    )


def company(r: random.Random, town: str, person: str, amount: int, day: str) -> Story:
    firm = r.choice(SYLLABLES).title() + r.choice(["tech", "mark", "gen", "line", "works"])
    jobs = r.randint(40, 900)
    return Story(
        f"{firm} to Open Factory in {town}",
        f"{firm}, a maker of industrial pumps, said on {day} it will open a factory in {town}. "
        f"Chief executive {person} said the plant will create {jobs} jobs. "
        f"The company will invest {amount} million crowns over three years. "
        f"Local unions welcomed the announcement.",
        [(f"Which company is opening a factory in {town}?", firm, "synthetic_fact"),
         (f"How many jobs will the new factory in {town} create?", str(jobs), "synthetic_number"),
         (f"Who is the chief executive of the company opening a factory in {town}?", person,
          "synthetic_person")],
    )


def sport(r: random.Random, town: str, person: str, amount: int, day: str) -> Story:
    game = r.choice(SPORTS)
    rival = make_town(r)
    return Story(
        f"{town} Wins Regional {game.title()} Final",
        f"The {town} {game} club beat {rival} in the regional final on {day}. "
        f"Captain {person} was named player of the match. "
        f"About {amount * 100} spectators attended the final. "
        f"It is the club's first title in {r.randint(5, 40)} years.",
        [(f"Which team did the {town} {game} club beat in the final?", rival, "synthetic_fact"),
         (f"Who was named player of the match in the {town} {game} final?", person, "synthetic_person")],
    )


def storm(r: random.Random, town: str, person: str, amount: int, day: str) -> Story:
    homes = r.randint(200, 9000)
    return Story(
        f"Storm Cuts Power to Thousands in {town}",
        f"A storm left {homes} homes in {town} without electricity on {day}. "
        f"Wind gusts reached {r.randint(90, 160)} kilometres per hour, said forecaster {person}. "
        f"Repair crews expect to restore power within {r.randint(2, 5)} days. "
        f"Schools in the area stayed closed.",
        [(f"How many homes in {town} lost electricity in the storm?", str(homes), "synthetic_number"),
         (f"Which forecaster reported the wind gusts in {town}?", person, "synthetic_person")],
    )


STORIES = [council, company, sport, storm]


def make_town(r: random.Random) -> str:
    return (r.choice(SYLLABLES) + r.choice(SYLLABLES) + r.choice(ENDINGS)).title()


def generate(out: Path, articles: int, seed: int, unanswerable: int = 30) -> None:
    r = random.Random(seed)
    docs = out / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    towns: set[str] = set()
    people: set[str] = set()
    questions = []
    for number in range(articles):
        town = _unique(towns, lambda: make_town(r))
        person = _unique(people, lambda: f"{r.choice(FIRST)} {r.choice(LAST)}")
        month, day = r.choice(MONTHS), r.randint(1, 28)
        story = STORIES[number % len(STORIES)](r, town, person, r.randint(3, 250), r.choice(DAYS))
        name = f"synthetic_{number:04d}.txt"
        (docs / name).write_text(
            f"{story.title}\n\n{month} {day}, 2031\n\n{town.upper()}, {month} {day} — {story.body}\n\n"
            f"(Source: Synthetic Gazette, generated test data)\n",
            encoding="utf-8",
        )
        question, answer, kind = r.choice(story.questions)
        questions.append({"id": f"syn-{number:04d}", "question": question, "answer": answer,
                          "gold_sources": [name], "type": kind})
    for number in range(unanswerable):
        town = _unique(towns, lambda: make_town(r))
        template = r.choice([
            "What did the {town} council vote to fund?",
            "How many homes in {town} lost electricity in the storm?",
            "Which company is opening a factory in {town}?",
            "Who is the mayor of {town}?",
        ])
        questions.append({"id": f"syn-u{number:03d}", "question": template.format(town=town), "answer": None,
                          "gold_sources": [], "type": "unanswerable"})
    with (out / "questions.jsonl").open("w", encoding="utf-8") as handle:
        for row in questions:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _unique(seen: set[str], make) -> str:
    while (value := make()) in seen:
        pass
    seen.add(value)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "synthetic")
    parser.add_argument("--articles", type=int, default=240)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.articles, args.seed)
    print(f"wrote {args.articles} articles and their questions to {args.out}")


if __name__ == "__main__":
    main()
