"""The reference tables: a committee's parent is one attachment département, always the
same whatever the order of the zoning file's rows."""

from __future__ import annotations

import shutil
from pathlib import Path

from socle.config import BUNDLED_REFERENCE_DIR
from socle.reference import load_reference
from socle.warehouse import connect


def _parents(reference_dir: Path, tmp_path: Path) -> dict[str, str]:
    con = connect(tmp_path / "socle.duckdb")
    load_reference(con, reference_dir)
    rows = con.cursor().execute(
        "SELECT territory_code, parent_code FROM ref.territories WHERE level = 'BASSIN'"
    ).fetchall()
    con.close()
    return dict(rows)


def test_a_committee_spanning_departements_has_the_one_its_code_names(tmp_path):
    """CLPE29002 (Centre-Ouest Bretagne) holds communes of 22, 29 and 56 in the shipped
    zoning: its parent is 29, named by its code; 361 committees, one parent each."""
    parents = _parents(BUNDLED_REFERENCE_DIR, tmp_path)
    assert parents["CLPE29002"] == "29"
    assert len(parents) == 361


def test_otherwise_the_departement_with_most_communes(tmp_path):
    """A zoning of three committees, rows shuffled: X1 (code naming no département) has
    2 communes in 2A and 1 in 2B -> 2A; X2 one in 01 and one in 02 -> 01 (tie: smallest
    code); CLPE2B01 has 1 in 2A, 1 in 2B -> 2B, named by its code."""
    ref = tmp_path / "reference"
    shutil.copytree(BUNDLED_REFERENCE_DIR, ref, ignore=shutil.ignore_patterns("bassins_*"))
    (ref / "bassins_2025.csv").write_text(
        "commune_code,bassin_code,bassin_name,departement_code\n"
        "2B033,X1,x,2B\n02001,X2,y,02\n2A004,X1,x,2A\n2A041,CLPE2B01,z,2A\n"
        "01001,X2,y,01\n2B002,CLPE2B01,z,2B\n2A006,X1,x,2A\n",
        encoding="utf-8")
    assert _parents(ref, tmp_path) == {"X1": "2A", "X2": "01", "CLPE2B01": "2B"}
