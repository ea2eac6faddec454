"""Parse and validate workflow definitions (YAML in ``workflows/``).

Validation is strict and its messages name the file and the problem, because a
fund administrator edits these files by hand."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import registry


class WorkflowError(ValueError):
    """A definition is invalid; ``str()`` names the file and the problem."""


@dataclass(frozen=True)
class State:
    name: str
    label: str
    applicant_label: str
    description: str = ""
    is_terminal: bool = False
    #: applicants may edit their answers in this state (draft, more information requested)
    is_editable: bool = False
    #: the application counts as decided from here on (withdrawal is no longer possible)
    is_decided: bool = False


@dataclass(frozen=True)
class Transition:
    trigger: str
    label: str
    sources: tuple[str, ...]
    dest: str
    roles: tuple[str, ...]
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    comment_required: bool = False
    confirm: str | None = None
    #: the applicant sees this move on their timeline, with its comment
    is_visible_to_applicant: bool = True


@dataclass
class WorkflowDefinition:
    key: str
    version: int
    title: str
    initial: str
    states: dict[str, State]
    transitions: list[Transition]
    description: str = ""
    source: str = ""
    _by_source: dict[tuple[str, str], Transition] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        for transition in self.transitions:
            for source in transition.sources:
                self._by_source[(source, transition.trigger)] = transition

    @property
    def ident(self) -> tuple[str, int]:
        return (self.key, self.version)

    def transition(self, state: str, trigger: str) -> Transition | None:
        return self._by_source.get((state, trigger))

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def triggers(self) -> list[str]:
        return sorted({t.trigger for t in self.transitions})

    def state(self, name: str) -> State:
        return self.states[name]


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def load_file(path: Path | str) -> WorkflowDefinition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkflowError(f"{path}: cannot read the file ({exc.strerror})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise WorkflowError(f"{path}: YAML syntax error{where}: {problem}") from exc
    return parse(data, source=str(path))


def parse(data, source: str = "<string>") -> WorkflowDefinition:
    def fail(message: str):
        raise WorkflowError(f"{source}: {message}")

    if not isinstance(data, dict):
        fail("the file must be a mapping with key, version, states and transitions")
    for required in ("key", "version", "initial", "states", "transitions"):
        if required not in data:
            fail(f"missing '{required}'")
    if not isinstance(data["version"], int) or data["version"] < 1:
        fail("'version' must be a whole number of at least 1")
    if not isinstance(data["states"], dict) or not data["states"]:
        fail("'states' must be a mapping of state names to their labels")
    states: dict[str, State] = {}
    for name, spec in data["states"].items():
        spec = spec or {}
        if not isinstance(spec, dict):
            fail(f"state '{name}' must be a mapping (label, applicant_label, ...)")
        label = spec.get("label", str(name).replace("_", " ").capitalize())
        states[name] = State(
            name=name, label=label, applicant_label=spec.get("applicant_label", label),
            description=spec.get("description", ""), is_terminal=bool(spec.get("terminal", False)),
            is_editable=bool(spec.get("editable", False)), is_decided=bool(spec.get("decided", False)),
        )
    if data["initial"] not in states:
        fail(f"the initial state '{data['initial']}' is not one of the states")
    if not isinstance(data["transitions"], list):
        fail("'transitions' must be a list")

    transitions: list[Transition] = []
    seen: dict[tuple[str, str], int] = {}
    for index, spec in enumerate(data["transitions"], start=1):
        if not isinstance(spec, dict) or "trigger" not in spec:
            fail(f"transition #{index} must be a mapping with a 'trigger'")
        trigger = spec["trigger"]
        where = f"transition '{trigger}' (#{index})"
        sources = _as_list(spec.get("source"))
        if not sources:
            fail(f"{where} has no 'source'")
        dest = spec.get("dest")
        if dest is None:
            fail(f"{where} has no 'dest'")
        for source in sources:
            if source not in states:
                fail(f"{where} comes from unknown state '{source}'")
            if (source, trigger) in seen:
                fail(f"trigger '{trigger}' is defined twice from state '{source}' "
                     f"(transitions #{seen[(source, trigger)]} and #{index})")
            seen[(source, trigger)] = index
        if dest not in states:
            fail(f"{where} goes to unknown state '{dest}'")
        roles = _as_list(spec.get("roles"))
        if not roles:
            fail(f"{where} names no 'roles' allowed to fire it")
        for role in roles:
            if role not in registry.ROLE_RESOLVERS:
                fail(f"{where} names unknown role '{role}' "
                     f"(known: {', '.join(sorted(registry.ROLE_RESOLVERS))})")
        guards = _as_list(spec.get("guards"))
        for name in guards:
            if name not in registry.GUARDS:
                fail(f"{where} names unknown guard '{name}' (known: {', '.join(sorted(registry.GUARDS))})")
        effects = _as_list(spec.get("effects"))
        for name in effects:
            if name not in registry.EFFECTS:
                fail(f"{where} names unknown effect '{name}' (known: {', '.join(sorted(registry.EFFECTS))})")
        transitions.append(Transition(
            trigger=trigger, label=spec.get("label", str(trigger).replace("_", " ").capitalize()),
            sources=tuple(sources), dest=dest, roles=tuple(roles), guards=tuple(guards),
            effects=tuple(effects), comment_required=bool(spec.get("comment_required", False)),
            confirm=spec.get("confirm"), is_visible_to_applicant=bool(spec.get("applicant_visible", True)),
        ))

    for state in states.values():
        exits = [t for t in transitions if state.name in t.sources]
        if state.is_terminal and exits:
            fail(f"terminal state '{state.name}' has a way out ('{exits[0].trigger}')")
        if not state.is_terminal and not exits:
            fail(f"state '{state.name}' is not terminal but has no way out")

    reached = {data["initial"]}
    queue = deque([data["initial"]])
    while queue:
        current = queue.popleft()
        for t in transitions:
            if current in t.sources and t.dest not in reached:
                reached.add(t.dest)
                queue.append(t.dest)
    unreachable = [name for name in states if name not in reached]
    if unreachable:
        fail(f"state '{unreachable[0]}' cannot be reached from the initial state '{data['initial']}'")

    return WorkflowDefinition(
        key=str(data["key"]), version=data["version"], title=data.get("title", str(data["key"])),
        description=data.get("description", ""), initial=data["initial"], states=states,
        transitions=transitions, source=source,
    )


def load_directory(directory: Path) -> list[WorkflowDefinition]:
    """Every ``*.yaml`` in the directory; raises on the first invalid one."""
    found = []
    keys: dict[tuple[str, int], str] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        definition = load_file(path)
        if definition.ident in keys:
            raise WorkflowError(f"{path}: workflow {definition.key} v{definition.version} is also "
                                f"defined in {keys[definition.ident]}")
        keys[definition.ident] = str(path)
        found.append(definition)
    return found
