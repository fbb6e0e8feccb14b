"""The shared way an enum member reads on pages and in workbooks."""

import enum


class LabelledEnum(enum.Enum):
    """An enum whose members have a reader's label; those with their own wording override it."""

    @property
    def label(self) -> str:
        """`twice_weekly` reads "Twice weekly"."""
        return str(self.value).replace("_", " ").capitalize()
