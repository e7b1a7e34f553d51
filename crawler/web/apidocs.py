"""The API docs page (``/api``): the OpenAPI document as a plain HTML page, no script.

FastAPI's Swagger UI and ReDoc load JavaScript from a CDN, which our pages' policy forbids
(and which fails offline); this page reads the same OpenAPI document and lists every
endpoint with its parameters and answer.
"""

from __future__ import annotations

from typing import Any

METHODS = ("get", "head", "post", "put", "patch", "delete")


def schema_type(schema: dict[str, Any]) -> str:
    """A short type name of a JSON Schema: ``integer``, ``string (date)``, ``one of a, b``…"""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            kinds = [schema_type(s) for s in schema[key] if s.get("type") != "null"]
            return " | ".join(kinds) + (" (optional)" if len(kinds) < len(schema[key]) else "")
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"list of {schema_type(schema.get('items') or {})}"
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _range(schema: dict[str, Any]) -> str:
    for option in schema.get("anyOf", [schema]):
        low, high = option.get("minimum"), option.get("maximum")
        if low is not None or high is not None:
            return f"{'' if low is None else low}…{'' if high is None else high}"
    return ""


def endpoints(openapi: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of ``openapi``: method, path, summary, description, parameters and the
    answers it documents, in path order."""
    out = []
    for path, item in sorted(openapi.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            params = [{
                "name": p["name"], "in": p.get("in", ""), "required": bool(p.get("required")),
                "type": schema_type(p.get("schema") or {}), "range": _range(p.get("schema") or {}),
                "default": (p.get("schema") or {}).get("default"),
                "description": p.get("description") or (p.get("schema") or {}).get("description", ""),
            } for p in op.get("parameters", [])]
            responses = []
            for status, answer in sorted(op.get("responses", {}).items()):
                content = answer.get("content") or {}
                types = [f"{kind}: {schema_type(c.get('schema') or {})}" for kind, c in content.items()]
                responses.append({"status": status, "description": answer.get("description", ""),
                                  "content": types})
            out.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "description": op.get("description", ""), "tags": op.get("tags", []),
                        "parameters": params, "responses": responses,
                        "anchor": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "")})
    return out
