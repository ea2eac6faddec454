"""Words for synthetic data: government names, project titles, people, stories.

Made-up but plausible; every name is generated, none is a real person."""
from __future__ import annotations

import string

THEMES = ["climate", "trade_investment", "migration", "gender_equity", "inclusive_cities", "sdgs",
          "cybersecurity", "public_health", "exchange", "disaster_resilience", "smart_infrastructure",
          "cross_border", "democracy"]
_THEME_WORDS = {
    "climate": "clean-energy", "trade_investment": "export and investment", "migration": "newcomer welcome",
    "gender_equity": "women's leadership", "inclusive_cities": "safe streets", "sdgs": "SDG localisation",
    "cybersecurity": "cyber resilience", "public_health": "public health", "exchange": "youth exchange",
    "disaster_resilience": "disaster resilience", "smart_infrastructure": "digital inclusion",
    "cross_border": "cross-border", "democracy": "civic participation",
}
_STARTS = ["Ash", "Bell", "Cedar", "Clear", "Deer", "East", "Elm", "Fair", "Glen", "Green", "High", "Lake",
           "Maple", "Mill", "North", "Oak", "Pine", "Red", "River", "Rock", "Silver", "Spring", "Stone", "West",
           "Willow", "Wood"]
_ENDS = ["brook", "bury", "dale", "field", "ford", "grove", "haven", "land", "mont", "port", "ridge", "ton",
         "vale", "view", "ville", "wood"]
_FIRST = ["Alex", "Ana", "Ben", "Carmen", "Chen", "Dana", "Eli", "Fatima", "Grace", "Hiro", "Imani", "Jamal",
          "Kai", "Lena", "Marco", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vic",
          "Wen", "Yara", "Zoe"]
_LAST = ["Adams", "Baker", "Chavez", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ibrahim", "Johnson",
         "Kim", "Lopez", "Morgan", "Nguyen", "Okafor", "Patel", "Reyes", "Singh", "Tanaka", "Walker", "Young"]
_PARTNERS = ["a sister city", "a university partner", "a diaspora chamber of commerce", "a regional port authority",
             "a community college", "a trade office abroad"]
_RESULTS = ["jobs for local residents", "a new direct flight", "a foreign investor's first US plant",
            "a student exchange that now runs every year", "a shared flood-warning system",
            "a joint climate plan with a partner city"]


def _place(rng) -> str:
    return rng.choice(_STARTS) + rng.choice(_ENDS)


def made_up_government(rng, kind: str, state: str, serial: int) -> str:
    place = _place(rng)
    names = {
        "A": f"State of {state} Office of International Affairs",
        "B": f"{place} County",
        "C": f"City of {place}",
        "F": f"{state} Territorial Office of External Affairs",
        "I": f"{place} Tribal Nation",
        "J": f"{place} Band of Indians",
        "R": f"{place} Regional Council of Governments",
    }
    # the serial keeps names unique enough to tell apart in lists
    return f"{names[kind]} ({serial})"


def person_name(rng) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def uei(rng) -> str:
    alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + string.digits[1:]
    return "".join(rng.choice(alphabet) for _ in range(12))


def ein(rng) -> str:
    return f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"


def project_title(rng, themes: list[str]) -> str:
    return f"{_place(rng)} {_THEME_WORDS[themes[0]]} partnership with {rng.choice(_PARTNERS)}"[:140]


def summary(rng, title: str) -> str:
    return (f"{title}. The project builds the government's capacity for international engagement and "
            f"aims at {rng.choice(_RESULTS)}.")


def story(rng) -> str:
    return (f"Working with {rng.choice(_PARTNERS)}, the team hosted {rng.randint(2, 9)} delegations and "
            f"secured {rng.choice(_RESULTS)}. Residents took part in {rng.randint(3, 30)} public events.")
