"""The shapes graph: where the shape files are, parsing them once, shape IDs (S01...)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from govkg.errors import BadInput
from govkg.namespaces import GKS, curie

if TYPE_CHECKING:
    import rdflib

_SHAPE_ID = re.compile(r"^(S\d{2,3})\b")


def shape_files(shapes_dir: Path | str | None = None) -> list[Path]:
    from govkg import resources

    folder = Path(shapes_dir) if shapes_dir is not None else resources.shapes_dir()
    if not folder.is_dir():
        raise BadInput(f"{folder}: shapes folder not found")
    files = resources.turtle_files(folder)
    if not files:
        raise BadInput(f"{folder}: no shapes (*.ttl) found")
    return files


def load_shapes(shapes_dir: Path | str | None = None) -> rdflib.Graph:
    """The shapes graph (parsed once per set of files and their modification times)."""
    files = shape_files(shapes_dir)
    return _load_shapes(tuple((str(f), f.stat().st_mtime_ns) for f in files))


@cache
def _load_shapes(stamped: tuple[tuple[str, int], ...]) -> rdflib.Graph:
    from govkg.load import parse_file, to_rdflib

    triples = []
    for name, _ in stamped:
        triples += [q.triple for q in parse_file(Path(name))]
    return to_rdflib(triples)


def shape_ids(shapes: rdflib.Graph) -> dict[str, str]:
    """Shape ID (`S07`) -> shape IRI, for every numbered shape of the shapes graph."""
    from rdflib import URIRef

    out: dict[str, str] = {}
    for s in set(shapes.subjects()):
        if isinstance(s, URIRef) and str(s).startswith(GKS):
            m = _SHAPE_ID.match(str(s)[len(GKS) :])
            if m:
                out[m.group(1)] = str(s)
    return dict(sorted(out.items()))


def shape_id(iri: str) -> str:
    """`gks:S07-Division-iso3166` -> `S07`; any other shape by its prefixed name."""
    if iri.startswith(GKS):
        m = _SHAPE_ID.match(iri[len(GKS) :])
        if m:
            return m.group(1)
    return curie(iri) if not iri.startswith("_:") else iri
