"""Guards for untrusted RDF input that the parser alone does not give.

pyoxigraph never fetches (no remote JSON-LD contexts, no external XML entities) and bounds
JSON-LD nesting, but it expands internal XML entities without limit: a "billion laughs"
RDF/XML file of 1 KB becomes a 100 MB literal. We refuse such files before parsing.
"""

from __future__ import annotations

import re

from govkg.errors import BadInput

MAX_ENTITY_EXPANSION = 64 * 1024
"""Largest text (in characters) any one XML entity may expand to."""

_ENTITY_DECL = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s]+)\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')", re.S)
_REFERENCE = re.compile(r"&([A-Za-z_][\w.\-]*);")


def check_xml_entities(data: bytes, source: str) -> None:
    """Reject external entities and internal ones that expand past MAX_ENTITY_EXPANSION."""
    if b"<!ENTITY" not in data:
        return
    values: dict[str, str] = {}
    for match in _ENTITY_DECL.finditer(data):
        name = match.group(2).decode("utf-8", "replace")
        body = match.group(3)
        if body in (b"SYSTEM", b"PUBLIC") or match.group(1):
            raise BadInput(f"{source}: external or parameter XML entity {name!r} is not accepted")
        values[name] = body[1:-1].decode("utf-8", "replace")
    sizes: dict[str, int] = {}

    def size(name: str, depth: int) -> int:
        if name in sizes:
            return sizes[name]
        if depth > 16 or name not in values:
            return len(name) + 2
        text = values[name]
        total = len(_REFERENCE.sub("", text))
        for ref in _REFERENCE.findall(text):
            total += size(ref, depth + 1)
            if total > MAX_ENTITY_EXPANSION:
                break
        sizes[name] = total
        return total

    for name in values:
        if size(name, 0) > MAX_ENTITY_EXPANSION:
            raise BadInput(
                f"{source}: XML entity {name!r} expands past {MAX_ENTITY_EXPANSION} characters "
                "(an entity-expansion bomb); refused"
            )
