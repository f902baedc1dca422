"""SHACL validation, along the data flow: shapes -> engine -> report -> location -> format.

- `shapes`: the shapes graph and shape IDs;
- `engines`: the engine interface (`ShaclEngine`), pySHACL (the reference) and
  `compare_reports`; `compile` and `oxigraph`: the SPARQL engine on pyoxigraph;
- `report`: the report model read from any engine's `sh:ValidationReport`;
- `locate`: file and line of each result, from an index built once per file;
- `formats`: text, Turtle, JSON, CSV; `run`: `validate()` tying it together.
"""

from govkg.shacl.engines import (
    DEFAULT_ENGINE,
    INFERENCE,
    PyShaclEngine,
    ShaclEngine,
    compare_reports,
)
from govkg.shacl.formats import ROW_FIELDS, render, summary, to_csv, to_json, to_text, to_turtle
from govkg.shacl.locate import first_line
from govkg.shacl.report import (
    SEVERITIES,
    ValidationReport,
    ValidationResult,
    read_results,
    result_keys,
)
from govkg.shacl.run import validate, validate_graph
from govkg.shacl.shapes import load_shapes, shape_files, shape_id, shape_ids

__all__ = [
    "DEFAULT_ENGINE",
    "INFERENCE",
    "ROW_FIELDS",
    "SEVERITIES",
    "PyShaclEngine",
    "ShaclEngine",
    "ValidationReport",
    "ValidationResult",
    "compare_reports",
    "first_line",
    "load_shapes",
    "read_results",
    "render",
    "result_keys",
    "shape_files",
    "shape_id",
    "shape_ids",
    "summary",
    "to_csv",
    "to_json",
    "to_text",
    "to_turtle",
    "validate",
    "validate_graph",
]
