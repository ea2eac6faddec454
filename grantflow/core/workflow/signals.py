"""What the workflow engine announces, for the domains above core to act on
(webhooks tells the fund's other systems), so that core imports none of them.

Receivers run in the mover's transaction, once the move is flushed: what they
write is committed, or rolled back, with the move."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the moved ``Application``; keywords ``source`` and ``dest`` (state
#: names: a receiver reads their meaning with ``definition.stage_of``),
#: ``transition`` (the declared ``Transition``), ``actor`` (None: the system)
#: and ``comment``.
application_moved = _signals.signal("application-moved")
