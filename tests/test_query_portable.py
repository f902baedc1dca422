"""Canned queries run anywhere: `CannedQuery.sparql()` is complete SPARQL 1.1 (its own PREFIX
lines, parameters and language written in as terms), the embedded engine runs exactly that
text, and an Oxigraph server holding `govkg export` gives the same rows."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Literal, URIRef, Variable

from govkg.catalogue import catalogue, find_canned, parameter_lines, parse_header
from govkg.cli.main import cli
from govkg.errors import BadInput
from govkg.namespaces import PREFIXES
from govkg.query import run_query, to_term
from test_queries import TEST_PARAMS, _norm

NAMES = [q.name for q in catalogue()]
LANGS = ("en", "zh")


def _values_blocks(algebra) -> list[list[dict]]:  # type: ignore[no-untyped-def]
    """The VALUES tables of a parsed query (rdflib algebra nodes named 'values')."""
    found: list[list[dict]] = []

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        if getattr(node, "name", None) == "values":
            found.append(list(node.res))
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(algebra)
    return found


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_sparql_is_self_contained(name: str, lang: str) -> None:
    """Parses with no prefixes handed in; no macro and no unbound parameter is left."""
    text = find_canned(name).sparql(TEST_PARAMS[name], lang)
    assert "gkq:" not in text
    parsed = prepareQuery(text)  # raises on an undeclared prefix
    for block in _values_blocks(parsed.algebra):
        for row in block:
            assert all(v is not None for v in row.values()), f"{name}: an UNDEF parameter"
            if Variable("lang") in row:
                assert row[Variable("lang")] == Literal(lang)
    labels = re.findall(r'LANGMATCHES\(LANG\(\?\w+\), "(\w+)"\)', text)
    assert set(labels) <= {lang}


@pytest.mark.parametrize("name", NAMES)
def test_prefix_lines_agree_with_the_namespace_table(name: str) -> None:
    text = find_canned(name).text
    declared = dict(re.findall(r"^PREFIX\s+([\w-]+):\s*<([^>]*)>", text, re.M))
    declared.pop("gkq", None)  # the label macro's, expanded away
    assert declared, f"{name}: no PREFIX lines"
    assert {p: PREFIXES.get(p) for p in declared} == declared


@pytest.mark.parametrize("name", NAMES)
def test_file_defaults_are_the_header_defaults(name: str) -> None:
    """The file as written is the query at its header's defaults (UNDEF where required)."""
    query = find_canned(name)
    lines = parameter_lines(query.text)
    for p in query.params:
        if p.name in lines or p.name != "lang":
            want = "UNDEF" if p.required else str(to_term(p.default or ""))
            assert lines[p.name] == [want], (name, p.name)


@pytest.mark.parametrize("name", NAMES)
def test_embedded_engine_runs_the_printed_text(kg, name: str) -> None:
    """run_query and a bare pyoxigraph run of `--sparql` output give the same rows."""
    text = find_canned(name).sparql(TEST_PARAMS[name])
    bare = list(kg.store.query(text))  # no prefixes=, no substitutions=
    ours = run_query(kg, name, TEST_PARAMS[name])
    assert [tuple(row) for row in bare] == ours.terms


@pytest.mark.parametrize("name", NAMES)
def test_language_is_in_scope_where_labels_are_chosen(kg, name: str) -> None:
    """Same rows in either language (a label language out of scope gives mixed-language
    rows: 40 instead of 5 for managed-by), and zh labels where the graph has them."""
    en = run_query(kg, name, TEST_PARAMS[name], lang="en")
    zh = run_query(kg, name, TEST_PARAMS[name], lang="zh")
    assert len(en.rows) == len(zh.rows)


def test_managed_by_labels_follow_the_language(kg) -> None:
    zh = run_query(kg, "managed-by", lang="zh")
    body = zh.variables.index("body")
    assert zh.rows
    assert all(re.search(r"[\u4e00-\u9fff]", row[body]) for row in zh.rows)
    en = run_query(kg, "managed-by", lang="en")
    assert not any(re.search(r"[\u4e00-\u9fff]", row[body]) for row in en.rows)


