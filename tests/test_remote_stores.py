"""govkg against real triple stores on loopback: push, every canned query, validate, export.

Each store (the Oxigraph server, Virtuoso open source) is started once per module with its
own data folder and stopped by PID (tests/stores.py). After `govkg push`, every canned query
run with `--endpoint` must give the embedded engine's rows, and `validate --endpoint` its
report. Where Virtuoso cannot, the reason names Virtuoso's bug in a strict xfail.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from govkg.catalogue import catalogue
from govkg.cli.main import cli
from govkg.load import KnowledgeGraph, load_graph
from govkg.query import run_query
from govkg.remote.client import Client
from govkg.remote.differences import difference, differences, minimal_cases
from govkg.remote.queries import prepare, remote_count, run_remote_query
from govkg.shacl import validate
from stores import GRAPH, SERVERS, FaultProxy, Store

REPO = Path(__file__).resolve().parents[1]
# shape fixtures that break the model: S57 and S58 are shapes whose SPARQL has a variable
# predicate (limited by a FILTER to a list, and to govkg's namespace)
BAD = [
    str(REPO / "tests" / "shapes" / f"{name}-invalid-01.ttl")
    for name in ("S04", "S09", "S51", "S57", "S58")
]
SEPARATORS = ("; ", " … ")  # the GROUP_CONCAT separators of the canned queries

# the cases where Virtuoso gives other rows, and why: queries/stores.toml (the README's
# table is generated from it); each is a strict xfail there, so a fixed Virtuoso shows
VIRTUOSO_MINIMAL = {case.name: case for case in minimal_cases("virtuoso")}


def _invoke(store: Store, args: list[str]) -> Any:
    return CliRunner().invoke(cli, args, env=store.env, catch_exceptions=False)


@pytest.fixture(scope="module", params=sorted(SERVERS))
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """A running store holding the bundled graph in GRAPH, pushed by `govkg push`."""
    folder = tmp_path_factory.mktemp(request.param)
    servers = SERVERS[request.param](folder)
    running = next(servers)
    try:
        result = _invoke(
            running,
            [
                "push",
                "--endpoint",
                running.query_url,
                "--store",
                running.store_url,
                "--graph",
                GRAPH,
                "--replace",
                "--chunk-size",
                "1000",
            ],
        )
        assert result.exit_code == 0, result.output
        yield running
    finally:
        servers.close()


def _client(store: Store, monkeypatch: pytest.MonkeyPatch) -> Client:
    for key, value in store.env.items():
        monkeypatch.setenv(key, value)
    return Client(60)


def test_push_sends_every_triple_in_chunks(store: Store, kg: KnowledgeGraph, monkeypatch) -> None:
    with _client(store, monkeypatch) as client:
        assert remote_count(client, store.query_url, GRAPH) == len(kg)


def test_push_again_with_replace_keeps_the_count(store: Store, kg: KnowledgeGraph) -> None:
    result = _invoke(
        store,
        [
            "push",
            "--endpoint",
            store.query_url,
            "--store",
            store.store_url,
            "--graph",
            GRAPH,
            "--replace",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"the store now counts {len(kg)} triples" in result.output


# ---- canned queries ---------------------------------------------------------------------------


def _normal(cell: Any) -> Any:
    """A GROUP_CONCAT cell with its parts sorted (the aggregate's order is not defined)."""
    if isinstance(cell, str):
        for sep in SEPARATORS:
            if sep in cell:
                return sep.join(sorted(cell.split(sep)))
    return cell


def _rows(result: Any) -> list[tuple[Any, ...]]:
    return [tuple(_normal(c) for c in row) for row in result.rows]


def _order_keys(text: str) -> list[str]:
    """The plain variables of the query's top-level ORDER BY (rdflib's parse of it)."""
    from rdflib import Variable
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    def find(node: Any) -> Any:
        if isinstance(node, CompValue):
            if node.name == "OrderBy":
                return node
            for value in node.values():
                found = find(value)
                if found is not None:
                    return found
        return None

    order = find(prepareQuery(text).algebra)
    keys = []
    for cond in order["expr"] if order is not None else []:
        expr = cond.get("expr") if isinstance(cond, CompValue) else cond
        if isinstance(expr, Variable):
            keys.append(str(expr))
    return keys


CASES = [(q.name, lang) for q in catalogue() for lang in ("en", "zh")]


@pytest.mark.parametrize(("name", "lang"), CASES, ids=[f"{n}-{lang}" for n, lang in CASES])
def test_canned_query_gives_the_embedded_rows(
    store: Store, kg: KnowledgeGraph, name: str, lang: str, request, monkeypatch
) -> None:
    known = difference(store.name, name, lang)
    if known and known.hangs:  # not sent: the store would answer no other test after it
        pytest.xfail(known.reason)
    if known:
        request.applymarker(pytest.mark.xfail(strict=True, reason=known.reason))
    canned = next(q for q in catalogue() if q.name == name)
    params = canned.example_params
    local = run_query(kg, name, params, lang=lang)
    with _client(store, monkeypatch) as client:
        remote = run_remote_query(client, store.query_url, name, params, lang, GRAPH)
    assert remote.variables == local.variables
    assert Counter(_rows(remote)) == Counter(_rows(local))
    assert local.rows, "a comparison of two empty tables proves nothing"
    if local.ordered:  # the same order, as far as the ORDER BY keys are in the table
        keys = [k for k in _order_keys(prepare(name, params, lang).text) if k in local.variables]
        at = [local.variables.index(k) for k in keys]
        assert [tuple(r[i] for i in at) for r in _rows(remote)] == [
            tuple(r[i] for i in at) for r in _rows(local)
        ]


def test_cli_query_endpoint_prints_the_same_table(store: Store) -> None:
    args = ["query", "coordination-mechanisms", "--lang", "zh", "--format", "csv"]
    local = CliRunner().invoke(cli, args)
    remote = _invoke(store, [*args, "--endpoint", store.query_url, "--graph", GRAPH])
    assert remote.exit_code == 0, remote.output
    assert sorted(remote.output.splitlines()) == sorted(local.output.splitlines())


# ---- validation -------------------------------------------------------------------------------


def _results(output: str) -> list[dict[str, Any]]:
    """A JSON report's results, without where in the bundled files a node is written."""
    doc = json.loads(output)
    return [{k: v for k, v in r.items() if k not in ("file", "line")} for r in doc["results"]]


def test_validate_endpoint_gives_the_embedded_report(store: Store) -> None:
    local = CliRunner().invoke(cli, ["validate", "-f", "json"])
    remote = _invoke(
        store, ["validate", "-f", "json", "--endpoint", store.query_url, "--graph", GRAPH]
    )
    assert remote.exit_code == local.exit_code == 0, remote.output[-3000:]
    assert _results(remote.stdout) == _results(local.stdout)
    assert json.loads(remote.stdout)["counts"] == json.loads(local.stdout)["counts"]
    # only what the shapes use was fetched, not the whole graph
    pulled, total = remote.stderr.split("pulled ")[1].split(" triples")[0].split(" of ")
    assert 0 < int(pulled) < int(total)


def test_push_refuses_data_that_does_not_conform(store: Store, monkeypatch) -> None:
    graph = GRAPH + "/refused"
    result = _invoke(
        store,
        [
            "push",
            *BAD,
            "--endpoint",
            store.query_url,
            "--store",
            store.store_url,
            "--graph",
            graph,
        ],
    )
    assert result.exit_code == 1
    assert "does not conform" in result.stderr and "nothing was pushed" in result.stderr
    with _client(store, monkeypatch) as client:
        assert remote_count(client, store.query_url, graph) == 0


def test_validate_endpoint_reports_what_forced_bad_data_causes(store: Store) -> None:
    graph = GRAPH + "/forced"
    pushed = _invoke(
        store,
        [
            "push",
            *BAD,
            "--endpoint",
            store.query_url,
            "--store",
            store.store_url,
            "--graph",
            graph,
            "--replace",
            "--force",
        ],
    )
    assert pushed.exit_code == 0, pushed.output
    local = CliRunner().invoke(cli, ["validate", *BAD, "--all-results", "-f", "json"])
    remote = _invoke(
        store, ["validate", "-f", "json", "--endpoint", store.query_url, "--graph", graph]
    )
    assert remote.exit_code == local.exit_code == 1
    assert _results(remote.stdout) == _results(local.stdout)
    assert json.loads(remote.stdout)["counts"]["Violation"] > 0


# ---- export -------------------------------------------------------------------------------------


def test_export_endpoint_gives_back_the_pushed_graph(store: Store, tmp_path: Path) -> None:
    from rdflib.compare import isomorphic

    out = tmp_path / "remote.nt"
    result = _invoke(
        store,
        ["export", "--endpoint", store.query_url, "--graph", GRAPH, "-f", "nt", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    # a store keeps typed literals by value ("26.0"^^xsd:decimal comes back as "26"): compare
    # both graphs as a store holds them
    import pyoxigraph as ox

    from govkg.load import to_rdflib

    def as_stored(triples: Any) -> Any:
        held = ox.Store()
        held.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        return to_rdflib(q.triple for q in held)

    remote = as_stored(q.triple for q in ox.parse(path=str(out), format=ox.RdfFormat.N_TRIPLES))
    assert isomorphic(remote, as_stored(load_graph().triples()))


def test_check_endpoint_runs_the_stages_there(store: Store) -> None:
    hanging = sorted(q for d in differences(store.name) if d.hangs for q in d.queries)
    if hanging:  # the canned-queries stage would send them, and the store would stop answering
        pytest.xfail(f"{store.name} does not answer {hanging} (queries/stores.toml)")
    result = _invoke(store, ["check", "--endpoint", store.query_url, "--graph", GRAPH])
    assert f"store: {len(load_graph())} triples" in result.output
    assert "--    reasoner: HermiT needs the whole graph" in result.output
    counts = ", ".join(f"{n} {sev}" for sev, n in validate().counts.items())
    assert f"ok    SHACL shapes: {counts}" in result.output
    if store.name == "oxigraph":
        assert result.exit_code == 0, result.output
        assert "ok    canned queries: 15 queries ran" in result.output
    else:  # the canned queries Virtuoso answers with an error (queries/stores.toml) fail it
        assert result.exit_code == 1
        failing = sorted(q for d in differences(store.name) if d.errors for q in d.queries)
        assert f"FAIL  canned queries: {failing[0]}: " in result.output
        for name in failing[1:]:
            assert f"        {name}: " in result.output


# ---- errors from real stores ------------------------------------------------------------------


def test_pushing_without_the_credentials_a_store_asks_for(store: Store) -> None:
    if not store.env:  # an open store (the Oxigraph server) ignores a token it did not ask for
        result = CliRunner().invoke(
            cli,
            ["push", "--endpoint", store.query_url, "--graph", GRAPH + "/token"],
            env={"GOVKG_ENDPOINT_TOKEN": "unused"},
        )
        assert result.exit_code == 0, result.output
        return
    result = CliRunner().invoke(
        cli,
        [
            "push",
            "--endpoint",
            store.query_url,
            "--store",
            store.store_url,
            "--graph",
            GRAPH + "/anonymous",
        ],
        env={"GOVKG_ENDPOINT_USER": "", "GOVKG_ENDPOINT_PASSWORD": ""},
    )
    assert result.exit_code == 2
    # anonymous, /sparql takes no update: a warning that the add goes chunk by chunk, then
    # the Graph Store's 401 at the first chunk, with what the graph holds
    warning, error = result.stderr.strip().splitlines()
    assert warning.startswith("govkg: warning: no SPARQL Update (") and "HTTP 500" in warning
    assert error.startswith("govkg: error: ")
    assert "HTTP 401 Unauthorized: set $GOVKG_ENDPOINT_USER" in error
    assert "0 of " in error and f"<{GRAPH}/anonymous> now holds 0 triples" in error
    wrong = CliRunner().invoke(
        cli,
        [
            "push",
            "--endpoint",
            store.query_url,
            "--store",
            store.store_url,
            "--graph",
            GRAPH + "/anonymous",
        ],
        env={**store.env, "GOVKG_ENDPOINT_PASSWORD": "wrong"},
    )
    assert wrong.exit_code == 2 and "HTTP 401" in wrong.stderr


def test_a_wrong_graph_store_address_says_what_is_missing(store: Store) -> None:
    base = store.query_url.rsplit("/", 1)[0]
    result = _invoke(
        store,
        [
            "push",
            "--endpoint",
            store.query_url,
            "--store",
            base + "/no-such-service",
            "--graph",
            GRAPH + "/nowhere",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "the store offers no SPARQL 1.1 Graph Store HTTP Protocol" in result.stderr


# ---- the README's commands ----------------------------------------------------------------------

README = (REPO / "README.md").read_text(encoding="utf-8")
README_BASE = {"oxigraph": "http://127.0.0.1:7878", "virtuoso": "http://127.0.0.1:8890"}


def test_readme_store_commands_run(store: Store) -> None:
    """The section "Using an existing triple store", run as written against this store."""
    import re
    import shlex

    block = re.search(rf"<!-- store-commands: {store.name} -->\s*```sh\n(.*?)```", README, re.S)
    assert block, f"README has no store-commands block for {store.name}"
    base = store.query_url.rsplit("/", 1)[0]
    commands = [line for line in block.group(1).splitlines() if line.startswith("govkg ")]
    assert {shlex.split(c)[1] for c in commands} >= {"push", "query", "validate"}
    for command in commands:
        args = shlex.split(command.replace(README_BASE[store.name], base))[1:]
        result = _invoke(store, args)
        assert result.exit_code == 0, f"{command}\n{result.output}"


@pytest.mark.parametrize("case", sorted(VIRTUOSO_MINIMAL))
def test_virtuoso_bug_minimal_case(
    store: Store, kg: KnowledgeGraph, case: str, request, monkeypatch
):
    text = VIRTUOSO_MINIMAL[case].query
    if store.name == "virtuoso":
        request.applymarker(pytest.mark.xfail(strict=True, reason=VIRTUOSO_MINIMAL[case].reason))
    local = run_query(kg, text)
    with _client(store, monkeypatch) as client:
        remote = run_remote_query(client, store.query_url, text, None, "en", GRAPH)
    assert local.rows and any(None not in row for row in local.rows)
    assert Counter(_rows(remote)) == Counter(_rows(local))


# ---- pushes that fail part-way (a fault-injecting proxy in front of the store) ---------------


def _staging_graphs(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from govkg.remote.gsp import STAGING
    from govkg.remote.queries import solutions

    text = (
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{STAGING}")) }}'
    )
    with _client(store, monkeypatch) as client:
        answer = client.query(store.query_url, text, None, "select")
        return [row[0].value for row in solutions(answer)]


@pytest.mark.parametrize("fault", ["500", "drop"])
def test_a_push_failing_part_way_leaves_the_graph_as_it_was(
    store: Store, kg: KnowledgeGraph, fault: str, monkeypatch
) -> None:
    base, query_path = store.query_url.rsplit("/", 1)
    store_path = "/" + store.store_url.rsplit("/", 1)[1]
    proxy = FaultProxy(base, store_path)
    try:
        proxy.faults.fail_chunk, proxy.faults.fault = 2, fault
        result = _invoke(
            store,
            [
                "push",
                "--endpoint",
                f"{proxy.base}/{query_path}",
                "--store",
                proxy.base + store_path,
                "--graph",
                GRAPH,
                "--replace",
                "--chunk-size",
                "500",
            ],
        )
    finally:
        proxy.close()
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and f"push to <{GRAPH}> stopped at chunk " in line
    assert f"nothing reached the graph: <{GRAPH}> is unchanged ({len(kg)} triples)" in line
    assert line.endswith("the staging graph was removed"), line
    with _client(store, monkeypatch) as client:
        assert remote_count(client, store.query_url, GRAPH) == len(kg)
    assert _staging_graphs(store, monkeypatch) == []


def test_atomic_add_and_replace_change_the_graph_as_asked(
    store: Store, tmp_path: Path, monkeypatch
) -> None:
    """ADD keeps what the graph held, MOVE replaces it; no staging graph is left either way."""
    target = GRAPH + "/steps"
    e = "https://example.org/steps/"

    def push(name: str, n: int, *extra: str) -> set[str]:
        data = tmp_path / f"{name}.nt"
        data.write_text(
            "".join(f'<{e}{name}{i}> <{e}p> "{i}" .\n' for i in range(n)), encoding="utf-8"
        )
        args = ["push", str(data), "--alone", "--force", "--endpoint", store.query_url]
        args += ["--store", store.store_url, "--graph", target, "--chunk-size", "4", *extra]
        result = _invoke(store, args)
        assert result.exit_code == 0, result.output
        assert "through a staging graph, in one step" in result.stdout
        with _client(store, monkeypatch) as client:
            answer = run_remote_query(
                client, store.query_url, "SELECT DISTINCT ?s WHERE { ?s ?p ?o }", None, "en", target
            )
        return {row[0].removeprefix(e) for row in answer.rows}

    a = {f"a{i}" for i in range(10)}
    b = {f"b{i}" for i in range(7)}
    c = {f"c{i}" for i in range(5)}
    assert push("a", 10, "--replace") == a
    assert push("b", 7) == a | b
    assert push("c", 5, "--replace") == c
    assert _staging_graphs(store, monkeypatch) == []
