"""Parsing and checking one field of a definition (the larger half of
``parse.py``): types, attributes, limits, options, conditions, groups."""
from __future__ import annotations

import difflib
import re
from decimal import Decimal, InvalidOperation

from . import fieldtypes
from .fieldtypes import CHOICE_TYPES, COMMON_ATTRIBUTES, FIELD_TYPES
from .model import Condition, FieldDef, Option

IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
#: names WTForms forms already use: a field with one of these ids would hide them
RESERVED_IDS = frozenset({"data", "errors", "meta", "process", "validate", "populate_obj", "csrf_token",
                          "hidden_tag", "is_submitted", "validate_on_submit", "form_errors", "submit"})


def suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class FieldParser:
    """Collects problems as it goes; ``fail`` prefixes them with the file and line."""

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
                                f"{suggest(raw, fieldtypes.OPTION_SETS)} "
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
            self.fail(spec, f"{where}: unknown field type {type_name!r}{suggest(type_name, FIELD_TYPES)} "
                            f"(known: {', '.join(FIELD_TYPES)})")
            return None
        allowed = COMMON_ATTRIBUTES | FIELD_TYPES[type_name]
        for name in spec:
            if name not in allowed:
                self.fail(spec, f"{where}: '{name}' is not an attribute of a {type_name} field"
                                f"{suggest(name, allowed)}")
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
                self.fail(spec, f"{where}: unknown source {source!r}{suggest(source, fieldtypes.SOURCES)} "
                                f"(known: {', '.join(sorted(fieldtypes.SOURCES)) or 'none'})")
            if in_group or type_name in ("group", "file"):
                self.fail(spec, f"{where}: only a top-level field that is not a file or group can have a source")
            values["source"] = source
        if "role" in spec:
            roles = fieldtypes.ROLES.get(self.kind, {})
            role = spec["role"]
            item_roles = {name: found for group in fieldtypes.ITEM_ROLES.values() for name, found in group.items()}
            if in_group:
                if role not in item_roles:
                    self.fail(spec, f"{where}: a field inside a group can only have one of the roles "
                                    f"{', '.join(sorted(item_roles))}")
                elif type_name not in item_roles[role][0]:
                    self.fail(spec, f"{where}: role '{role}' needs a {' or '.join(sorted(item_roles[role][0]))} "
                                    f"field, not {type_name}")
            elif role not in roles:
                self.fail(spec, f"{where}: unknown role {role!r}{suggest(role, roles)} for {self.kind} forms "
                                f"(known: {', '.join(sorted(roles)) or 'none'})")
            elif type_name not in roles[role][0]:
                self.fail(spec, f"{where}: role '{role}' needs a {' or '.join(sorted(roles[role][0]))} "
                                f"field, not {type_name}")
            elif role in ("targets", "actuals"):
                for child in values.get("fields", ()):
                    if child.id not in fieldtypes.METRICS:
                        self.fail(spec, f"{where}: '{child.id}' is not a metric GrantFlow knows "
                                        f"(known: {', '.join(fieldtypes.METRICS)})")
            elif role in fieldtypes.ITEM_ROLES:
                allowed_items = fieldtypes.ITEM_ROLES[role]
                for child in values.get("fields", ()):
                    if child.role and child.role not in allowed_items:
                        self.fail(spec, f"{where}: '{child.id}' has role '{child.role}', not one of a "
                                        f"'{role}' group's ({', '.join(allowed_items)})")
            values["role"] = role
        if "example" in spec:
            values["example"] = spec["example"]
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

