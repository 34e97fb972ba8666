"""Writing outputs safely: a file or folder takes its real name only once it is whole.

An error (or Ctrl-C) half-way never leaves a truncated graph, export or site under the
real name; the old one stays as it was.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """A binary file beside ``path`` (a name of its own, so concurrent writers never share
    one) that replaces ``path`` when the block ends without an error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("xb") as out:  # the usual permissions, unlike mkstemp's 0600
            yield out
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def replacing_folder(folder: Path) -> Iterator[Path]:
    """An empty folder beside ``folder`` to fill; when the block ends without an error it
    takes ``folder``'s place (the old folder is removed), else it is removed."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    work.chmod(0o777 & ~_umask())  # mkdtemp's 0700 would hide a published site from the web server
    try:
        yield work
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            folder.rename(old)
        work.rename(folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
