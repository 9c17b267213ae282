"""When a question is about: dates the caller gives (`since`, `until`) and the relative time a question speaks
of ("this week", "yesterday", "since Monday", "recently", "the latest"), resolved against `as_of` ("today").

Article dates are what the article states (loader: header lines, page metadata, dateline, URL); an article with
no full date is never given one (the file's mtime is not a publication date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .figures import WEEKDAYS

RECENT_WORDS = re.compile(r"\b(latest|newest|most recent|recent(ly)?|currently|now|so far)\b", re.I)
_SINCE_DAY = re.compile(rf"\bsince (?:last )?({'|'.join(WEEKDAYS)})\b", re.I)
_RELATIVE = [
    (re.compile(r"\btoday\b|\bthis morning\b|\btonight\b", re.I), 0, 0),
    (re.compile(r"\byesterday\b", re.I), 1, 1),
    (re.compile(r"\bthis week\b|\bthe past week\b|\bpast few days\b", re.I), 6, 0),
    (re.compile(r"\blast week\b", re.I), 13, 7),
    (re.compile(r"\bthis month\b|\bthe past month\b", re.I), 30, 0),
    (re.compile(r"\bthis year\b", re.I), 365, 0),
]


@dataclass(frozen=True)
class Timeframe:
    since: date | None = None
    until: date | None = None
    strict: bool = False  # the caller's dates: only articles inside; a question's words: inside ranks first
    prefer_recent: bool = False  # "the latest …": newer articles first
    today: date | None = None  # the day the question is asked (`as_of`), for how fresh an article is

    @property
    def bounded(self) -> bool:
        return self.since is not None or self.until is not None

    @property
    def active(self) -> bool:
        return self.bounded or self.prefer_recent

    def holds(self, day: date | None) -> bool:
        if day is None:
            return False
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


def resolve(question: str, as_of: date | None = None, since: date | None = None,
            until: date | None = None) -> Timeframe:
    """The caller's dates when given (strict); otherwise the span the question's own words name, if any."""
    today = as_of or date.today()
    recent = bool(RECENT_WORDS.search(question))
    if since or until:
        return Timeframe(since, until, strict=True, prefer_recent=recent, today=today)
    if weekday := _SINCE_DAY.search(question):
        back = (today.weekday() - WEEKDAYS.index(weekday.group(1).lower())) % 7 or 7
        return Timeframe(today - timedelta(days=back), today, prefer_recent=recent, today=today)
    for pattern, start_back, end_back in _RELATIVE:
        if pattern.search(question):
            return Timeframe(today - timedelta(days=start_back), today - timedelta(days=end_back),
                             prefer_recent=recent, today=today)
    return Timeframe(prefer_recent=recent, today=today)


def newness(days: list[date | None]) -> list[float]:
    """Each day's place among the distinct dates given, 0 the oldest to 1 the newest ("the latest …"); 0 when
    undated, and for all when fewer than two dates are given."""
    dated = sorted({day for day in days if day is not None})
    if len(dated) < 2:
        return [0.0] * len(days)
    place = {day: number / (len(dated) - 1) for number, day in enumerate(dated)}
    return [place[day] if day is not None else 0.0 for day in days]


def describe(timeframe: Timeframe) -> str:
    """'between 2025-12-01 and 2025-12-31', 'on or after 2026-01-01' …"""
    if timeframe.since and timeframe.until:
        if timeframe.since == timeframe.until:
            return f"on {timeframe.since}"
        return f"between {timeframe.since} and {timeframe.until}"
    if timeframe.since:
        return f"on or after {timeframe.since}"
    return f"on or before {timeframe.until}" if timeframe.until else "in that range"


def article_date(value: str | None) -> date | None:
    """An article's date when it states a full one (YYYY-MM-DD); 'Dec 20' or nothing stays unknown."""
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
