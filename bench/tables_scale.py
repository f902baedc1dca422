"""Reading fact tables at scale: `read_tables` time and peak memory for N entity rows.

Writes the template (as `govkg template` does) with N fictitious entity rows and N claims
rows (typed cells: value, as_of, year), as .xlsx and as CSV, then reads each back in a
fresh process (every cell checked: XML parts, row order, XSD datatypes, CSV protection)
and prints seconds and the child's peak RSS per size. Cost must grow no faster than
linearly: the ratio between sizes is printed. Bounded: the largest default size is 20,000.

    python bench/tables_scale.py [--sizes 5000,10000,20000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import sys, time
from govkg.tables.read import read_tables
t = time.perf_counter()
tables = read_tables(sys.argv[1])
n = sum(len(rows) for rows in tables.sheets.values())
print(n, time.perf_counter() - t)
"""


def make(folder: Path, n: int) -> tuple[Path, Path]:
    from govkg.tables.read import Row, Tables
    from govkg.tables.template import write_template

    tables = Tables("bench")
    tables.sheets["entities"] = [
        Row("entities", i + 2, {
            "id": f"org/cn-qh-bench-{i}-bureau", "class": "gk:DataManagementBody",
            "jurisdiction": "cn-qh", "name_zh": f"测试机构{i}",
            "label_en": f"=Bench body {i} (fictitious)", "comment_en": "'a note",
        })
        for i in range(n)
    ]  # fmt: skip
    tables.sheets["claims"] = [
        Row("claims", i + 2, {
            "id": f"bench-{i}", "topic_zh": "测试", "topic_en": "test", "value": f"{i}.25",
            "unit": "province", "stated_text": str(i), "stated_text_en": str(i),
            "source": "source/bench", "quote": f"共{i}个", "as_of": "2024-02-29",
            "year": "2024", "total": "true", "stated_by": "source/bench",
        })
        for i in range(n)
    ]  # fmt: skip
    book, csvs = folder / f"t{n}.xlsx", folder / f"t{n}"
    write_template(book, {}, "en", tables)
    write_template(csvs, {}, "en", tables)
    return book, csvs


def measure(path: Path) -> tuple[int, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=600
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rows, seconds = out.stdout.split()
    return int(rows), float(seconds), max(peak, before) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="5000,10000,20000")
    sizes = [int(s) for s in ap.parse_args().sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="govkg-bench-tables-") as tmp:
        last: dict[str, float] = {}
        for n in sizes:
            t = time.perf_counter()
            book, csvs = make(Path(tmp), n)
            made = time.perf_counter() - t
            for kind, path in (("xlsx", book), ("csv", csvs)):
                rows, seconds, rss = measure(path)
                ratio = f" x{seconds / last[kind]:.2f}" if kind in last else ""
                last[kind] = seconds
                print(f"{kind:4} {n:>7} rows/sheet: {rows} rows read in {seconds:6.2f} s"
                      f"{ratio}, peak RSS (largest child so far) {rss:.0f} MiB"
                      f" (template written in {made:.1f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
