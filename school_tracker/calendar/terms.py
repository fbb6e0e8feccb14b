"""Academic terms: keys, default dates (DfE statistics) and a school's own overrides."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.easter import easter

LONDON = ZoneInfo("Europe/London")
SEASONS = ("autumn", "spring", "summer")
_KEY = re.compile(r"^(autumn|spring|summer)-(\d{4})$")


def school_today() -> date:
    """Today's date for an English school: the server may run on UTC, an hour behind in BST."""
    return datetime.now(LONDON).date()


class TermKeyError(ValueError):
    """A term key that is not of the form season-yyyy."""


@dataclass(frozen=True)
class Term:
    """One term of one academic year."""

    key: str
    season: str
    year: int
    starts_on: date
    ends_on: date

    @property
    def name(self) -> str:
        return f"{self.season.capitalize()} {self.year}"

    @property
    def academic_year(self) -> str:
        return academic_year_label(self.season, self.year)

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def academic_year_label(season: str, year: int) -> str:
    """`2026/27` for autumn-2026, spring-2027 and summer-2027."""
    start = year if season == "autumn" else year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def parse_term_key(key: str) -> tuple[str, int]:
    """Split `spring-2027` into ("spring", 2027), refusing anything else."""
    match = _KEY.match(key or "")
    if not match or not 1990 <= int(match.group(2)) <= 2100:
        raise TermKeyError(f"{key!r} is not a term; use e.g. autumn-2026, spring-2027.")
    return match.group(1), int(match.group(2))


def default_dates(season: str, year: int) -> tuple[date, date]:
    """DfE statistics terms: autumn 1 Aug-31 Dec, spring 1 Jan-Easter Sunday, summer the rest."""
    if season == "autumn":
        return date(year, 8, 1), date(year, 12, 31)
    if season == "spring":
        return date(year, 1, 1), easter(year)
    return easter(year) + timedelta(days=1), date(year, 7, 31)


def default_term(key: str) -> Term:
    """The term for a key with the default dates."""
    season, year = parse_term_key(key)
    starts, ends = default_dates(season, year)
    return Term(key, season, year, starts, ends)


def term_key_for(day: date) -> str:
    """The default term a date falls in."""
    if day.month >= 8:
        return f"autumn-{day.year}"
    return f"spring-{day.year}" if day <= easter(day.year) else f"summer-{day.year}"


def previous_key(key: str) -> str:
    """The term before this one."""
    season, year = parse_term_key(key)
    if season == "autumn":
        return f"summer-{year}"
    if season == "spring":
        return f"autumn-{year - 1}"
    return f"spring-{year}"


def next_key(key: str) -> str:
    """The term after this one."""
    season, year = parse_term_key(key)
    if season == "autumn":
        return f"spring-{year + 1}"
    if season == "spring":
        return f"summer-{year}"
    return f"autumn-{year}"


class TermCalendar:
    """A school's terms: its own dates where set, the defaults otherwise."""

    def __init__(self, overrides: dict[str, tuple[date, date]] | None = None):
        self._overrides = overrides or {}

    def term(self, key: str) -> Term:
        """The term for a key, using the school's dates when it has set them."""
        season, year = parse_term_key(key)
        starts, ends = self._overrides.get(key) or default_dates(season, year)
        return Term(key, season, year, starts, ends)

    def has_own_dates(self, key: str) -> bool:
        """Whether the school set this term's dates itself."""
        return key in self._overrides

    def term_for(self, day: date) -> Term:
        """The term a date belongs to; a holiday counts with the term just ended."""
        key = term_key_for(day)
        for _ in range(4):
            term = self.term(key)
            if term.starts_on <= day:
                return term
            key = previous_key(key)
        return self.term(term_key_for(day))

    def recent(self, key: str, count: int) -> list[Term]:
        """This term and the `count - 1` before it, oldest first."""
        keys = [key]
        while len(keys) < count:
            keys.append(previous_key(keys[-1]))
        return [self.term(k) for k in reversed(keys)]

    def academic_year_terms(self, key: str) -> list[Term]:
        """The three terms of the academic year that `key` falls in."""
        season, year = parse_term_key(key)
        autumn_year = year if season == "autumn" else year - 1
        return [
            self.term(f"autumn-{autumn_year}"),
            self.term(f"spring-{autumn_year + 1}"),
            self.term(f"summer-{autumn_year + 1}"),
        ]
