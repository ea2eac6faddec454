"""The demo's round on the fund's new process: workflow and application form
version 2 (an interview before any award; every state and question renamed),
open beside the rounds on version 1. Its applications are moved by the same
story as the others (``seed.py``), so they show version 2's own states and
questions; these are the governments and projects that apply to it."""
from __future__ import annotations

from datetime import datetime, timedelta

from ..funds.models import Fund, Round

WORKFLOW = ("local_to_global", 2)
FORM = ("local_to_global", 2)
RUBRIC = ("local_to_global", 1)

# (name, BusinessTypes letter, state, population, UEI or None, EIN or None), as in ``places``
GOVERNMENTS = [
    ("City of Tucson", "C", "AZ", 542_629, "TU8C3S5N2Q7X", "86-6000266"),
    ("King County", "B", "WA", 2_269_675, None, "91-6001327"),
    ("State of Maine", "A", "ME", 1_395_722, "ME4N7S2T9W1Q", None),
    ("Oglala Sioux Tribe", "I", "SD", 19_639, None, None),
    ("City of New Orleans", "C", "LA", 383_997, None, "72-6000969"),
    ("American Samoa Government", "F", "AS", 49_710, None, None),
    ("City of Albuquerque", "C", "NM", 564_559, None, None),
]
# (title, themes, partner country, partner city, amount requested in dollars), as in ``projects``
PROJECTS = [
    ("Tucson–Hermosillo solar manufacturing corridor", ["climate", "trade_investment", "cross_border"], "Mexico",
     "Hermosillo", 140_000),
    ("King County transit-oriented housing exchange", ["inclusive_cities", "smart_infrastructure"], "Austria",
     "Vienna", 120_000),
    ("Maine–New Brunswick working-forest partnership", ["climate", "cross_border"], "Canada", "Fredericton", 80_000),
    ("Lakota language and bison stewardship exchange", ["exchange", "sdgs"], "Canada", "Saskatoon", 65_000),
    ("New Orleans port-city flood adaptation learning", ["disaster_resilience", "climate"], "Netherlands",
     "Rotterdam", 200_000),
    ("American Samoa Pacific fisheries data partnership", ["climate", "sdgs"], "Samoa", "Apia", 90_000),
    ("Albuquerque film and creative-industries mission", ["trade_investment", "exchange"], "Spain", "Seville", 50_000),
]
#: where each application's story ends (``seed.py``'s words); "deliberating": the panel has
#: finished and the fund has taken the new process's next step before deciding (an interview)
ENDS = ["reviewing", "reviewing", "deliberating", "checking", "received", "unsubmitted", "unsubmitted"]


def new_process_round(fund: Fund, now: datetime) -> Round:
    year = now.year if now.month < 10 else now.year + 1
    return Round(fund=fund, name=f"{year} round (new process, with interviews)", opens_at=now - timedelta(days=30),
                 closes_at=now + timedelta(days=60), budget_cents=150_000_000, workflow_key=WORKFLOW[0],
                 workflow_version=WORKFLOW[1], form_key=FORM[0], form_version=FORM[1], rubric_key=RUBRIC[0],
                 rubric_version=RUBRIC[1], review_due_at=now + timedelta(days=20),
                 settings={"timezone": "America/New_York"},
                 description="The fund's new process: after the panel's scores, shortlisted governments are "
                             "interviewed before any award.")
