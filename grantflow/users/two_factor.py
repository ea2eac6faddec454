"""Two-step sign-in: a time-based code (TOTP, RFC 6238, by pyotp) from an
authenticator app, or one of ten single-use recovery codes.

Any user may turn it on from "Two-step sign-in"; administrators must when a
fund's settings say ``"require_two_factor_for_admins": true`` (they are sent to
the set-up page until they do). The secret is stored once the first code from
the app proves the app has it; recovery codes are stored as hashes and shown
once."""
from __future__ import annotations

import io
import secrets

import pyotp
import segno
import sqlalchemy as sa
from markupsafe import Markup
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.audit import record_event
from ..core.db import utcnow
from ..extensions import db

ISSUER = "GrantFlow"
RECOVERY_CODES = 10
#: a code from the step before or after still counts (a phone's clock drifts)
VALID_WINDOW = 1
SETTING = "require_two_factor_for_admins"


class CodeRefused(ValueError):
    """A message fit for the code field."""


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> Markup:
    """The set-up QR code as inline SVG, drawn on the server (no script, no
    image service): its colours are attributes, which the CSP allows."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=5, border=4,
                                    title=title, svgclass="qr-code", lineclass=None, dark="#000", light="#fff")
    # an image named by its <title>, for screen readers
    return Markup(out.getvalue().decode().replace("<svg ", '<svg role="img" ', 1))


def _totp_matches(secret: str, code: str) -> bool:
    return pyotp.TOTP(secret).verify(code, valid_window=VALID_WINDOW)


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def enable(user, secret: str, code: str) -> list[str]:
    """Turn two-step sign-in on once ``code`` proves the app holds ``secret``;
    returns the recovery codes, to show once."""
    if not _totp_matches(secret, _clean(code)):
        raise CodeRefused("That code is not right. Enter the 6 digits your app shows now.")
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.recovery_code_hashes = [generate_password_hash(_clean(c), method="pbkdf2:sha256:100000") for c in codes]
    record_event(actor=user, action="user.two_factor_enabled", subject=user)
    return codes


def disable(actor, user) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.recovery_code_hashes = None
    user.end_all_sessions()
    record_event(actor=actor, action="user.two_factor_disabled", subject=user)


def verify(user, code: str) -> bool:
    """A current code or an unused recovery code (which is then spent)."""
    code = _clean(code)
    if not user.totp_secret or not code:
        return False
    if code.isdigit() and len(code) == 6:
        return _totp_matches(user.totp_secret, code)
    hashes = list(user.recovery_code_hashes or [])
    for index, stored in enumerate(hashes):
        if check_password_hash(stored, code):
            del hashes[index]
            user.recovery_code_hashes = hashes
            record_event(actor=user, action="user.recovery_code_used", subject=user,
                         data={"left": len(hashes)})
            return True
    return False


def required_for_role(user) -> bool:
    """Whether a fund requires two-step sign-in of ``user`` (an administrator)."""
    from ..funds.models import Fund

    if not user.has_role("admin"):
        return False
    return any((settings or {}).get(SETTING) for settings in db.session.scalars(sa.select(Fund.settings)))


def required_for(user) -> bool:
    """Whether ``user`` must set up two-step sign-in before anything else."""
    return user.totp_enabled_at is None and required_for_role(user)
