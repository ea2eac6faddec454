"""What the reporting domain announces, for the domains above it to act on
(webhooks tells the fund's other systems), so that reporting imports none of them.

Receivers run in the sender's transaction: what they write is committed, or
rolled back, with the report."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the submitted ``Report`` (flushed, state ``submitted``); keywords
#: ``actor`` and ``resubmitted`` (True when the fund had asked for changes).
report_submitted = _signals.signal("report-submitted")
