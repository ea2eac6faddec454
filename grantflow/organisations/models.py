from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.db import TimestampMixin
from ..extensions import db

#: SF-424 / USAspending BusinessTypes letters, plus regional bodies
APPLICANT_TYPES = {
    "A": "State government",
    "B": "County government",
    "C": "City or township government",
    "F": "U.S. territory or possession",
    "I": "Tribal government (federally recognized)",
    "J": "Tribal government (other)",
    "R": "Regional body (e.g. regional commission or council of governments)",
}

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana",
    "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
    "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
    "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "AS": "American Samoa", "GU": "Guam", "MP": "Northern Mariana Islands", "PR": "Puerto Rico",
    "VI": "U.S. Virgin Islands",
}


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, index=True)
    applicant_type: Mapped[str] = mapped_column(sa.String(1), nullable=False)
    state: Mapped[str] = mapped_column(sa.String(2), nullable=False, index=True)
    population: Mapped[int | None] = mapped_column()
    uei: Mapped[str | None] = mapped_column(sa.String(12))
    ein: Mapped[str | None] = mapped_column(sa.String(10))
    address: Mapped[str | None] = mapped_column(sa.Text)
    website: Mapped[str | None] = mapped_column(sa.String(255))

    members = relationship("User", back_populates="organisation")

    __table_args__ = (
        sa.CheckConstraint("applicant_type IN ('A', 'B', 'C', 'F', 'I', 'J', 'R')", name="applicant_type"),
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population"),
    )

    @property
    def applicant_type_label(self) -> str:
        return APPLICANT_TYPES.get(self.applicant_type, self.applicant_type)

    @property
    def state_name(self) -> str:
        return US_STATES.get(self.state, self.state)
