"""Loaded definitions, their WTForms classes, and the checkers per folder.

``forms/`` has one folder per kind of form. This engine reads ``applications/``
and ``reports/``; another package can own a folder (the review engineer's
``rubrics/``) by registering a checker for it::

    from grantflow.core.formdefs import register_checker
    register_checker("rubrics", check_rubric_file)   # (path) -> list of problems

``forms check`` and start-up run every registered checker; register yours at
import time of a ``hooks`` or ``models`` module so it is known before start-up."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from flask import current_app

from . import fieldtypes
from .builder import PageForm, build_all
from .model import FormDefinition
from .parse import FormError, load_file

EXTENSION_KEY = "grantflow.formdefs"

#: folder name -> function(path) -> list of problems (empty when the file is valid)
CHECKERS: dict[str, Callable[[Path], list[str]]] = {}
#: folders whose files this engine loads (and serves through ``load_form``)
ENGINE_FOLDERS: set[str] = set()


class FormNotFound(LookupError):
    pass


def register_checker(folder: str, func: Callable[[Path], list[str]]) -> None:
    CHECKERS[folder] = func


def engine_checker(path: Path) -> list[str]:
    try:
        definition = load_file(path)
    except FormError as exc:
        return exc.problems
    return missing_roles(definition)


def missing_roles(definition: FormDefinition) -> list[str]:
    """What the rest of GrantFlow reads from every form of this kind (exports,
    letters, reports, the award form): a question must declare each role."""
    roles = fieldtypes.ROLES.get(definition.kind, {})
    return [f"{definition.source}:1: no question has 'role: {role}': GrantFlow needs {roles[role][1]}; add "
            f"'role: {role}' to the question that asks for it"
            for role in fieldtypes.REQUIRED_ROLES.get(definition.kind, ()) if definition.role_field(role) is None]


def use_engine_for(folder: str) -> None:
    """Let this engine own ``forms/<folder>/`` (load_form(folder, ...) then works)."""
    ENGINE_FOLDERS.add(folder)
    register_checker(folder, engine_checker)


use_engine_for("applications")
use_engine_for("reports")


def definition_files(forms_dir: Path) -> list[Path]:
    forms_dir = Path(forms_dir)
    return sorted(p for p in forms_dir.glob("*/*") if p.suffix in (".yaml", ".yml") and p.is_file())


def check_files(paths: list[Path], strict_folders: bool = True) -> dict[Path, list[str]]:
    """Problems per file (an empty list: valid). A file in a folder with no
    registered checker is a problem when ``strict_folders``, else skipped."""
    results: dict[Path, list[str]] = {}
    seen: dict[tuple[str, str], Path] = {}
    for path in paths:
        path = Path(path)
        folder = path.parent.name
        checker = CHECKERS.get(folder)
        if checker is None:
            if strict_folders:
                results[path] = [f"{path}: no checker is registered for the folder '{folder}/' "
                                 f"(known: {', '.join(sorted(CHECKERS))})"]
            continue
        if not path.exists():
            results[path] = [f"{path}: no such file"]
            continue
        results[path] = list(checker(path))
        ident = (folder, path.name.rsplit(".", 1)[0])
        if ident in seen and not results[path]:
            results[path].append(f"{path}: the same key and version is also defined in {seen[ident]}")
        seen[ident] = path
    return results


class FormRegistry:
    def __init__(self, definitions: list[FormDefinition]):
        self.definitions = {d.ident: d for d in definitions}
        self.classes = {d.ident: build_all(d) for d in definitions}

    def add(self, definition: FormDefinition) -> None:
        self.definitions[definition.ident] = definition
        self.classes[definition.ident] = build_all(definition)

    def latest(self, kind: str, key: str) -> FormDefinition:
        versions = [d for (k, name, _), d in self.definitions.items() if k == kind and name == key]
        if not versions:
            raise FormNotFound(f"no {kind} form with key '{key}' in forms/{kind}/")
        return max(versions, key=lambda d: d.version)


def load_directory(forms_dir: Path) -> FormRegistry:
    """Check every file (all registered folders) and load the engine's folders;
    raise ``FormError`` listing every problem so start-up stops with them."""
    paths = definition_files(forms_dir)
    problems = [p for found in check_files(paths, strict_folders=False).values() for p in found]
    if problems:
        raise FormError(problems)
    return FormRegistry([load_file(p) for p in paths if p.parent.name in ENGINE_FOLDERS])


def init_app(app) -> None:
    from . import templating

    app.extensions[EXTENSION_KEY] = load_directory(app.config["FORMS_DIR"])
    templating.init_app(app)
    app.jinja_env.filters["form_name"] = form_name


def form_name(key: str, kind: str, version: int | None = None) -> str:
    """How pages name a form or rubric: its title and version, not its file key
    (``version`` None: the newest, which new applications or reviews use)."""
    try:
        definition = load_form(kind, key, version)
    except FormNotFound:
        return f"{key} version {version} (no longer installed)"
    return f"{definition.title}, version {definition.version}" + ("" if version else " (the newest)")


def registry() -> FormRegistry:
    return current_app.extensions[EXTENSION_KEY]


def load_form(kind: str, key: str, version: int | None = None) -> FormDefinition:
    """The definition of ``forms/<kind>/<key>.v<version>.yaml`` (the latest version when None)."""
    reg = registry()
    if version is None:
        return reg.latest(kind, key)
    try:
        return reg.definitions[(kind, key, version)]
    except KeyError:
        raise FormNotFound(f"no {kind} form {key} v{version} in forms/{kind}/") from None


def form_class(definition: FormDefinition, page_id: str) -> type[PageForm]:
    """The cached WTForms class for one page (``__eligibility__`` for the screen)."""
    reg = registry()
    if definition.ident not in reg.classes:
        reg.add(definition)
    return reg.classes[definition.ident][page_id]
