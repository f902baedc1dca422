"""Literals the store gives back with another datatype: found on load, never validated wrongly.

pyoxigraph's store keeps `"5"^^xsd:byte` as `"5"^^xsd:integer`, so the SPARQL engine would
call a well-formed xsd:byte a `sh:datatype xsd:byte` violation and miss one of
`sh:datatype xsd:integer`. The loader records which such datatypes the input used; `auto`
then runs pySHACL and `--engine oxigraph` is refused (exit 2).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from govkg.errors import BadInput
from govkg.load import load_graph
from govkg.retyped import RETYPED, XSD
from govkg.shacl import validate, validate_graph

# one well-formed value of each XSD datatype RDF 1.1 lists as usable (RDF Concepts 5.1)
SAMPLES = {
    "string": "x",
    "boolean": "1",
    "decimal": "5.0",
    "integer": "5",
    "double": "5",
    "float": "5",
    "date": "2020-01-01",
    "time": "00:00:00",
    "dateTime": "2020-01-01T00:00:00Z",
    "dateTimeStamp": "2020-01-01T00:00:00Z",
    "gYear": "2020",
    "gMonth": "--01",
    "gDay": "---01",
    "gYearMonth": "2020-01",
    "gMonthDay": "--01-01",
    "duration": "P1Y",
    "yearMonthDuration": "P1Y",
    "dayTimeDuration": "P1D",
    "byte": "5",
    "short": "5",
    "int": "5",
    "long": "5",
    "unsignedByte": "5",
    "unsignedShort": "5",
    "unsignedInt": "5",
    "unsignedLong": "5",
    "positiveInteger": "5",
    "nonNegativeInteger": "5",
    "negativeInteger": "-5",
    "nonPositiveInteger": "-5",
    "hexBinary": "0A",
    "base64Binary": "AA==",
    "anyURI": "http://x",
    "language": "en",
    "normalizedString": "x",
    "token": "x",
    "NMTOKEN": "x",
    "Name": "x",
    "NCName": "x",
}

SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ;
  sh:property [ sh:path ex:n ; sh:datatype xsd:nonNegativeInteger ] ;
  sh:property [ sh:path ex:m ; sh:datatype xsd:integer ] .
"""
# ex:a conforms; ex:c breaks both: "-1" is no xsd:nonNegativeInteger, xsd:byte no xsd:integer
RETYPED_DATA = (
    f'<http://example.org/a> <http://example.org/n> "5"^^<{XSD}nonNegativeInteger> .\n'
    f'<http://example.org/a> <http://example.org/m> "5"^^<{XSD}integer> .\n'
    f'<http://example.org/c> <http://example.org/n> "-1"^^<{XSD}nonNegativeInteger> .\n'
    f'<http://example.org/c> <http://example.org/m> "5" ^^ <{XSD}\\u0062yte> .\n'
)
PLAIN_DATA = f'<http://example.org/a> <http://example.org/n> "5"^^<{XSD}integer> .\n'


def test_the_retyped_set_is_what_the_store_does() -> None:
    """Pinned to the installed pyoxigraph: a change of its store shows here first."""
    store = ox.Store()
    for name, lexical in SAMPLES.items():
        literal = ox.Literal(lexical, datatype=ox.NamedNode(XSD + name))
        store.add(ox.Quad(ox.NamedNode(f"urn:{name}"), ox.NamedNode("urn:p"), literal))
    changed = {
        XSD + q.subject.value[4:]
        for q in store
        if q.object.datatype.value[len(XSD) :] != q.subject.value[4:]
    }
    assert changed == RETYPED


@pytest.mark.parametrize("suffix", ["nt", "ttl"])
@pytest.mark.parametrize("queries_only", [True, False])
def test_every_load_path_finds_the_retyped_datatypes(
    tmp_path: Path, suffix: str, queries_only: bool
) -> None:
    path = tmp_path / f"d.{suffix}"
    path.write_text(RETYPED_DATA, encoding="utf-8")  # N-Triples is Turtle too
    kg = load_graph([path], ontology=False, data=False, queries_only=queries_only)
    assert kg.retyped() == {XSD + "nonNegativeInteger", XSD + "byte"}
    path.write_text(PLAIN_DATA, encoding="utf-8")
    kg = load_graph([path], ontology=False, data=False, queries_only=queries_only)
    assert kg.retyped() == set()


def test_a_file_loaded_unseen_is_not_known(tmp_path: Path) -> None:
    path = tmp_path / "d.nt"
    path.write_text(PLAIN_DATA, encoding="utf-8")
    kg = load_graph([path], ontology=False, data=False, queries_only=True, keep_subjects=False)
    assert kg.retyped() is None


def _keys(report) -> set[tuple[str, ...]]:
    return {(r.focus, r.path or "", r.value or "", r.constraint or "") for r in report.results}


@pytest.mark.parametrize("suffix", ["nt", "ttl"])
def test_auto_hands_retyped_data_to_pyshacl_with_its_results(tmp_path: Path, suffix: str) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "s.ttl").write_text(SHAPES, encoding="utf-8")
    path = tmp_path / f"d.{suffix}"
    path.write_text(RETYPED_DATA, encoding="utf-8")
    auto = validate([path], bundled=False, shapes_dir=shapes)
    reference = validate([path], bundled=False, shapes_dir=shapes, engine="pyshacl")
    assert auto.engine == "pyshacl"
    assert _keys(auto) == _keys(reference)
    assert sorted((r.focus, r.value) for r in auto.results) == [
        ("http://example.org/c", f'"-1"^^<{XSD}nonNegativeInteger>'),
        ("http://example.org/c", f'"5"^^<{XSD}byte>'),
    ]
    with pytest.raises(BadInput, match="cannot check literals typed xsd:byte"):
        validate([path], bundled=False, shapes_dir=shapes, engine="oxigraph")
    kg = load_graph([path], ontology=True, data=False)
    assert validate_graph(kg, shapes_dir=shapes).engine == "pyshacl"
    kg = load_graph([path], ontology=True, data=False, queries_only=True)
    with pytest.raises(BadInput, match="reads the exact literals"):
        validate_graph(kg, shapes_dir=shapes)
    path.write_text(PLAIN_DATA, encoding="utf-8")
    assert validate([path], bundled=False, shapes_dir=shapes).engine == "oxigraph"


def test_the_command_refuses_the_sparql_engine_on_retyped_data(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "s.ttl").write_text(SHAPES, encoding="utf-8")
    path = tmp_path / "d.nt"
    path.write_text(RETYPED_DATA, encoding="utf-8")
    base = [sys.executable, "-m", "govkg", "validate", "--shapes", str(shapes), "--alone"]
    done = subprocess.run(
        [*base, "--engine", "oxigraph", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "xsd:byte, xsd:nonNegativeInteger" in done.stderr
    done = subprocess.run([*base, str(path)], capture_output=True, text=True)
    assert done.returncode == 1 and "[engine: pyshacl]" in done.stdout
    assert "2 violation(s)" in done.stdout
