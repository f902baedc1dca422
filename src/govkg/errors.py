"""Typed errors and the exit codes they map to, the same for every command.

0 success · 1 the data does not conform or a check found problems · 2 bad input or usage.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 the data does not conform or a check found problems; "
    "2 bad input or usage (unreadable file, parse error, unknown format)."
)


class GovkgError(Exception):
    """An error a user can act on: shown as one line, never as a traceback."""

    exit_code = EXIT_BAD_INPUT


class BadInput(GovkgError):
    """Unreadable, unparsable or unsafe input, or a wrong option: exit 2."""


class InputSyntaxError(BadInput):
    """A file or query that does not parse; says where."""

    def __init__(
        self,
        message: str,
        source: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.source = str(source) if source is not None else None
        self.line = line
        self.column = column
        self.detail = message
        where = self.source or "<input>"
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type, tuple[str, str | None, int | None, int | None]]:
        """Picklable with its parts (errors travel back from query workers)."""
        return type(self), (self.detail, self.source, self.line, self.column)


class MissingDependency(GovkgError):
    """A needed program (e.g. Java for HermiT) is not installed: exit 2."""


class ProblemsFound(GovkgError):
    """A check ran and found problems: exit 1."""

    exit_code = EXIT_PROBLEMS
