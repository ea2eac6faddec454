"""The API reference page's content, read from the OpenAPI document (never
written by hand, so it cannot drift from the routes)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Parameter:
    name: str
    where: str
    type: str
    required: bool
    description: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    authenticated: bool
    parameters: list[Parameter] = field(default_factory=list)
    responses: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return (self.method + self.path).lower().replace("/", "-").replace("{", "").replace("}", "")


def type_of(schema: dict) -> str:
    """A short human reading of a JSON Schema: "integer (1 to 100)", "string or null", "Fund"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1].split(".")[0]
    if "anyOf" in schema:
        return " or ".join(type_of(s) for s in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if schema.get("type") == "array":
        return "list of " + type_of(schema.get("items", {}))
    text = str(schema.get("type", "any"))
    if "minimum" in schema and "maximum" in schema:
        text += f" ({schema['minimum']} to {schema['maximum']})"
    if schema.get("format") in ("date", "date-time"):
        text += f" ({schema['format']})"
    return text


def operations(document: dict) -> dict[str, list[Operation]]:
    """Operations by tag, in document order."""
    by_tag: dict[str, list[Operation]] = {}
    for path, methods in document.get("paths", {}).items():
        for method, spec in methods.items():
            op = Operation(method.upper(), path, (spec.get("summary") or "").split(" <")[0],
                           spec.get("description") or "", bool(spec.get("security")))
            for p in spec.get("parameters", []):
                op.parameters.append(Parameter(p["name"], p["in"], type_of(p.get("schema", {})),
                                               bool(p.get("required")),
                                               p.get("description") or p.get("schema", {}).get("description", "")))
            for status, response in sorted(spec.get("responses", {}).items()):
                content = response.get("content") or {}
                kind, body = next(iter(content.items()), ("", {}))
                op.responses.append((status, response.get("description", ""),
                                     f"{type_of(body.get('schema', {}))} ({kind})" if kind else "no body"))
            for tag in spec.get("tags") or ["Other"]:
                by_tag.setdefault(tag, []).append(op)
    return by_tag


def schemas(document: dict) -> list[tuple[str, str, list[tuple[str, str, bool, str]]]]:
    """(name, description, [(property, type, required, description)]) of each component schema."""
    found = []
    for key, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        props = [(name, type_of(prop), name in required, prop.get("description", ""))
                 for name, prop in schema.get("properties", {}).items()]
        if props:
            found.append((key.split(".")[0], schema.get("description", ""), props))
    return found
