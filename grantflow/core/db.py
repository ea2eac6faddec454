"""Column helpers and mixins shared by the models."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


#: a moment that stands in for "now" while a history is written (the demo's
#: seed: see ``history_clock``); None, as always while serving, is the real time
_history_now: ContextVar[datetime | None] = ContextVar("grantflow_history_now", default=None)


def utcnow() -> datetime:
    return _history_now.get() or datetime.now(timezone.utc)


@contextmanager
def history_clock():
    """Write a believable past through the real operations: inside, ``at(moment)``
    makes every ``utcnow()`` (timestamps, audit rows, deadlines, "is the round
    open?") read that moment. Only the demo's seed uses it."""
    token = _history_now.set(None)

    def at(moment: datetime) -> datetime:
        _history_now.set(moment)
        return moment

    try:
        yield at
    finally:
        _history_now.reset(token)


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
