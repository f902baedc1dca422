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


# ---------------------------------------------------------------- integrity (issue 9 item 4)

XSD = "http://www.w3.org/2001/XMLSchema#"
TYPED = (
    "@prefix ex: <http://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    'ex:a ex:price "1.50"^^xsd:decimal , "1.5"^^xsd:decimal ;\n'
    '  ex:n "08"^^xsd:integer , "+5"^^xsd:integer , "08"^^xsd:int ,\n'
    '    "01"^^xsd:nonNegativeInteger ;\n'
    '  ex:at "2020-01-01T00:00:00.0Z"^^xsd:dateTime ;\n'
    '  ex:flag "1"^^xsd:boolean ;\n'
    '  ex:bad "abc"^^xsd:integer ;\n'
    '  ex:x "1.0E0"^^xsd:double ;\n'
    '  ex:plain "08" , "08"@en .\n'
    '_:b ex:price "2.50"^^xsd:decimal .\n'
)


@pytest.fixture
def exact_rdflib(monkeypatch: pytest.MonkeyPatch):
    """rdflib that keeps lexical forms as parsed (by default it rewrites "08" to "8")."""
    import rdflib

    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)
    return rdflib


def _exact_graph(payload: bytes, fmt: str):
    """An export read back by pyoxigraph's parser (which keeps every lexical form, where
    rdflib's Turtle parser reads `+5` as 5), as an rdflib Graph for rdflib.compare."""
    import pyoxigraph as ox

    from govkg.load import FORMATS, to_rdflib

    fmt = {"xml": "rdf"}.get(fmt, fmt)
    return to_rdflib((q.triple for q in ox.parse(payload, FORMATS[fmt])), exact=True)


def _export(files: list[Path], fmt: str = "nt") -> bytes:
    from click.testing import CliRunner

    from govkg.cli.main import cli

    result = CliRunner().invoke(cli, ["export", *map(str, files), "--alone", "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_blank_node_labels_are_scoped_per_file(tmp_path: Path, exact_rdflib) -> None:
    from rdflib.compare import isomorphic

    one = _write(tmp_path, "one.ttl", '_:b1 <http://x/p> "one" .\n')
    two = _write(tmp_path, "two.nt", '_:b1 <http://x/p> "two" .\n')
    merged = exact_rdflib.Graph()
    merged.parse(one, format="turtle")
    merged.parse(two, format="nt")  # rdflib's parser gives each document its own blank nodes
    assert len(set(merged.subjects())) == 2
    for fmt in ("nt", "ttl", "trig"):
        graph = _exact_graph(_export([one, two], fmt), fmt)
        assert len(set(graph.subjects())) == 2, fmt
        assert isomorphic(graph, merged), fmt


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig", "jsonld", "xml"])
def test_export_keeps_lexical_forms(tmp_path: Path, exact_rdflib, fmt: str) -> None:
    from rdflib.compare import isomorphic

    from govkg.load import load_graph

    src = _write(tmp_path, "typed.ttl", TYPED)
    expected = exact_rdflib.Graph().parse(src, format="turtle")
    assert len(expected) == 13
    # the store itself merges "1.5" and "1.50": queries see values, export sees the terms
    kg = load_graph([src], ontology=False, data=False)
    assert len(kg) < len(expected)
    graph = _exact_graph(_export([src], fmt), fmt)
    objects = {str(o) for o in graph.objects() if isinstance(o, exact_rdflib.Literal)}
    assert {"1.50", "1.5", "08", "+5", "01", "2020-01-01T00:00:00.0Z", "1.0E0", "2.50"} <= objects
    assert isomorphic(graph, expected)


def test_rdflib_view_keeps_lexical_forms(tmp_path: Path) -> None:
    from govkg.load import load_graph

    kg = load_graph([_write(tmp_path, "typed.ttl", TYPED)], ontology=False, data=False)
    values = {str(o) for o in kg.rdflib().objects()}
    assert {"1.50", "1.5", "08", "01", "2020-01-01T00:00:00.0Z"} <= values


def test_ill_typed_literal_gives_no_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    src = _write(tmp_path, "bad.ttl", '<http://x/a> <http://x/p> "abc"^^<' + XSD + "integer> .\n")
    run = subprocess.run(
        [sys.executable, "-m", "govkg", "export", str(src), "--alone", "--format", "jsonld"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and run.stderr == ""
    assert '"abc"' in run.stdout


# ---------------------------------------------------------------- streaming load (issue 12)


def test_load_keeps_no_list_of_quads(tmp_path: Path) -> None:
    """What load_graph keeps besides the store is small: typed literals, subjects per file."""
    from govkg.load import load_graph

    lines = "".join(f'<http://x/s{i}> <http://x/p> "v{i}" , {i} .\n' for i in range(2000))
    kg = load_graph([_write(tmp_path, "big.ttl", lines)], ontology=False, data=False)
    assert len(kg) == 4000
    assert len(kg.exact) == 2000  # the integers only, not the strings
    assert kg.files_of("http://x/s7") == [tmp_path / "big.ttl"]
    assert kg.files_of("http://x/none") == []
    assert kg.files_of('"v7"') == []  # SHACL focus nodes may be literals


def test_files_of_names_every_file_stating_the_subject(kg, tmp_path: Path) -> None:
    from govkg import resources
    from govkg.load import load_graph

    iri = "https://w3id.org/govkg/id/place/cn-gs"
    mine = _write(tmp_path, "mine.ttl", f'<{iri}> <http://x/p> "mine" .\n')
    files = load_graph([mine]).files_of(iri)
    assert mine in files
    assert any(f.parent == resources.data_dir() for f in files)


def test_bad_second_file_returns_no_graph_and_names_it(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.ttl", "<http://x/a> <http://x/p> 1 .\n")
    bad = _write(tmp_path, "bad.ttl", "<http://x/a> <http://x/p> 1 .\n<http://x/a> <http://x/p> .")
    with pytest.raises(InputSyntaxError) as info:
        load_graph([good, bad])
    assert str(info.value).startswith(f"{bad}:2:")


def test_the_file_size_limit_is_govkg_max_file_mb(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from govkg.cli.main import cli

    big = tmp_path / "big.nt"
    line = '<urn:x-govkg:s> <urn:x-govkg:p> "%s" .\n'
    big.write_text("".join(line % i for i in range(40_000)), encoding="utf-8")  # ~1.5 MiB
    args = ["query", "chairs", "--alone", str(big)]
    for limit, code in (("1", 2), ("2", 0), ("0", 2), ("lots", 2)):
        result = CliRunner().invoke(cli, args, env={"GOVKG_MAX_FILE_MB": limit})
        assert result.exit_code == code, (limit, result.output)
        if code == 2:
            assert result.stderr.startswith("govkg: error: ")
            assert ("govkg reads" in result.stderr) == (limit == "1")
