"""Parse and validate workflow definitions (YAML in ``workflows/``).

A fund administrator edits these files by hand, so validation reports every
problem it finds (not just the first), each naming the file and, where it can,
the line. ``WorkflowError.problems`` holds the list; ``str()`` joins it.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import registry
from .meaning import STAGES

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
STATE_KEYS = {"label", "applicant_label", "description", "terminal", "editable", "decided", "stage"}
TRANSITION_KEYS = {"trigger", "label", "source", "dest", "roles", "guards", "effects", "comment_required",
                   "confirm", "applicant_visible", "description"}
TOP_KEYS = {"key", "version", "title", "description", "initial", "states", "transitions", "letters"}
LETTER_FOLDER = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class WorkflowError(ValueError):
    """One or more definitions are invalid; each problem names the file."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


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
    #: what the state means to the rest of GrantFlow (one of ``meaning.STAGES``)
    stage: str = ""


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
    description: str = ""


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
    #: letter effects: the effect's name -> its folder under templates/letters/
    letters: dict[str, str] = field(default_factory=dict)
    #: line numbers of states and transitions in the file, for the domain checks' messages
    lines: dict[str, int] = field(default_factory=dict, repr=False)
    _by_source: dict[tuple[str, str], Transition] = field(default_factory=dict, repr=False)
    _from_state: dict[str, list[Transition]] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        # lookups are dictionary hits: the engine asks these on every request
        for name in self.states:
            self._from_state[name] = []
        for transition in self.transitions:
            for source in transition.sources:
                self._by_source[(source, transition.trigger)] = transition
                self._from_state[source].append(transition)

    @property
    def ident(self) -> tuple[str, int]:
        return (self.key, self.version)

    def transition(self, state: str, trigger: str) -> Transition | None:
        return self._by_source.get((state, trigger))

    def transitions_from(self, state: str) -> list[Transition]:
        return list(self._from_state.get(state, ()))

    def triggers(self) -> list[str]:
        return sorted({t.trigger for t in self.transitions})

    def state(self, name: str) -> State:
        return self.states[name]

    @property
    def terminal_states(self) -> list[str]:
        return [s.name for s in self.states.values() if s.is_terminal]

    def states_in(self, *stages: str) -> list[str]:
        """The names of the states that declare one of these stages."""
        return [s.name for s in self.states.values() if s.stage in stages]

    def stage_of(self, state: str) -> str:
        found = self.states.get(state)
        return found.stage if found else ""

    def letter_of(self, transition: Transition) -> str | None:
        """The letter folder a move sends (its first letter effect), if any."""
        return next((self.letters[e] for e in transition.effects if e in self.letters), None)


class _LineDict(dict):
    """A mapping that remembers the line it started on, for messages."""

    line: int | None = None


