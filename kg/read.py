"""Reading input files: decoding with errors that name file and line."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import stat
import re
import zipfile
import zlib
from pathlib import Path

from .model import Document
from .errors import InputError  # raised here; every error class lives in kg/errors.py

#: Suffixes a folder is searched for: text extracts of sheets, review-sheet workbooks, and the
#: RS system's CSVs and zips.
INPUT_SUFFIXES = (".txt", ".tsv", ".md", ".csv", ".json", ".xlsx", ".zip")
#: the digits part of an Excel number format: ``0``, ``0.0``, ``#,##0.00``
_DIGITS_FORMAT = re.compile(r"0(?:\.(0+))?")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


#: a zip member larger than this once inflated, or inflating more than MAX_RATIO times its
#: compressed size past MAX_RATIO_FLOOR bytes, is refused (the real RS members are at most a
#: few hundred MB and inflate about 10 times)
MAX_MEMBER_BYTES = 2 * 1024**3
MAX_RATIO, MAX_RATIO_FLOOR = 200, 64 * 1024**2
#: a single input file larger than this is refused (the largest real input is a 1 GB zip)
MAX_FILE_BYTES = 8 * 1024**3


def expand(paths: list[Path], problems: list[InputError] | None = None) -> list[Path]:
    """Files named directly, and the input files in named folders (sorted). A folder that
    cannot be listed is an :class:`InputError` added to ``problems`` (raised when none is
    given); the rest is still found."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found: list[Path] = []

            def unreadable(exc: OSError, p=p) -> None:
                error = InputError(exc.filename or p, f"cannot read the folder: {exc.strerror or exc}; its files are left out")
                if problems is None:
                    raise error
                problems.append(error)

            for top, dirs, names in os.walk(p, onerror=unreadable):  # symlinked folders are not entered
                dirs.sort()
                found.extend(Path(top) / n for n in names if Path(n).suffix.lower() in INPUT_SUFFIXES)
            out.extend(sorted(f for f in found if f.is_file()))
        else:
            out.append(p)
    return out


def read_documents(path: Path) -> list[Document | InputError]:
    """The documents of one input file: the file itself, or each CSV/text member of a zip
    (as the RS system ships them; a zip member's path is ``file.zip!member``). A member
    that cannot be decoded is returned as its :class:`InputError`, the others still count;
    a file that cannot be read at all raises it."""
    if path.suffix.lower() != ".zip":
        return [read_document(path)]
    try:
        with zipfile.ZipFile(path) as z:
            members = [i for i in z.infolist() if not i.is_dir() and Path(i.filename).suffix.lower() in INPUT_SUFFIXES]
            if not members:
                raise InputError(path, "zip holds no .csv or text file")
            out = []
            for info in sorted(members, key=lambda i: i.filename):
                name = Path(f"{path}!{_member_name(info)}")
                try:
                    data = _inflate(z, info, name)
                    out.append(workbook(name, data) if name.suffix.lower() == ".xlsx" else decode(name, data))
                except InputError as exc:
                    out.append(exc)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:  # this member only
                    out.append(InputError(name, f"corrupt zip member ({exc}); the other members are read"))
            return out
    except zipfile.BadZipFile as exc:
        raise InputError(path, f"not a readable zip file ({exc}); is the download truncated?") from exc
    except (OSError, EOFError, zipfile.LargeZipFile) as exc:
        raise InputError(path, f"cannot read zip: {exc}") from exc


def _inflate(z: zipfile.ZipFile, info: zipfile.ZipInfo, name: Path) -> bytes:
    """A member's bytes, refused past :data:`MAX_MEMBER_BYTES` or :data:`MAX_RATIO` (a zip
    bomb): read in steps, so that a header that lies about the size stops the read too."""
    limit = MAX_MEMBER_BYTES
    if info.file_size > MAX_RATIO_FLOOR:
        limit = min(limit, max(MAX_RATIO_FLOOR, MAX_RATIO * max(info.compress_size, 1)))
    if info.file_size > limit:
        raise InputError(name, f"zip member inflates to {info.file_size:,} bytes from {info.compress_size:,} "
                               f"(limit {limit:,}): refused as a zip bomb; the other members are read")
    chunks, size = [], 0
    with z.open(info) as f:
        while chunk := f.read(1 << 20):
            size += len(chunk)
            if size > max(limit, info.file_size):
                raise InputError(name, f"zip member inflates past {limit:,} bytes, more than its header says: "
                                       "refused; the other members are read")
            chunks.append(chunk)
    return b"".join(chunks)


