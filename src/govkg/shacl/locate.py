"""Where a result came from: its file and line, from an index built once per file.

Results are grouped by the file their node is in; each file is read once and scanned once
for all of its results' nodes (the statements that start with them, and within those the
line of the result's property), so locating costs one pass over each file however many
results there are. An N-Triples file the load already scanned (`SubjectRuns`) is not scanned
again: only its results' subjects' runs are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govkg.namespaces import PREFIXES
from govkg.shacl.report import ValidationResult, _display
from govkg.subject_runs import SubjectRuns

if TYPE_CHECKING:
    from govkg.load import KnowledgeGraph

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LINE_FORMATS = (".nt", ".nq")
"""N-Triples and N-Quads: one statement a line, its subject the line's first token."""
_TOKEN = re.compile(
    r'<[^<>"\s]*>|"[^"\\\n]*"|[A-Za-z_][\w.-]*:(?:[\w.\-/#%:]|\\.)*|:(?:[\w.\-/#%]|\\.)*|\ba\b'
)
_LOCAL_ESC = re.compile(r"\\(.)")
"""A local name's escape (PN_LOCAL_ESC): the character itself."""
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
"""An IRI's numeric escape (UCHAR)."""


def _uchar(m: re.Match[str]) -> str:
    return chr(int(m.group(1) or m.group(2), 16))


def _statement_end(token: str) -> str:
    """A prefixed name without the statement's final `.` (a local name's own `\\.` kept)."""
    while token.endswith("."):
        body = token[:-1]
        if (len(body) - len(body.rstrip("\\"))) % 2:
            break  # an odd run of backslashes before it: the dot is escaped, part of the name
        token = body
    return token


class LineIndex:
    """Lines of one RDF text file, for the nodes (and their properties) asked about."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.prefixes = dict(PREFIXES)
        self.base = None
        if path.suffix.lower() in (".nt", ".nq"):
            return  # full IRIs only: no directives to read
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        for m in re.finditer(r"@?prefix\s+([\w.-]*):\s*<([^>]*)>", text, re.IGNORECASE):
            self.prefixes[m.group(1)] = m.group(2)
        base = re.search(r"@?base\s+<([^>]*)>", text, re.IGNORECASE)
        self.base = base.group(1) if base else None

    def _lines(self) -> Iterator[tuple[int, str]]:
        """The file's lines, streamed (never the whole file as a list)."""
        try:
            with self.path.open(encoding="utf-8", errors="replace") as f:
                yield from enumerate(f, start=1)
        except OSError:
            return

    def resolve(self, token: str) -> str | None:
        """The IRI a token names in this file (None for anything else).

        Undoes every escape the token may carry (`\\/`, `\\#`, `\\.` … in a local
        name, `\\uXXXX` in an IRI), so any writer's form of an IRI is found, not only ours.
        """
        if token == "a":
            return RDF_TYPE
        if token.startswith("<"):
            inner = _UCHAR.sub(_uchar, token[1:-1]) if "\\" in token else token[1:-1]
            if self.base and not re.match(r"^[A-Za-z][\w+.-]*:", inner):
                return self.base + inner
            return inner
        if token.startswith('"'):
            return token[1:-1]
        token = _statement_end(token)
        prefix, _, local = token.partition(":")
        ns = self.prefixes.get(prefix)
        if ns is None:
            return None
        return ns + (_LOCAL_ESC.sub(r"\1", local) if "\\" in local else local)

    def lines(
        self, wanted: dict[str, set[str]], runs: SubjectRuns | None = None
    ) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
        """For subject IRIs (-> predicate IRIs): first line of each, and of each property.

        N-Triples / N-Quads: the file's `SubjectRuns` (given, from the load, or scanned
        now), so only the runs of wanted subjects are read and tokenised. Any other text
        file: one pass, statement by statement, by each statement's first token. Subjects
        not found at a statement's start (JSON-LD, RDF/XML, nested) are looked for anywhere
        in a second pass over the remaining ones.
        """
        subjects: dict[str, int] = {}
        props: dict[tuple[str, str], int] = {}
        if runs is None and self.path.suffix.lower() in _LINE_FORMATS:
            try:
                runs = SubjectRuns.scan(self.path)
            except OSError:
                runs = None
        if runs is None or not self._from_runs(runs, wanted, subjects, props):
            subjects.clear()
            props.clear()
            self._statements(wanted, subjects, props)
        missing = set(wanted) - set(subjects)
        if missing:
            self._anywhere(missing, subjects)
        return subjects, props

    def _from_runs(
        self,
        runs: SubjectRuns,
        wanted: dict[str, set[str]],
        subjects: dict[str, int],
        props: dict[tuple[str, str], int],
    ) -> bool:
        """The wanted subjects' lines from their runs; False where the file cannot be read."""
        resolve = self.resolve
        try:
            with self.path.open("rb") as f:
                for iri, preds in wanted.items():
                    for number, start, end in runs.spans(iri):
                        subjects.setdefault(iri, number)
                        if not preds:
                            break
                        f.seek(start)
                        for offset, raw in enumerate(f.read(end - start).split(b"\n")):
                            for t in _TOKEN.finditer(raw.decode("utf-8", errors="replace")):
                                pred = resolve(t.group(0))
                                if pred in preds:
                                    props.setdefault((iri, pred), number + offset)
        except OSError:
            return False
        return True

    def _statements(
        self,
        wanted: dict[str, set[str]],
        subjects: dict[str, int],
        props: dict[tuple[str, str], int],
    ) -> None:
        """Any text format: each line's first token, statement by statement."""
        current: str | None = None
        resolve = self.resolve
        starts = set(" \t\r\n#]),;.")
        for number, line in self._lines():
            if line and line[0] not in starts:
                first = _TOKEN.match(line)
                iri = resolve(first.group(0)) if first else None
                current = iri if iri in wanted else None
                if current is not None:
                    subjects.setdefault(current, number)
            if current is not None and wanted[current]:
                for m in _TOKEN.finditer(line):
                    pred = resolve(m.group(0))
                    if pred in wanted[current]:
                        props.setdefault((current, pred), number)

    def _anywhere(self, missing: set[str], subjects: dict[str, int]) -> None:
        """Subjects not found at a statement's start (JSON-LD, RDF/XML, nested): any token."""
        resolve = self.resolve
        for number, line in self._lines():
            if line.lstrip().startswith("#"):
                continue
            for m in _TOKEN.finditer(line):
                iri = resolve(m.group(0))
                if iri in missing:
                    subjects[iri] = number
                    missing.discard(iri)
            if not missing:
                break


