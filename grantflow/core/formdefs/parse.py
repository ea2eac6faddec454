"""Read and validate form definitions.

Validation is strict and collects every problem it finds, each prefixed by the
file and line, because a fund administrator edits these files by hand and
should fix them in one pass."""
from __future__ import annotations

import difflib
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from . import fieldtypes, rules
from .fieldtypes import CHOICE_TYPES, COMMON_ATTRIBUTES, FIELD_TYPES
from .model import Condition, Eligibility, FieldDef, FormDefinition, Option, Page, Rule

IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
#: names WTForms forms already use: a field with one of these ids would hide them
RESERVED_IDS = frozenset({"data", "errors", "meta", "process", "validate", "populate_obj", "csrf_token",
                          "hidden_tag", "is_submitted", "validate_on_submit", "form_errors", "submit"})
FILE_NAME = re.compile(r"^(?P<key>[a-z][a-z0-9_]*)\.v(?P<version>[1-9][0-9]*)\.ya?ml$")


class FormError(ValueError):
    """An invalid definition; ``problems`` lists each, already prefixed."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class LineDict(dict):
    line: int = 0


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Remembers the line of every mapping so messages can point at it. The C
    loader (libyaml) when available: the pure-Python one takes 70 ms per form."""


def _construct_mapping(loader, node, deep=False):
    mapping = LineDict(loader.construct_mapping(node, deep=deep))
    mapping.line = node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Parser:
    def __init__(self, source: str, kind: str):
        self.source, self.kind = source, kind
        self.problems: list[str] = []

    def fail(self, node, message: str) -> None:
        line = getattr(node, "line", 0)
        self.problems.append(f"{self.source}:{line}: {message}" if line else f"{self.source}: {message}")

    # -- numbers ---------------------------------------------------------
    def whole(self, node, spec: dict, name: str, where: str, minimum: int = 0) -> int | None:
        value = spec.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(node, f"{where}: '{name}' must be a whole number of at least {minimum}")
            return None
        return value

    def cents(self, node, spec: dict, name: str, where: str) -> int | None:
        value = spec.get(name)
        if value is None:
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            amount = None
        if amount is None or isinstance(value, bool) or amount != amount.quantize(Decimal("0.01")):
            self.fail(node, f"{where}: '{name}' must be an amount in dollars, like 10000 or 10000.50")
            return None
        return int(amount * 100)

    # -- fields ----------------------------------------------------------
    def options(self, node, spec: dict, where: str) -> tuple[Option, ...]:
        raw = spec.get("options")
        if isinstance(raw, str):
            if raw not in fieldtypes.OPTION_SETS:
                self.fail(node, f"{where}: unknown option list '{raw}'"
                                f"{_suggest(raw, fieldtypes.OPTION_SETS)} "
                                f"(known: {', '.join(sorted(fieldtypes.OPTION_SETS)) or 'none'})")
                return ()
            return tuple(Option(str(v), str(label)) for v, label in fieldtypes.OPTION_SETS[raw]())
        if not isinstance(raw, list) or not raw:
            self.fail(node, f"{where}: 'options' must be a non-empty list, or the name of an option list")
            return ()
        found, seen = [], set()
        for item in raw:
            if isinstance(item, dict) and "value" in item:
                option = Option(str(item["value"]), str(item.get("label", item["value"])))
            elif isinstance(item, (str, int)) and not isinstance(item, bool):
                option = Option(str(item), str(item))
            else:
                self.fail(getattr(item, "line", 0) and item or node,
                          f"{where}: each option must be a text or a mapping with 'value' and 'label'")
                continue
            if option.value in seen:
                self.fail(node, f"{where}: option '{option.value}' is listed twice")
            seen.add(option.value)
            found.append(option)
        return tuple(found)

    def condition(self, node, raw, where: str) -> Condition | None:
        if raw is None:
            return None
        if not isinstance(raw, dict) or not isinstance(raw.get("field"), str):
            self.fail(node, f"{where}: 'show_when' must be a mapping with 'field' and one of "
                            "'equals', 'one_of' or 'filled'")
            return None
        operators = [k for k in ("equals", "one_of", "filled") if k in raw]
        unknown = set(raw) - {"field", "equals", "one_of", "filled"}
        if unknown or len(operators) != 1:
            self.fail(node, f"{where}: 'show_when' needs 'field' and exactly one of 'equals', 'one_of' "
                            "or 'filled'")
            return None
        if "one_of" in raw and not isinstance(raw["one_of"], list):
            self.fail(node, f"{where}: 'show_when.one_of' must be a list")
            return None
        return Condition(field=raw["field"], equals=raw.get("equals"), one_of=tuple(raw.get("one_of") or ()),
                         filled=bool(raw.get("filled", False)))

    def field(self, spec, where_prefix: str, in_group: bool = False) -> FieldDef | None:
        if not isinstance(spec, dict):
            self.fail(None, f"{where_prefix}: each field must be a mapping with 'id', 'type' and 'label'")
            return None
        field_id = spec.get("id")
        where = f"{where_prefix}, field '{field_id}'"
        if not isinstance(field_id, str) or not IDENT.match(field_id):
            self.fail(spec, f"{where_prefix}: field id {field_id!r} must be lower_case_with_underscores")
            return None
        if field_id in RESERVED_IDS:
            self.fail(spec, f"{where}: '{field_id}' is a reserved name; choose another id")
        type_name = spec.get("type")
        if type_name not in FIELD_TYPES:
            self.fail(spec, f"{where}: unknown field type {type_name!r}{_suggest(type_name, FIELD_TYPES)} "
                            f"(known: {', '.join(FIELD_TYPES)})")
            return None
        allowed = COMMON_ATTRIBUTES | FIELD_TYPES[type_name]
        for name in spec:
            if name not in allowed:
                self.fail(spec, f"{where}: '{name}' is not an attribute of a {type_name} field"
                                f"{_suggest(name, allowed)}")
        if not isinstance(spec.get("label"), str) or not spec["label"].strip():
            self.fail(spec, f"{where}: 'label' is missing")
        for flag in ("required", "identity", "repeat"):
            if flag in spec and not isinstance(spec[flag], bool):
                self.fail(spec, f"{where}: '{flag}' must be true or false")

        values = dict(id=field_id, type=type_name, label=str(spec.get("label", field_id)),
                      help=str(spec.get("help", "") or "").strip(), required=bool(spec.get("required")),
                      identity=bool(spec.get("identity")), autocomplete=spec.get("autocomplete"),
                      show_when=self.condition(spec, spec.get("show_when"), where))
        if type_name == "money":
            values["min"], values["max"] = self.cents(spec, spec, "min", where), self.cents(spec, spec, "max", where)
        elif type_name == "number":
            values["min"] = self.whole(spec, spec, "min", where, minimum=-(10 ** 15))
            values["max"] = self.whole(spec, spec, "max", where, minimum=-(10 ** 15))
        if values.get("min") is not None and values.get("max") is not None and values["min"] > values["max"]:
            self.fail(spec, f"{where}: 'min' is larger than 'max'")
        values["min_length"] = self.whole(spec, spec, "min_length", where)
        values["max_length"] = self.whole(spec, spec, "max_length", where, minimum=1)
        if None not in (values["min_length"], values["max_length"]) and values["min_length"] > values["max_length"]:
            self.fail(spec, f"{where}: 'min_length' is larger than 'max_length'")
        if "pattern" in spec:
            try:
                re.compile(str(spec["pattern"]))
                values["pattern"] = str(spec["pattern"])
            except re.error as exc:
                self.fail(spec, f"{where}: 'pattern' is not a valid regular expression ({exc})")
            values["pattern_message"] = spec.get("pattern_message")
        if type_name in CHOICE_TYPES:
            values["options"] = self.options(spec, spec, where)
            if spec.get("widget") not in (None, "radio", "select"):
                self.fail(spec, f"{where}: 'widget' must be radio or select")
            values["widget"] = spec.get("widget")
        if type_name == "multi_choice":
            low = values["min_selections"] = self.whole(spec, spec, "min_selections", where)
            high = values["max_selections"] = self.whole(spec, spec, "max_selections", where, minimum=1)
            if low is not None and high is not None and low > high:
                self.fail(spec, f"{where}: 'min_selections' is larger than 'max_selections'")
            if high is not None and values["options"] and high > len(values["options"]):
                self.fail(spec, f"{where}: 'max_selections' ({high}) is more than the {len(values['options'])} "
                                "options")
        if type_name == "group":
            if in_group:
                self.fail(spec, f"{where}: a group cannot contain another group")
            values.update(self.group(spec, where))
        if "source" in spec:
            source = spec["source"]
            if source not in fieldtypes.SOURCES:
                self.fail(spec, f"{where}: unknown source {source!r}{_suggest(source, fieldtypes.SOURCES)} "
                                f"(known: {', '.join(sorted(fieldtypes.SOURCES)) or 'none'})")
            if in_group or type_name in ("group", "file"):
                self.fail(spec, f"{where}: only a top-level field that is not a file or group can have a source")
            values["source"] = source
        if "column" in spec:
            columns = fieldtypes.COLUMNS.get(self.kind, {})
            column = spec["column"]
            if in_group:
                self.fail(spec, f"{where}: a field inside a group cannot be copied to a column")
            elif column not in columns:
                self.fail(spec, f"{where}: unknown column {column!r} for {self.kind} forms "
                                f"(known: {', '.join(sorted(columns)) or 'none'})")
            elif type_name not in columns[column]:
                self.fail(spec, f"{where}: column '{column}' needs a {' or '.join(sorted(columns[column]))} "
                                f"field, not {type_name}")
            values["column"] = column
        return FieldDef(**values)

    def group(self, spec: dict, where: str) -> dict:
        raw_fields = spec.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            self.fail(spec, f"{where}: a group needs a non-empty 'fields' list")
            raw_fields = []
        children = [c for c in (self.field(item, where, in_group=True) for item in raw_fields) if c]
        self.unique_ids(children, where)
        low = self.whole(spec, spec, "min_items", where)
        high = self.whole(spec, spec, "max_items", where, minimum=1)
        if low is not None and high is not None and low > high:
            self.fail(spec, f"{where}: 'min_items' is larger than 'max_items'")
        if not spec.get("repeat") and (low is not None or high is not None):
            self.fail(spec, f"{where}: 'min_items' and 'max_items' need 'repeat: true'")
        return dict(fields=tuple(children), repeat=bool(spec.get("repeat")), min_items=low, max_items=high,
                    item_label=str(spec.get("item_label", "Item")))

    def unique_ids(self, fields: list[FieldDef], where: str) -> None:
        seen = set()
        for f in fields:
            if f.id in seen:
                self.fail(None, f"{where}: the id '{f.id}' is used twice")
            seen.add(f.id)

    # -- the whole file --------------------------------------------------
    def definition(self, data) -> FormDefinition | None:
        if not isinstance(data, dict):
            self.fail(None, "the file must be a mapping with key, version, title and pages")
            return None
        allowed = {"key", "version", "title", "description", "pages", "rules", "eligibility"}
        for name in data:
            if name not in allowed:
                self.fail(data, f"unknown top-level entry '{name}'{_suggest(name, allowed)}")
        for required in ("key", "version", "title", "pages"):
            if required not in data:
                self.fail(data, f"missing '{required}'")
        key, version = data.get("key"), data.get("version")
        if "key" in data and (not isinstance(key, str) or not IDENT.match(key)):
            self.fail(data, "'key' must be lower_case_with_underscores")
        if "version" in data and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
            self.fail(data, "'version' must be a whole number of at least 1")
        pages = self.pages(data.get("pages"))
        all_fields = [f for p in pages for f in p.fields]
        self.unique_ids(all_fields, "the form")
        self.check_conditions(pages)
        definition_rules = self.rules(data.get("rules"), {f.id: f for f in all_fields})
        eligibility = self.eligibility(data.get("eligibility"), {f.id: f for f in all_fields})
        if self.problems:
            return None
        return FormDefinition(kind=self.kind, key=key, version=version, title=str(data["title"]),
                              description=str(data.get("description", "") or "").strip(), pages=tuple(pages),
                              rules=tuple(definition_rules), eligibility=eligibility, source=self.source)

    def pages(self, raw) -> list[Page]:
        if not isinstance(raw, list) or not raw:
            self.fail(None, "'pages' must be a non-empty list")
            return []
        pages, seen = [], set()
        for index, spec in enumerate(raw, start=1):
            if not isinstance(spec, dict) or not isinstance(spec.get("id"), str) or not IDENT.match(spec["id"]):
                self.fail(spec if isinstance(spec, dict) else None,
                          f"page #{index} needs an 'id' in lower_case_with_underscores")
                continue
            where = f"page '{spec['id']}'"
            if spec["id"] in seen:
                self.fail(spec, f"{where}: the page id is used twice")
            seen.add(spec["id"])
            for name in spec:
                if name not in ("id", "title", "intro", "fields"):
                    self.fail(spec, f"{where}: unknown entry '{name}'{_suggest(name, ['title', 'intro', 'fields'])}")
            if not isinstance(spec.get("fields"), list) or not spec["fields"]:
                self.fail(spec, f"{where}: 'fields' must be a non-empty list")
                continue
            fields = [f for f in (self.field(item, where) for item in spec["fields"]) if f]
            pages.append(Page(id=spec["id"], title=str(spec.get("title", spec["id"])),
                              intro=str(spec.get("intro", "") or "").strip(), fields=tuple(fields)))
        return pages

    def check_conditions(self, pages: list[Page]) -> None:
        top = {f.id: f for p in pages for f in p.fields}

        def check(owner: FieldDef, siblings: dict[str, FieldDef], where: str):
            cond = owner.show_when
            if cond is None:
                return
            target = siblings.get(cond.field) or top.get(cond.field)
            if target is None:
                self.fail(None, f"{where}: 'show_when' refers to unknown field '{cond.field}'"
                                f"{_suggest(cond.field, list(siblings) + list(top))}")
                return
            if target.id == owner.id:
                self.fail(None, f"{where}: a field cannot depend on itself")
            if target.type == "yes_no" and not cond.filled and not cond.one_of and not isinstance(cond.equals, bool):
                self.fail(None, f"{where}: '{target.id}' is a yes/no question: use 'equals: true' or 'equals: false'")
            if target.type in CHOICE_TYPES and target.options:
                values = {o.value for o in target.options}
                wanted = list(cond.one_of) + ([] if cond.filled or cond.one_of else [cond.equals])
                for value in wanted:
                    if str(value) not in values:
                        self.fail(None, f"{where}: 'show_when' expects '{value}', which is not an option of "
                                        f"'{target.id}'")

        for page in pages:
            for f in page.fields:
                check(f, {}, f"page '{page.id}', field '{f.id}'")
                for child in f.fields:
                    check(child, {c.id: c for c in f.fields}, f"page '{page.id}', field '{f.id}.{child.id}'")

    def rules(self, raw, fields: dict[str, FieldDef]) -> list[Rule]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.fail(None, "'rules' must be a list")
            return []
        found = []
        for spec in raw:
            if not isinstance(spec, dict) or "rule" not in spec:
                self.fail(spec if isinstance(spec, dict) else None, "each rule needs a 'rule' name")
                continue
            name = spec["rule"]
            where = f"rule '{name}'"
            if name not in rules.RULES:
                self.fail(spec, f"unknown rule '{name}'{_suggest(name, rules.RULES)} "
                                f"(known: {', '.join(sorted(rules.RULES))})")
                continue
            rule_spec = rules.RULES[name]
            params = {k: v for k, v in spec.items() if k != "rule"}
            for param in rule_spec.field_params:
                if param not in params:
                    self.fail(spec, f"{where}: missing '{param}'")
                elif params[param] not in fields:
                    self.fail(spec, f"{where}: '{param}' refers to unknown field '{params[param]}'"
                                    f"{_suggest(params[param], fields)}")
            for param in params:
                if param not in rule_spec.field_params + rule_spec.optional_params:
                    self.fail(spec, f"{where}: unknown parameter '{param}'")
            found.append(Rule(name=name, params=params))
        return found

    def eligibility(self, raw, fields: dict[str, FieldDef]) -> Eligibility | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.fail(None, "'eligibility' must be a mapping (intro, applicant_types, fields)")
            return None
        for name in raw:
            if name not in ("intro", "applicant_types", "fields"):
                self.fail(raw, f"eligibility: unknown entry '{name}'")
        ids = raw.get("fields") or []
        for field_id in ids:
            target = fields.get(field_id)
            if target is None:
                self.fail(raw, f"eligibility: unknown field '{field_id}'{_suggest(field_id, fields)}")
            elif target.type in ("group", "file") or target.source:
                self.fail(raw, f"eligibility: '{field_id}' cannot be asked on the eligibility screen")
        types = [str(t) for t in raw.get("applicant_types") or []]
        known = dict(fieldtypes.OPTION_SETS["applicant_types"]()) if "applicant_types" in fieldtypes.OPTION_SETS else None
        for letter in types:
            if known is not None and letter not in known:
                self.fail(raw, f"eligibility: unknown applicant type '{letter}' (known: {', '.join(known)})")
        return Eligibility(intro=str(raw.get("intro", "") or "").strip(), applicant_types=tuple(types),
                           fields=tuple(ids))


def parse(data, source: str = "<string>", kind: str = "applications") -> FormDefinition:
    parser = _Parser(source, kind)
    definition = parser.definition(data)
    if parser.problems:
        raise FormError(parser.problems)
    return definition


def load_file(path: Path | str, kind: str | None = None) -> FormDefinition:
    """Parse one file; ``kind`` defaults to its folder name (applications, reports, ...)."""
    path = Path(path)
    kind = kind or path.parent.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FormError([f"{path}: cannot read the file ({exc.strerror})"]) from exc
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        column = f", column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise FormError([f"{path}{where}: YAML syntax error{column}: {problem}"]) from exc
    definition = parse(data, source=str(path), kind=kind)
    match = FILE_NAME.match(path.name)
    if not match or match["key"] != definition.key or int(match["version"]) != definition.version:
        raise FormError([f"{path}: the file must be named {definition.key}.v{definition.version}.yaml "
                         "(its key and version)"])
    return definition
