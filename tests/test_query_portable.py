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

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Literal, URIRef, Variable

from govkg.catalogue import (
    catalogue,
    find_canned,
    parameter_lines,
    parse_header,
    sort_concatenated,
)
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
    """run_query and a bare pyoxigraph run of `--sparql` output give the same rows (but for
    the order of the parts of concatenated cells, which govkg sorts)."""
    query = find_canned(name)
    bare = list(kg.store.query(query.sparql(TEST_PARAMS[name])))  # no prefixes=, substitutions=
    ours = run_query(kg, name, TEST_PARAMS[name])
    joins = {ours.variables.index(c): sep for c, sep in query.concatenated}

    def settled(row: tuple) -> tuple:  # type: ignore[type-arg]
        return tuple(
            ox.Literal(sort_concatenated(t.value, joins[i]), language=t.language)
            if i in joins and isinstance(t, ox.Literal)
            else t
            for i, t in enumerate(row)
        )

    assert [settled(tuple(row)) for row in bare] == ours.terms


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


def _remote_rows(
    url: str, text: str, concatenated: tuple[tuple[str, str], ...] = ()
) -> tuple[list[str], list[tuple[str, ...]]]:
    """The store's rows, each cell normalised as `_norm` does, concatenated cells first sorted
    as govkg sorts them."""
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
    joins = dict(concatenated)

    def cell(b: dict, n: str) -> str:  # type: ignore[type-arg]
        value = b.get(n, {}).get("value")
        return _norm(sort_concatenated(value, joins[n]) if n in joins and value else value)

    rows = [tuple(cell(b, n) for n in names) for b in doc["results"]["bindings"]]
    return names, rows


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_oxigraph_server_gives_the_same_rows(kg, endpoint: str, name: str, lang: str) -> None:
    """`--sparql` output, sent to a store holding the export, answers like `govkg query`."""
    query = find_canned(name)
    names, theirs = _remote_rows(
        endpoint, query.sparql(TEST_PARAMS[name], lang), query.concatenated
    )
    ours = run_query(kg, name, TEST_PARAMS[name], lang=lang)
    want = [tuple(_norm(None if t is None else t.value) for t in row) for row in ours.terms]
    assert names == ours.variables
    if ours.ordered:
        assert theirs == want
    else:
        assert Counter(theirs) == Counter(want)


# ---------------------------------------------------------------- concatenated cells


def _concatenations(name: str) -> dict[str, str]:
    """column -> separator of every projected cell that is a GROUP_CONCAT, from rdflib's parse
    (an IF/COALESCE of one concatenation and constants, e.g. "unknown", counts as one)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    algebra = prepareQuery(find_canned(name).sparql(TEST_PARAMS[name])).algebra
    named: dict[Variable, str] = {}  # variable -> separator of the concatenation it holds
    extends: list[tuple[Variable, object, dict[Variable, CompValue]]] = []

    def below(node) -> dict[Variable, CompValue]:  # type: ignore[no-untyped-def]
        """The aggregates of the aggregation an Extend chain sits on (rdflib numbers them
        __agg_1__… afresh in every subquery)."""
        while isinstance(node, CompValue) and node.name == "Extend":
            node = node["p"]
        if not (isinstance(node, CompValue) and node.name == "AggregateJoin"):
            return {}
        return {a["res"]: a for a in node["A"]}

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        if isinstance(node, CompValue):
            if node.name == "Extend":
                extends.append((node["var"], node["expr"], below(node["p"])))
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)

    walk(algebra)

    def separator_of(expr, aggs: dict[Variable, CompValue]) -> str | None:  # type: ignore[no-untyped-def]
        if isinstance(expr, Variable) and expr in aggs:
            agg = aggs[expr]
            if agg.name == "Aggregate_GroupConcat":
                return " " if agg.get("separator") is None else str(agg["separator"])
            if agg.name in ("Aggregate_Max", "Aggregate_Min", "Aggregate_Sample"):
                return separator_of(agg["vars"], {})  # e.g. MAX(IF(?list = "x", ?names, ""))
            return None
        if isinstance(expr, Variable):
            return named.get(expr)
        if isinstance(expr, CompValue) and expr.name in ("Builtin_IF", "Builtin_COALESCE"):
            args = [expr["arg2"], expr["arg3"]] if expr.name == "Builtin_IF" else expr["arg"]
            seps = {separator_of(a, aggs) for a in args if not isinstance(a, Literal)}
            return seps.pop() if len(seps) == 1 else None
        return None

    changed = True
    while changed:  # a concatenation bound to another name (inner subquery -> outer) is one
        changed = False
        for var, expr, aggs in extends:
            sep = separator_of(expr, aggs)
            if sep is not None and var not in named:
                named[var] = sep
                changed = True
    projected = [str(v) for v in algebra["PV"]]
    return {v: named[Variable(v)] for v in projected if Variable(v) in named}


@pytest.mark.parametrize("name", NAMES)
def test_the_header_names_every_concatenated_cell(name: str) -> None:
    """`# concatenated:` lists exactly the GROUP_CONCAT columns rdflib's parse finds."""
    assert dict(find_canned(name).concatenated) == _concatenations(name)


def test_concatenated_cells_are_sorted_in_process(kg) -> None:  # type: ignore[no-untyped-def]
    result = run_query(kg, "claims")
    parts = result.variables.index("parts")
    cells = [row[parts] for row in result.rows if row[parts]]
    assert any("; " in c for c in cells)
    assert all(c.split("; ") == sorted(c.split("; ")) for c in cells)


def _csv_bytes(args: list[str]) -> bytes:
    result = CliRunner().invoke(cli, ["query", *args, "--format", "csv"])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", NAMES)
def test_oxigraph_server_gives_byte_identical_csv(endpoint: str, name: str, lang: str) -> None:
    """`govkg query NAME --format csv` from the embedded engine and from the Oxigraph server
    holding the export: the same bytes (concatenated cells sorted after the query)."""
    params = [a for k, v in TEST_PARAMS[name].items() for a in ("-p", f"{k}={v}")]
    args = [name, *params, "--lang", lang]
    here = _csv_bytes(args)
    there = _csv_bytes([*args, "--endpoint", endpoint])
    assert here.count(b"\n") > 1
    assert there == here
