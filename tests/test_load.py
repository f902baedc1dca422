"""Loading: errors say where, and untrusted input never reaches the network or expands."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from govkg.errors import BadInput, InputSyntaxError
from govkg.load import load_graph, parse_file

RDFXML_HEAD = '<?xml version="1.0"?>\n'
RDFXML_BODY = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
    '<rdf:Description rdf:about="http://x/a"><e:p>{}</e:p></rdf:Description></rdf:RDF>'
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_graph_loads(kg) -> None:
    assert len(kg) > 0
    assert kg.files and all(f.suffix == ".ttl" for f in kg.files)


def test_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    text = "@prefix a: <http://x/> .\n\na:b a:c a:x .\na:d a:e a:f a:g .\n"
    bad = _write(tmp_path, "bad.ttl", text)
    with pytest.raises(InputSyntaxError) as info:
        parse_file(bad)
    assert info.value.line == 4
    assert info.value.column is not None
    assert str(info.value).startswith(f"{bad}:4:")


def test_bad_extra_file_loads_nothing(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.ttl", "<http://x/a> <http://x/p> 1 .\n")
    bad = _write(tmp_path, "bad.ttl", "<http://x/a> <http://x/p> .\n")
    with pytest.raises(InputSyntaxError):
        load_graph([good, bad], ontology=False, data=False)


def test_remote_jsonld_context_is_not_fetched(tmp_path: Path) -> None:
    doc = _write(
        tmp_path,
        "remote.jsonld",
        '{"@context": "http://example.org/context.jsonld", "@id": "http://x/a", "name": "b"}',
    )
    start = time.perf_counter()
    with pytest.raises(InputSyntaxError, match="remote context"):
        parse_file(doc)
    assert time.perf_counter() - start < 1.0


def test_xml_external_entity_refused(tmp_path: Path) -> None:
    doc = _write(
        tmp_path,
        "xxe.rdf",
        RDFXML_HEAD
        + '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + RDFXML_BODY.format("&x;"),
    )
    with pytest.raises(BadInput, match="external"):
        parse_file(doc)


def test_xml_entity_expansion_bomb_fails_fast(tmp_path: Path) -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefg", "bcdefgh", strict=True)
    )
    doc = _write(
        tmp_path, "lol.rdf", RDFXML_HEAD + f"<!DOCTYPE r [{entities}]>" + RDFXML_BODY.format("&h;")
    )
    start = time.perf_counter()
    with pytest.raises(BadInput, match="expand the text past"):
        parse_file(doc)
    assert time.perf_counter() - start < 1.0


def test_small_internal_entities_still_work(tmp_path: Path) -> None:
    doc = _write(
        tmp_path,
        "ok.rdf",
        RDFXML_HEAD + '<!DOCTYPE r [<!ENTITY v "value">]>' + RDFXML_BODY.format("&v;"),
    )
    quads = parse_file(doc)
    assert quads[0].object.value == "value"


def test_jsonld_nesting_bomb_fails_fast(tmp_path: Path) -> None:
    depth = 100_000
    doc = _write(
        tmp_path,
        "deep.jsonld",
        '{"@id": "http://x/a", '
        + '"http://x/p": {' * depth
        + '"@id": "http://x/b"'
        + "}" * depth
        + "}",
    )
    start = time.perf_counter()
    with pytest.raises(InputSyntaxError):
        parse_file(doc)
    assert time.perf_counter() - start < 2.0


def test_folder_is_bad_input(tmp_path: Path) -> None:
    folder = tmp_path / "x.ttl"
    folder.mkdir()
    with pytest.raises(BadInput):
        parse_file(folder)


def test_relative_iris_resolve_against_the_file(tmp_path: Path) -> None:
    doc = _write(tmp_path, "rel.ttl", "<a> <http://x/p> <b> .\n")
    (quad,) = parse_file(doc)
    assert quad.subject.value == (tmp_path / "a").resolve().as_uri()
