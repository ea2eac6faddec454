"""Portfolio settings from the environment (deployment choices, not per-fund policy)."""
from __future__ import annotations

import os


def init_app(app) -> None:
    # every fund publishes its accepted grants in the public catalog (otherwise: its rounds' or fund's
    # settings say open_data: true; grantflow/catalog/publishing.py)
    app.config.setdefault("OPEN_DATA_ALL_FUNDS", os.environ.get("GRANTFLOW_OPEN_DATA", "") in ("1", "true", "yes"))
    # how long the public 360Giving file is served before it is regenerated
    app.config.setdefault("OPEN_DATA_MAX_AGE", int(os.environ.get("GRANTFLOW_OPEN_DATA_MAX_AGE", 3600)))
    # the licence of the published data (US federal data is public domain: CC0 by default)
    app.config.setdefault("OPEN_DATA_LICENSE", os.environ.get(
        "GRANTFLOW_OPEN_DATA_LICENSE", "https://creativecommons.org/publicdomain/zero/1.0/"))
