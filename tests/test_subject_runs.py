"""The N-Triples subject scan against the parser, and the load that feeds it through a pipe.

The scan decides two things the parser otherwise would: which named subjects a file has
(`files_of`) and on which lines each subject's statements are (locating); it also finds
a superset of the literals' datatypes (for `govkg.retyped`). It is checked
differentially: random N-Triples built from regular and irregular lines, fed in random
chunks, against the parser run on each line alone (in N-Triples one line is one statement).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govkg import load
from govkg.errors import BadInput, InputSyntaxError
from govkg.load import load_graph
from govkg.subject_runs import SubjectRuns

SUBJECTS = ["<http://x/a>", "<http://x/ab>", "<http://x/a#b>", "<http://x/é>", "_:n"]
IRREGULAR_SUBJECTS = ["<http://x/\\u0061>", " <http://x/a>", "\t<http://x/ab>"]
XSD = "http://www.w3.org/2001/XMLSchema#"
OBJECTS = [
    '"1"',
    '"a\\nb <http://x/c> ."@en',
    "<http://x/a>",
    "_:m",
    '"x"^^<http://x/t>',
    f'"5"^^<{XSD}byte>',
    f'"5" ^^\t<{XSD}int>',
    f'"5"^^<{XSD}\\u0062yte>',
    f'"5"^^<{XSD}integer>',
    f'"^^<{XSD}long>"',  # the datatype's bytes inside a string: only a spurious candidate
]
OTHER_LINES = ["", "# <http://x/a> <http://x/p> <http://x/o> .", "   ", "\t# indented comment"]


def line_strategy(irregular: bool) -> st.SearchStrategy[str]:
    subjects = SUBJECTS + (IRREGULAR_SUBJECTS if irregular else [])
    triple = st.builds(
        lambda s, p, o, tail: f"{s} <http://x/{p}> {o} .{tail}",
        st.sampled_from(subjects),
        st.sampled_from("pq"),
        st.sampled_from(OBJECTS),
        st.sampled_from(["", " # a comment", "\t"]),
    )
    other = st.sampled_from(OTHER_LINES if irregular else OTHER_LINES[:2])
    return st.one_of(triple, triple, triple, other)


def oracle(lines: list[str]) -> dict[str, list[int]]:
    """Each named subject's lines, from the parser run on every line alone."""
    out: dict[str, list[int]] = {}
    for number, line in enumerate(lines, start=1):
        for quad in ox.parse(line.encode(), format=ox.RdfFormat.N_TRIPLES):
            if isinstance(quad.subject, ox.NamedNode):
                out.setdefault(quad.subject.value, []).append(number)
    return out


def oracle_datatypes(lines: list[str]) -> set[str]:
    """The literals' datatypes, from the parser run on every line alone."""
    return {
        quad.object.datatype.value
        for line in lines
        for quad in ox.parse(line.encode(), format=ox.RdfFormat.N_TRIPLES)
        if isinstance(quad.object, ox.Literal)
        and quad.object.language is None
        and quad.object.datatype.value != XSD + "string"
    }


def fed(path: Path, data: bytes, cuts: list[int]) -> SubjectRuns:
    runs = SubjectRuns(path)
    at = 0
    for cut in [*sorted(c % (len(data) + 1) for c in cuts), len(data)]:
        runs.feed(data[at:cut])
        at = max(at, cut)
    return runs


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(irregular=st.booleans(), data=st.data())
def test_scan_agrees_with_the_parser_line_by_line(tmp_path: Path, irregular, data) -> None:
    lines = data.draw(st.lists(line_strategy(irregular), min_size=1, max_size=25))
    ending = data.draw(st.sampled_from(["\n", "\r\n"] if irregular else ["\n"]))
    last = data.draw(st.booleans())  # with or without a final newline
    text = ending.join(lines) + (ending if last else "")
    raw = text.encode()
    expected = oracle(lines)
    assert expected == oracle(text.split(ending))  # the whole file parses as its lines do
    runs = fed(tmp_path / "f.nt", raw, data.draw(st.lists(st.integers(0, 400), max_size=6)))
    if not runs.finish():
        assert irregular  # only the irregular lines or a CR make the scan give up
        return
    assert {node.value for node in runs} == set(expected)
    typed = oracle_datatypes(lines)
    found = runs.datatypes()
    assert typed <= found  # the scan never misses a datatype the parser reads
    if '"^^' not in text:
        assert found == typed
    for iri, numbers in expected.items():
        assert ox.NamedNode(iri) in runs
        spans = runs.spans(iri)
        assert spans[0][0] == numbers[0]
        covered = []
        for first, start, end in spans:
            covered += range(first, first + raw[start:end].count(b"\n") + 1)
            assert raw[start:end].startswith(f"<{iri}>".encode())
        assert covered == numbers  # every line about the subject, each once, in order
    assert ox.NamedNode("http://x/none") not in runs


