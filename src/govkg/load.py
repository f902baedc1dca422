"""Parse the knowledge files (and a user's files) once, into one pyoxigraph store.

Every command starts from the `KnowledgeGraph` this module builds; rdflib is imported only
when a command asks for the rdflib view (serialising, pySHACL, owlrl).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from govkg import lifetime, resources
from govkg.errors import BadInput, InputSyntaxError
from govkg.namespaces import GRAPH_PARTS, graph_iri
from govkg.retyped import RETYPED, RETYPED_NODES
from govkg.subject_runs import SubjectRuns

if TYPE_CHECKING:
    import rdflib

# file ending -> pyoxigraph format; the formats a user's file may come in
FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
}

MAX_FILE_MB = 200
"""Refuse larger inputs outright rather than exhaust memory ($GOVKG_MAX_FILE_MB raises it)."""


def max_file_bytes() -> int:
    """The most bytes govkg reads of one RDF file: $GOVKG_MAX_FILE_MB, else MAX_FILE_MB."""
    raw = os.environ.get("GOVKG_MAX_FILE_MB", "").strip()
    if not raw:
        return MAX_FILE_MB * 1024 * 1024
    if not raw.isdigit() or int(raw) == 0:
        raise BadInput(f"GOVKG_MAX_FILE_MB={raw!r}: give a whole number of MiB, at least 1")
    return int(raw) * 1024 * 1024


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def rdf_format(path: Path, fmt: str | None = None) -> ox.RdfFormat:
    """The RDF format of a file, from an explicit name or its ending."""
    key = (fmt or path.suffix.lstrip(".")).lower()
    if key not in FORMATS:
        raise BadInput(
            f"{path}: unknown RDF format {key!r}; known: {', '.join(sorted(set(FORMATS)))}"
        )
    return FORMATS[key]


def _syntax_error(path: Path | str, err: SyntaxError) -> InputSyntaxError:
    message = str(err.msg if hasattr(err, "msg") else err)
    # pyoxigraph: "Parser error at line 3 between columns 6 and 9: <reason>"
    if ": " in message and message.startswith("Parser error"):
        message = message.split(": ", 1)[1]
    return InputSyntaxError(message, path, err.lineno, err.offset)


def parse_file(path: Path, fmt: str | None = None) -> list[ox.Quad]:
    """All statements of one RDF file, as quads; errors name file, line and column.

    pyoxigraph never fetches anything while parsing: no remote JSON-LD contexts, no XML
    external entities, no owl:imports. (Loading streams through `read_source` and
    `check_bytes` instead; this list is for small files and tests.)
    """
    data, rfmt, base_iri = read_source(path, fmt)
    return parse_bytes(data, rfmt, source=path, base_iri=base_iri)


def read_source(path: Path, fmt: str | None = None) -> tuple[bytes, ox.RdfFormat, str]:
    """The bytes of one user or bundled file, its format, and the base IRI to resolve against.

    Every byte govkg parses from a file is read here (size limits, refusals).
    """
    from govkg.inputs import read_bytes

    path = Path(path)
    rfmt = rdf_format(path, fmt)
    data = read_bytes(path, max_file_bytes(), what="RDF file")
    return data, rfmt, base_iri_of(path)


def base_iri_of(path: Path) -> str:
    """Relative IRIs resolve against the file's own location, as RDF parsers conventionally do."""
    return path.resolve().as_uri()


def check_bytes(data: bytes, rfmt: ox.RdfFormat, source: Path | str) -> None:
    """The guards that run on raw bytes before any parser sees them (XML entities)."""
    if rfmt == ox.RdfFormat.RDF_XML:
        from govkg.xml_guard import check_entities

        check_entities(data, str(source))


def parse_bytes(
    data: bytes, rfmt: ox.RdfFormat, source: Path | str = "<input>", base_iri: str | None = None
) -> list[ox.Quad]:
    """Parse RDF held in memory; the same errors as `parse_file`."""
    check_bytes(data, rfmt, source)
    with parse_errors(source):
        return list(ox.parse(data, format=rfmt, base_iri=base_iri, lenient=False))


