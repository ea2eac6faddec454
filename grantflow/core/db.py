"""Column helpers and mixins shared by the models."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, always hands back aware UTC datetimes.

    SQLite has no time zones; normalising here means the code never compares an
    aware datetime with a naive one."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use UTC-aware datetimes")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow,
                                                 nullable=False)


def cents_to_dollars(cents: int | None) -> Decimal | None:
    if cents is None:
        return None
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def dollars_to_cents(amount) -> int:
    return int((Decimal(str(amount)) * 100).quantize(Decimal("1")))


def format_usd(cents: int | None, *, whole: bool = False) -> str:
    if cents is None:
        return "—"
    dollars = cents_to_dollars(cents)
    return f"${dollars:,.0f}" if whole else f"${dollars:,.2f}"
