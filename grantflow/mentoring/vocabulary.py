"""The words a mentor profile and a request are written in: languages, and the
US Census Bureau's four regions (plus the territories), which group the states
for the "same region" part of a match."""
from __future__ import annotations

#: language code -> name: the languages most spoken in US homes (Census ACS), and
#: those of the tribal and territorial governments the fund serves
LANGUAGES = {
    "en": "English", "es": "Spanish", "zh": "Chinese", "tl": "Tagalog", "vi": "Vietnamese", "ar": "Arabic",
    "fr": "French", "ko": "Korean", "ru": "Russian", "pt": "Portuguese", "ht": "Haitian Creole",
    "de": "German", "hi": "Hindi", "ja": "Japanese", "nv": "Navajo", "haw": "Hawaiian", "sm": "Samoan",
    "ch": "Chamorro", "asl": "American Sign Language",
}

#: Census Bureau regions; the territories form a region of their own
REGIONS = {
    "Northeast": ("CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA"),
    "Midwest": ("IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD"),
    "South": ("DE", "DC", "FL", "GA", "MD", "NC", "SC", "VA", "WV", "AL", "KY", "MS", "TN", "AR", "LA",
              "OK", "TX"),
    "West": ("AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA"),
    "Territories": ("AS", "GU", "MP", "PR", "VI"),
}
REGION_OF = {code: region for region, codes in REGIONS.items() for code in codes}


def region_of(us_state: str | None) -> str | None:
    return REGION_OF.get(us_state or "")


def language_names(codes) -> list[str]:
    return [LANGUAGES.get(code, code) for code in codes or ()]
