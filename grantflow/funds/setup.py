"""Start-up for the funds domain."""
from __future__ import annotations

from . import round_list  # noqa: F401  (registers the round list triggers for create_all)


def init_app(app) -> None:
    """Nothing per app: importing ``round_list`` registered its triggers."""
