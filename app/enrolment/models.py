from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow

# More pupils than this in one year, path and profile of one location is a
# typing error, not a school: the largest vmbo locations have a few hundred.
MOST_PUPILS = 2000
SOURCES = ("school", "import")


class Enrolment(db.Model):
    """How many pupils a school location has in one class year, learning path
    and profile in a school year. Years 1 and 2 have no profile yet: their
    profile is the empty string (a key column, so never NULL)."""

    __tablename__ = "enrolment"

    location_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    school_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    year: Mapped[str] = mapped_column(String(1), primary_key=True)
    path: Mapped[str] = mapped_column(String(2), primary_key=True)
    profile: Mapped[str] = mapped_column(String(8), primary_key=True, default="")
    pupils: Mapped[int]
    # Who gave the number last: the school on its page, or a coordinator's import.
    source: Mapped[str] = mapped_column(String(8), default="school")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint(f"pupils BETWEEN 0 AND {MOST_PUPILS}", name="pupils_range"),
        CheckConstraint("source IN ('school', 'import')", name="source"),
    )

    def __repr__(self) -> str:
        return (
            f"<Enrolment {self.location_id} {self.school_year} "
            f"{self.year}{self.path}{self.profile or '-'}={self.pupils}>"
        )
