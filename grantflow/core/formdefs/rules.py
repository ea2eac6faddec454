"""Cross-field rules, named in a definition's ``rules:`` list.

A rule is a pure function ``(answers, params, context) -> [(field_id, message)]``
registered with ``@form_rule(name, fields=(...))``; ``fields`` names the
parameters that refer to field ids, so ``forms check`` can verify them. Rules
skip silently when an answer they need is missing: that is the job of the
required check, not theirs. ``context`` may hold ``round`` and ``organisation``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from ..db import format_usd


@dataclass(frozen=True)
class RuleSpec:
    func: Callable
    field_params: tuple[str, ...]
    optional_params: tuple[str, ...] = ()


RULES: dict[str, RuleSpec] = {}


def form_rule(name: str, fields: tuple[str, ...], optional: tuple[str, ...] = ()):
    def decorator(func):
        RULES[name] = RuleSpec(func, fields, optional)
        return func
    return decorator


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def months_between(start: date, end: date) -> float:
    """Whole months plus the fraction of the last one, so 1 Jan to 31 Dec of
    the next year counts as 24 months, and to 1 Jan of the year after as more."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    days = end.day - start.day + 1
    return months + days / 31


@form_rule("end_after_start", fields=("start", "end"))
def end_after_start(answers, params, context):
    start, end = _date(answers.get(params["start"])), _date(answers.get(params["end"]))
    if start and end and end <= start:
        return [(params["end"], "The end date must be after the start date.")]
    return []


@form_rule("period_within_round", fields=("start", "end"), optional=("max_months",))
def period_within_round(answers, params, context):
    start, end = _date(answers.get(params["start"])), _date(answers.get(params["end"]))
    round_ = (context or {}).get("round")
    limit = getattr(round_, "max_period_months", None) or params.get("max_months")
    if not (start and end and limit) or end <= start:
        return []
    if months_between(start, end) > limit:
        return [(params["end"], f"The project can last at most {limit} months; from "
                                f"{start:%B %-d, %Y} to {end:%B %-d, %Y} is longer.")]
    return []


@form_rule("amount_within_round", fields=("field",), optional=("min", "max"))
def amount_within_round(answers, params, context):
    amount = answers.get(params["field"])
    round_ = (context or {}).get("round")
    low = getattr(round_, "min_request_cents", None) or params.get("min")
    high = getattr(round_, "max_request_cents", None) or params.get("max")
    if amount is None or low is None or high is None:
        return []
    if not low <= amount <= high:
        return [(params["field"], f"This round funds requests between {format_usd(low, whole=True)} and "
                                  f"{format_usd(high, whole=True)}; you asked for {format_usd(amount)}.")]
    return []


@form_rule("sum_equals", fields=("group", "total"), optional=("field",))
def sum_equals(answers, params, context):
    """The amounts in a repeatable group add up to a total (budget lines vs. the request)."""
    items = answers.get(params["group"]) or []
    total = answers.get(params["total"])
    amounts = [item.get(params.get("field", "amount")) for item in items if isinstance(item, dict)]
    amounts = [a for a in amounts if isinstance(a, int)]
    if total is None or not amounts:
        return []
    if sum(amounts) != total:
        return [(params["group"], f"The lines add up to {format_usd(sum(amounts))}, but the total is "
                                  f"{format_usd(total)}. Make them match.")]
    return []
