"""The README's security checklist stays true: every requirement listed, every cited test real.

SECURITY.md has 89 numbered requirements. The README maps each to its status and the tests that
prove it; this keeps that map from rotting when tests are renamed or moved.
"""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT_COUNT = 89
STATUSES = {"Enforced", "Partly", "Deployment", "Not applicable"}
ROW = re.compile(r"^\| R(\d+) \|(.*)\|\s*$")


def checklist_rows() -> dict[int, list[str]]:
    rows: dict[int, list[str]] = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            number = int(match.group(1))
            assert number not in rows, f"R{number} is listed twice"
            rows[number] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


@cache
def _test_function_names(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    )


@pytest.mark.requirement("R73")
def test_every_requirement_is_listed_once():
    assert sorted(checklist_rows()) == list(range(1, REQUIREMENT_COUNT + 1))


def test_every_row_has_a_known_status_and_a_reason_when_not_enforced():
    for number, (title, status, tests, note) in checklist_rows().items():
        assert title, f"R{number} has no title"
        assert status in STATUSES, f"R{number}: unknown status {status!r}"
        if status == "Enforced":
            assert tests, f"R{number} is marked enforced but cites no test"
        else:
            assert note, f"R{number} is {status.lower()} and says nothing about why"


def test_every_cited_test_exists():
    missing = []
    for number, (_title, _status, tests, _note) in checklist_rows().items():
        for reference in filter(None, (part.strip(" `") for part in tests.split(","))):
            path, _, name = reference.partition("::")
            if not (ROOT / path).is_file() or name not in _test_function_names(path):
                missing.append(f"R{number}: {reference}")
    assert not missing, "README cites tests that do not exist:\n" + "\n".join(missing)


DPIA_SECTIONS = (
    "What it holds",
    "Data flows",
    "Hosting and sub-processors",
    "Access model",
    "Retention, legal hold and deletion",
    "Subject access and transfer",
    "Logs and audit",
    "Backups and contingency",
    "Breach and contacts",
)


@pytest.mark.requirement("R73")
def test_readme_gives_a_school_what_its_dpia_needs():
    """R73: the documentation a DPO asks for is there, under findable headings."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Data protection: what a school's DPIA needs")
    section = readme[start : readme.index("\n## ", start + 1)]
    headings = re.findall(r"^### (.+)$", section, flags=re.MULTILINE)
    assert list(DPIA_SECTIONS) == headings
    for heading in DPIA_SECTIONS:
        body = section.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
        assert len(body.split()) >= 25, f"'{heading}' says too little to be useful"
