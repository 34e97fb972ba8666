"""The synthetic RS year of benchmarks/rs_year.py is in the exact format the mapper reads."""

import importlib.util
from pathlib import Path

from kg.pipeline import build
from kg.iris import KG

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("rs_year", ROOT / "benchmarks" / "rs_year.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_small_synthetic_year_builds_without_errors_and_is_deterministic(tmp_path):
    gen = _generator()
    files, stats = gen.generate(projects=40, seed=7)
    again, _ = gen.generate(projects=40, seed=7)
    assert files == again  # the same arguments, the same rows
    gen.write(tmp_path / "a", files)
    gen.write(tmp_path / "b", again)
    assert [p.read_bytes() for p in sorted((tmp_path / "a").glob("*.zip"))] == \
        [p.read_bytes() for p in sorted((tmp_path / "b").glob("*.zip"))]
    result = build([tmp_path / "a"])
    assert result.documents == 15 and result.failed == []
    assert [d for d in result.diagnostics if d.severity == "error"] == []
    assert result.count(KG.Project) == 40
    # every recipient row with a total is one expenditure (exact duplicates are dropped)
    assert result.count(KG.Expenditure) == stats["recipient rows"] + stats["listed inside その他"]
    assert stats["duplicate rows"] == 3 and stats["empty rows"] == 7  # the real year's shares, scaled
