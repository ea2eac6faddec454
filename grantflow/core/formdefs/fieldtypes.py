"""The field types a definition may use, and the named lists and sources
that definitions refer to.

Each type says which YAML attributes it accepts (beyond the common ones), so
``forms check`` can reject a typo such as ``maxlength`` instead of ignoring it.
Other packages extend the vocabulary without editing this file:
``register_option_set``, ``register_source``, ``register_columns``."""
from __future__ import annotations

from typing import Callable

COMMON_ATTRIBUTES = frozenset({
    "id", "type", "label", "help", "required", "show_when", "identity", "column", "source",
    "autocomplete", "role", "example",
})

TEXT_LIMITS = frozenset({"min_length", "max_length", "pattern", "pattern_message"})

#: type name -> the extra attributes it accepts
FIELD_TYPES: dict[str, frozenset] = {
    "short_text": TEXT_LIMITS,
    "long_text": frozenset({"min_length", "max_length"}),
    "number": frozenset({"min", "max"}),
    "money": frozenset({"min", "max"}),
    "date": frozenset(),
    "choice": frozenset({"options", "widget"}),
    "multi_choice": frozenset({"options", "min_selections", "max_selections"}),
    "yes_no": frozenset(),
    "email": frozenset({"max_length"}),
    "phone": frozenset(),
    "url": frozenset({"max_length"}),
    "file": frozenset(),
    "group": frozenset({"fields", "repeat", "min_items", "max_items", "item_label"}),
}

CHOICE_TYPES = {"choice", "multi_choice"}
TEXT_TYPES = {"short_text", "long_text", "email", "phone", "url"}

#: named option lists (``options: us_states``): name -> callable returning [(value, label)]
OPTION_SETS: dict[str, Callable[[], list[tuple[str, str]]]] = {}

#: read-only values copied from the context (``source: organisation.name``)
SOURCES: dict[str, Callable[[dict], object]] = {}

#: per form kind, the denormalised columns an answer may be copied to, and the
#: field types each accepts
COLUMNS: dict[str, dict[str, set[str]]] = {
    "applications": {
        "title": {"short_text"},
        "amount_requested_cents": {"money"},
        "themes": {"multi_choice"},
    },
}


#: per form kind, the roles an answer may declare (``role: summary``) so that other
#: parts of GrantFlow find it whatever its id: role -> (field types, what reads it)
ROLES: dict[str, dict[str, tuple[set[str], str]]] = {
    "applications": {
        "summary": ({"long_text", "short_text"}, "the project summary the 360Giving export publishes"),
        "requested_amount": ({"money"}, "the amount requested, checked against the round and the award"),
        "start_date": ({"date"}, "the project's start, the award period's default start"),
        "end_date": ({"date"}, "the project's end, the award period's default end"),
        "signatory_name": ({"short_text"}, "the authorized representative the letters are addressed to"),
        "signatory_title": ({"short_text"}, "the authorized representative's title, in the letters"),
        "targets": ({"group"}, "the target metrics that reports, closeout and exports compare with"),
        "engagement_places": ({"group"}, "the places abroad the project works with, in the public catalog"),
        "collaborators": ({"group"}, "the partner organisations of the project, in the public catalog"),
    },
    "reports": {
        "actuals": ({"group"}, "the metrics achieved, compared with the application's targets"),
        "spending_lines": ({"group"}, "the spending lines; each line's money answer adds up to the total spent"),
        "spent_total": ({"money"}, "the total spent from the award, checked at closeout"),
        "unspent_amount": ({"money"}, "the award left unspent, checked at closeout"),
        "story": ({"long_text"}, "the success story the portfolio and the open data may publish"),
        "publication_consent": ({"yes_no"}, "the grantee's consent to publish the success story"),
    },
}
#: roles of the fields inside a group with one of these roles (each at most once per group):
#: group role -> {item role: (field types, what reads it)}
ITEM_ROLES: dict[str, dict[str, tuple[set[str], str]]] = {
    "engagement_places": {
        "place_country": ({"short_text", "choice"}, "the partner country, counted on the public catalog"),
        "place_city": ({"short_text"}, "the partner city or region, on the public project page"),
    },
    "collaborators": {
        "collaborator_name": ({"short_text"}, "the partner organisation's name, on the public project page"),
        "collaborator_kind": ({"choice"}, "the kind of partner organisation, on the public project page"),
    },
}
#: per form kind, the roles every form of that kind must declare (``forms check``)
REQUIRED_ROLES: dict[str, tuple[str, ...]] = {
    "applications": ("summary", "requested_amount", "start_date", "end_date", "signatory_name",
                     "signatory_title", "targets"),
    "reports": ("actuals",),
}


def register_option_set(name: str, options: Callable[[], list[tuple[str, str]]] | dict) -> None:
    """``options`` is a dict {value: label} or a function returning [(value, label)]."""
    if isinstance(options, dict):
        items = list(options.items())
        OPTION_SETS[name] = lambda: items
    else:
        OPTION_SETS[name] = options


def register_source(name: str, getter: Callable[[dict], object], field_type: str = "short_text") -> None:
    """``getter(context)`` returns the value; ``context`` holds e.g. ``organisation``."""
    getter.field_type = field_type
    SOURCES[name] = getter


def register_columns(kind: str, columns: dict[str, set[str]]) -> None:
    COLUMNS.setdefault(kind, {}).update(columns)


#: the metrics a ``targets`` group's fields may be: GrantFlow's catalogue of
#: engagement metrics, shared by application targets and report actuals
#: (registered by the reporting domain): key -> label
METRICS: dict[str, str] = {}


def register_metrics(metrics: dict[str, str]) -> None:
    METRICS.update(metrics)
