"""The workflow engine: declarative YAML definitions run by ``transitions``.

Public API: ``fire``, ``may``, ``available_actions`` (in ``engine``);
``guard``, ``effect``, ``role_resolver`` decorators (in ``registry``);
``get_definition`` and ``definitions`` for the loaded, validated definitions.
"""
from .definition import WorkflowDefinition, WorkflowError  # noqa: F401
from .engine import (  # noqa: F401
    ConcurrentChange, TransitionRefused, advance_as_system, available_actions, definitions, fire,
    get_definition, init_app, lock, may,
)
from .registry import effect, guard, letter_sender, role_resolver  # noqa: F401
