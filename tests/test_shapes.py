"""The shapes, tested from their fixtures: tests/shapes/S07-valid.ttl, S07-invalid-01.ttl, ...

Each fixture is validated alone (with the ontology, for the class hierarchy) against the
shape it is named after. A valid fixture must give no result of that shape; an invalid one
lists in its header the exact (focus node, shape, severity) results it must give:

    # expect: place:cn-gs S07 Violation
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govkg.namespaces import GKS, PREFIXES
from govkg.shacl import SEVERITIES, load_shapes, shape_ids, validate

FIXTURES = Path(__file__).parent / "shapes"
NAME = re.compile(r"^(S\d{2,3})-(valid|invalid-\d{2})\.ttl$")
EXPECT = re.compile(r"^#\s*expect:\s*(\S+)\s+(S\d{2,3})\s+(\w+)\s*$")
README = Path(__file__).resolve().parents[1] / "shapes" / "README.md"


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("S*.ttl"))


def expand(term: str, prefixes: dict[str, str]) -> str:
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    prefix, _, local = term.partition(":")
    if prefix not in prefixes:
        raise ValueError(f"unknown prefix in expected focus {term!r}")
    return prefixes[prefix] + local


def expectations(path: Path) -> set[tuple[str, str, str]]:
    text = path.read_text(encoding="utf-8")
    prefixes = dict(PREFIXES)
    prefixes.update(re.findall(r"@prefix\s+([\w-]*):\s*<([^>]*)>", text))
    out = set()
    for line in text.splitlines():
        m = EXPECT.match(line)
        if m:
            focus, sid, severity = m.groups()
            assert severity in SEVERITIES, f"{path.name}: unknown severity {severity}"
            out.add((expand(focus, prefixes), sid, severity))
    return out


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: p.stem)
def test_fixture(path: Path) -> None:
    m = NAME.match(path.name)
    assert m, f"{path.name}: fixture names are S<nn>-valid.ttl or S<nn>-invalid-<nn>.ttl"
    sid, kind = m.groups()
    expected = expectations(path)
    shapes = sorted({sid} | {e[1] for e in expected})
    report = validate([path], bundled=False, only=shapes)
    got = {r.key() for r in report.results if r.shape in shapes}
    if kind == "valid":
        assert not expected, f"{path.name}: a valid fixture expects nothing"
        assert got == set(), f"{path.name} should give no result of {sid}"
    else:
        assert expected, f"{path.name}: an invalid fixture lists its expected results"
        assert got == expected


def test_every_shape_has_valid_and_invalid_fixtures() -> None:
    ids = shape_ids(load_shapes())
    assert len(ids) >= 60
    kinds: dict[str, set[str]] = {}
    for path in fixture_files():
        m = NAME.match(path.name)
        assert m, path.name
        kinds.setdefault(m.group(1), set()).add(m.group(2).split("-")[0])
    missing = {sid: {"valid", "invalid"} - kinds.get(sid, set()) for sid in ids}
    assert {sid: k for sid, k in missing.items() if k} == {}
    assert set(kinds) <= set(ids), f"fixtures for unknown shapes: {set(kinds) - set(ids)}"


def test_every_shape_is_numbered_named_and_explained() -> None:
    from rdflib import RDF, RDFS, Literal, Namespace, URIRef

    sh = Namespace(PREFIXES["sh"])
    graph = load_shapes()
    shapes = {
        s
        for kind in (sh.NodeShape, sh.PropertyShape)
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    numbers: dict[str, str] = {}
    for shape in shapes:
        local = str(shape)[len(GKS) :]
        assert str(shape).startswith(GKS), shape
        m = re.match(r"^(S\d{2})-[A-Za-z0-9-]+$", local)
        assert m, f"{local}: shape IRIs are gks:S<nn>-Words"
        assert m.group(1) not in numbers, f"{m.group(1)} used twice"
        numbers[m.group(1)] = local
        for prop in (sh.name, sh.message):
            langs = {o.language for o in graph.objects(shape, prop) if isinstance(o, Literal)}
            assert {"zh", "en"} <= langs, f"{local}: {prop} in zh and en"
        assert graph.value(shape, RDFS.comment) is not None, f"{local}: rdfs:comment says why"
        assert graph.value(shape, sh.severity) in (sh.Violation, sh.Warning, sh.Info), local
    assert sorted(numbers) == [f"S{n:02d}" for n in range(1, len(numbers) + 1)]


def test_sparql_shapes_declare_their_prefixes() -> None:
    from rdflib import Namespace

    sh = Namespace(PREFIXES["sh"])
    graph = load_shapes()
    selects = list(graph.subject_objects(sh.select))
    assert len(selects) >= 10
    for node, _ in selects:
        assert graph.value(node, sh.prefixes) is not None, f"{node}: sh:prefixes missing"
