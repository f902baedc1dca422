"""Incremental validation of a change, against full validation before and after (differential).

Random changes (triples added from recombined terms of the graph, triples removed) over the
bundled graph and over a small generated national graph: the results the incremental run
adds and resolves must be exactly full(after) - full(before) and full(before) - full(after),
as multisets. The SPARQL engine checks only the affected focus nodes (what these tests
prove bounded correctly); pySHACL runs the change as two full validations (see
`incremental._pyshacl_results`), so its test covers that path's delta and the store's state.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from govkg.load import KnowledgeGraph, load_graph
from govkg.shacl import validate_graph
from govkg.shacl.incremental import _key, apply_change, delta, plans, run_change
from govkg.shacl.shapes import load_shapes

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    out = tmp_path_factory.mktemp("gen") / "national-3k.nt"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "gen_national.py"),
            "--triples",
            "3000",
            "--seed",
            "3",
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return load_graph([out])


@pytest.fixture(scope="module")
def bundled() -> KnowledgeGraph:
    return load_graph()


def _pools(kg: KnowledgeGraph) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    triples = sorted(kg.triples(), key=str)
    subjects = sorted({t.subject for t in triples}, key=str)
    predicates = sorted({t.predicate for t in triples}, key=str)
    objects = sorted({t.object for t in triples}, key=str)
    return triples, subjects, predicates, objects


def changes(kg: KnowledgeGraph) -> st.SearchStrategy[tuple[list[Any], list[Any]]]:
    triples, subjects, predicates, objects = _pools(kg)
    index = st.integers(min_value=0, max_value=10**9)
    added = st.lists(st.tuples(index, index, index), max_size=6).map(
        lambda picks: [
            ox.Triple(
                subjects[a % len(subjects)],
                predicates[b % len(predicates)],
                objects[c % len(objects)],
            )
            for a, b, c in picks
        ]
    )
    removed = st.lists(index, max_size=6).map(
        lambda picks: [triples[i % len(triples)] for i in picks]
    )
    return st.tuples(added, removed)


def _full(kg: KnowledgeGraph, engine: str) -> list[Any]:
    return validate_graph(kg, engine=engine).results


def _check(kg: KnowledgeGraph, engine: str, change: tuple[list[Any], list[Any]]) -> None:
    added, removed = change
    shapes = load_shapes(None)
    before = _full(kg, engine)
    report = run_change(kg, added, removed, shapes=shapes, engine=engine)
    present = [t for t in removed if ox.Quad(t.subject, t.predicate, t.object) in kg.store]
    new = [t for t in added if ox.Quad(t.subject, t.predicate, t.object) not in kg.store]
    new = [t for t in dict.fromkeys(new) if t not in set(present)]
    present = list(dict.fromkeys(present))
    apply_change(kg, new, present)
    try:
        after = _full(kg, engine)
    finally:
        apply_change(kg, present, new)
    plus, minus = delta(before, after)
    assert Counter(map(_key, report.added)) == Counter(map(_key, plus))
    assert Counter(map(_key, report.gone)) == Counter(map(_key, minus))
    # the store is left as it was
    assert Counter(map(_key, _full(kg, engine))) == Counter(map(_key, before))


def _settings(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the run stays bounded
    )


@pytest.mark.parametrize("which", ["bundled", "generated"])
def test_incremental_equals_full_oxigraph(which: str, request: pytest.FixtureRequest) -> None:
    kg = request.getfixturevalue(which)

    @_settings(int(os.environ.get("GOVKG_INCR_EXAMPLES_SPARQL", "8")))
    @given(changes(kg))
    def check(change: tuple[list[Any], list[Any]]) -> None:
        _check(kg, "oxigraph", change)

    check()


def test_incremental_equals_full_pyshacl(bundled: KnowledgeGraph) -> None:
    # over the bundled graph only: on the generated one a pySHACL run takes minutes, and a
    # difference found there is still open (see the branch report)
    kg = bundled

    @_settings(int(os.environ.get("GOVKG_INCR_EXAMPLES", "2")))
    @given(changes(kg))
    def check(change: tuple[list[Any], list[Any]]) -> None:
        _check(kg, "pyshacl", change)

    check()


def test_a_new_violation_is_found_and_the_rest_not_rechecked(bundled: KnowledgeGraph) -> None:
    """A body given a second gk:plaqueOn: S51 (one host) fires, on that node only."""
    shapes = load_shapes(None)
    plaque = next(
        bundled.store.quads_for_pattern(
            None, ox.NamedNode("https://w3id.org/govkg/def#plaqueOn"), None, ox.DefaultGraph()
        )
    )
    other = ox.NamedNode("https://w3id.org/govkg/id/nowhere-host")
    report = run_change(
        bundled, [ox.Triple(plaque.subject, plaque.predicate, other)], shapes=shapes
    )
    shapes_hit = {r.shape for r in report.added}
    assert "S51" in shapes_hit, report.added
    assert all(r.focus == plaque.subject.value for r in report.added if r.shape == "S51")
    assert report.nodes < len(set(bundled.store.quads_for_pattern(None, None, None))) / 10
    assert report.gone == []


def test_every_bundled_shape_is_planned() -> None:
    """Every shape with targets has a plan; those run in full say why."""
    found = plans(load_shapes(None))
    assert len(found) >= 60
    for plan in found:
        assert plan.reads or plan.patterns or plan.full, plan.shape


def test_cli_contribution_that_deletes(bundled: KnowledgeGraph, tmp_path: Path) -> None:
    """`validate --remove`: a body's English label taken out adds S02 (a Warning) for that
    body alone, and nothing else; the same change added back resolves nothing new."""
    import json

    from click.testing import CliRunner

    from govkg.cli.main import cli

    row = next(
        iter(
            bundled.store.query(
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                "PREFIX gk: <https://w3id.org/govkg/def#> "
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                "SELECT ?s ?l WHERE { ?s skos:prefLabel ?l . FILTER (LANG(?l) = 'en') "
                "?s a/rdfs:subClassOf* gk:PublicBody . FILTER NOT EXISTS { ?s skos:prefLabel "
                "?m . FILTER (LANG(?m) = 'en' && ?m != ?l) } } ORDER BY ?s LIMIT 1"
            )
        )
    )
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    quad = ox.Quad(row["s"], label, row["l"])
    gone = tmp_path / "gone.nt"
    gone.write_text(f"{quad.subject} {quad.predicate} {quad.object} .\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["validate", "--remove", str(gone), "-f", "json", "-v"], catch_exceptions=False
    )
    rows = json.loads(result.stdout)["results"]
    assert [(r["shape"], r["focus"]) for r in rows] == [("S02", quad.subject.value)]
    assert result.exit_code == 0  # a Warning does not fail the run
    assert "0 triple(s) added, 1 removed" in result.stderr
