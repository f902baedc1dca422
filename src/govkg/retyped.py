"""The datatypes whose literals pyoxigraph's store does not give back with the same datatype.

The store keeps literals by value: `"5"^^xsd:byte` (and every other integer-derived XSD
type) comes back as `"5"^^xsd:integer`, `xsd:dateTimeStamp` as `xsd:dateTime`. A query
on the store cannot tell them apart, so the SPARQL validation engine would judge
`sh:datatype xsd:byte` wrongly both ways. The loader records which of these datatypes the
input used (from what the parser parsed, or for an N-Triples file from a scan that finds a
superset of them), and validation hands such data to pySHACL (`shacl.run`).
`tests/test_retyped.py` pins this set to what the installed pyoxigraph does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    import rdflib

XSD = "http://www.w3.org/2001/XMLSchema#"
RETYPED = frozenset(
    XSD + name
    for name in (
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "dateTimeStamp",
    )
)
RETYPED_NODES = frozenset(ox.NamedNode(iri) for iri in RETYPED)

DATATYPE_MARK = re.compile(rb"\^\^\s*<([^>]*)>")
"""A datatype in N-Triples: `^^`, optional white space, an IRI. Inside a string literal the
same bytes only add a spurious candidate, so the scan finds a superset of the datatypes."""


def datatypes_written(block: bytes) -> set[bytes]:
    """The datatype IRIs of an N-Triples block as written (`\\u` escapes not yet decoded)."""
    return set(DATATYPE_MARK.findall(block))


def decoded(written: bytes) -> str:
    """A datatype IRI as written in N-Triples, escapes decoded by the parser itself."""
    if b"\\" not in written:
        return written.decode("utf-8", "replace")
    line = b'<urn:s> <urn:p> "x"^^<' + written + b"> .\n"
    try:
        quads = list(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError:  # not an IRI the parser reads: the load itself reports the file
        return written.decode("utf-8", "replace")
    return quads[0].object.datatype.value


def cannot_check(datatypes: set[str] | None) -> str:
    """Why the SPARQL engine refuses such data, for its one-line error (None: not known)."""
    if datatypes is None:
        return "the oxigraph engine cannot check literals loaded unseen (datatypes not known)"
    named = ", ".join(sorted(d.replace(XSD, "xsd:") for d in datatypes))
    return (
        f"the oxigraph engine cannot check literals typed {named}, which pyoxigraph's store "
        "gives back as xsd:integer or xsd:dateTime"
    )


def in_rdflib(graph: rdflib.Graph) -> set[str]:
    """The retyped datatypes an rdflib graph's literals use."""
    from rdflib import Literal

    return {
        str(o.datatype)
        for o in graph.objects()
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) in RETYPED
    }
