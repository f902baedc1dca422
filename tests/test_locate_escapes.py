"""Locating finds a node at its own statement however a writer escaped its name.

pyoxigraph writes `gkr:evidence\\/x\\#c10` and rdflib other forms; locating once looked
these up by the forms govkg guessed, fell back to a regex pass over every line for the
rest, and then reported the line where the node was *referenced*. The differential test
writes random IRIs with both serialisers, one subject block at a known line each, and asks
for every subject's line with the fallback pass disabled.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkg.shacl.locate import LineIndex

NS = "https://w3id.org/govkg/id/"
P = "http://x/p"
# the characters a local name may carry, escaped or not, and a few that force <…> form
LOCAL = st.lists(
    st.sampled_from([*"abcXYZ09_-.~!$&'()*+,;=/?#@:", "%2F", "é", "省", " "]),
    min_size=1,
    max_size=12,
).map("".join)


def _oxigraph_block(iri: str, value: str) -> str:
    triple = ox.Triple(ox.NamedNode(iri), ox.NamedNode(P), ox.NamedNode(value))
    text = ox.serialize([triple], format=ox.RdfFormat.TURTLE, prefixes={"gkr": NS}).decode()
    return "".join(line for line in text.splitlines(True) if not line.startswith("@prefix"))


def _rdflib_block(iri: str, value: str) -> str:
    g = rdflib.Graph()
    g.bind("gkr", NS, override=True, replace=True)
    g.bind("x", "http://x/", override=True, replace=True)
    g.add((rdflib.URIRef(iri), rdflib.URIRef(P), rdflib.URIRef(value)))
    text = g.serialize(format="turtle")
    return "".join(
        line for line in text.splitlines(True) if line.strip() and not line.startswith("@prefix")
    )


def _iris(locals_: list[str]) -> list[str]:
    """The distinct names that are IRIs (a space, or a second `#`, makes none)."""
    out = []
    for iri in dict.fromkeys(NS + local for local in locals_):
        try:
            ox.NamedNode(iri)
        except ValueError:
            continue
        out.append(iri)
    return out


@pytest.mark.parametrize("write", [_oxigraph_block, _rdflib_block], ids=["oxigraph", "rdflib"])
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(locals_=st.lists(LOCAL, min_size=1, max_size=6))
def test_every_subject_at_its_own_statement(write, locals_, tmp_path: Path, monkeypatch) -> None:
    iris = _iris(locals_)
    if not iris:
        return
    lines = ["@prefix gkr: <https://w3id.org/govkg/id/> .\n", "@prefix x: <http://x/> .\n"]
    expected: dict[str, int] = {}
    for n, iri in enumerate(iris):
        # each subject also referenced *before* its own block: the fallback would find that
        lines += write(NS + f"ref{n}", iri).splitlines(True)
        expected[iri] = len(lines) + 1
        lines += write(iri, NS + f"ref{n}").splitlines(True)
    path = tmp_path / "data.ttl"
    path.write_text("".join(lines), encoding="utf-8")
    assert len(list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))) == 2 * len(iris)

    def no_fallback(self, missing, subjects):
        raise AssertionError(f"fell back to the full pass for {sorted(missing)}")

    monkeypatch.setattr(LineIndex, "_anywhere", no_fallback)
    subjects, props = LineIndex(path).lines({iri: {P} for iri in iris})
    assert subjects == expected
    assert props == {(iri, P): line for iri, line in expected.items()}


def test_uchar_escapes_in_an_iri(tmp_path: Path) -> None:
    path = tmp_path / "u.ttl"
    path.write_text(
        '<http://x/\\u0041b> <http://x/p> "1" .\n<http://x/\\U00000043> <http://x/p> "2" .\n',
        encoding="utf-8",
    )
    subjects, _ = LineIndex(path).lines({"http://x/Ab": set(), "http://x/C": set()})
    assert subjects == {"http://x/Ab": 1, "http://x/C": 2}


def test_an_escaped_final_dot_is_the_name_not_the_statement_end(tmp_path: Path) -> None:
    path = tmp_path / "d.ttl"
    path.write_text(
        "@prefix gkr: <https://w3id.org/govkg/id/> .\n"
        'gkr:x <http://x/p> "1" .\n'
        'gkr:x\\. <http://x/p> "2" .\n',
        encoding="utf-8",
    )
    subjects, _ = LineIndex(path).lines({NS + "x.": set(), NS + "x": set()})
    assert subjects == {NS + "x": 2, NS + "x.": 3}
