"""govkg diff: what a change adds, removes and alters, grouped by entity, with labels."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from govkg import resources
from govkg.cli.main import cli


def copy_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for path in resources.data_files():
        shutil.copy(path, folder / path.name)
    return folder


def test_same_graphs_have_no_differences(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["diff", str(resources.data_dir()), str(copy_data(tmp_path))])
    assert result.exit_code == 0, result.output
    assert result.stdout == "no differences\n"


def test_added_removed_and_altered_by_entity(tmp_path: Path) -> None:
    new = copy_data(tmp_path)
    prov = new / "provinces.ttl"
    text = prov.read_text(encoding="utf-8")
    text = text.replace('"Fujian Big Data Bureau"@en', '"Fujian Big Data Administration"@en')
    text = text.replace("    gk:managedBy <org/cn-fj-development-and-reform-commission> ;\n", "")
    prov.write_text(text + '\n<org/cn-fj-big-data-bureau> <https://w3id.org/govkg/def#rank> '
                    "<concept/rank/full-department-level> .\n", encoding="utf-8")  # fmt: skip
    for lang, label in (("en", "Fujian Big Data Administration"), ("zh", "福建省大数据局")):
        result = CliRunner().invoke(
            cli, ["diff", str(resources.data_dir()), str(new), "--lang", lang]
        )
        assert result.exit_code == 1, result.output
        block = result.stdout.split("gkr:org/cn-fj-big-data-bureau", 1)[1].split("\ngkr:", 1)[0]
        assert label in block.splitlines()[0]
        assert "  - gk:managedBy gkr:org/cn-fj-development-and-reform-commission" in block
        assert "  + gk:rank gkr:concept/rank/full-department-level" in block
        assert '"Fujian Big Data Bureau"@en -> "Fujian Big Data Administration"@en' in block