@contextmanager
def parse_errors(source: Path | str) -> Iterator[None]:
    """Parser failures as one-line InputSyntaxErrors naming file, line and column."""
    try:
        yield
    except SyntaxError as err:
        raise _syntax_error(source, err) from None
    except (ValueError, OSError, RecursionError) as err:
        raise InputSyntaxError(str(err), source) from None
    except MemoryError as err:  # the parser's own bound on one token (16 MiB), or no memory
        raise InputSyntaxError(f"too large to parse: {err or 'out of memory'}", source) from None


def is_typed(term: Any) -> bool:
    """A literal whose datatype the store may rewrite: neither xsd:string nor language-tagged.

    pyoxigraph's Store keeps such literals by value: "1.50"^^xsd:decimal comes back as "1.5",
    "08"^^xsd:int as "8"^^xsd:integer, and "1.5" and "1.50" merge into one triple.
    """
    return type(term) is ox.Literal and term.language is None and term.datatype != _XSD_STRING


_XSD_STRING = ox.NamedNode(XSD_STRING)
_DEFAULT = ox.DefaultGraph()
INFERRED = ox.NamedNode(graph_iri("inferred"))
"""The store's named graph for the OWL-RL closure (what `--inferred` adds)."""


@dataclass
class KnowledgeGraph:
    """The loaded graph: a pyoxigraph store for queries, the exact terms for export.

    Layout, chosen so memory stays near the store's own:
    - `store`, default graph: every asserted triple of every file (the query view);
      named graph INFERRED: what the OWL-RL closure adds, after `add_inferred()`.
    - `exact`: the quads (default graph or INFERRED) whose object is a typed non-string
      literal, as the input wrote them. The store rewrites these to canonical values (see
      `is_typed`); export and the rdflib view take them from here instead of from the store,
      so they say exactly what the input said. Only these quads are kept twice.
    - `parts`: the quads of the small bundled parts (ontology, shapes) for the named graphs
      of TriG / N-Quads exports, and `restated`: those of them some data file states too.
    - `file_subjects`: per file, the subjects it states something about (for `files_of`):
      a set, or for an N-Triples file loaded `queries_only` the `SubjectRuns` of its lines.
    Blank-node labels are scoped to their file (renamed while parsing), as RDF merge requires.
    """

    store: ox.Store
    files: list[Path]
    exact: ox.Dataset = field(default_factory=ox.Dataset, repr=False)
    parts: dict[str, ox.Dataset] = field(default_factory=dict, repr=False)
    restated: ox.Dataset = field(default_factory=ox.Dataset, repr=False)
    file_subjects: dict[Path, set[Any] | SubjectRuns] = field(default_factory=dict, repr=False)
    inferred: bool = False
    """When set, queries see the INFERRED graph as part of the default graph."""
    queries_only: bool = False
    """Loaded for SPARQL alone (`load_graph(queries_only=True)`): data files went straight
    into the store, so `exact` and `restated` were not kept for them; what needs them
    (exact triples, rdflib view, closure) refuses such a graph."""
    keep_subjects: bool = True
    """`file_subjects` is complete (`load_graph(keep_subjects=...)`): `files_of` works."""
    retyped_unkept: set[str] | None = field(default_factory=set, repr=False)
    """The datatypes of `govkg.retyped` that data files loaded in Rust alone used (None:
    such a file went in unseen, `keep_subjects=False`); the other files' are in `exact`."""
    _rdflib: Any = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.store)

    def query_graphs(self) -> Any:
        """The graphs a query's default graph is made of (asserted, plus the closure if on)."""
        return [_DEFAULT, INFERRED] if self.inferred else _DEFAULT

    def query(
        self, sparql: str, substitutions: dict[ox.Variable, Any] | None = None, **options: Any
    ) -> Any:
        """Run SPARQL on pyoxigraph (the fast engine); parameters bound, never spliced.

        Every query of govkg goes through here, so `inferred` decides what it sees.
        """
        return self.store.query(
            sparql, substitutions=substitutions, default_graph=self.query_graphs(), **options
        )

    def count(self, sparql: str) -> int:
        """The number a one-cell `SELECT (COUNT(…) AS ?n)` gives; project prefixes predeclared."""
        from govkg.namespaces import sparql_prologue

        for row in self.query(sparql_prologue() + sparql):
            return int(row[0].value)
        return 0

    def add_triples(self, triples: Iterable[ox.Triple]) -> None:
        """Add triples to the default graph, typed literals kept exactly (the one way in)."""
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        self.store.extend(quads)
        for quad in quads:
            if is_typed(quad.object):
                self.exact.add(quad)

    def _complete(self, what: str) -> None:
        if self.queries_only:
            raise RuntimeError(f"{what} needs a graph loaded with its exact literals")

    def graph_quads(self, graph: Any = _DEFAULT) -> Iterator[ox.Quad]:
        """One graph's quads with the input's exact literals (the store's for everything else)."""
        self._complete("graph_quads")
        for quad in self.store.quads_for_pattern(None, None, None, graph):
            if not is_typed(quad.object):
                yield quad
        for quad in self.exact:
            if quad.graph_name == graph:
                yield quad

    def triples(self) -> Iterator[ox.Triple]:
        """The asserted triples, exact literals: what SHACL, HermiT and owlrl read.

        Never the closure, even when `inferred` is on: shapes and the reasoner judge what the
        files state; only queries look through the inference view.
        """
        for quad in self.graph_quads():
            yield quad.triple

    def retyped(self) -> set[str] | None:
        """The datatypes the input used whose literals the store gives back with another
        datatype (`govkg.retyped`); None when not known (a file loaded unseen)."""
        if self.retyped_unkept is None:
            return None
        found = set(self.retyped_unkept)
        for quad in self.exact:
            datatype = quad.object.datatype
            if datatype in RETYPED_NODES:
                found.add(datatype.value)
        return found

    def files_of(self, subject_iri: str) -> list[Path]:
        """The files that state something about this subject (for pointing users at them)."""
        if not self.keep_subjects:
            raise RuntimeError("files_of needs a graph loaded with its files' subjects")
        try:
            node = ox.NamedNode(subject_iri)
        except ValueError:  # a literal focus node ('"big data"@en') is in no file's subjects
            return []
        return sorted(path for path, subjects in self.file_subjects.items() if node in subjects)

    def rdflib(self) -> rdflib.Graph:
        """The same triples as an rdflib Graph, built once on first use."""
        if self._rdflib is None:
            self._rdflib = to_rdflib(self.triples(), exact=True)
        return self._rdflib

    def add_inferred(self) -> int:
        """Compute the OWL-RL closure into the INFERRED graph and let queries see it.

        Returns how many triples the closure adds. Computed once; later calls only turn it on.
        """
        if not any(True for _ in self.store.quads_for_pattern(None, None, None, INFERRED)):
            from govkg.reason import inferred_graph

            original = self.rdflib()
            closure = inferred_graph(self)
            new = (t for t in closure if t not in original)
            self.store.extend(
                _route_inferred(from_rdflib(new), self.exact)  # typed literals kept exact too
            )
        self.inferred = True
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, INFERRED))


