"""Read-only answers, page by page, for review pages, staff and reviewers.

``answer_sections`` turns a definition and its answers into plain rows that
``templates/applications/_answers.html`` renders; fields hidden by a condition
are left out, and so are identity fields when ``blind`` is set.

Blind review also hides the applicant in the text the reviewer reads: every
answer has the organization's name (in full, and without the kind of government:
"State of Hawaii" and "Hawaii") and the values of the identity fields (people's
names, emails, phone numbers) replaced by "[the applicant]" (``blind_redactor``)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ..db import format_usd
from .answers import visible
from .model import FieldDef, FormDefinition, is_empty


@dataclass
class Row:
    field_id: str
    label: str
    #: text, long_text, list, file, items (a group) or empty
    kind: str
    value: object = None
    items: list = field(default_factory=list)   # for groups: [(item title, [Row, ...]), ...]


@dataclass
class Section:
    page_id: str
    title: str
    rows: list[Row]
    #: the page's title for reviewers and staff (``reader_title``)
    reader_title: str = ""


def display_value(fdef: FieldDef, value) -> str:
    if fdef.type == "money":
        return format_usd(value)
    if fdef.type == "number":
        return f"{value:,}" if isinstance(value, int) else str(value)
    if fdef.type == "date":
        try:
            return f"{date.fromisoformat(value):%B %-d, %Y}"
        except (TypeError, ValueError):
            return str(value)
    if fdef.type == "yes_no":
        return "Yes" if value else "No"
    if fdef.type == "choice":
        return fdef.option_label(value)
    return str(value)


#: words that say what kind of government a name is, not which one
GOVERNMENT_WORDS = re.compile(r"\b(city|town|township|village|borough|county|parish|state|commonwealth|territory|"
                              r"government|nation|tribe|tribal|of|the|and|municipality|consolidated)\b", re.I)
BLIND_PLACEHOLDER = "[the applicant]"


def blind_redactor(organisation_name: str, definition: FormDefinition, answers: dict) -> Callable[[str], str]:
    """What a blind reviewer reads instead of the applicant's names (see the module's docstring)."""
    names = {organisation_name.strip()}
    core = " ".join(GOVERNMENT_WORDS.sub(" ", organisation_name).split())
    if len(core) >= 4:
        names.add(core)
    for fdef in definition.fields():
        if fdef.identity and isinstance((answers or {}).get(fdef.id), str) and len(answers[fdef.id].strip()) >= 4:
            names.add(answers[fdef.id].strip())
    names = sorted((n for n in names if n), key=len, reverse=True)  # "State of Hawaii" before "Hawaii"
    if not names:
        return lambda text: text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.I)
    return lambda text: pattern.sub(BLIND_PLACEHOLDER, text)


def _row(fdef: FieldDef, value, answers: dict, attachments: dict, blind, item=None) -> Row | None:
    if blind and fdef.identity:
        return None
    row = _plain_row(fdef, value, answers, attachments, blind, item)
    if row is not None and callable(blind) and row.kind in ("text", "long_text"):
        row.value = blind(row.value)
    elif row is not None and callable(blind) and row.kind == "list":
        row.value = [blind(v) for v in row.value]
    return row


def _plain_row(fdef: FieldDef, value, answers: dict, attachments: dict, blind, item=None) -> Row | None:
    if not visible(fdef, answers, item):
        return None
    if is_empty(value):
        return Row(fdef.id, fdef.label, "empty", "Not answered")
    if fdef.is_group:
        items = value if fdef.repeat else [value]
        rows = []
        for index, entry in enumerate(i for i in items if isinstance(i, dict)):
            title = f"{fdef.item_label} {index + 1}" if fdef.repeat else fdef.label
            sub_rows = [_row(sub, entry.get(sub.id), answers, attachments, blind, item=entry) for sub in fdef.fields]
            rows.append((title, [r for r in sub_rows if r]))
        return Row(fdef.id, fdef.label, "items", items=rows)
    if fdef.type == "multi_choice":
        return Row(fdef.id, fdef.label, "list", [fdef.option_label(v) for v in value])
    if fdef.type == "file":
        return Row(fdef.id, fdef.label, "file", attachments.get(value, value))
    if fdef.type == "long_text":
        return Row(fdef.id, fdef.label, "long_text", str(value))
    return Row(fdef.id, fdef.label, "text", display_value(fdef, value))


def answer_sections(definition: FormDefinition, answers: dict, *, blind: bool | Callable[[str], str] = False,
                    attachments: dict | None = None) -> list[Section]:
    """``attachments`` maps attachment ids to objects shown as download links;
    ``blind``: True hides the identity fields, a redactor (``blind_redactor``)
    also rewrites every other answer's text."""
    answers = answers or {}
    attachments = attachments or {}
    sections = []
    for page in definition.pages:
        rows = [_row(f, answers.get(f.id), answers, attachments, blind) for f in page.fields]
        rows = [r for r in rows if r]
        if rows:
            sections.append(Section(page.id, page.title, rows, page.reader_title or page.title))
    return sections


def attachment_ids(definition: FormDefinition, answers: dict) -> list[int]:
    """Every attachment id the answers refer to (to look them up in one query)."""
    found = []
    for fdef in definition.fields():
        value = (answers or {}).get(fdef.id)
        if fdef.type == "file" and isinstance(value, int):
            found.append(value)
        elif fdef.is_group:
            items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
            for item in items:
                for sub in fdef.fields:
                    if sub.type == "file" and isinstance(item, dict) and isinstance(item.get(sub.id), int):
                        found.append(item[sub.id])
    return found
