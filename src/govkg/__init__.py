"""govkg: a linked-data knowledge graph of China's provincial digital-government bodies.

The public Python API is re-exported lazily so `import govkg` stays cheap; heavy
libraries (rdflib, pySHACL, owlready2) load only when a function that needs them runs.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load_graph": ("govkg.load", "load_graph"),
    "KnowledgeGraph": ("govkg.load", "KnowledgeGraph"),
    "run_query": ("govkg.query", "run_query"),
    "validate": ("govkg.shacl", "validate"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'govkg' has no attribute {name!r}")
