"""Graph -> tables -> graph: extract a graph's sheets, compile them back, name what differs.

The proof that `govkg template --from` loses nothing: the extracted tables are compiled by
the importer (as `govkg import --alone` would) and compared with the graph triple by triple
(rdflib.compare). A triple lost is one the sheets cannot express; it is refused by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from govkg import resources
from govkg.namespaces import GK
from govkg.tables.extract import NotExpressible, extract
from govkg.tables.read import Tables, TablesInvalid

NOT_FROM_TABLES = ("places.ttl", "dataset.ttl")
"""Bundled data files not built from data/tables (reference places; the data set's VoID)."""


def table_files() -> list[Path]:
    """The bundled data files the tables build."""
    return [p for p in resources.data_files() if p.name not in NOT_FROM_TABLES]


def load(files: list[Path]) -> Graph:
    """One rdflib graph of `files` (parsed by the project's loader: errors are BadInput)."""
    from govkg.load import parse_file, to_rdflib

    return to_rdflib(q.triple for f in files for q in parse_file(f))


def source_texts(g: Graph, files: list[Path], bundled: bool = False) -> dict[str, str]:
    """Each article source of `g` (and of the bundled graph, if `bundled`) whose text is
    among `files` (matched by SHA-256)."""
    from rdflib import URIRef

    from govkg.namespaces import GKR
    from govkg.tables.importer import bundled_sources, read_texts

    wanted = bundled_sources() if bundled else {}
    wanted |= {str(o): str(s)[len(GKR) :] for s, o in g.subject_objects(URIRef(GK + "sha256"))}
    return read_texts(files, wanted, others=True)


@dataclass
class Diff:
    lost: list[tuple]
    added: list[tuple]


def compile_back(g: Graph, tables: Tables, sources: list[Path], alone: bool = True) -> Diff:
    """What compiling `tables` (alone, or extending the bundled graph) gives that `g` lacks
    (added), and the reverse (lost)."""
    from govkg.tables.importer import compile_read

    try:
        result = compile_read(tables, "graph", sources, check_shapes=False, alone=alone)
    except TablesInvalid as err:
        raise NotExpressible(
            f"the extracted tables do not compile back: {err.problems[0]}"
        ) from None
    back = Graph().parse(data=result.turtle, format="turtle")
    _both, lost, added = graph_diff(to_isomorphic(g), to_isomorphic(back))
    return Diff(sorted(lost), sorted(added))


def _show(g: Graph, term: object) -> str:
    from rdflib import URIRef

    from govkg.tables.extract import curie_of, ref_of

    if isinstance(term, URIRef):
        return ref_of(term) or curie_of(g, term)
    return term.n3()


def _why(s: object, lost: bool) -> str:
    """Why the sheets do not give back a triple about `s` (by what kind of resource it is)."""
    from govkg.tables.extract import ref_of

    kind = ref_of(s).split("/", 1)[0]
    sheet = {"source": "sources", "claim": "claims", "evidence": "quotes or derivations"}.get(
        kind, "entities"
    )
    if lost:
        return (
            f"no column of the {sheet} sheet holds it, and no quote states it "
            "(an rdf:Statement body) nor a derivation derives it"
        )
    return f"the importer makes it from the {sheet} rows, but the graph lacks it"


def stands_alone(g: Graph, bundled: frozenset[str]) -> bool:
    """Whether `g` is a graph of its own (the bundled data, `govkg import --alone` output)
    rather than one extending the bundled graph (`govkg import` output): it describes
    some bundled resource itself, or the claim-topic scheme."""
    from rdflib import URIRef
    from rdflib.namespace import RDF, SKOS

    from govkg.namespaces import GKR

    if (URIRef(GKR + "concept/claim-topic"), RDF.type, SKOS.ConceptScheme) in g:
        return True
    return any(str(s)[len(GKR) :] in bundled for s in g.subjects(RDF.type, None))


def bundled_resources() -> frozenset[str]:
    """The resource paths of the bundled graph (what tables that extend it may refer to)."""
    from govkg.tables.vocab import vocabulary

    vocab = vocabulary(resources.ontology_files(), resources.data_files(), existing=True)
    return frozenset(vocab.existing)


def extract_checked(g: Graph, sources: list[Path]) -> tuple[Tables, bool]:
    """`extract(g)`, refused by name unless the tables compile back to exactly `g`; and
    whether they stand alone (`govkg import --alone`) or extend the bundled graph."""
    bundled = bundled_resources()
    alone = stands_alone(g, bundled)
    existing = frozenset() if alone else bundled
    tables = extract(g, source_texts(g, sources, bundled=not alone), existing)
    diff = compile_back(g, tables, sources, alone)
    for kind, triples in (("loses", diff.lost), ("adds", diff.added)):
        if triples:
            s, p, o = triples[0]
            more = f" (and {len(triples) - 1} more)" if len(triples) > 1 else ""
            raise NotExpressible(
                f"compiling the sheets back {kind} {_show(g, s)} {_show(g, p)} {_show(g, o)}"
                f"{more}: {_why(s, kind == 'loses')}"
            )
    return tables, alone
