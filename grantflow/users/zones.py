"""The time zones a person may choose for the times GrantFlow shows them.

The fund's applicants are US governments, so the list is the zones of the
states and territories, each named as people say it; any IANA zone can still be
stored by a round (``grantflow rounds create --timezone``)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

#: (IANA name, label), east to west then the territories
US_ZONES = (
    ("America/New_York", "Eastern (New York, Atlanta, Miami)"),
    ("America/Chicago", "Central (Chicago, Houston, Des Moines)"),
    ("America/Denver", "Mountain (Denver, Salt Lake City)"),
    ("America/Phoenix", "Mountain without daylight saving (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles, Seattle)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("America/Adak", "Hawaii-Aleutian (Adak)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Atlantic (Puerto Rico, US Virgin Islands)"),
    ("Pacific/Guam", "Chamorro (Guam, Northern Mariana Islands)"),
    ("Pacific/Pago_Pago", "Samoa (American Samoa)"),
    ("UTC", "Coordinated Universal Time (UTC)"),
)
ZONE_NAMES = frozenset(name for name, _ in US_ZONES)


def zone_or_utc(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")
