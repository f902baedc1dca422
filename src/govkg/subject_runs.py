"""Where each subject's statements are in an N-Triples file, from one scan of its bytes.

In N-Triples every statement is one line and starts with its subject, so the runs of lines
about one subject are found by a regular expression over the bytes (one match per run, the
lines counted in C), without parsing. One scan gives both what `KnowledgeGraph.files_of`
asks (is this IRI a subject of this file?) and what locating a result needs (the first line
of the subject, and where each of its runs is, to tokenise only those). The load feeds the
scan the very bytes it hands the parser (so the index is of what was parsed, read once),
and locating then reads only the runs of the results' subjects. The same scan collects the
literals' datatypes (a superset), for the datatypes the store retypes (`govkg.retyped`).

The scan answers only for files whose every line it can read as a parser would: a line that
starts with anything but an IRI, a blank node, a comment or its own end (leading white
space, a byte order mark), a carriage return anywhere, or a subject IRI written with a
`\\u` escape, and `scan` gives None: the caller parses the file instead.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from govkg.retyped import datatypes_written, decoded

SUBJECT_RUN = re.compile(rb"^(<[^<>\"\s]*>)[^\n]*(?:\n\1[^\n]*)*", re.MULTILINE)
"""A run of lines starting with the same IRI: one match per subject's run, not per line."""
_LINE_STARTS = b"<_#\n"
"""How a line the scan reads as the parser does starts: an IRI, a blank node, a comment, or
nothing (see the module's docstring)."""
_IRREGULAR = re.compile(rb"\n[^<_#\n]")
"""A line starting otherwise (a literal first byte: ten times faster than `^` MULTILINE)."""
BLOCK_BYTES = 8 << 20
"""`scan` reads the file a few MiB at a time (never the whole file at once)."""


class SubjectRuns:
    """The runs of lines of each named subject of one N-Triples (or N-Quads) file.

    Kept in flat arrays (a run's first line, byte span, and the subject's previous run), so
    a million-triple file's index is a few MiB besides the dictionary of its subjects.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.regular = True
        """False once a line is seen the scan cannot read as the parser does."""
        self._last: dict[bytes, int] = {}
        """`<iri>` as written -> its last run (runs of a subject are chained backwards)."""
        self._line = array("q")
        self._start = array("q")
        self._end = array("q")
        self._previous = array("q")
        self._number = 1
        self._base = 0
        self._rest = b""
        self._datatypes: set[bytes] = set()

    @classmethod
    def scan(cls, path: Path) -> SubjectRuns | None:
        """The file's runs, or None where it is not plain LF-ended N-Triples text."""
        runs = cls(path)
        with path.open("rb") as f:
            while runs.regular and (chunk := f.read(BLOCK_BYTES)):
                runs.feed(chunk)
        return runs if runs.finish() else None

    def feed(self, data: bytes) -> None:
        """The next bytes of the file, as the parser reads them."""
        if not self.regular:
            return
        data = self._rest + data
        cut = data.rfind(b"\n") + 1
        self._rest = data[cut:]
        if cut:
            self._block(data[:cut])

    def finish(self) -> bool:
        """After the last bytes: whether the runs are the file's (see `regular`)."""
        if self.regular and self._rest:
            self._block(self._rest)
            self._rest = b""
        return self.regular

    def _block(self, block: bytes) -> None:
        """The runs of one block of whole lines."""
        if b"\r" in block or block[0] not in _LINE_STARTS or _IRREGULAR.search(block):
            self.regular = False
            return
        last = self._last
        line, start, end, previous = self._line, self._start, self._end, self._previous
        number, base, at = self._number, self._base, 0
        for m in SUBJECT_RUN.finditer(block):
            here = m.start()
            number += block.count(b"\n", at, here)
            at = here
            key = m.group(1)
            before = last.get(key, -1)
            if before < 0 and b"\\" in key:  # an escaped IRI: not the bytes of its value
                self.regular = False
                return
            last[key] = len(line)
            line.append(number)
            start.append(base + here)
            end.append(base + m.end())
            previous.append(before)
        self._number = number + block.count(b"\n", at)
        self._base = base + len(block)
        self._datatypes |= datatypes_written(block)

    def datatypes(self) -> set[str]:
        """The literals' datatype IRIs (a superset: see `retyped.DATATYPE_MARK`)."""
        return {decoded(written) for written in self._datatypes}

    def __contains__(self, node: Any) -> bool:
        return type(node) is ox.NamedNode and f"<{node.value}>".encode() in self._last

    def __iter__(self) -> Iterator[ox.NamedNode]:
        for key in self._last:
            yield ox.NamedNode(key[1:-1].decode())

    def __len__(self) -> int:
        return len(self._last)

    def spans(self, iri: str) -> list[tuple[int, int, int]]:
        """(first line, start byte, end byte) of each run of the subject, in file order."""
        i = self._last.get(f"<{iri}>".encode(), -1)
        out = []
        while i >= 0:
            out.append((self._line[i], self._start[i], self._end[i]))
            i = self._previous[i]
        out.reverse()
        return out
