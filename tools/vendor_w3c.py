"""Copy the W3C test-suite files the conformance tests use into tests/w3c/ (unmodified).

    .venv/bin/python tools/vendor_w3c.py [SOURCE]   # default: ../shared/conformance

SOURCE holds shacl/ (the W3C SHACL test suite) and sparql11/ (SPARQL 1.1 query-evaluation
folders). Only the manifests and the files their entries name are copied (tests/suites.py,
`used_files`, the same walker the tests use), plus each suite's LICENSE.md and upstream
README; tests/w3c/LICENSE.md (the W3C 3-clause BSD License) is kept as it is. What was
copied before and is no longer used is removed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import suites  # noqa: E402

KEPT = ("LICENSE.md", "README.md")  # tests/w3c's own files
UPSTREAM = ("shacl/LICENSE.md", "shacl/README.upstream.md", "sparql11/LICENSE.md")


def main(argv: list[str]) -> int:
    source = Path(argv[0] if argv else ROOT.parent / "shared" / "conformance").resolve()
    if not (source / "shacl" / "manifest.ttl").is_file():
        print(f"vendor_w3c: error: no W3C suites in {source}", file=sys.stderr)
        return 2
    wanted = {p.relative_to(source) for p in suites.used_files(source)}
    wanted |= {Path(p) for p in UPSTREAM if (source / p).is_file()}
    dest = suites.W3C
    for old in sorted(dest.rglob("*"), reverse=True):
        rel = old.relative_to(dest)
        if old.is_file() and rel not in wanted and str(rel) not in KEPT:
            old.unlink()
        elif old.is_dir() and not any(old.iterdir()):
            old.rmdir()
    for rel in sorted(wanted):
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, dest / rel)
    size = sum((dest / rel).stat().st_size for rel in wanted)
    print(f"vendor_w3c: {len(wanted)} files, {size / 1e6:.2f} MB in {dest.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