def _route_inferred(triples: Iterable[ox.Triple], exact: ox.Dataset) -> Iterator[ox.Quad]:
    for t in triples:
        quad = ox.Quad(t.subject, t.predicate, t.object, INFERRED)
        if is_typed(t.object):
            exact.add(quad)
        yield quad


def to_rdflib_term(term: Any, *, exact: bool = False) -> Any:
    """One pyoxigraph term as its rdflib twin (xsd:string literals stay plain).

    `exact=True` for terms as the input wrote them; otherwise the term is a store's canonical
    form, whose integer-valued decimals ("8") are written back in XSD's canonical "8.0".
    Either way the lexical form is kept: rdflib's normalising would rewrite it.
    """
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == XSD_STRING:
            return Literal(term.value)
        value = term.value
        if not exact and dt == XSD_DECIMAL and "." not in value and value.lstrip("+-").isdigit():
            value += ".0"
        # never rdflib's normalising: it would rewrite "08"^^xsd:integer to "8", and "repair"
        # what the store kept as written because it is ill-formed ("2011-01-01"^^xsd:dateTime)
        return Literal(value, datatype=URIRef(dt), normalize=False)
    raise TypeError(f"cannot convert {term!r}")


def quiet_rdflib() -> None:
    """rdflib logs a traceback for every ill-typed literal ("abc"^^xsd:integer) it converts;
    the literal stays as written, so the warning tells the user nothing: keep errors one line."""
    import logging

    logging.getLogger("rdflib").setLevel(logging.ERROR)


