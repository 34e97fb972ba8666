"""What the build tells about its inputs, for people: each message once, with how often.

A national year repeats the same problem in many rows (an unknown spelling, a cell that
is not read in full). :func:`summarise` prints each (severity, message) once, at its first
file:line, with its count; :func:`write_report` keeps every occurrence (CSV or JSON) for
those who want them all (``kg build --report FILE``). :func:`share_of` is how a long
step says how far it has got.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .files import replacing
from .model import Diagnostic


def share_of(steps: Callable[[str], None] | None) -> Callable[..., None]:
    """``share(done, total, unit)`` of a step reporter (``kg.cli.Steps`` draws it on a
    terminal), or a share that says nothing: a step reporter may be any callable."""
    return getattr(steps, "share", None) or (lambda done, total, unit="": None)


def summarise(diagnostics: list[Diagnostic]) -> list[str]:
    """One line per distinct (severity, message), errors first, in order of first occurrence:
    ``file:line: warning: message (×57)`` where it occurs more than once."""
    counts = Counter((d.severity, d.message) for d in diagnostics)
    first: dict[tuple[str, str], Diagnostic] = {}
    for d in diagnostics:
        first.setdefault((d.severity, d.message), d)
    ordered = sorted(first.items(), key=lambda kv: kv[0][0] != "error")
    return [f"{d}" + (f" (×{counts[key]:,})" if counts[key] > 1 else "") for key, d in ordered]


def write_report(diagnostics: list[Diagnostic], path: Path) -> str:
    """Every diagnostic to ``path``: JSON for ``.json``, else CSV (UTF-8 with a BOM, so that
    Excel reads the Japanese). Returns the format written."""
    rows = [{"file": d.path, "line": d.line, "severity": d.severity, "message": d.message} for d in diagnostics]
    if Path(path).suffix.lower() == ".json":
        data, fmt = json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8") + b"\n", "json"
    else:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=["file", "line", "severity", "message"], lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)
        data, fmt = buf.getvalue().encode("utf-8-sig"), "csv"
    with replacing(Path(path)) as out:
        out.write(data)
    return fmt
