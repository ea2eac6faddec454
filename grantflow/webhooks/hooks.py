"""Connects webhooks to the signals of the domains below it (read at start-up
with every domain's hooks): see ``events``."""
from . import events  # noqa: F401  (its receivers connect on import)