def to_rdflib(triples: Iterable[ox.Triple], *, exact: bool = False) -> rdflib.Graph:
    """An rdflib Graph of these triples, with the project's prefixes bound."""
    from rdflib import Graph

    from govkg.namespaces import bind_prefixes

    quiet_rdflib()
    graph = Graph()
    add = graph.add
    for t in triples:
        add(
            (
                to_rdflib_term(t.subject, exact=exact),
                to_rdflib_term(t.predicate, exact=exact),
                to_rdflib_term(t.object, exact=exact),
            )
        )
    return bind_prefixes(graph)


def from_rdflib(graph: Any) -> Iterator[ox.Triple]:
    """rdflib triples as pyoxigraph triples (for loading inferred graphs back)."""
    from rdflib import BNode, Literal, URIRef

    def conv(term: Any) -> Any:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        raise TypeError(f"cannot convert {term!r}")

    for s, p, o in graph:
        yield ox.Triple(conv(s), conv(p), conv(o))


def bundled_files(*, ontology: bool = True, data: bool = True, shapes: bool = False) -> list[Path]:
    """The knowledge files govkg ships, in load order."""
    files: list[Path] = []
    if ontology:
        files += resources.ontology_files()
    if data:
        files += resources.data_files()
    if shapes:
        files += resources.shape_files()
    return files


_PART_OF_GRAPH = {graph_iri(part): part for part in GRAPH_PARTS}
_SMALL_PARTS = ("ontology", "shapes")  # bundled and small: kept apart for the named graphs