def first_line(path: Path, iri: str) -> int | None:
    """The first line of a Turtle-like file naming `iri` in full or as a prefixed name."""
    return LineIndex(Path(path)).lines({iri: set()})[0].get(iri)


def locate_all(
    results: Iterable[ValidationResult], kg: KnowledgeGraph, skip: set[Path], bundled: set[Path]
) -> list[ValidationResult]:
    """Each result with its file (a user's file before a bundled one) and line.

    A blank node (an evidence selector, say) is located by the named node it hangs from.
    The line is that of the result's property in the node's statement where it is a plain
    predicate found there, else that of the statement.
    """
    placed: list[tuple[ValidationResult, str | None, Path | None, str | None]] = []
    wanted: dict[Path, dict[str, set[str]]] = {}
    owners: dict[str, str | None] = {}
    files_cache: dict[str, Path | None] = {}
    real: dict[Path, Path] = {}

    def resolved(path: Path) -> Path:  # once per file, not once per result's node
        if path not in real:
            real[path] = path.resolve()
        return real[path]

    for r in results:
        iri, owner = r.focus, None
        if iri.startswith("_:"):
            if iri not in owners:
                owners[iri] = _owner(kg, iri[2:])
            owner = owners[iri]
            if owner is None:
                placed.append((r, None, None, None))
                continue
            iri = owner
        if iri not in files_cache:
            files = [f for f in kg.files_of(iri) if resolved(f) not in skip]
            files.sort(key=lambda f: resolved(f) in bundled)
            files_cache[iri] = files[0] if files else None
        path = files_cache[iri]
        pred = _predicate(r) if owner is None else None
        if path is not None:
            preds = wanted.setdefault(path, {}).setdefault(iri, set())
            if pred:
                preds.add(pred)
        placed.append((r, owner, path, pred))
    found = {
        path: LineIndex(path).lines(want, _runs(kg.file_subjects.get(path)))
        for path, want in wanted.items()
    }
    shown = {path: _display(path) for path in wanted}  # resolved once per file
    out = []
    for r, owner, path, pred in placed:
        if path is None:
            out.append(replace(r, owner=owner) if owner else r)
            continue
        subjects, props = found[path]
        iri = owner or r.focus
        line = props.get((iri, pred)) if pred else None
        out.append(replace(r, file=shown[path], line=line or subjects.get(iri), owner=owner))
    return out


def _runs(subjects: Any) -> SubjectRuns | None:
    """The runs the load scanned for this file, if it did."""
    return subjects if isinstance(subjects, SubjectRuns) else None


def _predicate(r: ValidationResult) -> str | None:
    """The result's path as a full IRI when it is one plain predicate."""
    path = r.path
    if not path or any(ch in path for ch in "|/^()*+?"):
        return None
    if path.startswith("http") or path.startswith("urn:"):
        return path
    prefix, _, local = path.partition(":")
    ns = PREFIXES.get(prefix)
    return ns + local if ns else None


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
