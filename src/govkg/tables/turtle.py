"""A tiny deterministic Turtle writer for the data build and `govkg import`.

rdflib's serialiser sorts subjects alphabetically and cannot write comments; the data files
are meant to be read by people, grouped by province with headers, so the build scripts lay
them out themselves. Resources are written relative to `@base <https://w3id.org/govkg/id/>`
(`<org/cn-gs-general-office>`), because a `/` may not appear unescaped in a prefixed name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from govkg.namespaces import GKR, PREFIXES


@dataclass(frozen=True)
class I:  # noqa: E742 - a one-letter constructor keeps the fact tables readable
    """An IRI: a CURIE (`gk:Province`), a resource path (`org/cn-gs-x`) or a full IRI."""

    ref: str

    @property
    def iri(self) -> str:
        if self.ref.startswith(("http://", "https://")):
            return self.ref
        head, sep, local = self.ref.partition(":")
        if sep and head in PREFIXES and "/" not in head:
            return PREFIXES[head] + local
        return GKR + self.ref

    def turtle(self) -> str:
        iri = self.iri
        if iri.startswith(GKR):
            return f"<{iri[len(GKR) :]}>"
        head, sep, local = self.ref.partition(":")
        if sep and head in PREFIXES and local and all(c.isalnum() or c in "-_" for c in local):
            return self.ref
        return f"<{iri}>"


@dataclass(frozen=True)
class L:
    """A literal: plain string, language-tagged, or typed by a CURIE datatype."""

    value: str
    lang: str | None = None
    dt: str | None = None

    def turtle(self) -> str:
        esc = (
            self.value.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
        if self.lang:
            return f'"{esc}"@{self.lang}'
        if self.dt in ("xsd:integer",) and esc.lstrip("-").isdigit():
            return esc
        if self.dt == "xsd:boolean" and esc in ("true", "false"):
            return esc
        if self.dt and self.dt != "xsd:string":
            return f'"{esc}"^^{self.dt}'
        return f'"{esc}"'


@dataclass
class B:
    """A blank node written inline as `[ ... ]`: a list of (predicate, object) pairs."""

    pairs: list[tuple[str, object]] = field(default_factory=list)


Obj = I | L | B


def _pred(p: str) -> str:
    return "a" if p == "rdf:type" else I(p).turtle()


def _group(pairs: list[tuple[str, object]]) -> list[tuple[str, list[object]]]:
    """Objects grouped by predicate, predicates in order of first use (rdf:type first)."""
    order: list[str] = []
    objs: dict[str, list[object]] = {}
    for p, o in pairs:
        if p not in objs:
            order.append(p)
            objs[p] = []
        if o not in objs[p] or isinstance(o, B):
            objs[p].append(o)
    order.sort(key=lambda p: (p != "rdf:type", p == "gk:attestedBy"))
    return [(p, objs[p]) for p in order]


def _obj(o: object, indent: int) -> str:
    if isinstance(o, B):
        if not any(isinstance(v, B) for _, v in o.pairs):
            flat = " ; ".join(
                f"{_pred(p)} {', '.join(_obj(v, 0) for v in vs)}" for p, vs in _group(o.pairs)
            )
            return f"[ {flat} ]"
        pad = " " * (indent + 4)
        inner = _body(o.pairs, indent + 2)
        return "[\n" + pad + inner + "\n" + " " * (indent + 2) + "]"
    if isinstance(o, I | L):
        return o.turtle()
    raise TypeError(f"not an RDF term: {o!r}")


def _body(pairs: list[tuple[str, object]], indent: int) -> str:
    pad = " " * (indent + 2)
    parts = []
    for p, objs in _group(pairs):
        rendered = [_obj(o, indent + 2) for o in objs]
        joined = (" ,\n" + pad + "    ").join(rendered) if len(rendered) > 1 else rendered[0]
        parts.append(f"{_pred(p)} {joined}")
    return (" ;\n" + pad).join(parts)


@dataclass
class Section:
    """A commented block of subjects in a file."""

    title: str
    subjects: list[tuple[I, list[tuple[str, object]]]] = field(default_factory=list)
    note: str = ""

    def add(self, subject: I, pairs: list[tuple[str, object]]) -> None:
        for s, existing in self.subjects:
            if s == subject:
                existing.extend(pairs)
                return
        self.subjects.append((subject, list(pairs)))


def render(header: str, sections: list[Section], prefixes: list[str]) -> str:
    """The whole file: header comment, @base, the prefixes used, then each section."""
    out = [f"# {line}".rstrip() for line in header.strip().splitlines()]
    out.append("")
    out.append(f"@base <{GKR}> .")
    for p in prefixes:
        out.append(f"@prefix {p}: <{PREFIXES[p]}> .")
    for sec in sections:
        if not sec.subjects:
            continue
        out.append("")
        out.append("# " + "=" * 78)
        out.append(f"# {sec.title}")
        for line in sec.note.strip().splitlines():
            out.append(f"# {line}".rstrip())
        out.append("# " + "=" * 78)
        for subject, pairs in sec.subjects:
            out.append("")
            out.append(subject.turtle() + "\n    " + _body(pairs, 2) + " .")
    return "\n".join(out) + "\n"


def used_prefixes(sections: list[Section]) -> list[str]:
    """The prefixes a file's terms use, in the project's table order."""
    used: set[str] = set()

    def visit(term: object) -> None:
        if isinstance(term, I):
            head, sep, _ = term.ref.partition(":")
            if sep and head in PREFIXES and term.turtle() == term.ref:
                used.add(head)
        elif isinstance(term, L) and term.dt:
            used.add(term.dt.split(":", 1)[0])
        elif isinstance(term, B):
            for p, o in term.pairs:
                visit(I(p)) if p != "rdf:type" else None
                visit(o)
        if isinstance(term, str):
            visit(I(term))

    for sec in sections:
        for subject, pairs in sec.subjects:
            visit(subject)
            for p, o in pairs:
                if p != "rdf:type":
                    visit(I(p))
                visit(o)
    return [p for p in PREFIXES if p in used]


def write(path: Path, header: str, sections: list[Section]) -> None:
    """Write a Turtle file (only when its content changed, to keep timestamps stable)."""
    text = render(header, sections, used_prefixes(sections))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