class _Loader:
    """Streams parsed quads into the store, keeping aside only what export needs.

    pyoxigraph parses and inserts (one `Store.extend` per file, in Rust); Python sees each
    quad once, in the leanest loop that keeps what the store cannot: the typed literals'
    lexical forms (the store keeps values, see `is_typed`) with the same blank nodes the
    store got, and each file's subjects. `Store.load` alone would be faster still, but its
    canonical literals and its own blank-node labels lose exactly that (see README,
    "Validating at scale"). A triple file of the data part takes the lean loop (or, for a
    graph loaded `queries_only`, `Store.load` through a pipe, its subjects scanned from the
    bytes it reads or parsed alongside); quad files (govkg's named graphs routed) and the
    small bundled parts take the full one.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.part_subjects: set[Any] = set()
        """The subjects of the small parts' quads: only quads about them can be restated."""

    def load(self, path: Path, part: str, advance: Callable[[int], None]) -> None:
        rfmt = rdf_format(path)
        runs = SubjectRuns(path) if self._scanned(part, rfmt) else None
        with self._source(path, rfmt, advance, None if runs is None else runs.feed) as source:
            self._parse(path, part, rfmt, source, runs)

    def _scanned(self, part: str, rfmt: ox.RdfFormat) -> bool:
        """An N-Triples data file loaded in Rust alone: its subjects come from a scan of the
        bytes the parser reads (`SubjectRuns`), which also locates results in it later."""
        kg = self.kg
        return (
            kg.queries_only
            and kg.keep_subjects
            and part not in _SMALL_PARTS
            and rfmt == ox.RdfFormat.N_TRIPLES
        )

    @contextmanager
    def _source(
        self,
        path: Path,
        rfmt: ox.RdfFormat,
        advance: Callable[[int], None],
        observe: Callable[[bytes], None] | None = None,
    ) -> Iterator[io.RawIOBase | io.BufferedReader]:
        """What the parser reads: the open file itself, streamed (the store is the only copy
        of a big file in memory), each chunk shown to `observe` too; RDF/XML in full first,
        for the entity guard."""
        if rfmt == ox.RdfFormat.RDF_XML:
            data, _, _ = read_source(path)
            check_bytes(data, rfmt, path)
            yield _Reader(data, advance)
            return
        from govkg.inputs import open_regular

        with open_regular(path, max_file_bytes(), what="RDF file") as f:
            # the parser asks for a few KiB at a time: served from a C buffer, so the Python
            # reader (limit, progress) runs once per MiB, not 80,000 times for 170 MB
            reader = _FileReader(f, path, advance, observe)
            yield io.BufferedReader(reader, buffer_size=1 << 20)

    def _parse(
        self, path: Path, part: str, rfmt: ox.RdfFormat, source: Any, runs: SubjectRuns | None
    ) -> None:
        base_iri = base_iri_of(path)
        with parse_errors(path):
            # one call per file: the store keeps the file's insertions until it ends (about
            # +40% of the store at 1M triples), but batches cost time that grows with the
            # store (16 s instead of 7 s at 1M with 20k-quad batches): linear wins
            lean = part not in _SMALL_PARTS and not rfmt.supports_datasets
            if lean and self.kg.queries_only:  # all in Rust: parse and insert, nothing kept
                alongside = (
                    self._subjects_alongside(path, rfmt, base_iri)
                    if runs is None
                    else nullcontext()
                )
                with alongside:
                    _load_in_rust(self.kg.store, source, rfmt, base_iri)
                if runs is not None:
                    if runs.finish():
                        self.kg.file_subjects[path] = runs
                        self._note_retyped(runs.datatypes() & RETYPED)
                    else:
                        self._parsed_subjects(path, rfmt, base_iri)
                elif not self.kg.keep_subjects:
                    self.kg.retyped_unkept = None
                return
            subjects = self.kg.file_subjects.setdefault(path, set())
            quads = ox.parse(
                source,
                format=rfmt,
                base_iri=base_iri,
                rename_blank_nodes=True,  # `_:b1` in two files names two nodes
                lenient=False,
            )
            route = self._data_triples if lean else self._route
            self.kg.store.extend(route(quads, part, subjects))

    @contextmanager
    def _subjects_alongside(self, path: Path, rfmt: ox.RdfFormat, base_iri: str) -> Iterator[None]:
        """The file's named subjects (for `files_of`), from a second parse of it on another
        thread while `Store.load` reads its pipe in Rust (an N-Triples file's come from
        `SubjectRuns` instead): on two cores the wall time stays near the load's, where one
        parse feeding both costs twice as long in Python."""
        if not self.kg.keep_subjects:
            yield
            return
        import threading

        failed: list[BaseException] = []

        def collect() -> None:
            try:
                self._parsed_subjects(path, rfmt, base_iri)
            except BaseException as err:  # the load's own parse fails the same way first
                failed.append(err)

        worker = threading.Thread(target=collect, name=f"subjects of {path.name}", daemon=True)
        worker.start()
        try:
            yield
        finally:
            worker.join()
        if failed:  # the file changed between the two reads: fail as the load would have
            raise failed[0]

    def _parsed_subjects(self, path: Path, rfmt: ox.RdfFormat, base_iri: str) -> None:
        """A file loaded in Rust alone, parsed again: its named subjects and the retyped
        datatypes its literals use."""
        found: set[Any] = set()
        retyped: set[str] = set()
        add, named, literal = found.add, ox.NamedNode, ox.Literal
        with self._source(path, rfmt, _no_progress) as source:
            for quad in ox.parse(source, format=rfmt, base_iri=base_iri, lenient=False):
                if type(quad.subject) is named:
                    add(quad.subject)
                obj = quad.object
                if type(obj) is literal and obj.datatype in RETYPED_NODES:
                    retyped.add(obj.datatype.value)
        self.kg.file_subjects[path] = found
        self._note_retyped(retyped)

    def _note_retyped(self, datatypes: set[str]) -> None:
        if self.kg.retyped_unkept is not None:
            self.kg.retyped_unkept |= datatypes

    def _data_triples(
        self, quads: Iterable[ox.Quad], part: str, subjects: set[Any]
    ) -> Iterator[ox.Quad]:
        """A data file of triples: subjects, exact literals, restated parts; nothing else."""
        exact_add = self.kg.exact.add
        subject_add = subjects.add
        about_parts = self.part_subjects
        literal, xsd_string = ox.Literal, _XSD_STRING
        for quad in quads:
            subject = quad.subject
            subject_add(subject)
            obj = quad.object
            if type(obj) is literal and obj.language is None and obj.datatype != xsd_string:
                exact_add(quad)
            if subject in about_parts:
                self._check_restated(quad, part)
            yield quad

    def _check_restated(self, quad: ox.Quad, part: str) -> None:
        kg = self.kg
        if any(quad in ds for name, ds in kg.parts.items() if name != part):
            kg.restated.add(quad)

    def _route(self, quads: Iterable[ox.Quad], part: str, subjects: set[Any]) -> Iterator[ox.Quad]:
        kg = self.kg
        exact_add = kg.exact.add
        subject_add = subjects.add
        small = kg.parts[part] if part in _SMALL_PARTS else None
        about_parts = self.part_subjects
        for quad in quads:
            graph = quad.graph_name
            if type(graph) is not ox.DefaultGraph:  # a quad file: govkg's own graphs kept
                target = _PART_OF_GRAPH.get(getattr(graph, "value", ""), part)
                if target == "inferred":
                    quad = ox.Quad(quad.subject, quad.predicate, quad.object, INFERRED)
                    if is_typed(quad.object):
                        exact_add(quad)
                    yield quad
                    continue
                quad = ox.Quad(quad.subject, quad.predicate, quad.object)
                if target != part:
                    self._into_part(quad, target)
                    subject_add(quad.subject)
                    if is_typed(quad.object):
                        exact_add(quad)
                    yield quad
                    continue
            subject_add(quad.subject)
            if is_typed(quad.object):
                exact_add(quad)
            if small is not None:
                small.add(quad)
                about_parts.add(quad.subject)
            elif quad.subject in about_parts:
                self._check_restated(quad, part)
            yield quad

    def _into_part(self, quad: ox.Quad, part: str) -> None:
        kg = self.kg
        if part in _SMALL_PARTS:
            kg.parts[part].add(quad)
            self.part_subjects.add(quad.subject)
        elif any(quad in ds for ds in kg.parts.values()):
            kg.restated.add(quad)


