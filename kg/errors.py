"""Every error kg raises, and the exit codes of the command line: one place.

A :class:`KgError` carries the exit status it ends a command with; ``kg.cli.main`` turns
any of them into one line on stderr (``str(error)``, which names the file and line where
there is one) and that status. The library raises the same classes, so a script catches
``kg.errors.KgError`` for anything kg refuses.

The errors that never leave kg (:class:`ValueFormatError`, :class:`RegisterFormatError`,
:class:`UnsupportedShape`) are here too, so that every exception class of the package is
in one file; the mappers turn them into diagnostics with the row's file and line.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """The exit status of every ``kg`` command (what each means: :data:`MEANING`)."""

    OK = 0
    PARTIAL = 1
    UNUSABLE = 2
    INTERRUPTED = 130
    TERMINATED = 143


#: what each exit status says, for people (the docs' table is made from it)
MEANING = {
    ExitCode.OK: "the command did all it was asked (`kg validate`: the graph conforms; warnings allowed)",
    ExitCode.PARTIAL: "done in part: some inputs failed and the rest was built; `kg validate` found violations "
                      "(or warnings with `--strict`); a push or a cleanup failed and the server's graph was left as it was",
    ExitCode.UNUSABLE: "nothing done: a usage error, an option or parameter refused, an unusable input or graph, "
                       "a query that cannot run, nothing built (the previous output is left as it was)",
    ExitCode.INTERRUPTED: "stopped by SIGINT (Ctrl-C): 128 + 2, as a shell reports it",
    ExitCode.TERMINATED: "stopped by SIGTERM: 128 + 15",
}


class KgError(Exception):
    """Anything kg refuses to do; ``exit_code`` is the status the command line ends with."""

    exit_code: ExitCode = ExitCode.UNUSABLE

    def for_people(self) -> str:
        """The line ``kg`` prints on stderr for it."""
        return f"error: {self}"


class UsageError(KgError, ValueError):
    """An option, a parameter or a combination of them is refused (a ValueError too, so that
    callers of the library that caught ValueError still do)."""


class InputError(KgError):
    """An input cannot be used at all. ``str()`` names the file (and line)."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path, self.line, self.message = str(path), line, message
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")

    def for_people(self) -> str:
        """``FILE[:LINE]: message``."""
        return str(self)


class PathError(InputError):
    """A path named on the command line is not what the command needs: an output that is a
    folder, a folder for ``--store`` that holds other files, a folder that is no store.
    Printed ``PATH: error: message``."""

    def for_people(self) -> str:
        return f"{self.path}: error: {self.message}"


class QueryError(KgError):
    """A query cannot be run as asked (unknown name, bad parameter, broken file)."""


class RemoteError(KgError):
    """A remote endpoint refused or could not be reached (after the retries)."""


class PushError(RemoteError):
    """A push or a cleanup failed; ``note`` says what the server holds now."""

    exit_code = ExitCode.PARTIAL

    def __init__(self, message: str, note: str | None = None):
        super().__init__(message)
        self.note = note

    def for_people(self) -> str:
        return f"error: {self}" + (f"\n{self.note}" if self.note else "")


class ExportError(KgError):
    """The export cannot be made as asked (unknown view or file type, nothing to export)."""


class ValueFormatError(KgError, ValueError):
    """A value is present but cannot be read (garbage text, bad number, ...)."""


class RegisterFormatError(KgError, ValueError):
    """A row of a 法人番号 register file cannot be read (reported with its file and line)."""


class UnsupportedShape(KgError):
    """A shape uses a SHACL feature the fast validation engine does not translate."""


class Stopped(BaseException):
    """SIGTERM, raised where the program is (as Python raises KeyboardInterrupt for SIGINT),
    so that every ``finally`` runs: temporary files and folders are removed and the previous
    output stays as it was. A BaseException, so that no ``except Exception`` swallows it."""

    def __init__(self, signum: int = 15):
        super().__init__(signum)
        self.signum = signum


def exit_codes_reference() -> str:
    """The exit codes as a Markdown table (docs/reference/diagnostics.md "Exit codes")."""
    rows = ["| status | name | when |", "| ---: | --- | --- |"]
    rows += [f"| {code.value} | `{code.name}` | {MEANING[code]} |" for code in ExitCode]
    return "\n".join(rows)
