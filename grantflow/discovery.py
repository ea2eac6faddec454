"""Find the domain packages so that adding one needs no edit to a central list.

Each domain package under ``grantflow/`` may have any of these modules, with the
same name in every package (Indico's convention):

- ``models``: SQLAlchemy models;
- ``hooks``: workflow guards, effects and role resolvers registered by name;
- ``tasks``: background job functions (taking ids, never ORM objects);
- ``policy``: the access rules of the domain's kinds of resource (``core.policy``);
- ``views``: a blueprint named ``bp``;
- ``cli``: a list named ``commands`` of click commands added to ``grantflow``.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import grantflow

SKIP = {"core"}


def domain_packages() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules(grantflow.__path__) if m.ispkg and m.name not in SKIP]
    return sorted(names)


def _optional_module(package: str, module: str) -> ModuleType | None:
    name = f"grantflow.{package}.{module}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def import_modules(module: str, packages: list[str] | None = None) -> list[ModuleType]:
    found = []
    for package in ["core"] + (packages or domain_packages()):
        mod = _optional_module(package, module)
        if mod is not None:
            found.append(mod)
    return found


def import_all_models() -> None:
    import_modules("models")


def import_definition_hooks() -> None:
    """What checking a definition needs: the models and every registered guard,
    effect, role and checker. Not the job modules, which bring the solvers and
    PDF libraries along (``grantflow workflows check`` stays well under a second)."""
    import_all_models()
    import_modules("hooks")


def import_all_hooks() -> None:
    import_definition_hooks()
    import_modules("tasks")
    import_modules("policy")
