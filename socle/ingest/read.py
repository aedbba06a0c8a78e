"""Read a delivered file as all-text columns, whatever its format, encoding and separator.

Everything is read as text so quarantine keeps rows as delivered; typing is `parse.py`'s job.
CSV is read in line-aligned byte chunks (transcoded to UTF-8 where needed) so a national file
never has to fit in memory at once.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import queue
import threading
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from socle.ingest.errors import Rejected

# 16 MB: below glibc's largest mmap threshold, so the chunk-sized buffers of the read loop
# are reused from the heap instead of being mapped and faulted in afresh (64 MB chunks spent
# about as much time in the kernel as in decoding).
CHUNK_BYTES = 16 << 20
PARQUET_BATCH_ROWS = 1_000_000
_BOM = b"\xef\xbb\xbf"
# Every byte but 0x80–0x9F, the only bytes Windows-1252 reads differently from Latin-1.
_NOT_C1 = bytes(range(0x80)) + bytes(range(0xA0, 0x100))
_PROBE = 1 << 16


def normalise_header(name: str) -> str:
    """Column names match case-insensitively after trimming (CONTRACT §1)."""
    return name.replace("\ufeff", "").strip().strip('"').strip().lower()


def decode(data: bytes) -> tuple[bytes, str]:
    """UTF-8 bytes of `data` and the encoding it was found in.

    Strict UTF-8 first; otherwise Windows-1252 (what French office software writes: ’ œ €),
    and Latin-1 only when a byte is undefined in Windows-1252 (0x81, 0x8D, 0x8F, 0x90, 0x9D).
    """
    if data.isascii():
        return data, "ascii"
    if _is_utf8(data):
        return data, "utf-8"
    if not data[:_PROBE].translate(None, _NOT_C1) and not data.translate(None, _NOT_C1):
        # No byte in 0x80–0x9F (the probe spares the whole scan when one comes early):
        # Windows-1252 and Latin-1 then agree on every byte, and Latin-1 decodes faster.
        return data.decode("latin-1").encode("utf-8"), "cp1252"
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1").encode("utf-8"), "latin-1"


def _is_utf8(data: bytes) -> bool:
    """Whether `data` is valid UTF-8. A bad sequence in the first 64 KB answers at once (a
    Windows-1252 file nearly always has one there); otherwise the whole of it is decoded."""
    if len(data) > _PROBE:
        try:  # final=False: a character cut at the probe's end is not an error
            codecs.utf_8_decode(data[:_PROBE], "strict", False)
        except UnicodeDecodeError:
            return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff_separator(header: str) -> str:
    """`;` or `,`, whichever splits the header into more fields (outside quotes)."""
    outside = "".join(part for i, part in enumerate(header.split('"')) if i % 2 == 0)
    return ";" if outside.count(";") >= outside.count(",") else ","


@dataclass
class TextFile:
    """One delivered file, opened: its header is known, its rows come in text chunks."""

    path: Path
    columns: list[str]  # normalised names, in file order
    original_columns: list[str]
    format: str  # csv | csv.gz | parquet
    separator: str | None = None
    encodings: set[str] = field(default_factory=set)
    # data lines (1 = first data row) read by the fallback parser with a `"` inside a value
    quote_lines: list[int] = field(default_factory=list)

    def chunks(self) -> Iterator[pl.DataFrame]:
        """All-text frames (normalised column names), in file order."""
        if self.format == "parquet":
            yield from _parquet_chunks(self)
        else:
            yield from _csv_chunks(self)


def prefetched(items: Iterator[pl.DataFrame], depth: int = 2) -> Iterator[pl.DataFrame]:
    """`items`, produced ahead by a background thread, at most `depth` of them waiting.

    Reading a CSV chunk is mostly Python decoding (which holds the interpreter lock) while
    validating one is mostly polars (which releases it): the two overlap on two cores. An
    exception of the producer is raised here, in order; leaving the loop early stops it.
    """
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((True, item)):
                    return
            put((False, None))
        except BaseException as e:  # handed to the consumer, raised there
            put((False, e))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="socle-read", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = q.get()
            if not ok:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stop.set()
        thread.join()


def open_file(path: Path) -> TextFile:
    """Open a delivery file and read its header; unreadable or empty files are rejected."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        return _open_parquet(path)
    fmt = "csv.gz" if name.endswith(".gz") else "csv"
    try:
        with _open_stream(path, fmt) as f:
            head = f.read(1 << 16)
            while b"\n" not in head:
                more = f.read(1 << 16)
                if not more:
                    break
                head += more
    except (OSError, EOFError, zlib.error) as e:
        raise _read_failure(path.name, e) from e
    if head.startswith(_BOM):
        head = head[len(_BOM):]
    if not head.strip():
        raise Rejected(f"{path.name}: empty file", rule="empty")
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    text, encoding = decode(line)
    header = text.decode("utf-8")
    sep = sniff_separator(header)
    try:
        original = next(csv.reader([header], delimiter=sep))
    except csv.Error as e:  # e.g. a carriage return inside the line: not a CSV header
        raise Rejected(f"{path.name}: unreadable CSV header ({e})", rule="unreadable") from e
    return TextFile(path, [normalise_header(c) for c in original], original, fmt, sep, {encoding})


