"""Where a result's focus node came from: the file and line, from an index built once a file."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govkg.namespaces import PREFIXES
from govkg.shacl.report import ValidationResult, _display

if TYPE_CHECKING:
    from govkg.load import KnowledgeGraph


def _locate(
    result: ValidationResult, kg: KnowledgeGraph, skip: set[Path], bundled: set[Path]
) -> ValidationResult:
    """Add the file (a user's file before a bundled one) and line the focus node is in.

    A blank node (an evidence selector, say) is located by the named node it hangs from.
    """
    from dataclasses import replace

    iri = result.focus
    owner = None
    if iri.startswith("_:"):
        owner = _owner(kg, iri[2:])
        if owner is None:
            return result
        iri = owner
    files = [f for f in kg.files_of(iri) if f.resolve() not in skip]
    if not files:
        return replace(result, owner=owner)
    path = sorted(files, key=lambda f: f.resolve() in bundled)[0]
    return replace(result, file=_display(path), line=first_line(path, iri), owner=owner)


def _owner(kg: KnowledgeGraph, bnode_id: str, depth: int = 6) -> str | None:
    """The first named node found walking up from a blank node (a few steps at most)."""
    import pyoxigraph as ox

    node: Any = ox.BlankNode(bnode_id)
    for _ in range(depth):
        parent = next(iter(kg.store.quads_for_pattern(None, None, node)), None)
        if parent is None:
            return None
        if isinstance(parent.subject, ox.NamedNode):
            return parent.subject.value
        node = parent.subject
    return None


def first_line(path: Path, iri: str) -> int | None:
    """The first line of a Turtle-like file naming `iri` in full or as a prefixed name."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    needles = [f"<{iri}>", f'"{iri}"']  # Turtle/N-Triples; JSON-LD and RDF/XML
    declared = dict(PREFIXES)
    for m in re.finditer(r"@?prefix\s+([\w.-]*):\s*<([^>]*)>", text, re.IGNORECASE):
        declared[m.group(1)] = m.group(2)
    for prefix, ns in declared.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns) :]
            needles += [f"{prefix}:{local}", f"{prefix}:{local.replace('/', chr(92) + '/')}"]
    base = re.search(r"@?base\s+<([^>]*)>", text, re.IGNORECASE)
    if base and iri.startswith(base.group(1)):
        needles.append(f"<{iri[len(base.group(1)) :]}>")
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for needle in needles:
            at = line.find(needle)
            while at >= 0:
                before = line[at - 1] if at else " "
                after = line[at + len(needle)] if at + len(needle) < len(line) else " "
                if not _name_char(before) and not _name_char(after, tail=True):
                    return number
                at = line.find(needle, at + 1)
    return None


def _name_char(ch: str, tail: bool = False) -> bool:
    """Whether `ch` would continue a name (a following '.' ends a statement instead)."""
    return ch.isalnum() or ch in "_-:/#%\\"
