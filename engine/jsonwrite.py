"""Write a ruleset as people read it: the format's parts in order, 2-space indent, Chinese as it is,
and each part that fits on one line on one line, so that a diff of two saved versions shows only
what changed."""

from __future__ import annotations

import json

WIDTH = 100


def in_schema_order(document: dict) -> dict:
    """Each part's keys in the order of the format (an indicator's label before its column, the top-level
    parts from the units down); the entries of a map (the indicators, the nodes) stay in the user's order."""
    from .schema import base_schema

    return _ordered(document, base_schema())


def _object_schema(schema: dict) -> dict:
    for alternative in schema.get("oneOf", ()):
        if alternative.get("type") == "object":
            return alternative
    return schema


def _ordered(value, schema: dict):
    schema = _object_schema(schema)
    if isinstance(value, dict):
        order = list(schema.get("properties", {}))
        keys = sorted(value, key=lambda k: order.index(k) if k in order else len(order))
        inner = schema.get("additionalProperties")
        return {k: _ordered(value[k], schema.get("properties", {}).get(k) or (inner if isinstance(inner, dict) else {}))
                for k in keys}
    if isinstance(value, list):
        items = schema.get("items")
        return [_ordered(v, items if isinstance(items, dict) else {}) for v in value]
    return value


def ruleset_text(document) -> str:
    """The ruleset as the editor and engine import save it (the same document always gives the same text)."""
    if isinstance(document, dict):
        document = in_schema_order(document)
    return _text(document, 0, 0, top=True) + "\n"


def _text(value, indent: int, taken: int, top: bool = False) -> str:
    """``taken``: the columns the line already holds before the value (indent and key)."""
    flat = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if not isinstance(value, (dict, list)) or not value or (not top and taken + len(flat) <= WIDTH):
        return flat
    inner = " " * (indent + 2)
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            head = f"{inner}{json.dumps(key, ensure_ascii=False)}: "
            lines.append(head + _text(item, indent + 2, len(head) + 1))
        open_, close = "{", "}"
    else:
        lines = [inner + _text(item, indent + 2, len(inner) + 1) for item in value]
        open_, close = "[", "]"
    return open_ + "\n" + ",\n".join(lines) + "\n" + " " * indent + close
