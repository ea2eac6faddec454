"""Pure arithmetic for awards: splitting an amount into tranches, the default
payment schedule and award numbers. No database here. (When reports fall due
is the reporting domain's arithmetic: ``grantflow.reporting.schedule``.)"""
from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

#: domain.md: 50% on acceptance, 40% after the interim report, 10% after the final report
DEFAULT_PAYMENT_SCHEDULE = (
    {"label": "First payment", "release_on": "acceptance", "percent": "50"},
    {"label": "Second payment", "release_on": "interim_report", "percent": "40"},
    {"label": "Final payment", "release_on": "final_report", "percent": "10"},
)
DEFAULT_AWARD_NUMBER_PREFIX = "OCSD-L2G"


def split_amount(amount_cents: int, percents: list[Decimal]) -> list[int]:
    """Cents for each percentage, summing exactly to ``amount_cents``.

    Each share is rounded down and the leftover cents go to the shares with the
    largest remainders (earliest first on ties): the largest-remainder method,
    so no share is ever off by more than one cent."""
    percents = [Decimal(str(p)) for p in percents]
    if sum(percents) != Decimal(100):
        raise ValueError(f"the percentages add up to {sum(percents)}%, not 100%")
    exact = [Decimal(amount_cents) * p / 100 for p in percents]
    floors = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    leftover = amount_cents - sum(floors)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in by_remainder[:leftover]:
        floors[i] += 1
    return floors


def format_award_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}-{year}-{sequence:04d}"


def next_award_number(prefix: str, year: int, existing: list[str]) -> str:
    """The next free number for ``prefix`` and ``year`` given the numbers in use."""
    stem = f"{prefix}-{year}-"
    used = [int(n[len(stem):]) for n in existing if n.startswith(stem) and n[len(stem):].isdigit()]
    return format_award_number(prefix, year, max(used, default=0) + 1)


def parse_percent(text: str) -> Decimal:
    value = Decimal(text.strip().rstrip("%").strip())
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("use at most two decimal places")
    return value
