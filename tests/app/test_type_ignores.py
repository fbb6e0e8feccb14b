"""mypy checks school_tracker/ in make lint; an excused line must say which error and why."""

import re

from school_tracker import ROOT

IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[a-z0-9, -]+\])?")


def _reason_given(lines: list[str], index: int) -> bool:
    """A comment after the ignore on its own line, or a comment line just above it."""
    after = IGNORE.split(lines[index], maxsplit=1)[-1]
    if "#" in after:
        return True
    previous = lines[index - 1].strip() if index > 0 else ""
    return previous.startswith("#")


def unexplained_ignores(source: str) -> list[int]:
    """Line numbers (from 1) of `# type: ignore` without an error code or without a reason."""
    lines = source.splitlines()
    found = []
    for index, line in enumerate(lines):
        match = IGNORE.search(line)
        if match and (not match.group("codes") or not _reason_given(lines, index)):
            found.append(index + 1)
    return found


def test_the_check_finds_a_bare_or_unexplained_ignore():
    source = (
        "a = f()  # type: ignore\n"
        "b = g()  # type: ignore[arg-type]\n"
        "# the stubs list only datetime\n"
        "c = h()  # type: ignore[arg-type]\n"
        "d = k()  # type: ignore[assignment]  # mypy binds it like a method\n"
    )
    assert unexplained_ignores(source) == [1, 2]


def test_every_type_ignore_names_its_error_and_says_why():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "school_tracker").rglob("*.py"))
        for line in unexplained_ignores(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
