"""The wheel works anywhere: built from this checkout, installed in a fresh venv, it runs the
README's first command (build, validate, query) from an unrelated folder, and the Python API.

Slow (a fresh venv installs the dependencies from the package index): about a minute.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp / "dist")],
                           capture_output=True, text=True)
    if built.returncode != 0:
        pytest.fail(f"pip wheel failed:\n{built.stderr[-3000:]}")
    wheel = next((tmp / "dist").glob("jp_spending_kg-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True)
    pip = subprocess.run([str(tmp / "venv" / "bin" / "pip"), "install", "-q", str(wheel)], capture_output=True, text=True)
    if pip.returncode != 0:
        pytest.fail(f"installing the wheel failed:\n{pip.stderr[-3000:]}")
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return tmp / "venv" / "bin", elsewhere


def test_readme_first_command_from_an_unrelated_folder(installed):
    bin_dir, elsewhere = installed
    kg = str(bin_dir / "kg")
    run = subprocess.run(f"{kg} build -o graph.nt && {kg} validate graph.nt && {kg} query firms-in-several-projects",
                         shell=True, cwd=elsewhere, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "5 documents (0 failed)" in run.stderr
    assert "0 violations, 1 warning in graph.nt" in run.stdout
    assert "7010601022674    NECソリューションイノベータ株式会社" in run.stdout
    assert (elsewhere / "graph.nt").stat().st_size > 100_000


def test_python_api_from_the_wheel(installed):
    bin_dir, elsewhere = installed
    code = ("import kg; g = kg.build(); r = kg.validate(g); rows = kg.query(g, 'firms-in-several-projects', topic='AI');"
            "print(kg.__file__); print(r.conforms, len(r.findings), sorted({x['corporateNumber'] for x in rows}))")
    run = subprocess.run([str(bin_dir / "python"), "-c", code], cwd=elsewhere, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    where, answer = run.stdout.splitlines()
    assert "site-packages" in where and str(ROOT) not in where
    assert answer == "True 1 ['6010001030403', '7010601022674']"
