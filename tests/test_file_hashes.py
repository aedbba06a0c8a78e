"""Landing files are compared by content, but a file unchanged since it was hashed (same
size, modification and change times, inode) is not read again, in this run or the next."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import duckdb
import pytest
from helpers import land, q

from socle.ingest import hashes as hashes_module
from socle.ingest import ingest_landing
from socle.ingest.hashes import FileHashes

# Past the file system clock's resolution (a few ms on a coarse-timestamp kernel): a write
# within it could keep a file's times.
TICK = 0.05


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def reads(monkeypatch) -> list[Path]:
    """Each file actually read for its hash."""
    done: list[Path] = []
    real = hashes_module.sha256_file

    def counted(path: Path) -> str:
        done.append(path)
        return real(path)

    monkeypatch.setattr(hashes_module, "sha256_file", counted)
    return done


def test_an_unchanged_file_is_read_once_and_a_rewritten_one_again(tmp_path, monkeypatch,
                                                                  reads):
    monkeypatch.setattr(hashes_module, "SETTLED_NS", -10**12)  # as if written long ago
    f = tmp_path / "registrations.csv"
    f.write_bytes(b"a;b\n1;2\n")
    known = FileHashes()
    assert known.sha256(f) == known.sha256(f) == sha(b"a;b\n1;2\n")
    assert reads == [f]
    # Same size, modification time put back: the change time still tells.
    before = os.stat(f)
    time.sleep(TICK)
    f.write_bytes(b"a;b\n1;3\n")
    os.utime(f, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert known.sha256(f) == sha(b"a;b\n1;3\n")
    assert reads == [f, f]


def test_a_file_written_in_the_last_seconds_is_read_each_time(tmp_path, reads):
    f = tmp_path / "hires.csv"
    f.write_bytes(b"x\n")
    known = FileHashes()
    assert known.sha256(f) == known.sha256(f) == sha(b"x\n")
    assert reads == [f, f]
    assert known.learnt == {}


def test_what_a_run_learnt_is_kept_for_the_next(tmp_path, monkeypatch, reads):
    monkeypatch.setattr(hashes_module, "SETTLED_NS", -10**12)
    con = duckdb.connect()
    con.execute("CREATE SCHEMA meta")
    f = tmp_path / "pathways.csv"
    f.write_bytes(b"p\n")
    first = FileHashes.from_warehouse(con)
    first.sha256(f)
    first.save(con)
    assert FileHashes.from_warehouse(con).sha256(f) == sha(b"p\n")
    assert reads == [f]  # the next run knew it
    time.sleep(TICK)
    f.write_bytes(b"q\n")
    second = FileHashes.from_warehouse(con)
    assert second.sha256(f) == sha(b"q\n")
    second.save(con)  # the path's record replaced
    second.save(con)  # nothing new learnt: nothing written
    assert FileHashes.from_warehouse(con).sha256(f) == sha(b"q\n")
    assert reads == [f, f]
    assert q(con, "SELECT path, sha256 FROM meta.file_hashes") == [(str(f), sha(b"q\n"))]


def test_a_second_run_reads_no_unchanged_file(warehouse, tmp_path, monkeypatch, reads):
    monkeypatch.setattr(hashes_module, "SETTLED_NS", -10**12)
    root = land(tmp_path)
    first = ingest_landing(warehouse, root, progress=lambda _: None)
    assert {r.status for r in first} == {"accepted"}
    assert len(reads) == 6  # the six files of the five deliveries
    second = ingest_landing(warehouse, root, progress=lambda _: None)
    assert [r.status for r in second] == ["unchanged"] * 5
    assert len(reads) == 6
    # A file replaced by another (new inode) is read, and its delivery loaded again.
    ml = root / "ML/2024-03/registrations.csv"
    text = ml.read_bytes()
    ml.unlink()
    ml.write_bytes(text.replace(b"\n", b"\r\n"))
    third = ingest_landing(warehouse, root, progress=lambda _: None)
    assert [r.status for r in third if r.operator == "ML"] == ["accepted"]
    assert reads[6:] == [ml]