def _read_failure(name: str, e: BaseException) -> Rejected:
    """A file that cannot be read, as a rejection. The file system's refusals (no permission,
    a file removed meanwhile) come from the environment, not the delivery: not remembered."""
    return Rejected(f"{name}: unreadable ({_gzip_error(e)})", rule="unreadable",
                    environment=_environmental(e))


def _environmental(e: BaseException) -> bool:
    return isinstance(e, PermissionError | FileNotFoundError | IsADirectoryError)


def _gzip_error(e: BaseException) -> str:
    if isinstance(e, EOFError):
        return "truncated gzip: the compressed stream ends early"
    if isinstance(e, gzip.BadGzipFile | zlib.error):
        return f"corrupt gzip: {e}"
    return str(e)


def _open_stream(path: Path, fmt: str):
    return gzip.open(path, "rb") if fmt == "csv.gz" else open(path, "rb")


def _cut(buf: bytes) -> int:
    """Where to end a chunk: after the last newline that is not inside a quoted field."""
    cut = buf.rfind(b"\n")
    pos = cut
    while pos > 0 and buf.count(b'"', 0, pos) % 2:
        pos = buf.rfind(b"\n", 0, pos)
    return pos if pos > 0 else cut


def _csv_chunks(tf: TextFile) -> Iterator[pl.DataFrame]:
    try:
        with _open_stream(tf.path, tf.format) as f:
            buf = f.read(CHUNK_BYTES)
            if buf.startswith(_BOM):
                buf = buf[len(_BOM):]
            buf = buf.split(b"\n", 1)[1] if b"\n" in buf else b""
            line = 1  # of the chunk's first row (1 = first data row)
            while True:
                more = f.read(CHUNK_BYTES)
                if not more:
                    if buf.strip():
                        yield _parse_csv(tf, buf, line)
                    return
                buf += more
                cut = _cut(buf)
                if cut < 0:
                    continue
                df = _parse_csv(tf, buf[: cut + 1], line)
                line += df.height
                yield df
                buf = buf[cut + 1:]
    except (OSError, EOFError, zlib.error) as e:
        raise _read_failure(tf.path.name, e) from e


