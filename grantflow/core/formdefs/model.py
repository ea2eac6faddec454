"""The parsed, immutable shape of a form definition (``forms/<kind>/<key>.v<N>.yaml``).

A definition is plain data: pages of fields, each field with a type, limits,
an optional condition and flags (identity, column). Everything that turns it
into HTML forms, answers or read-only text lives in the sibling modules."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Condition:
    """Show a field only when another field's answer matches.

    Exactly one of ``equals``, ``one_of`` or ``filled`` is set."""

    field: str
    equals: Any = None
    one_of: tuple = ()
    filled: bool = False

    def holds(self, value) -> bool:
        if self.filled:
            return not is_empty(value)
        if self.one_of:
            values = value if isinstance(value, list) else [value]
            return any(v in self.one_of for v in values)
        if isinstance(value, list):
            return self.equals in value
        return value == self.equals

    def describe(self, label: str) -> str:
        if self.filled:
            return f"Answer this if you answered “{label}”."
        if self.one_of:
            return f"Answer this if your answer to “{label}” is one of: {', '.join(map(str, self.one_of))}."
        shown = {True: "Yes", False: "No"}.get(self.equals, self.equals)
        return f"Answer this if you answered “{shown}” to “{label}”."


@dataclass(frozen=True)
class FieldDef:
    id: str
    type: str
    label: str
    help: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    #: number: whole numbers; money: cents (the YAML gives dollars)
    min: int | None = None
    max: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: str | None = None
    min_selections: int | None = None
    max_selections: int | None = None
    #: repeatable groups
    fields: tuple["FieldDef", ...] = ()
    repeat: bool = False
    min_items: int | None = None
    max_items: int | None = None
    item_label: str = "Item"
    show_when: Condition | None = None
    #: hidden from blind reviewers (names, identifiers, contact people)
    identity: bool = False
    #: a denormalised column the answer is copied to (applications: title, amount_requested_cents, themes)
    column: str | None = None
    #: read-only, always copied from the context (e.g. ``organisation.name``)
    source: str | None = None
    #: choice: "radio" (default for short lists) or "select"
    widget: str | None = None
    #: an HTML autocomplete token for the browser (name, email, tel, ...)
    autocomplete: str | None = None
    #: what the answer is to the rest of GrantFlow (``fieldtypes.ROLES``): found by it, never by its id
    role: str | None = None
    #: a typical answer (the demo fills the form with these; ``{placeholders}`` take its facts)
    example: object = None

    @property
    def is_group(self) -> bool:
        return self.type == "group"

    def option_label(self, value) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return str(value)

    def subfield(self, field_id: str) -> "FieldDef | None":
        return next((f for f in self.fields if f.id == field_id), None)


@dataclass(frozen=True)
class Page:
    id: str
    title: str
    #: the title reviewers and staff read over the answers ("The applicant's government"
    #: for the applicant's "Your government"); the title when not given
    reader_title: str = ""
    intro: str = ""
    fields: tuple[FieldDef, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A cross-field check by name (see ``rules.py``) with its parameters."""

    name: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Eligibility:
    """The short screen before the long form."""

    intro: str = ""
    #: applicant types (SF-424 letters) the fund accepts; empty: any
    applicant_types: tuple[str, ...] = ()
    #: ids of the questions asked on the eligibility screen
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormDefinition:
    kind: str
    key: str
    version: int
    title: str
    pages: tuple[Page, ...]
    description: str = ""
    rules: tuple[Rule, ...] = ()
    eligibility: Eligibility | None = None
    source: str = ""

    @property
    def ident(self) -> tuple[str, str, int]:
        return (self.kind, self.key, self.version)

    def page(self, page_id: str) -> Page | None:
        return next((p for p in self.pages if p.id == page_id), None)

    def page_index(self, page_id: str) -> int:
        return [p.id for p in self.pages].index(page_id)

    def fields(self) -> Iterator[FieldDef]:
        """Top-level fields of every page, in order."""
        for page in self.pages:
            yield from page.fields

    def field(self, field_id: str) -> FieldDef | None:
        return next((f for f in self.fields() if f.id == field_id), None)

    def page_of(self, field_id: str) -> Page | None:
        return next((p for p in self.pages if any(f.id == field_id for f in p.fields)), None)

    def identity_keys(self) -> set[str]:
        return {f.id for f in self.fields() if f.identity}

    def column_fields(self) -> dict[str, FieldDef]:
        return {f.column: f for f in self.fields() if f.column}

    def role_field(self, role: str) -> FieldDef | None:
        """The top-level field that declares ``role``."""
        return next((f for f in self.fields() if f.role == role), None)

    def answer_for(self, answers: dict | None, role: str):
        found = self.role_field(role)
        return (answers or {}).get(found.id) if found else None

    def eligibility_fields(self) -> list[FieldDef]:
        if not self.eligibility:
            return []
        return [self.field(field_id) for field_id in self.eligibility.fields]


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}
