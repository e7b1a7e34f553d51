"""Read the simple facts list pages keep in their inline scripts.

Government CMS templates write list state as plain JavaScript: ``var countPage = 12``,
``var pageSize = "15";``, call arguments that are literals or such variables, and object
literals (``{columnId: 123, pageNo: 1}``). Nothing here runs JavaScript: it reads literal
values and resolves names through the page's own ``var``/``let``/``const`` assignments.
"""

from __future__ import annotations

import re

_ASSIGN = re.compile(
    r"""(?:\b(?:var|let|const)\s+|(?:^|(?<=[\s;{(,]))(?:window\.)?)([A-Za-z_$][\w$]*)\s*=(?!=)\s*"""
    r"""(?:'([^'\n]*)'|"([^"\n]*)"|(-?\d+(?:\.\d+)?)\b|([A-Za-z_$][\w$.]*)\s*[;,\n/)])""",
    re.M,
)
_STRING = re.compile(r"""^\s*(?:'([^']*)'|"([^"]*)"|`([^`$]*)`)\s*$""", re.S)
_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
_NAME = re.compile(r"^\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*$")
_PAIR_KEY = re.compile(r"""\s*(?:'([^']*)'|"([^"]*)"|([A-Za-z_$][\w$]*))\s*:""")


def script_variables(scripts: str) -> dict[str, str]:
    """Simple assignments in ``scripts``: name -> literal value (the last one wins).

    A name assigned another name takes that name's value when it is known by then.
    """
    found: dict[str, str] = {}
    for match in _ASSIGN.finditer(scripts):
        name = match.group(1)
        single, double, number, other = match.group(2), match.group(3), match.group(4), match.group(5)
        if single is not None:
            found[name] = single
        elif double is not None:
            found[name] = double
        elif number is not None:
            found[name] = number
        elif other is not None and other in found:
            found[name] = found[other]
    return found


def _split_top_level(text: str, separator: str) -> list[str]:
    """``text`` cut at ``separator`` where it stands outside brackets and strings (unstripped)."""
    parts: list[str] = []
    depth = 0
    quote = ""
    current: list[str] = []
    for char in text:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
            continue
        if char in "'\"`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def split_arguments(text: str) -> list[str]:
    """Split a call's argument text at top-level commas (brackets and strings respected)."""
    parts = [part.strip() for part in _split_top_level(text, ",")]
    return [] if parts == [""] else parts


def balanced(text: str, start: int) -> str | None:
    """The text inside the bracket opening at ``text[start]`` (None when it never closes)."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    opener = text[start]
    closer = pairs[opener]
    depth = 0
    quote = ""
    for i in range(start, min(len(text), start + 20000)):
        char = text[i]
        if quote:
            if char == "\\":
                continue
            if char == quote:
                quote = ""
            continue
        if char in "'\"`":
            quote = char
        elif char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
    return None


def evaluate(expr: str, variables: dict[str, str]) -> str | None:
    """The value of a literal, a known name, or a ``+`` concatenation of them (else None)."""
    expr = expr.strip()
    if not expr:
        return None
    pieces = split_concatenation(expr)
    if len(pieces) > 1:
        values = [evaluate(piece, variables) for piece in pieces]
        if any(value is None for value in values):
            return None
        return "".join(v for v in values if v is not None)
    string = _STRING.match(expr)
    if string:
        return next(g for g in string.groups() if g is not None)
    if _NUMBER.match(expr):
        return expr.strip()
    name = _NAME.match(expr)
    if name:
        key = name.group(1)
        return variables.get(key, variables.get(key.rsplit(".", 1)[-1]))
    call = re.match(r"^\s*(?:parseInt|Number|String)\((.*)\)\s*$", expr, re.S)
    if call:
        return evaluate(split_arguments(call.group(1))[0], variables)
    return None


def split_concatenation(expr: str) -> list[str]:
    """Split ``'a' + b + "c"`` at top-level ``+`` signs."""
    return [p for p in (part.strip() for part in _split_top_level(expr, "+")) if p]


def object_pairs(body: str) -> list[tuple[str, str]]:
    """Top-level ``key: value`` pairs of an object literal's body, values as source text."""
    pairs: list[tuple[str, str]] = []
    for item in split_arguments(body):
        key = _PAIR_KEY.match(item)
        if key is None:
            continue
        name = next(g for g in key.groups() if g is not None)
        pairs.append((name, item[key.end():].strip()))
    return pairs


def as_int(value: str | None) -> int | None:
    """``value`` as a whole number, if it is one."""
    if value is None:
        return None
    value = value.strip()
    try:
        return int(float(value)) if value else None
    except ValueError:
        return None
