"""Reading input files: decoding with errors that name file and line."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .model import Document

#: Suffixes a folder is searched for.
INPUT_SUFFIXES = (".txt", ".tsv", ".md")


class InputError(Exception):
    """An input cannot be used at all. ``str()`` names the file (and line)."""

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path, self.line, self.message = str(path), line, message
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")


def expand(paths: list[Path]) -> list[Path]:
    """Files named directly, and the input files in named folders (sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in INPUT_SUFFIXES))
        else:
            out.append(p)
    return out


def read_document(path: Path) -> Document:
    """Read and decode one file: UTF-8 (BOM allowed), else CP932 (Shift_JIS) with
    Japanese text; anything else is an :class:`InputError` naming the bad line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from exc
    if not data.strip():
        raise InputError(path, "file is empty")
    if b"\x00" in data[:4096]:
        raise InputError(path, "binary file (NUL bytes), not a text extract", line=data[:4096].count(b"\n", 0, data.index(b"\x00")) + 1)
    sha = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp932")
            encoding = "cp932"
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError(
                path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}) and not Shift_JIS either", line
            ) from exc
        if not any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text[:2000]):
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError(path, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", line)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(path=path, text=text, sha256=sha, encoding=encoding)
