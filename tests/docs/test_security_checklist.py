"""docs/security-checklist.md is generated from the tests' requirement markers and stays true.

Every requirement R1-R89 of docs/security.md appears once, every cited test exists, the committed
file is exactly what `python -m tests.checklist` writes today, and the AST scan sees the same
markers pytest itself applies.
"""

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from school_tracker import ROOT
from tests import checklist
from tests.checklist import ChecklistError, find_marked_tests, generate, main

ROW = re.compile(r"^\| (R\d+) \| (.*) \| (.*) \| (.*) \| (.*) \|$")
PARAMETERS = re.compile(r"\[.*\]$")


def committed_rows() -> list[tuple[str, ...]]:
    text = checklist.OUTPUT.read_text(encoding="utf-8")
    return [match.groups() for line in text.splitlines() if (match := ROW.match(line))]


def cited_node_ids() -> list[str]:
    return [cited for row in committed_rows() for cited in re.findall(r"`([^`]+::[^`]+)`", row[3])]


@pytest.mark.requirement("R73")
def test_every_requirement_appears_once_in_the_committed_checklist():
    ids = [row[0] for row in committed_rows()]
    assert ids == [f"R{number}" for number in range(1, 90)]


def test_the_committed_checklist_is_what_the_markers_generate():
    assert checklist.OUTPUT.read_text(encoding="utf-8") == generate(), (
        "docs/security-checklist.md is stale: run `python -m tests.checklist` and commit it"
    )


def test_every_cited_test_exists():
    missing = [node_id for node_id in cited_node_ids() if not _defined(node_id)]
    assert cited_node_ids(), "the checklist cites no tests at all"
    assert not missing, "the checklist cites tests that do not exist:\n" + "\n".join(missing)


def test_the_scan_sees_exactly_the_markers_pytest_applies():
    """A marker the AST scan cannot read (say `@r21` after `r21 = pytest.mark.requirement(...)`)
    would vanish from the checklist; pytest's own collection catches it."""
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "requirement", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    marked_items = {PARAMETERS.sub("", line) for line in collected.splitlines() if "::" in line}
    scanned = {test.node_id for test in find_marked_tests()}

    def under(item: str, node_id: str) -> bool:
        return item == node_id or item.startswith(f"{node_id}::")

    missed_by_the_scan = [i for i in marked_items if not any(under(i, n) for n in scanned)]
    unknown_to_pytest = [n for n in scanned if not any(under(i, n) for i in marked_items)]
    assert len(marked_items) > 300
    assert sorted(missed_by_the_scan) == []
    assert sorted(unknown_to_pytest) == []


def test_markers_are_found_on_functions_methods_classes_and_modules(tmp_path):
    tests_dir = _write(
        tmp_path,
        {
            "tests/feature/test_a.py": """
                import pytest
                from pytest import mark

                @pytest.mark.parametrize("x", [1, 2])
                @pytest.mark.requirement("R2", "R1")
                def test_both(x):
                    pass

                def test_unmarked():
                    pass

                class TestGroup:
                    @mark.requirement("R3")
                    def test_method(self):
                        pass

                @pytest.mark.requirement("R4")
                class TestWhole:
                    def test_inside(self):
                        pass
            """,
            "tests/test_b.py": """
                import pytest
                pytestmark = [pytest.mark.browser, pytest.mark.requirement("R5")]
                def test_anything():
                    pass
            """,
            "tests/helpers.py": """
                import pytest
                @pytest.mark.requirement("R6")
                def test_not_collected_here():
                    pass
            """,
        },
    )
    found = {(test.node_id, test.requirement) for test in find_marked_tests(tests_dir)}
    assert found == {
        ("tests/feature/test_a.py::test_both", "R1"),
        ("tests/feature/test_a.py::test_both", "R2"),
        ("tests/feature/test_a.py::TestGroup::test_method", "R3"),
        ("tests/feature/test_a.py::TestWhole", "R4"),
        ("tests/test_b.py", "R5"),
    }


@pytest.mark.parametrize(
    "source, complaint",
    [
        ("@pytest.mark.requirement(R21)\ndef test_x(): pass", "literal strings"),
        ('@pytest.mark.requirement("21")\ndef test_x(): pass', "not a requirement id"),
        ("@pytest.mark.requirement()\ndef test_x(): pass", "give requirement ids"),
        ('@pytest.mark.requirement("R1")\ndef helper(): pass', "pytest does not collect it"),
    ],
)
def test_markers_the_scan_cannot_trust_are_refused(tmp_path, source, complaint):
    tests_dir = _write(tmp_path, {"tests/test_bad.py": "import pytest\n" + source})
    with pytest.raises(ChecklistError, match=complaint):
        find_marked_tests(tests_dir)


def test_unknown_requirements_and_unproven_enforced_ones_are_refused(tmp_path):
    status = tmp_path / "status.toml"
    status.write_text(checklist.STATUS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    beyond = _write(tmp_path / "a", {"tests/test_x.py": _marked("R90")})
    with pytest.raises(ChecklistError, match=r"unknown requirements \['R90'\]"):
        generate(beyond, status)
    nothing_marked = _write(tmp_path / "b", {"tests/test_x.py": _marked("R83")})
    with pytest.raises(ChecklistError, match="R1 is Enforced but no test is marked with it"):
        generate(nothing_marked, status)


def test_the_status_file_needs_every_requirement_and_a_reason_when_not_enforced(tmp_path):
    text = checklist.STATUS_FILE.read_text(encoding="utf-8")
    status = tmp_path / "status.toml"
    status.write_text(text.replace("[R40]", "[R400]"), encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"missing \['R40'\], unexpected \['R400'\]"):
        checklist.load_requirements(status)
    without_note = re.sub(r"(\[R83\]\n.*\nstatus = .*\n)note = .*\n", r"\1", text)
    assert without_note != text
    status.write_text(without_note, encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"\[R83\] is Not applicable: say why"):
        checklist.load_requirements(status)


def test_check_fails_on_a_stale_file_and_passes_once_regenerated(tmp_path, capsys):
    output = tmp_path / "docs" / "security-checklist.md"
    output.parent.mkdir()
    output.write_text(generate().replace("| R21 |", "| R21 (edited) |"), encoding="utf-8")
    assert main(["--check"], output=output) == 1
    assert "is stale: run `python -m tests.checklist`" in capsys.readouterr().err
    assert main([], output=output) == 0
    assert main(["--check"], output=output) == 0
    assert output.read_text(encoding="utf-8") == generate()


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
def test_the_docs_give_a_school_what_its_dpia_needs():
    """R73: the documentation a DPO asks for is there, under findable headings."""
    section = (ROOT / "docs" / "data-protection.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", section, flags=re.MULTILINE)
    assert list(DPIA_SECTIONS) == headings
    for heading in DPIA_SECTIONS:
        body = section.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
        assert len(body.split()) >= 25, f"'{heading}' says too little to be useful"


def _defined(node_id: str) -> bool:
    """Whether path::Class::name is a definition in that file, found without the scanner."""
    path, *names = node_id.split("::")
    if not (ROOT / path).is_file():
        return False
    scope: list[ast.stmt] = ast.parse((ROOT / path).read_text(encoding="utf-8")).body
    for name in names:
        match = [
            node
            for node in scope
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name == name
        ]
        if not match:
            return False
        scope = match[0].body if isinstance(match[0], ast.ClassDef) else []
    return True


def _write(root: Path, files: dict[str, str]) -> Path:
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return root / "tests"


def _marked(requirement: str) -> str:
    return f'import pytest\n@pytest.mark.requirement("{requirement}")\ndef test_x(): pass\n'