def _member_name(info: zipfile.ZipInfo) -> str:
    """Member names of Japanese zips made on Windows are CP932 without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("cp932")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def read_document(path: Path) -> Document:
    """Read and decode one file: see :func:`decode` (a workbook: :func:`workbook`). Only
    regular files are read (not a device such as /dev/zero, a FIFO or a socket)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputError(path, "not a regular file (a device, FIFO or socket): not read")
        if info.st_size > MAX_FILE_BYTES:
            raise InputError(path, f"larger than {MAX_FILE_BYTES:,} bytes: not read")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".xlsx":
        return workbook(path, data)
    return decode(path, data)


def workbook(path: Path, data: bytes) -> Document:
    """A review sheet as the ministries publish it, an Excel workbook, as the cell dump the
    excel-cells layout reads: one line per row, cells split by tabs, every worksheet in
    order (line N of the first worksheet is its row N), each cell as Excel shows it (its
    number format: ``1,000``, ``97%``), a merged range's value in its first cell only.
    Read with openpyxl (formulas as their last computed values)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(path, f"not a readable Excel workbook (.xlsx): {exc}") from exc
    lines: list[str] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            cells = [cell_text(c.value, c.number_format) for c in row]
            while cells and cells[-1] == "":
                cells.pop()
            lines.append("\t".join(cells))
    text = "\n".join(lines).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(path, "workbook has no cell with a value")
    return Document(path=path, text=text + "\n", sha256=hashlib.sha256(data).hexdigest(), encoding="xlsx",
                    media_type=XLSX_MEDIA_TYPE)


def cell_text(value, number_format: str = "General") -> str:
    """A cell's value as Excel shows it, for the formats review sheets use: General,
    thousands separators (``#,##0``), decimals (``0.0``), percentages (``0%``, ``0.0%``);
    a date as ``YYYY-MM-DD``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, (int, float)):
        return str(value)
    fmt = (number_format or "General").split(";")[0]
    m = _DIGITS_FORMAT.search(fmt)
    places = len(m.group(1) or "") if m and fmt != "General" else None
    if "%" in fmt:
        value = value * 100
    if places is None:
        text = str(int(value)) if float(value).is_integer() else repr(float(value))
        if "," in fmt and float(value).is_integer():
            text = f"{int(value):,}"
    else:
        text = f"{value:,.{places}f}" if "," in fmt else f"{value:.{places}f}"
    return text + ("%" if "%" in fmt else "")


def _decode_cut(data: bytes, encoding: str, warnings: list) -> str:
    """``data`` decoded; when only its last character is incomplete (the file was cut inside
    it), what comes before, with a warning at the cut's line."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.end < len(data) or exc.start < len(data) - 3 or "end of data" not in exc.reason and "incomplete" not in exc.reason:
            raise
        text = data[: exc.start].decode(encoding)
        warnings.append((text.count("\n") + 1, "the file ends in the middle of a character: it looks cut short"))
        return text


def decode(path: Path, data: bytes) -> Document:
    """Decode one file's bytes: UTF-8 (BOM allowed), else CP932 (Shift_JIS) with
    Japanese text; anything else is an :class:`InputError` naming the bad line."""
    if not data.strip():
        raise InputError(path, "file is empty")
    if b"\x00" in data[:4096]:
        raise InputError(path, "binary file (NUL bytes), not a text extract", line=data[:4096].count(b"\n", 0, data.index(b"\x00")) + 1)
    sha = hashlib.sha256(data).hexdigest()
    warnings: list[tuple[int | None, str]] = []
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = _decode_cut(data[bom:], "utf-8", warnings)
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        at = exc.start + bom
        try:
            text = _decode_cut(data, "cp932", warnings)
            encoding = "cp932"
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, at) + 1
            raise InputError(
                path, f"not UTF-8 text (byte 0x{data[at]:02x} at offset {at}) and not Shift_JIS either", line
            ) from exc
        if not any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text[:2000]):
            line = data.count(b"\n", 0, at) + 1
            raise InputError(path, f"not UTF-8 text (byte 0x{data[at]:02x} at offset {at})", line) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    media_type = {".csv": "text/csv", ".json": "application/json"}.get(path.suffix.lower(), "text/plain")
    if media_type == "text/csv" and not text.endswith("\n") and "\n" in text:
        # every row of a CSV ends with a line end: a last line without one was cut short
        cut = text.count("\n") + 1
        text = text[: text.rindex("\n") + 1]
        if warnings:
            warnings = []
        warnings.append((cut, "the file ends inside this row (no line end): it looks cut short; the row is left out, "
                              "the rows before it are read"))
    return Document(path=path, text=text, sha256=sha, encoding=encoding, media_type=media_type, read_warnings=warnings)