class _Loader(yaml.SafeLoader):
    """safe_load that refuses duplicate keys (YAML silently keeps the last one,
    which would make a state defined twice vanish) and records line numbers."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _LineDict:
    loader.flatten_mapping(node)
    mapping = _LineDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{key}' is defined twice in the same mapping", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _at(spec) -> str:
    line = getattr(spec, "line", None)
    return f" (line {line})" if line else ""


def load_file(path: Path | str) -> WorkflowDefinition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkflowError(f"{path}: cannot read the file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise WorkflowError(f"{path}: the file is not UTF-8 text") from exc
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise WorkflowError(f"{path}: YAML syntax error{where}: {problem}") from exc
    return parse(data, source=str(path))


def parse(data, source: str = "<string>") -> WorkflowDefinition:
    """Build a definition from parsed YAML, or raise ``WorkflowError`` listing
    every problem found."""
    problems: list[str] = []

    def problem(message: str) -> None:
        problems.append(f"{source}: {message}")

    def stop():
        raise WorkflowError(problems)

    if not isinstance(data, dict):
        problem("the file must be a mapping with key, version, initial, states and transitions")
        stop()
    for required in ("key", "version", "initial", "states", "transitions"):
        if required not in data:
            problem(f"missing '{required}'")
    for unknown in sorted(set(data) - TOP_KEYS, key=str):
        problem(f"unknown setting '{unknown}' (expected one of: {', '.join(sorted(TOP_KEYS))})")
    if "key" in data and not (isinstance(data["key"], str) and NAME.match(data["key"])):
        problem("'key' must be lower-case letters, digits and underscores, starting with a letter")
    if "version" in data and (not isinstance(data["version"], int) or isinstance(data["version"], bool)
                              or data["version"] < 1):
        problem("'version' must be a whole number of at least 1")
    if not isinstance(data.get("states"), dict) or not data.get("states"):
        if "states" in data:
            problem("'states' must be a mapping of state names to their labels")
        stop()
    if not isinstance(data.get("transitions"), list):
        if "transitions" in data:
            problem("'transitions' must be a list")
        stop()

    states = _parse_states(data["states"], problem)
    initial = data.get("initial")
    if initial is not None and initial not in states:
        problem(f"the initial state '{initial}' is not one of the states")
    letters = _parse_letters(data.get("letters"), problem)
    transitions = _parse_transitions(data["transitions"], states, problem, letters)
    if problems:
        stop()
    _check_graph(states, transitions, initial, problem)
    if problems:
        stop()
    return WorkflowDefinition(
        key=data["key"], version=data["version"], title=str(data.get("title") or data["key"]),
        description=str(data.get("description") or ""), initial=initial, states=states,
        transitions=transitions, source=source, letters=letters, lines=_lines(data),
    )


def _lines(data) -> dict[str, int]:
    """``state:NAME`` and ``transition:TRIGGER`` (first definition) -> line."""
    lines = {}
    states = data.get("states")
    for name, spec in states.items():
        line = getattr(spec, "line", None) or getattr(states, "line", None)
        if line:
            lines[f"state:{name}"] = line
    for spec in data.get("transitions") or []:
        if isinstance(spec, dict) and getattr(spec, "line", None):
            lines.setdefault(f"transition:{spec.get('trigger')}", spec.line)
    if getattr(data.get("letters"), "line", None):
        lines["letters"] = data["letters"].line
    return lines


def _parse_letters(spec, problem) -> dict[str, str]:
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        problem(f"'letters'{_at(spec)} must map each letter effect to its folder under templates/letters/")
        return {}
    letters = {}
    for effect_name, folder in spec.items():
        if not isinstance(effect_name, str) or not NAME.match(effect_name):
            problem(f"letter effect '{effect_name}'{_at(spec)} must be lower-case letters, digits and underscores")
        elif not isinstance(folder, str) or not LETTER_FOLDER.match(folder):
            problem(f"letter effect '{effect_name}'{_at(spec)} must name a folder under templates/letters/ "
                    "(lower-case letters, digits, - and _)")
        elif effect_name in registry.EFFECTS:
            problem(f"letter effect '{effect_name}'{_at(spec)} has the name of another effect; choose another")
        else:
            letters[effect_name] = folder
    return letters


def _parse_states(specs: dict, problem) -> dict[str, State]:
    states: dict[str, State] = {}
    for name, spec in specs.items():
        spec = spec if spec is not None else {}
        if not isinstance(name, str) or not NAME.match(name):
            problem(f"state name '{name}'{_at(specs)} must be lower-case letters, digits and underscores")
            continue
        if not isinstance(spec, dict):
            problem(f"state '{name}'{_at(specs)} must be a mapping (label, applicant_label, ...)")
            continue
        for unknown in sorted(set(spec) - STATE_KEYS, key=str):
            problem(f"state '{name}'{_at(spec)} has unknown setting '{unknown}' "
                    f"(expected one of: {', '.join(sorted(STATE_KEYS))})")
        stage = spec.get("stage")
        if stage is not None and stage not in STAGES:
            problem(f"state '{name}'{_at(spec)} has unknown stage '{stage}' "
                    f"(expected one of: {', '.join(STAGES)})")
        label = str(spec.get("label") or name.replace("_", " ").capitalize())
        states[name] = State(
            name=name, label=label, applicant_label=str(spec.get("applicant_label") or label),
            description=str(spec.get("description") or ""), is_terminal=bool(spec.get("terminal", False)),
            is_editable=bool(spec.get("editable", False)), is_decided=bool(spec.get("decided", False)),
            stage=str(spec.get("stage") or ""),
        )
    return states


def _parse_transitions(specs: list, states: dict[str, State], problem, letters: dict[str, str]) -> list[Transition]:
    transitions: list[Transition] = []
    seen: dict[tuple[str, str], int] = {}
    for index, spec in enumerate(specs, start=1):
        if not isinstance(spec, dict) or "trigger" not in spec:
            problem(f"transition #{index}{_at(spec)} must be a mapping with a 'trigger'")
            continue
        trigger = spec["trigger"]
        where = f"transition '{trigger}' (#{index}{', line ' + str(spec.line) if getattr(spec, 'line', None) else ''})"
        if not isinstance(trigger, str) or not NAME.match(trigger):
            problem(f"{where}: the trigger must be lower-case letters, digits and underscores")
            continue
        for unknown in sorted(set(spec) - TRANSITION_KEYS, key=str):
            problem(f"{where} has unknown setting '{unknown}' "
                    f"(expected one of: {', '.join(sorted(TRANSITION_KEYS))})")
        sources = _as_list(spec.get("source"))
        if not sources:
            problem(f"{where} has no 'source'")
        for source in sources:
            if source not in states:
                problem(f"{where} comes from unknown state '{source}'")
            elif (source, trigger) in seen:
                problem(f"trigger '{trigger}' is defined twice from state '{source}' "
                        f"(transitions #{seen[(source, trigger)]} and #{index})")
            else:
                seen[(source, trigger)] = index
        dest = spec.get("dest")
        if dest is None:
            problem(f"{where} has no 'dest'")
        elif dest not in states:
            problem(f"{where} goes to unknown state '{dest}'")
        roles = _as_list(spec.get("roles"))
        if not roles:
            problem(f"{where} names no 'roles' allowed to fire it")
        for kind, names, known in (("role", roles, registry.ROLE_RESOLVERS),
                                   ("guard", _as_list(spec.get("guards")), registry.GUARDS),
                                   ("effect", _as_list(spec.get("effects")), {**registry.EFFECTS, **letters})):
            for name in names:
                if name not in known:
                    problem(f"{where} names unknown {kind} '{name}' (known: {', '.join(sorted(known)) or 'none'})")
        confirm = spec.get("confirm")
        if confirm is not None and not isinstance(confirm, str):
            problem(f"{where}: 'confirm' must be the text shown before the move")
        transitions.append(Transition(
            trigger=trigger, label=str(spec.get("label") or trigger.replace("_", " ").capitalize()),
            sources=tuple(sources), dest=dest, roles=tuple(roles), guards=tuple(_as_list(spec.get("guards"))),
            effects=tuple(_as_list(spec.get("effects"))),
            comment_required=bool(spec.get("comment_required", False)), confirm=confirm or None,
            is_visible_to_applicant=bool(spec.get("applicant_visible", True)),
            description=str(spec.get("description") or ""),
        ))
    return transitions


def _check_graph(states: dict[str, State], transitions: list[Transition], initial: str, problem) -> None:
    exits: dict[str, list[Transition]] = {name: [] for name in states}
    for t in transitions:
        for source in t.sources:
            exits[source].append(t)
    for state in states.values():
        if state.is_terminal and exits[state.name]:
            problem(f"terminal state '{state.name}' has a way out ('{exits[state.name][0].trigger}')")
        if not state.is_terminal and not exits[state.name]:
            problem(f"state '{state.name}' is not terminal but has no way out (add a transition from it, "
                    "or mark it 'terminal: true')")
    reached = {initial}
    queue = deque([initial])
    while queue:
        for t in exits[queue.popleft()]:
            if t.dest not in reached:
                reached.add(t.dest)
                queue.append(t.dest)
    for name in states:
        if name not in reached:
            problem(f"state '{name}' cannot be reached from the initial state '{initial}'")
    if not any(s.is_terminal for s in states.values()):
        problem("no state is terminal: an application could never finish")


def check_files(paths: list[Path]) -> tuple[list[WorkflowDefinition], list[str]]:
    """Load these files: the valid definitions, and every problem found
    (including the same key and version defined in two files, and whatever the
    domains would miss: ``checks.check_meaning``)."""
    from .checks import check_meaning, letters_root

    letters = letters_root()
    found: list[WorkflowDefinition] = []
    problems: list[str] = []
    keys: dict[tuple[str, int], Path] = {}
    for path in paths:
        try:
            definition = load_file(path)
        except WorkflowError as exc:
            problems.extend(exc.problems)
            continue
        needs = check_meaning(definition, letters)
        if needs:
            problems.extend(needs)
            continue
        if definition.ident in keys:
            problems.append(f"{path}: workflow {definition.key} v{definition.version} is also defined in "
                            f"{keys[definition.ident]}")
            continue
        keys[definition.ident] = path
        found.append(definition)
    return found, problems


def definition_files(directory: Path) -> list[Path]:
    return sorted(list(Path(directory).glob("*.yaml")) + list(Path(directory).glob("*.yml")))


def load_directory(directory: Path) -> list[WorkflowDefinition]:
    """Every definition in the directory; raises ``WorkflowError`` listing the
    problems of every invalid file."""
    if not Path(directory).is_dir():
        raise WorkflowError(f"{directory}: the workflows directory does not exist")
    found, problems = check_files(definition_files(directory))
    if problems:
        raise WorkflowError(problems)
    if not found:
        raise WorkflowError(f"{directory}: no workflow definitions (*.yaml) found")
    return found
