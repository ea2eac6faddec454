"""Reading the links GrantFlow emails, as the recipient would."""
from __future__ import annotations

import re

from sqlalchemy import select

from grantflow.core.models import OutboxEmail
from grantflow.extensions import db


def emails_to(address: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient == address)
                                   .order_by(OutboxEmail.id)))


def link_in_latest_email(address: str, path_part: str) -> str:
    """The path (without the base URL) of the link containing ``path_part``."""
    emails = emails_to(address)
    assert emails, f"no email to {address}"
    paths = [path for path in re.findall(r"https?://[^/\s]+(/\S*)", emails[-1].body_text) if path_part in path]
    assert paths, f"no {path_part} link in: {emails[-1].body_text}"
    return paths[0]
