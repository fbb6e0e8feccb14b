"""Unique Pupil Number validation with a message that names the expected check letter."""

import re

from stdnum.gb import upn as stdnum_upn

# Letters I, O and S never appear; a temporary UPN ends in one of the others.
_SHAPE = re.compile(r"^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$")


class UPNError(ValueError):
    """A UPN that is not well formed or fails its check letter."""


def normalise_upn(value: str) -> str:
    """Strip spaces and upper-case, as the DfE standard allows."""
    return "".join(value.split()).upper()


def validate_upn(value: str) -> str:
    """Return the normalised UPN or raise UPNError saying what is wrong.

    python-stdnum computes the check letter (weights 2..13, mod 23). Its own validate() also
    insists on a 2011 list of local-authority codes, which refuses real UPNs issued by the
    authorities created since (e.g. 838-943), so the shape is checked here instead.
    """
    upn = normalise_upn(value)
    if len(upn) != 13:
        raise UPNError(f"A UPN has 13 characters; this has {len(upn)}.")
    if not _SHAPE.match(upn):
        raise UPNError(
            "A UPN is a check letter, 11 digits, then a digit (or a letter for a temporary "
            "UPN); the letters I, O and S are never used."
        )
    expected = stdnum_upn.calc_check_digit(upn[1:])
    if upn[0] != expected:
        raise UPNError(f"The check letter does not match: for {upn[1:]} it should be {expected}.")
    return upn


def is_temporary_upn(upn: str) -> bool:
    """Temporary UPNs end in a letter."""
    return upn[-1].isalpha()
