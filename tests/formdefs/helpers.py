"""Build definitions from YAML text and post pages of them, for the engine's tests."""
from __future__ import annotations

import textwrap

import yaml
from werkzeug.datastructures import MultiDict

from grantflow.core import formdefs
from grantflow.core.formdefs.parse import _Loader

SAMPLE = """
key: sample
version: 1
title: Sample form
rules:
  - {rule: end_after_start, start: start, end: finish}
pages:
  - id: one
    title: Page one
    fields:
      - {id: name, type: short_text, label: Name, required: true, max_length: 15,
         pattern: "[A-Za-z ]+", pattern_message: Use letters only.}
      - {id: story, type: long_text, label: Story, max_length: 20}
      - {id: count, type: number, label: Count, min: 1, max: 5}
      - {id: budget, type: money, label: Budget, min: 10, max: 1000.50}
      - {id: start, type: date, label: Start}
      - {id: finish, type: date, label: Finish}
      - {id: colour, type: choice, label: Colour, options: [red, green]}
      - {id: tags, type: multi_choice, label: Tags, options: [a, b, c], min_selections: 1, max_selections: 2}
      - {id: agree, type: yes_no, label: "Do you agree?"}
      - {id: why, type: long_text, label: Why, required: true, show_when: {field: agree, equals: true}}
      - {id: email, type: email, label: Email}
      - {id: phone, type: phone, label: Phone}
      - {id: site, type: url, label: Site}
      - {id: doc, type: file, label: Document}
  - id: two
    title: Page two
    fields:
      - id: people
        type: group
        label: People
        repeat: true
        required: true
        min_items: 1
        max_items: 2
        item_label: Person
        fields:
          - {id: who, type: short_text, label: Who, required: true, identity: true}
          - {id: role, type: choice, label: Role, options: [lead, member]}
          - {id: note, type: short_text, label: Note, show_when: {field: role, equals: lead}}
      - id: totals
        type: group
        label: Totals
        fields:
          - {id: jobs, type: number, label: Jobs, min: 0}
"""


def definition(text: str = SAMPLE, kind: str = "tests", source: str = "sample.v1.yaml"):
    data = yaml.load(textwrap.dedent(text), Loader=_Loader)  # noqa: S506 - a SafeLoader
    return formdefs.parse(data, source=source, kind=kind)


def post_page(app, definition, page_id: str, data: dict, answers: dict | None = None, *,
              enforce_required: bool = False, context: dict | None = None):
    """Post ``data`` to one page; returns (result, form)."""
    page = definition.page(page_id)
    formdata = MultiDict()
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            formdata.add(key, item)
    with app.test_request_context(method="POST"):
        form = formdefs.make_page_form(definition, page, answers or {}, formdata=formdata)
        result = formdefs.read_page(definition, page, form, answers or {}, context=context,
                                    enforce_required=enforce_required)
        return result, form


def errors_of(form) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for anchor, message in formdefs.error_list(form):
        found.setdefault(anchor.removesuffix("-0") if anchor.count("-") == 1 else anchor, []).append(message)
    return found
