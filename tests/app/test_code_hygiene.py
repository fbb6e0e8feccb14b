"""Checks on the source itself: ruff, and no way around template autoescaping (R33)."""

import re
import subprocess
import sys

import pytest

from school_tracker import ROOT

UNSAFE = re.compile(r"\|\s*safe\b|Markup\(|render_template_string\(|autoescape\s+false")


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", str(ROOT)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.requirement("R33")
def test_templates_are_html_and_never_bypass_autoescape():
    offenders = []
    for path in (ROOT / "templates").rglob("*"):
        if path.is_file():
            # Plain-text e-mail bodies are never served as a page; escaping would garble them.
            plain_mail = path.suffix == ".txt" and path.parent.name == "mail"
            if path.suffix != ".html" and not plain_mail:
                offenders.append(f"{path.name}: not .html, so not autoescaped")
            elif UNSAFE.search(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.name}: bypasses autoescaping")
    for path in (ROOT / "school_tracker").rglob("*.py"):
        if UNSAFE.search(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT)}: bypasses autoescaping")
    assert offenders == []