def test_parameter_values_are_written_as_escaped_terms() -> None:
    evil = 'x" } } UNION { ?s ?p ?o } #'
    text = find_canned("evidence").sparql({"entity": evil})
    (block,) = _values_blocks(prepareQuery(text).algebra)
    assert [list(row.values()) for row in block] == [[Literal(evil)]]
    text = find_canned("evidence").sparql({"entity": "gkr:org/cn-gs-big-data-bureau"})
    (block,) = _values_blocks(prepareQuery(text).algebra)
    iri = URIRef(PREFIXES["gkr"] + "org/cn-gs-big-data-bureau")
    assert [list(row.values()) for row in block] == [[iri]]


@pytest.mark.parametrize(
    ("params", "lang", "message"),
    [
        ({"entity": "<http://a b>"}, "en", "not an absolute IRI|Invalid IRI"),
        ({}, "en", "missing parameter 'entity'"),
        ({"entity": "x", "nope": "1"}, "en", "unknown parameter nope"),
        ({"entity": "x"}, "fr", "unknown label language"),
    ],
)
def test_bad_parameters_are_refused(params: dict[str, str], lang: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        find_canned("evidence").sparql(params, lang)


def test_cli_prints_the_same_text() -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["query", "province-profile", "--sparql", "-p", "province=CN-GD", "--lang", "zh"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == find_canned("province-profile").sparql({"province": "CN-GD"}, "zh")
    header = parse_header(result.stdout)
    assert header["title@en"] and header["columns"]
    missing = runner.invoke(cli, ["query", "evidence", "--sparql"])
    assert missing.exit_code == 2 and "missing parameter 'entity'" in missing.output


def test_one_header_parser_for_both_folders() -> None:
    from govkg import qa

    assert "def header" not in Path(qa.__file__).read_text(encoding="utf-8")
    for _, text in qa.qa_queries():
        assert parse_header(text)["columns"]


# ---------------------------------------------------------------- an Oxigraph server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _oxigraph() -> str:
    exe = Path(sys.executable).with_name("oxigraph")
    assert exe.is_file(), "the oxigraph server is missing: pip install -e '.[test]' installs it"
    return str(exe)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """An Oxigraph server on loopback holding `govkg export`, stopped by PID afterwards."""
    folder = tmp_path_factory.mktemp("oxigraph")
    dump = folder / "govkg.nt"
    result = CliRunner().invoke(cli, ["export", "--format", "nt", "-o", str(dump)])
    assert result.exit_code == 0, result.output
    store = folder / "store"
    subprocess.run(
        [_oxigraph(), "load", "--location", str(store), "--file", str(dump)],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [_oxigraph(), "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the oxigraph server did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _remote_rows(url: str, text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    request = urllib.request.Request(
        url,
        data=text.encode("utf-8"),
        headers={
            "Content-Type": "application/sparql-query",
            "Accept": "application/sparql-results+json",
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        doc = json.load(response)
    names = doc["head"]["vars"]
    rows = [
        tuple(_norm(b.get(n, {}).get("value")) for n in names) for b in doc["results"]["bindings"]
    ]
    return names, rows


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_oxigraph_server_gives_the_same_rows(kg, endpoint: str, name: str, lang: str) -> None:
    """`--sparql` output, sent to a store holding the export, answers like `govkg query`."""
    names, theirs = _remote_rows(endpoint, find_canned(name).sparql(TEST_PARAMS[name], lang))
    ours = run_query(kg, name, TEST_PARAMS[name], lang=lang)
    want = [tuple(_norm(None if t is None else t.value) for t in row) for row in ours.terms]
    assert names == ours.variables
    if ours.ordered:
        assert theirs == want
    else:
        assert Counter(theirs) == Counter(want)
