"""Reading an uploaded lead list as rows, without ever holding the whole file in memory.

CSV: the encoding is found by reading the file once in chunks (a byte-order mark; else strict
UTF-8 over the whole file; else charset-normalizer over a sample of the lines with non-ASCII
bytes, and Polish letters decide between Windows-1250 and Windows-1252), the delimiter by
counting `,` `;` and tab outside quotes in the first lines. Rows then stream through `csv.reader`
over a text wrapper. XLSX: openpyxl in read-only mode, first sheet.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from charset_normalizer import from_bytes
from django.utils.translation import gettext_lazy as _

from rapport.core.errors import InvalidInput
from rapport.leads.importing.values import as_text

NOT_A_TABLE = _("This file is not a CSV or XLSX file.")
OLD_EXCEL = _("Old Excel files (.xls) cannot be read: save the sheet as XLSX or CSV and upload that.")
UNREADABLE_XLSX = _("This XLSX file cannot be read; open it in a spreadsheet program and save it again.")
NO_HEADER = _("The first row must name the columns.")
NO_ROWS = _("The file has no rows below the column names.")
EMPTY_FILE = _("The file is empty.")

_CONTROL = re.compile(r"[\x00-\x1f\x7f\ufffd]")
CHUNK = 1 << 20
SAMPLE_LIMIT = 256 * 1024  # bytes of non-ASCII lines handed to charset-normalizer
SNIFF_LINES = 50
DELIMITERS = (",", ";", "\t")
# The few legacy encodings purchased lists come in (besides UTF-8 and UTF-16).
LEGACY_ENCODINGS = ["cp1250", "cp1252", "gb18030", "big5"]
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "cp1250": "Windows-1250",
    "cp1252": "Windows-1252",
    "gb18030": "GB18030",
    "big5": "Big5",
}
DELIMITER_LABELS = {",": ",", ";": ";", "\t": "Tab"}
# Files people upload by mistake that could otherwise pass for text at first sight.
_OTHER_FORMATS = (b"%PDF", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"GIF8", b"\x89PNG", b"\xff\xd8\xff", b"{\\rtf")

# What Polish letters' Windows-1250 bytes look like read as Windows-1252.
_MISREAD_POLISH = frozenset("¹³¿¥£œŒŸ¯")


@dataclass(frozen=True)
class FileFormat:
    """What was detected: `kind` (csv or xlsx), encoding and delimiter (CSV), a row estimate."""

    kind: str
    encoding: str = ""
    delimiter: str = ""
    rows_estimate: int = 0

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self) -> str:
        return DELIMITER_LABELS.get(self.delimiter, self.delimiter)

    def as_params(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows_estimate": self.rows_estimate,
        }


def _refuse(message: Any) -> InvalidInput:
    return InvalidInput({"file": [str(message)]})


# --- what kind of file ------------------------------------------------------------------------------


def _kind(head: bytes) -> str:
    if not head:
        raise _refuse(EMPTY_FILE)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(OLD_EXCEL)
    if head.startswith(_OTHER_FORMATS):
        raise _refuse(NOT_A_TABLE)
    return "csv"


# --- encoding -----------------------------------------------------------------------------------------


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """Mostly-Latin UTF-16 without a BOM has a NUL in every other byte."""
    even, odd = head[0:2000:2], head[1:2000:2]
    if len(odd) < 8:
        return None
    if even.count(0) > len(even) * 0.6 and odd.count(0) < len(odd) * 0.1:
        return "utf-16-be"
    if odd.count(0) > len(odd) * 0.6 and even.count(0) < len(even) * 0.1:
        return "utf-16-le"
    return None


def _scan(handle: IO[bytes]) -> tuple[bool, bytes]:
    """One pass over the file: is it all valid UTF-8, and a sample of its non-ASCII lines."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    valid = True
    sample = bytearray()
    tail = b""
    while chunk := handle.read(CHUNK):
        if valid:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                valid = False
        if len(sample) < SAMPLE_LIMIT:
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            for line in lines:
                if not line.isascii():
                    sample += line + b"\n"
        elif not valid:
            break
    if valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    if tail and not tail.isascii():
        sample += tail
    return valid, bytes(sample[: SAMPLE_LIMIT + CHUNK])


def _letters_score(text: str) -> int:
    """Letters count for, signs stuck to letters (a misread letter) count against."""
    score = 0
    for index, char in enumerate(text):
        if ord(char) < 128:
            continue
        if char.isalpha() and char not in _MISREAD_POLISH:
            score += 1
        elif (index and text[index - 1].isalpha()) or (index + 1 < len(text) and text[index + 1].isalpha()):
            score -= 3
    return score


def _latin_choice(sample: bytes, guess: str) -> str:
    """Windows-1250 or Windows-1252: the reading whose accented characters are letters, not signs.

    Polish letters decide: ą ł ś ź ż (and capitals) read as Windows-1252 become signs (¹ ³ œ Ÿ ¿…).
    When no such letter occurs, both readings are letters (ñ/ń, æ/ć, ê/ę) and Windows-1252 wins.
    """
    readings = {}
    for encoding in ("cp1250", "cp1252"):
        try:
            readings[encoding] = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
    if len(readings) < 2:
        return next(iter(readings), guess)
    scores = {encoding: _letters_score(text) for encoding, text in readings.items()}
    return "cp1250" if scores["cp1250"] > scores["cp1252"] else "cp1252"


