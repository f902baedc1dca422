"""The authoring scripts' Turtle writer now lives in the package (the importer uses it too)."""

from govkg.tables.turtle import B, I, L, Section, render, used_prefixes, write

__all__ = ["B", "I", "L", "Section", "render", "used_prefixes", "write"]