def _load_in_rust(store: ox.Store, source: Any, rfmt: ox.RdfFormat, base_iri: str) -> None:
    """`Store.load` of what `source` reads, through a pipe where the system has one.

    Read from a Python file object, pyoxigraph takes the GIL for every few KiB, so any
    Python work at the same time (the subject scan fed from `source`, a parse alongside)
    stalls the parser at each read; from a pipe's path it reads in Rust alone while a
    thread pumps `source` (its size limit, progress and observer) into the pipe.
    """
    pipe = _pipe()
    if pipe is None:
        store.load(source, format=rfmt, base_iri=base_iri, lenient=False)
        return
    import threading

    out, into = pipe
    failed: list[BaseException] = []

    def pump() -> None:
        try:
            while chunk := source.read(_PIPE_BYTES):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(into, view) :]
        except BrokenPipeError:  # the parser stopped reading: its own error says why
            pass
        except BaseException as err:  # the size limit, a read error: said before the parser's
            failed.append(err)
        finally:
            os.close(into)

    worker = threading.Thread(target=pump, name="pipe to the parser", daemon=True)
    worker.start()
    error: BaseException | None = None
    try:
        store.load(path=f"/dev/fd/{out}", format=rfmt, base_iri=base_iri, lenient=False)
    except BaseException as err:  # raised once the pump has stopped
        error = err
    os.close(out)  # a pump still writing gets EPIPE and stops
    worker.join()
    if failed:  # the pump's error is the cause: the parser saw a cut input
        raise failed[0] from None
    if error is not None:
        raise error


_PIPE_BYTES = 1 << 20


