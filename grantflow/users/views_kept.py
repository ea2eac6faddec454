"""Sign in and get back what you typed: the step after a signed-out post
(``users.kept``). The typed values come in hidden inputs; once the password
(and the two-step code, if the account uses one) is right, they are kept for
the account that signed in and the browser goes back to the form."""
from __future__ import annotations

from flask import abort, redirect, request

from ..core import limits
from ..core.audit import record_event
from ..core.policy import public
from ..core.redirects import safe_next
from ..core.refusal import REFUSED
from . import kept, sessions, two_factor
from .operations import Refused, authenticate
from .views import bp


@bp.route("/sign-in-to-keep", methods=["POST"])
@public  # a sign-in form: what was typed is kept for whoever signs in
@limits.sign_in("_signin_email")
def sign_in_to_keep():
    page_path, action_path = safe_next(request.form.get("_kept_page")), safe_next(request.form.get("_kept_action"))
    if not page_path or not action_path:
        abort(400)
    values, files = kept.typed_values(request.form), request.form.getlist("_kept_file")
    reason = kept.SIGNED_OUT

    def again(error: str, status: int):
        return kept.sign_in_page(values, files, page_path, action_path, reason=reason, error=error, status=status)

    if not kept.fits(values):
        return again("What you typed is too long to keep: copy it from below before you leave this page, "
                     "then sign in from the menu.", 400)
    try:
        user = authenticate(request.form.get("_signin_email", ""), request.form.get("_signin_password", ""))
    except Refused as exc:  # a deactivated account is told so; what was typed is still carried along
        return again(str(exc), 403)
    if user is None:
        return again("The email address or password is not right.", REFUSED)
    if user.totp_enabled_at and not two_factor.verify(user, request.form.get("_signin_code", "")):
        return again("Your account uses two-step sign-in: enter the code your authenticator app shows "
                     "(or a recovery code) as well.", REFUSED)
    sessions.sign_in(user)
    record_event(actor=user, action="user.signed_in", subject=user)
    kept.keep(user, page_path=page_path, action_path=action_path, values=values, files=files)
    return redirect(page_path, code=303)
