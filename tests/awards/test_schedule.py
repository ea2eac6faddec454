"""Splitting an award into tranches to the cent, and award numbers."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grantflow.awards.schedule import next_award_number, parse_percent, split_amount


@pytest.mark.parametrize("amount, percents, expected", [
    (7_500_000, [50, 40, 10], [3_750_000, 3_000_000, 750_000]),
    (100, [50, 50], [50, 50]),
    (1, [50, 50], [1, 0]),                         # the odd cent goes to the first of equal remainders
    (10_000_001, [50, 40, 10], [5_000_001, 4_000_000, 1_000_000]),
    (100, ["33.33", "33.33", "33.34"], [33, 33, 34]),
    (1_000_000, ["33.33", "33.33", "33.34"], [333_300, 333_300, 333_400]),
    (1_001, ["33.33", "33.33", "33.34"], [334, 333, 334]),
    (2_500_001, [100], [2_500_001]),
])
def test_split_amount(amount, percents, expected):
    result = split_amount(amount, [Decimal(str(p)) for p in percents])
    assert result == expected
    assert sum(result) == amount


def test_split_refuses_percentages_not_adding_to_100():
    with pytest.raises(ValueError, match="99"):
        split_amount(100, [Decimal(50), Decimal(49)])


@given(amount=st.integers(min_value=0, max_value=10**11),
       parts=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=8))
def test_split_is_exact_and_within_a_cent_of_each_share(amount, parts):
    # turn arbitrary weights into percentages with two decimals that sum to exactly 100
    total = sum(parts)
    percents = [(Decimal(p * 100) / total).quantize(Decimal("0.01")) for p in parts]
    percents[-1] += Decimal(100) - sum(percents)
    if percents[-1] <= 0:
        return
    result = split_amount(amount, percents)
    assert sum(result) == amount
    for cents, percent in zip(result, percents):
        assert abs(Decimal(cents) - Decimal(amount) * percent / 100) < 1


@pytest.mark.parametrize("existing, expected", [
    ([], "OCSD-L2G-2026-0001"),
    (["OCSD-L2G-2026-0001", "OCSD-L2G-2026-0007"], "OCSD-L2G-2026-0008"),
    (["OCSD-L2G-2025-0042", "OTHER-2026-0009"], "OCSD-L2G-2026-0001"),
    (["OCSD-L2G-2026-9999"], "OCSD-L2G-2026-10000"),
])
def test_next_award_number(existing, expected):
    assert next_award_number("OCSD-L2G", 2026, existing) == expected


@pytest.mark.parametrize("text, expected", [("50", Decimal(50)), ("33.33", Decimal("33.33")), (" 40 % ", Decimal(40))])
def test_parse_percent(text, expected):
    assert parse_percent(text) == expected


@pytest.mark.parametrize("text", ["33.333", "abc", ""])
def test_parse_percent_refuses(text):
    with pytest.raises(Exception):
        parse_percent(text)