def test_a_plain_file_is_scanned_and_an_irregular_one_is_not(tmp_path: Path) -> None:
    plain = b"<http://x/a> <http://x/p> <http://x/o> .\n# c\n\n_:b <http://x/p> _:c .\n"
    path = tmp_path / "f.nt"
    path.write_bytes(plain)
    runs = SubjectRuns.scan(path)
    assert runs is not None and [n.value for n in runs] == ["http://x/a"]
    for bad in (
        b"\r\n",
        b" <http://x/b> <http://x/p> <http://x/o> .\n",
        b"<http://x/\\u0062> <http://x/p> <http://x/o> .\n",
    ):
        path.write_bytes(plain + bad)
        assert SubjectRuns.scan(path) is None, bad


@pytest.mark.parametrize(
    "text",
    [
        "<http://x/a> <http://x/p> <http://x/o> .\n<http://x/b> <http://x/p> <http://x/o> .\n",
        "<http://x/a> <http://x/p> <http://x/o> .\r\n<http://x/b> <http://x/p> <http://x/o> .\r\n",
        "  <http://x/a> <http://x/p> <http://x/o> .\n"
        "<http://x/\\u0062> <http://x/p> <http://x/o> .\n",
    ],
    ids=["plain", "crlf", "indented-escaped"],
)
def test_files_of_after_the_scanned_load_is_the_full_loads(tmp_path: Path, text: str) -> None:
    path = tmp_path / "f.nt"
    path.write_text(text, encoding="utf-8")
    fast = load_graph([path], queries_only=True, ontology=False, data=False)
    full = load_graph([path], ontology=False, data=False)
    scanned = isinstance(fast.file_subjects[path], SubjectRuns)
    assert scanned == (text.startswith("<") and "\r" not in text)
    for iri in ("http://x/a", "http://x/b", "http://x/none"):
        assert fast.files_of(iri) == full.files_of(iri)
    assert set(fast.file_subjects[path]) == {
        s for s in full.file_subjects[path] if isinstance(s, ox.NamedNode)
    }


def test_the_piped_load_is_the_file_object_load(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "f.nt"
    path.write_text(
        "".join(f'<http://x/s{i}> <http://x/p> "v{i}" .\n' for i in range(3000)), encoding="utf-8"
    )
    assert load._pipe() is not None  # this machine has /dev/fd: the pipe is the one taken
    piped = load_graph([path], queries_only=True, ontology=False, data=False)
    monkeypatch.setattr(load, "_pipe", lambda: None)
    direct = load_graph([path], queries_only=True, ontology=False, data=False)
    assert set(piped.store) == set(direct.store) and len(piped.store) == 3000
    assert set(piped.file_subjects[path]) == set(direct.file_subjects[path])


@pytest.mark.parametrize("pipe", [True, False])
def test_a_syntax_error_says_where_through_the_pipe(tmp_path: Path, monkeypatch, pipe) -> None:
    if not pipe:
        monkeypatch.setattr(load, "_pipe", lambda: None)
    bad = tmp_path / "bad.nt"
    good = "".join(f"<http://x/s{i}> <http://x/p> <http://x/o> .\n" for i in range(50000))
    bad.write_text(good + "<http://x/a> <http://x/p> .\n" + good, encoding="utf-8")
    with pytest.raises(InputSyntaxError) as info:
        load_graph([bad], queries_only=True, ontology=False, data=False)
    assert str(info.value).startswith(f"{bad}:50001:")


def test_a_read_failure_is_said_before_the_parsers_view_of_a_cut_input(
    tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "f.nt"
    path.write_text("<http://x/a> <http://x/p> <http://x/o> .\n" * 100000, encoding="utf-8")
    real = load._FileReader.readinto
    calls = [0]

    def failing(self, buffer):  # the file "grows past the limit" after the first MiB
        calls[0] += 1
        if calls[0] > 1:
            raise BadInput(f"{path}: more than the 1 bytes govkg reads")
        return real(self, buffer)

    monkeypatch.setattr(load._FileReader, "readinto", failing)
    with pytest.raises(BadInput, match="more than the"):
        load_graph([path], queries_only=True, ontology=False, data=False)
