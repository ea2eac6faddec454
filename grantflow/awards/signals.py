"""What the awards domain announces, for the domains above it to act on
(reporting schedules a grant's reports), so that awards imports none of them.

Receivers run in the sender's transaction: what they write is committed, or
rolled back, with the award."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the accepted ``Award``; keyword ``actor``. Sent in the acceptance's
#: transaction, once the award is recorded as accepted.
award_accepted = _signals.signal("award-accepted")

#: sender: the ``Award``. A receiver returns the grant's reports as plain
#: values (``title``, ``period_start``, ``period_end``, ``due_on``): those
#: scheduled, or before acceptance those that will be. Shown on the offer page
#: and in the award letter.
reporting_schedule_wanted = _signals.signal("reporting-schedule-wanted")


def reporting_schedule(award) -> list[dict]:
    """The first answer of a receiver of ``reporting_schedule_wanted`` (none: no reports)."""
    for _receiver, reports in reporting_schedule_wanted.send(award):
        if reports is not None:
            return reports
    return []
