"""The dashboard's CSV downloads against R43 (formula-safe text, quoted fields, bare numbers)
and R46 (an attachment with a server-made ASCII name)."""

import csv
import io

import pytest

from school_tracker.dashboard.downloads import csv_response
from school_tracker.models import Role

TRIGGERS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx", "#REF!", "a\x00=b", "plain"]


@pytest.mark.requirement("R43")
def test_r43_text_is_quoted_and_formula_safe_and_numbers_stay_numbers(app):
    with app.test_request_context():
        response = csv_response([["Label", "Value"], *[[text, 3] for text in TRIGGERS]], "x.csv")
    raw = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(raw)))
    labels = [row[0] for row in rows[1:]]
    for original, written in zip(TRIGGERS[:8], labels, strict=False):
        assert written == "'" + original, written
    assert labels[8] == "a=b"  # NUL removed; the text no longer starts with a trigger
    assert labels[9] == "plain"
    lines = raw.split("\r\n")
    assert lines[0] == '"Label","Value"'
    assert lines[-2] == '"plain",3'  # text quoted, the number bare


@pytest.mark.requirement("R43")
@pytest.mark.requirement("R46")
def test_r46_csv_is_an_attachment_with_a_server_made_name(client, login_as, make_school):
    school = make_school("csv-school")
    login_as(Role.LEADER, school=school)
    response = client.get("/dashboard/spend?term=autumn-2026&format=csv&table=spend_terms")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="csv-school_dashboard-spend-spend_terms_autumn-2026.csv"'
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    text = response.get_data(as_text=True)
    assert text.startswith('\ufeff"Funding stream","Autumn 2026"')
