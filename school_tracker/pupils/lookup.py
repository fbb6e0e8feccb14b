"""The type-ahead pupil lookup behind every pupil picker (issue 13 item 5).

One query per call, scoped to the school: each word typed must begin some name (legal or
preferred forename, surname, or a word inside a double-barrelled one), or the registration
group; or the whole text begins a UPN. A secondary's roll is about 1,500 rows under the
`school_id` index, so the LIKE tests cost microseconds; only the label's columns are loaded and
at most 20 rows come back.

Lookups are not record views, so they are not audited (nothing but names and groups is shown,
as on the pupil list); the view rate-limits them per person instead.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from school_tracker.extensions import db
from school_tracker.models import Pupil, YearGroup

MIN_QUERY = 2
MAX_QUERY = 60  # longer than any name or UPN anyone would type; longer queries find nothing
MAX_WORDS = 4
MAX_RESULTS = 20
MAX_GROUPS = 4
# A UPN is a letter and twelve digits (or a temporary one ending in a letter); four characters
# with a digit are enough to tell a UPN from a name.
UPN_PREFIX = re.compile(r"[A-Z][0-9]{3,11}[0-9A-Z]?")

LABEL_COLUMNS = (
    Pupil.id,
    Pupil.upn,
    Pupil.legal_surname,
    Pupil.legal_forename,
    Pupil.preferred_forename,
    Pupil.year_group,
    Pupil.registration_group,
    Pupil.leaving_date,
)


@dataclass(frozen=True)
class PupilMatch:
    id: int
    label: str


@dataclass(frozen=True)
class GroupMatch:
    """A whole registration group, for pickers that take several pupils."""

    group: str
    pupils: tuple[PupilMatch, ...]

    @property
    def label(self) -> str:
        count = len(self.pupils)
        return f"Whole group {self.group} ({count} pupil{'' if count == 1 else 's'})"


class LabelRow(Protocol):
    """The columns a lookup label needs (a row of LABEL_COLUMNS)."""

    id: int
    upn: str
    legal_surname: str
    legal_forename: str
    preferred_forename: str | None
    year_group: YearGroup
    registration_group: str | None
    leaving_date: date | None


def lookup_label(row: LabelRow, *, show_upn: bool = False) -> str:
    """`Sam Jones (7B)`: the name they go by and their group; never the date of birth.

    The legal forename follows when it differs (the search matches it too), "left" marks a
    pupil who has left, and the UPN shows only to someone who typed it.
    """
    forename = row.preferred_forename or row.legal_forename
    label = f"{forename} {row.legal_surname} ({row.registration_group or row.year_group.label})"
    if forename != row.legal_forename:
        label += f", legal forename {row.legal_forename}"
    if row.leaving_date is not None:
        label += ", left"
    if show_upn:
        label += f", UPN {row.upn}"
    return label


def normalise_query(text: str) -> list[str]:
    """The words to match, or none when the text is too short or too long to be a search."""
    text = " ".join(text.split())
    # No name holds a control character, and PostgreSQL refuses a NUL in any string.
    if not MIN_QUERY <= len(text) <= MAX_QUERY or not text.isprintable():
        return []
    return text.split(" ")[:MAX_WORDS]


def _word_starts(column: InstrumentedAttribute[Any], word: str) -> sa.ColumnElement[bool]:
    """The column begins with the word, or has it after a space or hyphen (Smith-Jones)."""
    return sa.or_(
        column.istartswith(word, autoescape=True),
        column.icontains(f" {word}", autoescape=True),
        column.icontains(f"-{word}", autoescape=True),
    )


def _matches_word(word: str) -> sa.ColumnElement[bool]:
    return sa.or_(
        _word_starts(Pupil.legal_surname, word),
        _word_starts(Pupil.legal_forename, word),
        _word_starts(Pupil.preferred_forename, word),
        Pupil.registration_group.istartswith(word, autoescape=True),
    )


def _upn_prefix(words: list[str]) -> str | None:
    joined = "".join(words).upper()
    return joined if UPN_PREFIX.fullmatch(joined) else None


def _scope(school_id: int, include_left: bool) -> list[sa.ColumnElement[bool]]:
    scope = [Pupil.school_id == school_id]
    if not include_left:
        scope.append(Pupil.leaving_date.is_(None))
    return scope


def find_pupils(school_id: int, text: str, *, include_left: bool = False) -> list[PupilMatch]:
    """Up to 20 of the school's pupils matching every word typed, or the UPN begun."""
    words = normalise_query(text)
    if not words:
        return []
    upn = _upn_prefix(words)
    matches = (
        Pupil.upn.startswith(upn, autoescape=True)
        if upn
        else sa.and_(*(_matches_word(word) for word in words))
    )
    rows = db.session.execute(
        sa.select(*LABEL_COLUMNS)
        .where(*_scope(school_id, include_left), matches)
        .order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id)
        .limit(MAX_RESULTS)
    )
    return [PupilMatch(row.id, lookup_label(row, show_upn=upn is not None)) for row in rows]


def find_groups(school_id: int, text: str, *, include_left: bool = False) -> list[GroupMatch]:
    """The registration groups whose name begins with the text (one word), each with its pupils."""
    words = normalise_query(text)
    if len(words) != 1:
        return []
    names = db.session.scalars(
        sa.select(Pupil.registration_group)
        .where(
            *_scope(school_id, include_left),
            Pupil.registration_group.istartswith(words[0], autoescape=True),
        )
        .distinct()
        .order_by(Pupil.registration_group)
        .limit(MAX_GROUPS)
    ).all()
    if not names:
        return []
    rows = db.session.execute(
        sa.select(*LABEL_COLUMNS)
        .where(*_scope(school_id, include_left), Pupil.registration_group.in_(names))
        .order_by(Pupil.legal_surname, Pupil.legal_forename, Pupil.id)
    ).all()
    return [
        GroupMatch(
            name,
            tuple(
                PupilMatch(row.id, lookup_label(row))
                for row in rows
                if row.registration_group == name
            ),
        )
        for name in names
        if name
    ]


def picker_matches(
    school_id: int, text: str, *, include_left: bool = False, with_groups: bool = False
) -> list[PupilMatch | GroupMatch]:
    """What a picker offers: whole groups first (when asked), then pupils; 20 at most."""
    groups = find_groups(school_id, text, include_left=include_left) if with_groups else []
    matches: list[PupilMatch | GroupMatch] = [*groups]
    matches += find_pupils(school_id, text, include_left=include_left)
    return matches[:MAX_RESULTS]
