"""The form definition engine: forms as data in ``forms/<kind>/<key>.v<N>.yaml``.

Used for applications (``forms/applications/``) and reports
(``forms/reports/``); ``forms/README.md`` documents the format. The API:

- ``load_form(kind, key, version=None)`` -> ``FormDefinition`` (latest version when None)
- ``make_page_form(definition, page, answers, formdata=None)`` -> a WTForms form for one page
- ``read_page(definition, page, form, answers, context=, enforce_required=)`` -> ``PageResult``
- ``problems(definition, answers, context)`` / ``missing_required(...)``: what is missing or wrong
- ``answer_sections(definition, answers, blind=, attachments=)``: read-only answers
- ``check_files(paths)``, ``register_checker(folder, func)``: ``grantflow forms check``
- ``register_option_set``, ``register_source``, ``register_columns``, ``form_rule``: vocabulary
"""
from __future__ import annotations

from .answers import Problem, column_values, merge, problems, sourced_values, visible  # noqa: F401
from .display import answer_sections, attachment_ids, display_value  # noqa: F401
from .fieldtypes import register_columns, register_metrics, register_option_set, register_source  # noqa: F401
from .model import FieldDef, FormDefinition, Page, is_empty  # noqa: F401
from .pages import (  # noqa: F401
    PageResult, attach_problems, error_list, fields_by_html_id, make_eligibility_form, make_page_form,
    read_page,
)
from .parse import FormError, load_file, parse  # noqa: F401
from .registry import (  # noqa: F401
    FormNotFound, check_files, definition_files, form_class, init_app, load_form, register_checker,
    use_engine_for,
)
from .roles import answer, role_value  # noqa: F401
from .rules import form_rule  # noqa: F401


def application_context(application) -> dict:
    """What rules and sourced fields of an application form may use."""
    return {"round": application.round, "organisation": application.organisation,
            "application": application}


def definition_for(application) -> FormDefinition:
    """The form version the application was started on (never the latest)."""
    return load_form("applications", application.form_key, application.form_version)


def missing_required(target, answers: dict | None = None, context: dict | None = None) -> list[str]:
    """What still stops a submission, as short labels.

    ``missing_required(application)`` reads the application's own form version,
    answers, round and organisation (``applications/completeness.py`` calls it);
    ``missing_required(definition, answers, context)`` works for any form."""
    if isinstance(target, FormDefinition):
        definition, context = target, context or {}
        answers = answers or {}
    else:
        definition = definition_for(target)
        context = application_context(target)
        answers = {**(target.answers or {}), **sourced_values(definition, context)}
    return [str(problem) for problem in problems(definition, answers, context)]