def _parse_csv(tf: TextFile, data: bytes, first_line: int = 1) -> pl.DataFrame:
    """Parse one chunk; when polars cannot (a stray `"`, a line with too many fields), the
    chunk is read again by the `csv` module, row by row (`_parse_rows`)."""
    utf8, encoding = decode(data)
    tf.encodings.add(encoding)
    try:
        return pl.read_csv(
            utf8, has_header=False, new_columns=tf.columns, separator=tf.separator or ";",
            infer_schema=False, quote_char='"', truncate_ragged_lines=False,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as e:
        error = e
    try:
        return _parse_rows(tf, utf8.decode("utf-8"), first_line)
    except csv.Error as e:
        raise Rejected(f"{tf.path.name}: unreadable CSV ({e})", rule="unreadable") from error


# How many physical lines one quoted value may span in the slow path (an embedded newline).
MAX_LINES_PER_VALUE = 50


def _parse_rows(tf: TextFile, text: str, first_line: int) -> pl.DataFrame:
    """The slow path of `_parse_csv`, line by line, reading rows as polars does where it can.

    polars treats a `"` inside an unquoted value as an opening quote and fails on the chunk.
    Here a line whose quotes do not pair up is joined with the next ones only when that
    closes a quoted value into a row of the header's width (a value holding a newline);
    otherwise its quotes are characters, the line is noted (`quote_lines`), and the lines
    after it keep their own outcome. A row with more fields than the header rejects the
    file, naming its line; a shorter one is padded with nulls and an empty line gives a row
    of nulls (as polars reads them).
    """
    width = len(tf.columns)
    sep = tf.separator or ";"
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [x[:-1] if x.endswith("\r") else x for x in lines]
    rows: list[list[str | None]] = []
    i = 0
    while i < len(lines):
        line = first_line + len(rows)
        record, used = _record(lines, i, sep, width)
        if record is None:  # an unpaired quote: a character of its value
            record, used = lines[i].split(sep), 1
            tf.quote_lines.append(line)
        if len(record) > width:
            raise Rejected(f"{tf.path.name}: unreadable CSV: line {line} (1 = first data row) "
                           f"has {len(record)} fields, the header {width}", rule="unreadable")
        rows.append([v if v != "" else None for v in record] + [None] * (width - len(record)))
        i += used
    return pl.DataFrame(rows, schema=dict.fromkeys(tf.columns, pl.Utf8), orient="row")


def _record(lines: list[str], i: int, sep: str, width: int) -> tuple[list[str] | None, int]:
    """The row starting at line `i` and how many lines it takes, or (None, 1) when its
    quotes pair up on no span of lines giving a row of at most the header's width."""
    joined = lines[i]
    for used in range(1, MAX_LINES_PER_VALUE + 1):
        if joined.count('"') % 2 == 0:
            try:
                record = next(csv.reader([joined], delimiter=sep, quotechar='"',
                                         strict=True), [])
            except csv.Error:  # quotes that pair up but open or close no value
                return None, 1
            if used == 1 or len(record) <= width:
                return record, used
            return None, 1
        if i + used >= len(lines):
            break
        joined += "\n" + lines[i + used]
    return None, 1


def _open_parquet(path: Path) -> TextFile:
    import pyarrow.parquet as pq

    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except Exception as e:  # pyarrow raises several types for corrupt files
        raise Rejected(f"{path.name}: unreadable Parquet ({e})", rule="unreadable",
                       environment=_environmental(e)) from e
    return TextFile(path, [normalise_header(c) for c in names], list(names), "parquet")


def _parquet_chunks(tf: TextFile) -> Iterator[pl.DataFrame]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(tf.path)
        for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            df = pl.from_arrow(batch)
            assert isinstance(df, pl.DataFrame)
            yield df.select(_as_text(df.schema)).rename(dict(zip(df.columns, tf.columns,
                                                                  strict=True)))
    except Rejected:
        raise
    except Exception as e:
        raise Rejected(f"{tf.path.name}: unreadable Parquet ({e})", rule="unreadable",
                       environment=_environmental(e)) from e


def _as_text(schema: pl.Schema) -> list[pl.Expr]:
    """Typed Parquet columns → text the parser accepts (ISO dates, true/false)."""
    out = []
    for name, dtype in schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            col = col.dt.date()
        out.append(col.cast(pl.Utf8).alias(name))
    return out


def ascii_fold(name: str) -> str:
    """Accents off, lower case, separators as `_`: for matching close variants of a name."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    out = "".join(ch if ch.isalnum() else "_" for ch in folded)
    return "_".join(p for p in out.split("_") if p)


__all__ = ["TextFile", "open_file", "prefetched", "decode", "sniff_separator", "normalise_header",
           "ascii_fold"]
