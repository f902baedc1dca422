"""Where a store gives other rows than the embedded engine on the canned queries (known cases).

Read from queries/stores.toml, the one place they are written: the remote-store tests hold
each as a strict expected failure, the README's table is generated from it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from govkg import resources


@dataclass(frozen=True)
class Difference:
    """One cause, and the canned queries (and languages) it touches on one store."""

    store: str
    """The store and its version, as the file names it."""
    queries: tuple[str, ...]
    """Query names; `name@lang` where only that label language differs."""
    kind: str
    """`bug` (the store breaks SPARQL 1.1) or `portability` (the query's to change)."""
    does: str
    errors: bool = False
    minimal: str | None = None
    hangs: bool = False
    """The store does not answer, and answers nothing else after it: the tests do not send it."""

    def touches(self, name: str, lang: str) -> bool:
        return name in self.queries or f"{name}@{lang}" in self.queries

    @property
    def reason(self) -> str:
        """The sentence an expected failure gives."""
        head = {"bug": f"{self.store} bug", "portability": "query portability, not a store bug"}
        tail = f" (minimal case: {self.minimal})" if self.minimal else ""
        return f"{head[self.kind]}: {self.does}{tail}"


@dataclass(frozen=True)
class MinimalCase:
    store: str
    name: str
    query: str
    does: str

    @property
    def reason(self) -> str:
        return f"{self.store} bug: {self.does}"


@cache
def _table() -> dict:
    with (resources.queries_dir() / "stores.toml").open("rb") as f:
        return tomllib.load(f)


def differences(store: str) -> list[Difference]:
    """The known causes on this store, in the file's order."""
    table = _table().get(store, {})
    return [
        Difference(
            table.get("name", store),
            tuple(d["queries"]),
            d["kind"],
            d["does"],
            d.get("errors", False),
            d.get("minimal"),
            d.get("hangs", False),
        )
        for d in table.get("differs", [])
    ]


def minimal_cases(store: str) -> list[MinimalCase]:
    table = _table().get(store, {})
    label = table.get("name", store)
    return [
        MinimalCase(label, name, c["query"].strip(), c["does"])
        for name, c in table.get("minimal", {}).items()
    ]


def difference(store: str, name: str, lang: str) -> Difference | None:
    """The known cause that makes this query differ on this store, if there is one."""
    return next((d for d in differences(store) if d.touches(name, lang)), None)
