"""The one access policy: ``can(user, action, resource)`` answers every "may
this person do that to this" of GrantFlow, for every kind of resource.

Why a registry: ``core`` is the bottom layer and imports no domain, yet the
rules need the domains' models. So each domain declares the kinds it owns,
with their rules, in its own ``policy`` module (found at start-up by
``discovery``, like hooks), and every view, whatever its domain, asks here.
The rules of one kind stay in one short file; reading a domain's
``policy.py`` tells everything about who may touch its objects.

A rule is ``rule(user, obj) -> Decision``. ``user`` is ``None`` for someone
not signed in. ``obj`` is ``None`` for the question asked before anything is
loaded ("may this user ever do that to an application?": the role gate), and
the object itself for the real question. A refusal carries the reason the UI
shows; ``hidden=True`` means the user may not know the object exists (the
loader answers 404 instead of 403).

Every route declares its policy (``tests/authz/test_policy_declared.py``
walks the URL map): ``@allows(action, kind)`` asks the role gate before the
view runs, ``@public`` says anybody may come. The view then loads each object
through ``load(kind, id, action)``: 404 if it does not exist or is hidden from
the user, 403 with the reason otherwise, the sign-in page for the anonymous.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable

from flask import abort
from flask_login import current_user

from ..extensions import db, login_manager
from .permissions import ALLOW, Decision, deny

__all__ = ["ALLOW", "Decision", "deny", "hidden", "kind", "can", "find", "load", "require", "refuse", "allows", "public",
           "has_role", "signed_in", "PUBLIC"]

Rule = Callable[[Any, Any], Decision]


def hidden(reason: str = "Not disclosed to this user.") -> Decision:
    """A refusal that does not disclose that the object exists: answered with
    the 404 of an id that does not exist (the reason is for code, never shown)."""
    return Decision(False, reason, hidden=True)


def signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def has_role(user, *roles: str) -> bool:
    return signed_in(user) and any(user.has_role(role) for role in roles)


@dataclass
class Kind:
    """One kind of resource: its name, how an id finds it, and a rule per action."""
    name: str
    model: type | None = None
    fetch: Callable[[Any], Any] | None = None
    rules: dict[str, Rule] = field(default_factory=dict)

    def action(self, *names: str):
        """Decorator: ``rule(user, obj)`` decides ``names`` for this kind."""
        def register(rule: Rule) -> Rule:
            for name in names:
                if name in self.rules and self.rules[name] is not rule:
                    raise ValueError(f"policy: {self.name}.{name} already has a rule")
                self.rules[name] = rule
            return rule
        return register

    def find(self, ident):
        if self.fetch is not None:
            return self.fetch(ident)
        if self.model is None:
            raise LookupError(f"policy: kind {self.name!r} has no model to load by id")
        return db.session.get(self.model, ident)


KINDS: dict[str, Kind] = {}
_BY_MODEL: dict[type, str] = {}


def kind(name: str, *, model: type | None = None, fetch: Callable[[Any], Any] | None = None) -> Kind:
    """Declare (or, on a second import, return) the kind ``name``. ``model``
    maps objects of that class to it; ``fetch(id)`` loads one (default:
    ``db.session.get(model, id)``)."""
    found = KINDS.get(name)
    if found is None:
        found = KINDS[name] = Kind(name, model, fetch)
    else:  # a module imported twice (tests reload) declares the same kind again
        found.model, found.fetch = model or found.model, fetch or found.fetch
    if model is not None:
        _BY_MODEL.setdefault(model, name)
    return found


def _kind_of(resource) -> tuple[Kind, Any]:
    if isinstance(resource, str):
        return _kind_named(resource), None
    for cls in type(resource).__mro__:
        if cls in _BY_MODEL:
            return KINDS[_BY_MODEL[cls]], resource
    raise LookupError(f"policy: no kind registered for {type(resource).__name__}")


def _kind_named(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"policy: no kind {name!r} (declare it in its domain's policy.py)") from None


def rule_for(kind_name: str, action: str) -> Rule:
    rules = _kind_named(kind_name).rules
    if action not in rules:
        raise LookupError(f"policy: kind {kind_name!r} has no rule for {action!r} (has {sorted(rules)})")
    return rules[action]


def can(user, action: str, resource, *, kind_name: str | None = None) -> Decision:
    """May ``user`` do ``action`` to ``resource`` (an object, or a kind's name
    for the question asked before loading one)? ``kind_name`` picks the kind
    when one model serves several (a background job and an export). Unknown
    actions are a programming error, never a silent yes."""
    found, obj = _kind_of(resource)
    name = kind_name or found.name
    return rule_for(name, action)(user if signed_in(user) else None, obj)


def refuse(decision: Decision, user=None):
    """Answer a refusal: the sign-in page for the anonymous (Flask-Login's
    ``unauthorized``: a redirect, or whatever an ``unauthorized_handler``
    answers), 404 for what the user may not know exists, 403 with the reason."""
    if not signed_in(current_user if user is None else user):
        abort(login_manager.unauthorized())
    if decision.hidden:
        abort(404)  # exactly the answer for an id that does not exist
    abort(403, decision.reason or None)


def find(kind_name: str, ident):
    """The object ``kind_name`` numbered ``ident``, or None, as the kind loads
    it, deciding nothing: for public data and for callers that answer refusals
    their own way (the JSON API) and then ask ``can``."""
    return _kind_named(kind_name).find(ident) if ident is not None else None


def load(kind_name: str, ident, action: str, user=None):
    """The object ``kind_name`` numbered ``ident`` if ``user`` (default: the
    signed-in one) may do ``action`` to it; otherwise the request ends here."""
    return require(action, find(kind_name, ident), user, kind_name=kind_name)


def require(action: str, obj, user=None, *, kind_name: str | None = None):
    """``obj`` (reached through another one: an application's award) if
    ``user`` may do ``action`` to it; 404 if there is none; else as ``load``."""
    if obj is None:
        abort(404)
    user = current_user if user is None else user
    decision = can(user, action, obj, kind_name=kind_name)
    if not decision:
        refuse(decision, user)
    return obj


#: what ``@public`` records: no rule, anybody may come
PUBLIC = ("public", None)


def allows(action: str, kind_name: str, *, gate: bool = True):
    """Declare that the route does ``action`` to a ``kind_name``; before the
    view runs, ask the rule without an object (the role gate). ``gate=False``
    only declares: for the few views that answer the anonymous their own way
    (an expired session keeps the typed answers) and load with ``load``."""
    def decorator(view):
        if gate:
            @wraps(view)
            def checked(*args, **kwargs):
                decision = can(current_user, action, kind_name)
                if not decision:
                    refuse(decision)
                return view(*args, **kwargs)
        else:
            checked = view
        checked.policy = (action, kind_name)
        return checked
    return decorator


def public(view):
    """Declare that anybody may open the route (sign-in, open data, health...);
    whatever it shows is decided inside (a token, a signed-in user's own data)."""
    view.policy = PUBLIC
    return view


def declared_policy(view) -> tuple[str, str | None] | None:
    return getattr(view, "policy", None)


# -- rules many kinds share ------------------------------------------------------------

STAFF_ONLY = "Only fund staff can open this page."


def staff(user, obj=None) -> Decision:
    """Fund administrators only; everyone else is told so (403)."""
    return ALLOW if has_role(user, "admin") else deny(STAFF_ONLY)


def anyone_signed_in(user, obj=None) -> Decision:
    return ALLOW if user is not None else deny("Sign in to continue.")


# -- the kinds core itself owns ---------------------------------------------------------

def _declare_core_kinds() -> None:
    from .models import BackgroundJob, OutboxEmail

    # a background job's page and Retry (exports have their own kind in portfolio)
    kind("job", model=BackgroundJob).action("view", "retry")(staff)
    # the workflow definitions loaded at start-up (read-only pages)
    kind("workflow").action("view")(staff)
    # the emails kept when no mail server is set: staff read them
    kind("email", model=OutboxEmail).action("read")(staff)


_declare_core_kinds()
