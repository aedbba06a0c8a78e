"""`socle validate` checks against the installation's reference, as the pipeline does:
`SOCLE_DATA_DIR/reference` when it has one, else the bundled copy."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from socle.config import BUNDLED_REFERENCE_DIR
from socle.ingest import validate_file

A = hashlib.sha256(b"a").hexdigest()
# A commune created after the bundled COG: unknown to it, known to the installation's copy.
NEW_COMMUNE = "96001"
UNKNOWN_NOTE = "1 rows with a commune code unknown to the reference"


def _registrations(folder: Path) -> Path:
    path = folder / "registrations.csv"
    path.write_text("registration_id;person_id;registration_date;commune_code;sex;birth_year\n"
                    f"R1;{A};2024-03-04;{NEW_COMMUNE};F;1990\n", encoding="utf-8")
    return path


def _notes(path: Path) -> list[str]:
    report = validate_file(path, "registrations", "ML", None)
    assert report.status == "accepted", report.render()
    return report.notes


def test_validate_uses_the_reference_of_the_data_dir(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    reference = tmp_path / "data" / "reference"
    shutil.copytree(BUNDLED_REFERENCE_DIR, reference)
    with (reference / "communes.csv").open("a", encoding="utf-8") as f:
        f.write(f"{NEW_COMMUNE},Nouvelle,Nouvelle,75,11,751,1109,200054781,100,NC\n")
    path = _registrations(tmp_path)
    monkeypatch.setenv("SOCLE_DATA_DIR", str(tmp_path / "data"))
    assert not any(UNKNOWN_NOTE in n for n in _notes(path))
    # Without a reference of its own, the data dir falls back on the bundled copy.
    monkeypatch.setenv("SOCLE_DATA_DIR", str(tmp_path / "elsewhere"))
    assert any(UNKNOWN_NOTE in n for n in _notes(path))