def _legacy_encoding(sample: bytes) -> str:
    result = from_bytes(sample, cp_isolation=LEGACY_ENCODINGS).best()
    guess = result.encoding if result is not None else "cp1252"
    if guess in ("cp1250", "cp1252"):
        return _latin_choice(sample, guess)
    return guess


def detect_encoding(handle: IO[bytes]) -> str:
    """The encoding of a CSV file (the handle is read to the end and rewound)."""
    head = handle.read(4096)
    handle.seek(0)
    encoding = _bom_encoding(head) or _utf16_without_bom(head)
    if encoding:
        return encoding
    if head.count(b"\x00") > max(1, len(head) // 100):  # a stray NUL is a broken row; many make a binary file
        raise _refuse(NOT_A_TABLE)
    valid, sample = _scan(handle)
    handle.seek(0)
    return "utf-8" if valid else _legacy_encoding(sample)


# --- delimiter ------------------------------------------------------------------------------------------


def _count_outside_quotes(line: str, mark: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == mark and not quoted:
            count += 1
    return count


def detect_delimiter(lines: list[str]) -> str:
    """The candidate found the same (non-zero) number of times on most of the first lines."""
    best, best_score = ",", (0, 0)
    for mark in DELIMITERS:
        counts = [_count_outside_quotes(line, mark) for line in lines if line.strip()]
        if not counts or not counts[0]:
            continue
        consistent = sum(1 for c in counts if c == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = mark, score
    return best


def _looks_like_text(text: str) -> bool:
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\r\n")
    return controls <= max(1, len(text) // 100)


# --- opening -----------------------------------------------------------------------------------------------


def _text_stream(handle: IO[bytes], encoding: str) -> io.TextIOWrapper:
    # Bytes that are not valid in the detected encoding become U+FFFD: that row fails, not the file.
    return io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")


def _csv_format(handle: IO[bytes], size: int) -> FileFormat:
    encoding = detect_encoding(handle)
    text = _text_stream(handle, encoding)
    try:
        head = text.read(64 * 1024)
    finally:
        text.detach()
    handle.seek(0)
    if not _looks_like_text(head):
        raise _refuse(NOT_A_TABLE)
    lines = head.splitlines()[:SNIFF_LINES]
    delimiter = detect_delimiter(lines)
    complete = lines[:-1] if len(head) == 64 * 1024 and len(lines) > 1 else lines
    per_row = max(1, len("\n".join(complete).encode(encoding.replace("-sig", ""), "replace")) // max(len(complete), 1))
    return FileFormat("csv", encoding, delimiter, max(0, size // per_row - 1))


def _xlsx_rows_estimate(handle: IO[bytes]) -> int:
    with _workbook(handle) as sheet:
        return max(0, (sheet.max_row or 1) - 1)


def detect_format(handle: IO[bytes], size: int) -> FileFormat:
    """Kind, encoding, delimiter and a row estimate; InvalidInput (on `file`) when it is no table."""
    head = handle.read(8)
    handle.seek(0)
    if _kind(head) == "xlsx":
        estimate = _xlsx_rows_estimate(handle)
        handle.seek(0)
        return FileFormat("xlsx", rows_estimate=estimate)
    return _csv_format(handle, size)


@contextmanager
def _workbook(handle: IO[bytes]) -> Iterator[Any]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError) as exc:
        raise _refuse(UNREADABLE_XLSX) from exc
    try:
        sheet = workbook.active if workbook.active is not None else next(iter(workbook.worksheets), None)
        if sheet is None:
            raise _refuse(UNREADABLE_XLSX)
        yield sheet
    finally:
        workbook.close()


# --- rows -------------------------------------------------------------------------------------------------


Row = tuple[int, list[Any]]


def unique_headers(cells: list[Any]) -> list[str]:
    """Column names as written, trimmed; a blank one is "Column 3", a repeated one gets " (2)"."""
    headers: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells, start=1):
        name = " ".join(_CONTROL.sub(" ", as_text(cell)).split()).strip("\ufeff ")[:200]
        name = name or str(_("Column %(number)s") % {"number": index})
        candidate, repeat = name, 2
        while candidate.casefold() in seen:
            candidate, repeat = f"{name} ({repeat})", repeat + 1
        seen.add(candidate.casefold())
        headers.append(candidate)
    return headers


def _csv_rows(text: io.TextIOWrapper, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(text, delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield ["\ufffd"]  # a malformed record (e.g. a huge cell) fails as a row
            continue
        yield cells


@contextmanager
def open_table(handle: IO[bytes], file_format: FileFormat) -> Iterator[tuple[list[str], Iterator[Row]]]:
    """The header and an iterator of (row number, cells) for non-blank rows, streaming."""
    if file_format.kind == "xlsx":
        with _workbook(handle) as sheet:
            yield _numbered(sheet.iter_rows(values_only=True))
        return
    text = _text_stream(handle, file_format.encoding)
    try:
        yield _numbered(_csv_rows(text, file_format.delimiter))
    finally:
        text.detach()


def _numbered(source: Iterator[Any]) -> tuple[list[str], Iterator[Row]]:
    numbered = enumerate(source, start=1)
    for _number, cells in numbered:
        if _filled(cells):
            headers = unique_headers(list(cells))
            break
    else:
        raise _refuse(NO_HEADER)

    def rows() -> Iterator[Row]:
        for number, cells in numbered:
            if _filled(cells):
                yield number, list(cells)

    return headers, rows()


def _filled(cells: Any) -> bool:
    return bool(cells) and any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells)
