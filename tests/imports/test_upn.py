"""UPN validation: the DfE check-letter algorithm, temporary UPNs and helpful messages."""

import pytest

from school_tracker.demo.school import make_upn
from school_tracker.imports.upn import UPNError, is_temporary_upn, validate_upn


@pytest.mark.requirement("R29")
@pytest.mark.parametrize(
    "upn",
    ["B801200005001", "b801200005001", " B801 2000 05001 ", make_upn(938, 2001, 26, 7)],
)
def test_valid_upns(upn):
    assert validate_upn(upn) == "".join(upn.split()).upper()


@pytest.mark.requirement("R29")
def test_wrong_check_letter_names_the_expected_one():
    with pytest.raises(UPNError, match="should be B"):
        validate_upn("A801200005001")


@pytest.mark.requirement("R29")
def test_temporary_upn_letter_counts_as_its_table_index():
    # Body ending in a letter: the check letter includes that letter's index (A=0 ... Z=22).
    body = "80120000500A"
    from stdnum.gb import upn as reference

    upn = reference.calc_check_digit(body) + body
    assert validate_upn(upn) == upn
    assert is_temporary_upn(upn)
    assert not is_temporary_upn("B801200005001")


@pytest.mark.requirement("R29")
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("B80120000500", "13 characters"),
        ("B8012000050011", "13 characters"),
        ("I801200005001", "never used"),
        ("B80120000500O", "never used"),
        ("B8012000X5001", "11 digits"),
        ("", "13 characters"),
    ],
)
def test_malformed_upns_explain_themselves(value, fragment):
    with pytest.raises(UPNError, match=fragment):
        validate_upn(value)


def test_new_local_authority_codes_are_accepted():
    # python-stdnum's own list predates e.g. Dorset (838); real UPNs from there must pass.
    upn = make_upn(838, 2001, 24, 1)
    assert validate_upn(upn) == upn
