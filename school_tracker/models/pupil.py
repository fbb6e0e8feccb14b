"""Pupils on a school's roll, as the MIS knows them (docs/design.md section 4)."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from school_tracker.extensions import Model
from school_tracker.models.school import School
from school_tracker.models.user import User
from school_tracker.orm import TimestampMixin, UTCDateTime, enum_type

HAND_SET_FIELDS_TYPE = sa.JSON().with_variant(JSONB(), "postgresql")


class YearGroup(enum.Enum):
    """National curriculum year, nursery to sixth form, in school order."""

    N1 = "N1"
    N2 = "N2"
    R = "R"
    Y1 = "1"
    Y2 = "2"
    Y3 = "3"
    Y4 = "4"
    Y5 = "5"
    Y6 = "6"
    Y7 = "7"
    Y8 = "8"
    Y9 = "9"
    Y10 = "10"
    Y11 = "11"
    Y12 = "12"
    Y13 = "13"

    @property
    def label(self) -> str:
        if self in (YearGroup.N1, YearGroup.N2):
            return f"Nursery {self.value[1]}"
        return "Reception" if self is YearGroup.R else f"Year {self.value}"

    @property
    def order(self) -> int:
        return list(YearGroup).index(self)

    @property
    def typical_age(self) -> int:
        """Age on 31 August before the school year starts (Reception = 4)."""
        return self.order + 2


class SenStatus(enum.Enum):
    """SEN provision: none, SEN support (K) or an EHC plan (E)."""

    NONE = "N"
    SUPPORT = "K"
    EHC_PLAN = "E"

    @property
    def label(self) -> str:
        return {"N": "No SEN", "K": "SEN support", "E": "EHC plan"}[self.value]


class PrimaryNeed(enum.Enum):
    """The DfE census codes for a pupil's primary type of need."""

    SPLD = "SPLD"
    MLD = "MLD"
    SLD = "SLD"
    PMLD = "PMLD"
    SEMH = "SEMH"
    SLCN = "SLCN"
    HI = "HI"
    VI = "VI"
    MSI = "MSI"
    PD = "PD"
    ASD = "ASD"
    OTH = "OTH"
    NSA = "NSA"


class Gender(enum.Enum):
    """Gender as recorded in the MIS census return."""

    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


LEGAL_HOLD_REASON_MAX = 500

# The groups leaders filter and report by; each maps to a boolean test on Pupil columns.
PUPIL_GROUPS: dict[str, str] = {
    "sen_k": "SEN support (K)",
    "sen_e": "EHC plan (E)",
    "disadvantaged": "Disadvantaged (pupil premium)",
    "eal": "English as an additional language",
    "cla": "Looked after (CLA)",
    "young_carer": "Young carer",
}


class Pupil(TimestampMixin, Model):
    """One child on one school's roll; archived by a leaving date, never deleted."""

    __tablename__ = "pupils"
    __table_args__ = (
        sa.Index("ix_pupils_school_surname", "school_id", "legal_surname", "legal_forename"),
        sa.Index("ix_pupils_school_year", "school_id", "year_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    # One trust per deployment, so a globally unique UPN is unique across the trust.
    upn: Mapped[str] = mapped_column(sa.String(13), unique=True)
    legal_surname: Mapped[str] = mapped_column(sa.String(100))
    legal_forename: Mapped[str] = mapped_column(sa.String(100))
    preferred_forename: Mapped[str | None] = mapped_column(sa.String(100))
    date_of_birth: Mapped[date] = mapped_column(sa.Date)
    gender: Mapped[Gender] = mapped_column(enum_type(Gender, "gender"))
    year_group: Mapped[YearGroup] = mapped_column(enum_type(YearGroup, "year_group"))
    registration_group: Mapped[str | None] = mapped_column(sa.String(20))
    sen_status: Mapped[SenStatus] = mapped_column(
        enum_type(SenStatus, "sen_status"), default=SenStatus.NONE
    )
    primary_need: Mapped[PrimaryNeed | None] = mapped_column(enum_type(PrimaryNeed, "primary_need"))
    pupil_premium: Mapped[bool] = mapped_column(default=False)
    fsm: Mapped[bool] = mapped_column(default=False)
    eal: Mapped[bool] = mapped_column(default=False)
    looked_after: Mapped[bool] = mapped_column(default=False)
    previously_looked_after: Mapped[bool] = mapped_column(default=False)
    child_in_need: Mapped[bool] = mapped_column(default=False)
    young_carer: Mapped[bool] = mapped_column(default=False)
    admission_date: Mapped[date | None] = mapped_column(sa.Date)
    leaving_date: Mapped[date | None] = mapped_column(sa.Date)
    version_id: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # A legal hold (R69) on this one child: while `legal_hold_set_at` is set,
    # retention blanks nothing about them. Set by leaders on the school's side only, so the
    # roll import never touches these columns. The reason is the latest decision's: why the
    # hold was placed, or, once lifted, why it was lifted (who and when are in the audit log).
    legal_hold_reason: Mapped[str | None] = mapped_column(sa.String(LEGAL_HOLD_REASON_MAX))
    legal_hold_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    legal_hold_set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Characteristics a leader or admin set by hand (issue 16 item 7): a roll import keeps them
    # unless the admin chooses the file's value at the preview. JSONB on PostgreSQL, because
    # plain json has no equality, and SELECT DISTINCT over pupils needs one.
    hand_set_fields: Mapped[list[str]] = mapped_column(
        HAND_SET_FIELDS_TYPE, default=list, server_default="[]"
    )

    school: Mapped[School] = relationship()
    legal_hold_set_by: Mapped[User | None] = relationship(foreign_keys=[legal_hold_set_by_id])

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def display_name(self) -> str:
        return f"{self.preferred_forename or self.legal_forename} {self.legal_surname}"

    @property
    def is_on_roll(self) -> bool:
        return self.leaving_date is None

    @property
    def is_under_legal_hold(self) -> bool:
        return self.legal_hold_set_at is not None

    @property
    def groups(self) -> list[str]:
        """Keys of PUPIL_GROUPS this pupil belongs to."""
        flags = {
            "sen_k": self.sen_status is SenStatus.SUPPORT,
            "sen_e": self.sen_status is SenStatus.EHC_PLAN,
            "disadvantaged": self.pupil_premium,
            "eal": self.eal,
            "cla": self.looked_after,
            "young_carer": self.young_carer,
        }
        return [key for key, on in flags.items() if on]


# PUPIL_GROUPS as SQL: the condition each group's pupils meet (the pupil list and dashboard filter).
PUPIL_GROUP_FILTERS: dict[str, sa.ColumnElement[bool]] = {
    "sen_k": Pupil.sen_status == SenStatus.SUPPORT,
    "sen_e": Pupil.sen_status == SenStatus.EHC_PLAN,
    "disadvantaged": Pupil.pupil_premium.is_(True),
    "eal": Pupil.eal.is_(True),
    "cla": Pupil.looked_after.is_(True),
    "young_carer": Pupil.young_carer.is_(True),
}
