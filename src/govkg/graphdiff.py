"""What changes between two graphs, per entity: facts added, removed and altered.

Triples are grouped by the entity they describe (an annotation's parts, `…#s1`, under the
annotation); a property of an entity whose values were both removed and added is reported
as altered (old → new) rather than as two unrelated lines. Labels come from either side,
in the chosen language, so a reviewer reads names, not IRIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from govkg.errors import BadInput
from govkg.namespaces import PREFIXES, curie

LABELS = (PREFIXES["skos"] + "prefLabel", PREFIXES["rdfs"] + "label")
Triple = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, object]


@dataclass
class EntityChange:
    entity: str
    added: list[tuple[str, str]] = field(default_factory=list)  # (predicate, value)
    removed: list[tuple[str, str]] = field(default_factory=list)
    altered: list[tuple[str, list[str], list[str]]] = field(default_factory=list)


@dataclass
class Side:
    triples: set[Triple]
    labels: dict[str, dict[str, str]]  # iri -> lang -> label


def load_side(path: Path) -> Side:
    """The triples of a Turtle file or of every *.ttl of a folder, and their labels."""
    from govkg.load import parse_file

    files = sorted(path.glob("*.ttl")) if path.is_dir() else [path]
    if not files:
        raise BadInput(f"{path}: no Turtle files")
    raw: set[Triple] = set()
    for f in files:
        for q in parse_file(f):
            raw.add((q.subject, q.predicate, q.object))
    # blank nodes (one level, as in dataset.ttl's partitions) compared by what they hold
    inner: dict[str, list[str]] = {}
    for subj, pred, obj in raw:
        if isinstance(subj, ox.BlankNode):
            inner.setdefault(subj.value, []).append(f"{curie(pred.value)} {_text(obj)}")
    triples: set[Triple] = set()
    for subj, pred, obj in raw:
        if isinstance(subj, ox.BlankNode):
            continue
        if isinstance(obj, ox.BlankNode):
            obj = ox.Literal("[ " + " ; ".join(sorted(inner.get(obj.value, []))) + " ]")
        triples.add((subj, pred, obj))
    labels: dict[str, dict[str, str]] = {}
    for s, p, o in triples:
        if p.value in LABELS and isinstance(o, ox.Literal) and o.language:
            slot = labels.setdefault(s.value, {})
            if p.value == LABELS[0] or o.language not in slot:
                slot[o.language] = o.value
    return Side(triples, labels)


def _text(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return curie(term.value).replace(f"{PREFIXES['gkr']}", "gkr:")
    if isinstance(term, ox.Literal):
        return f'"{term.value}"' + (f"@{term.language}" if term.language else "")
    return str(term)


def diff_graphs(old: Side, new: Side) -> list[EntityChange]:
    """Per entity (sorted by IRI), what NEW adds to, removes from and alters in OLD."""
    removed = old.triples - new.triples
    added = new.triples - old.triples
    by: dict[str, dict[tuple[str, str], tuple[list[str], list[str]]]] = {}
    for sign, triples in (("-", removed), ("+", added)):
        for subj, predicate, obj in triples:
            s = subj.value if isinstance(subj, ox.NamedNode) else f"_:{subj.value}"
            entity, _, part = s.partition("#")
            pred = curie(predicate.value) + (f" (#{part})" if part else "")
            slot = by.setdefault(entity, {}).setdefault((pred, s), ([], []))
            slot[0 if sign == "-" else 1].append(_text(obj))
    out = []
    for entity in sorted(by):
        change = EntityChange(entity)
        for (pred, _s), (gone, came) in sorted(by[entity].items()):
            gone.sort()
            came.sort()
            if gone and came:
                change.altered.append((pred, gone, came))
            else:
                change.removed += [(pred, v) for v in gone]
                change.added += [(pred, v) for v in came]
        out.append(change)
    return out


def render(changes: list[EntityChange], lang: str, old: Side | None = None,
           new: Side | None = None) -> str:  # fmt: skip
    """Plain text for people: one block per entity, its label in `lang` when known."""
    if not changes:
        return "no differences\n"
    lines = []
    for c in changes:
        label = ""
        for side in (new, old):
            if side and c.entity in side.labels:
                names = side.labels[c.entity]
                label = names.get(lang) or next(iter(names.values()))
                break
        lines.append(f"{curie(c.entity)}" + (f"  {label}" if label else ""))
        lines += [f"  - {p} {v}" for p, v in c.removed]
        lines += [f"  + {p} {v}" for p, v in c.added]
        lines += [f"  ~ {p} {', '.join(a)} -> {', '.join(b)}" for p, a, b in c.altered]
    n_add = sum(len(c.added) for c in changes)
    n_rem = sum(len(c.removed) for c in changes)
    n_alt = sum(len(c.altered) for c in changes)
    lines.append(
        f"{len(changes)} entities changed: {n_add} added, {n_rem} removed, {n_alt} altered"
    )
    return "\n".join(lines) + "\n"
