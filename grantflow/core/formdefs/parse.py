"""Read and validate form definitions.

Validation is strict and collects every problem it finds, each prefixed by the
file and line, because a fund administrator edits these files by hand and
should fix them in one pass."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from . import fieldtypes, rules
from .fieldtypes import CHOICE_TYPES
from .model import Eligibility, FieldDef, FormDefinition, Page, Rule
from .parse_fields import IDENT, FieldParser, suggest

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


class _Parser(FieldParser):
    """A whole file: top-level entries, pages, conditions, rules, eligibility."""

    def definition(self, data) -> FormDefinition | None:
        if not isinstance(data, dict):
            self.fail(None, "the file must be a mapping with key, version, title and pages")
            return None
        allowed = {"key", "version", "title", "description", "pages", "rules", "eligibility"}
        for name in data:
            if name not in allowed:
                self.fail(data, f"unknown top-level entry '{name}'{suggest(name, allowed)}")
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
        self.check_roles(data, all_fields)
        self.check_conditions(pages)
        definition_rules = self.rules(data.get("rules"), {f.id: f for f in all_fields})
        eligibility = self.eligibility(data.get("eligibility"), {f.id: f for f in all_fields})
        if self.problems:
            return None
        return FormDefinition(kind=self.kind, key=key, version=version, title=str(data["title"]),
                              description=str(data.get("description", "") or "").strip(), pages=tuple(pages),
                              rules=tuple(definition_rules), eligibility=eligibility, source=self.source)

    def check_roles(self, data, fields: list[FieldDef]) -> None:
        """Each role at most once."""
        seen: dict[str, str] = {}
        for f in fields:
            if f.role and f.role in seen:
                self.fail(data, f"the fields '{seen[f.role]}' and '{f.id}' both have 'role: {f.role}'; "
                                "give it to one of them")
            elif f.role:
                seen[f.role] = f.id

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
                if name not in ("id", "title", "reader_title", "intro", "fields"):
                    self.fail(spec, f"{where}: unknown entry '{name}'"
                                    f"{suggest(name, ['title', 'reader_title', 'intro', 'fields'])}")
            if not isinstance(spec.get("fields"), list) or not spec["fields"]:
                self.fail(spec, f"{where}: 'fields' must be a non-empty list")
                continue
            fields = [f for f in (self.field(item, where) for item in spec["fields"]) if f]
            title = str(spec.get("title", spec["id"]))
            pages.append(Page(id=spec["id"], title=title, reader_title=str(spec.get("reader_title") or title),
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
                                f"{suggest(cond.field, list(siblings) + list(top))}")
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
                self.fail(spec, f"unknown rule '{name}'{suggest(name, rules.RULES)} "
                                f"(known: {', '.join(sorted(rules.RULES))})")
                continue
            rule_spec = rules.RULES[name]
            params = {k: v for k, v in spec.items() if k != "rule"}
            for param in rule_spec.field_params:
                if param not in params:
                    self.fail(spec, f"{where}: missing '{param}'")
                elif params[param] not in fields:
                    self.fail(spec, f"{where}: '{param}' refers to unknown field '{params[param]}'"
                                    f"{suggest(params[param], fields)}")
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
                self.fail(raw, f"eligibility: unknown field '{field_id}'{suggest(field_id, fields)}")
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
