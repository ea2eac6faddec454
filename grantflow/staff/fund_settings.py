"""A fund's settings (``Fund.settings``): the policy the award, reporting,
letter and open-data pages read. ``read_fund_settings`` checks every value
with the rule its reader applies (a payment schedule adds up to 100%, report
intervals are whole numbers...), so a bad value is refused here, with its
field, and never stored; ``update_fund_settings`` audits the change."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..awards.models import RELEASE_EVENTS
from ..awards.schedule import DEFAULT_AWARD_NUMBER_PREFIX, DEFAULT_PAYMENT_SCHEDULE
from ..core.audit import record_event
from ..core.refusal import Refused
from ..reporting.schedule import DEFAULTS as REPORTING_DEFAULTS

PREFIX = re.compile(r"^[A-Z0-9](?:[A-Z0-9-]{0,28}[A-Z0-9])?$")
GIVING_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")
#: setting -> (lowest, highest) whole number
NUMBERS = {"interim_report_months": (0, 24), "final_report_days": (1, 365), "reminder_days_before": (0, 90)}
KEYS = ("payment_schedule", *NUMBERS, "award_number_prefix", "letter_signatory", "giving_prefix")


def current_values(fund) -> dict:
    """What the settings page shows: the fund's own settings over the defaults."""
    settings = fund.settings or {}
    signatory = settings.get("letter_signatory") or {}
    return {
        "payment_schedule": [dict(row) for row in settings.get("payment_schedule") or DEFAULT_PAYMENT_SCHEDULE],
        **{key: str(settings.get(key, REPORTING_DEFAULTS[key])) for key in NUMBERS},
        "award_number_prefix": settings.get("award_number_prefix", DEFAULT_AWARD_NUMBER_PREFIX),
        "signatory_name": signatory.get("name", ""), "signatory_title": signatory.get("title", ""),
        "giving_prefix": settings.get("giving_prefix", ""),
    }


def _schedule(rows: list[dict]) -> list[dict]:
    schedule = []
    for row in rows:
        label, percent = (row.get("label") or "").strip(), str(row.get("percent") or "").strip().rstrip("%").strip()
        if not label and not percent:
            continue  # an empty row of the table
        if not label:
            raise Refused("Give each payment a label.", "payment_schedule")
        try:
            share = Decimal(percent)
        except InvalidOperation:
            raise Refused(f"“{label}”: give its share as a percentage, for example 50.", "payment_schedule") from None
        if not share.is_finite() or share <= 0 or share != share.quantize(Decimal("0.01")):
            raise Refused(f"“{label}”: the share must be more than 0%, with at most two decimals.",
                          "payment_schedule")
        if row.get("release_on") not in RELEASE_EVENTS:
            raise Refused(f"“{label}”: choose when it is released.", "payment_schedule")
        if row["release_on"] == "date" and not row.get("due_date"):
            raise Refused(f"“{label}” is released on a date: give the date.", "payment_schedule")
        entry = {"label": label[:120], "release_on": row["release_on"], "percent": f"{share.normalize():f}"}
        if row["release_on"] == "date":
            entry["due_date"] = str(row["due_date"])
        schedule.append(entry)
    if not schedule:
        raise Refused("Give at least one payment.", "payment_schedule")
    total = sum(Decimal(r["percent"]) for r in schedule)
    if total != 100:
        raise Refused(f"The payments add up to {total.normalize():f}%, not 100%.", "payment_schedule")
    return schedule


def read_fund_settings(values: dict) -> dict:
    """The settings page's values -> the settings to store; the first bad one is refused."""
    settings: dict = {"payment_schedule": _schedule(values.get("payment_schedule") or [])}
    for key, (lowest, highest) in NUMBERS.items():
        text = str(values.get(key) or "").strip()
        if not text.isdigit() or not lowest <= int(text) <= highest:
            raise Refused(f"Give a whole number from {lowest} to {highest}.", key)
        settings[key] = int(text)
    prefix = str(values.get("award_number_prefix") or "").strip()
    if not PREFIX.match(prefix):
        raise Refused("Use 1 to 30 capital letters, digits and hyphens (not at either end), for example OCSD-L2G.",
                      "award_number_prefix")
    settings["award_number_prefix"] = prefix
    name, title = (str(values.get(k) or "").strip() for k in ("signatory_name", "signatory_title"))
    if bool(name) != bool(title):
        raise Refused("Give the signatory's name and title, or neither (letters then use the template's).",
                      "signatory_name" if not name else "signatory_title")
    settings["letter_signatory"] = {"name": name, "title": title} if name else None
    giving = str(values.get("giving_prefix") or "").strip().removeprefix("360G-")
    if giving and not GIVING_PREFIX.match(giving):
        raise Refused("Use the lower-case letters, digits and hyphens 360Giving gave the fund, for example usocsd.",
                      "giving_prefix")
    settings["giving_prefix"] = giving or None
    return settings


def update_fund_settings(actor, fund, values: dict) -> dict:
    """Store the checked settings (other keys of ``Fund.settings`` are kept);
    returns the changes (key -> [before, after]), audited."""
    if not actor.has_role("admin"):
        raise Refused("Only fund administrators can change a fund's settings.")
    new = read_fund_settings(values)
    old = fund.settings or {}
    changes = {key: [old.get(key), value] for key, value in new.items() if old.get(key) != value}
    if changes:
        merged = {**old, **new}
        fund.settings = {key: value for key, value in merged.items() if value is not None}
        record_event(actor=actor, action="fund.settings_updated", subject=fund,
                     comment=f"Settings of {fund.name} changed: {', '.join(sorted(changes))}.", data=changes)
    return changes