def _pipe() -> tuple[int, int] | None:
    """A pipe whose read end the parser can open by path (/dev/fd), else None."""
    if not hasattr(os, "pipe") or not os.path.isdir("/dev/fd"):
        return None
    out, into = os.pipe()
    if not os.path.exists(f"/dev/fd/{out}"):
        os.close(out)
        os.close(into)
        return None
    try:
        import fcntl

        fcntl.fcntl(into, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    except (ImportError, OSError):
        pass  # a smaller pipe only means more turns
    return out, into


class _Reader(io.RawIOBase):
    """The bytes of one file handed to the parser in chunks, reporting progress as it reads."""

    def __init__(self, data: bytes, advance: Callable[[int], None]) -> None:
        self._view = memoryview(data)
        self._at = 0
        self._advance = advance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._view[self._at : self._at + len(buffer)]
        n = len(chunk)
        buffer[:n] = chunk
        self._at += n
        self._advance(n)
        return n


def _no_progress(_n: int) -> None:
    """The second read of a file (see `_subjects_alongside`) is not shown twice."""


class _FileReader(io.RawIOBase):
    """An open file handed to the parser as it asks, reporting progress (and each chunk to
    `observe`), stopping at the size limit should the file grow while it is read."""

    def __init__(
        self,
        file: Any,
        path: Path,
        advance: Callable[[int], None],
        observe: Callable[[bytes], None] | None = None,
    ) -> None:
        self._file = file
        self._path = path
        self._read = 0
        self._limit = max_file_bytes()
        self._advance = advance
        self._observe = observe

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            n = self._file.readinto(buffer) or 0
        except OSError as err:
            raise BadInput(f"{self._path}: cannot read: {err.strerror or err}") from None
        self._read += n
        if self._read > self._limit:
            raise BadInput(f"{self._path}: more than the {self._limit} bytes govkg reads")
        self._advance(n)
        if self._observe is not None and n:
            self._observe(bytes(buffer[:n]))
        return n


def load_graph(
    extra: Sequence[Path | str] = (),
    *,
    ontology: bool = True,
    data: bool = True,
    shapes: bool = False,
    queries_only: bool = False,
    keep_subjects: bool = True,
) -> KnowledgeGraph:
    """Parse the bundled ontology and data (and any extra files) into one graph.

    `queries_only`: for a command that only runs SPARQL on the store; data files of triples
    load in Rust alone (`Store.load`, blank nodes renamed per file) with no Python per
    statement, and the graph keeps no exact literals for them (see `KnowledgeGraph`).
    `keep_subjects=False` (with `queries_only`) skips each file's subjects too, which only
    `files_of` reads (locating validation results): `govkg query` needs none.

    Each file streams from its parser into a fresh store (no list of every quad in Python);
    the graph is handed back only when every file parsed, so a bad file leaves nothing
    half-loaded. A progress bar shows on a terminal when the input is large.
    """
    from govkg.output import progress

    kinds: list[tuple[Path, str]] = [(p, "ontology") for p in bundled_files(data=False) if ontology]
    kinds += [(p, "shapes") for p in resources.shape_files()] if shapes else []
    kinds += [(p, "data") for p in bundled_files(ontology=False)] if data else []
    kinds += [(Path(p), "data") for p in extra]
    kg = KnowledgeGraph(
        store=ox.Store(),
        files=[],
        queries_only=queries_only,
        keep_subjects=keep_subjects or not queries_only,
    )
    kg.parts = {part: ox.Dataset() for part in _SMALL_PARTS}
    total = sum(_size(path) for path, _ in kinds)
    loader = _Loader(kg)
    with progress("Loading", total=total if total > PROGRESS_BYTES else None) as advance:
        for path, part in kinds:  # the small parts first: data files are checked against them
            loader.load(path, part, advance)
    kg.files = bundled_files(ontology=ontology, data=data, shapes=shapes) + [Path(p) for p in extra]
    lifetime.hold(kg)  # a command-line run ends without freeing it (0.5 s at 1M triples)
    return kg


PROGRESS_BYTES = 20 * 1024 * 1024
"""Inputs smaller than this load too fast for a progress bar to help."""


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
