"""Locating in N-Triples / N-Quads: the run-per-subject scan gives the general scan's lines."""

from __future__ import annotations

from pathlib import Path

from govkg.shacl.locate import LineIndex
from govkg.subject_runs import SubjectRuns

P = "http://x/p"
Q = "http://x/q"
NT = (
    "# a comment line\n"
    '<http://x/a> <http://x/p> "1" .\n'
    "<http://x/a> <http://x/q> <http://x/b> .\n"
    "\n"
    "<http://x/b> <http://x/p> <http://x/a> .\n"
    '<http://x/ab> <http://x/q> "no" .\n'
    "_:n <http://x/p> <http://x/c> .\n"
    '<http://x/a> <http://x/r> "again" .\n'
    '<http://x/c> <http://x/r> "x" .\n'
    '<http://x/c> <http://x/r> "y" .\n'
    '<http://x/c> <http://x/q> "z" .\n'
)
WANTED = {"http://x/a": {Q}, "http://x/c": {Q, P}, "http://x/ab": set(), "http://x/none": set()}


def _lines(tmp_path: Path, name: str, text: str, newline: str = "\n") -> tuple[dict, dict]:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode())
    return LineIndex(path).lines({k: set(v) for k, v in WANTED.items()})


def test_line_file_lines(tmp_path: Path) -> None:
    subjects, props = _lines(tmp_path, "f.nt", NT)
    assert subjects == {"http://x/a": 2, "http://x/c": 9, "http://x/ab": 6}
    assert props == {("http://x/a", Q): 3, ("http://x/c", Q): 11}


def test_line_file_scan_agrees_with_the_general_scan(tmp_path: Path) -> None:
    fast = _lines(tmp_path, "f.nt", NT)
    assert fast == _lines(tmp_path, "f.ttl", NT)  # the statement-by-statement scan
    assert fast == _lines(tmp_path, "g.nq", NT.replace(" .\n", " <http://x/g> .\n"))
    assert fast == _lines(tmp_path, "crlf.nt", NT, "\r\n")  # CR LF: the general scan counts


def test_line_file_scan_is_the_one_taken(tmp_path: Path) -> None:
    path = tmp_path / "f.nt"
    path.write_text(NT, encoding="utf-8")
    subjects: dict = {}
    props: dict = {}
    runs = SubjectRuns.scan(path)
    assert runs is not None
    assert LineIndex(path)._from_runs(runs, WANTED, subjects, props) is True
    assert (subjects, props) == _lines(tmp_path, "f.ttl", NT)
    path.write_bytes(NT.replace("\n", "\r\n").encode())
    assert SubjectRuns.scan(path) is None


def test_blocks_split_anywhere_give_the_same_lines(tmp_path: Path, monkeypatch) -> None:
    from govkg import subject_runs

    whole = _lines(tmp_path, "f.nt", NT)
    for size in (7, 40, 64):  # cuts inside lines and inside a subject's run of lines
        monkeypatch.setattr(subject_runs, "BLOCK_BYTES", size)
        assert _lines(tmp_path, "f.nt", NT) == whole
