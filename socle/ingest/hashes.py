"""A landing file's sha256, read again only when the file may have changed.

Each run (and the landing sensor, every minute) compares every file of the landing folder
with what was loaded, by content: a file copied again unchanged is no new delivery. The
landing folder keeps every month delivered, so hashing it whole each time grew with
history (1.25 GB a year at 600,000 persons). A file whose size, modification time, change
time, device and inode are those recorded with its hash is the same file: its recorded
hash is used, as git does for its index. A file modified in the last seconds is hashed
but not remembered (a write within the clock's resolution could leave its times
unchanged). This assumes a landing folder on a local Linux file system, whose change time
no one can set back and whose clock is the machine's.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import duckdb
import polars as pl

Stamp = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, device, inode
SETTLED_NS = 2_000_000_000
DDL = ("CREATE TABLE IF NOT EXISTS meta.file_hashes (path VARCHAR PRIMARY KEY, "
       "size BIGINT, mtime_ns BIGINT, ctime_ns BIGINT, device UBIGINT, inode UBIGINT, "
       "sha256 VARCHAR)")


def sha256_file(path: Path) -> str:
    """The sha256 of the file's bytes, read by blocks (a national file is gigabytes)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def stamp(path: Path) -> Stamp:
    """What changes when a file is written or replaced."""
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_dev, st.st_ino)


class FileHashes:
    """sha256 of files by path, remembered with their stamp; `save` keeps what was learnt in
    the working database for the next run (`to_save=False`: in memory only)."""

    def __init__(self, known: dict[str, tuple[Stamp, str]] | None = None,
                 to_save: bool = True) -> None:
        self.known: dict[str, tuple[Stamp, str]] = dict(known or {})
        self.learnt: dict[str, tuple[Stamp, str]] = {}
        self.to_save = to_save

    def sha256(self, path: Path) -> str:
        """The file's sha256, read again only when its stamp differs from the one known."""
        key, before = str(path), stamp(path)
        found = self.known.get(key)
        if found is not None and found[0] == before:
            return found[1]
        digest = sha256_file(path)
        # Remembered only if untouched while read and not written in the last seconds.
        if stamp(path) == before and time.time_ns() - max(before[1], before[2]) > SETTLED_NS:
            self.known[key] = (before, digest)
            if self.to_save:
                self.learnt[key] = (before, digest)
        return digest

    @classmethod
    def from_warehouse(cls, con: duckdb.DuckDBPyConnection) -> FileHashes:
        """What earlier runs learnt, from the working database."""
        con.execute(DDL)
        rows = con.execute("SELECT path, size, mtime_ns, ctime_ns, device, inode, sha256 "
                           "FROM meta.file_hashes").fetchall()
        return cls({r[0]: ((r[1], r[2], r[3], r[4], r[5]), r[6]) for r in rows})

    def save(self, con: duckdb.DuckDBPyConnection) -> None:
        """Record the hashes learnt since the last save (one statement, replacing a path's
        older record)."""
        if not self.learnt:
            return
        con.execute(DDL)
        rows = [(p, *s, d) for p, (s, d) in self.learnt.items()]
        learnt = pl.DataFrame(rows, orient="row", schema={
            "path": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64, "ctime_ns": pl.Int64,
            "device": pl.UInt64, "inode": pl.UInt64, "sha256": pl.String})
        con.register("_learnt_hashes", learnt.to_arrow())
        try:
            con.execute("INSERT OR REPLACE INTO meta.file_hashes SELECT * FROM _learnt_hashes")
        finally:
            con.unregister("_learnt_hashes")
        self.learnt = {}
