"""How a long command tells what it is doing: one protocol for every command.

A :class:`Reporter` hears three things: a step (``reporter("merging 15 files …")``), how
far a long step has got (``reporter.share(done, total, unit)``), and that one input of a
step is done (``reporter.item(path)``). ``kg.cli`` draws them on stderr (a bar on a
terminal, a line per step otherwise); the library's default, :data:`SILENT`, says
nothing. Every function of :mod:`kg.api` that takes time takes ``reporter=``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable


@runtime_checkable
class Reporter(Protocol):
    def __call__(self, message: str) -> None:
        """A step: one line saying what the command does now."""

    def share(self, done: int, total: int, unit: str = "") -> None:
        """How far the current step has got (``done`` of ``total`` ``unit``)."""

    def item(self, path: Path | str) -> None:
        """One more input of the current step is done (a file mapped, a page written)."""


class Silent:
    """A reporter that says nothing (the library's default)."""

    def __call__(self, message: str) -> None:
        pass

    def share(self, done: int, total: int, unit: str = "") -> None:
        pass

    def item(self, path: Path | str) -> None:
        pass


SILENT = Silent()


def reporter_or_silent(reporter: Reporter | None) -> Reporter:
    return SILENT if reporter is None else reporter
