"""Adding a breakdown is what the README says: an entry in `sql/indicators/vocabulary.toml`,
the SQL line that yields its column, and its name under an indicator's `breakdowns`; no
Python change. Done here on a copy of `sql/`, in a process that reads that copy."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from helpers import insert, reg

from socle.config import PROJECT_ROOT, SQL_DIR

VOCABULARY_ENTRY = """
[[breakdown]]
name = "birth_decade"
export = "decennie_naissance"
label_fr = "Décennie de naissance"
definition_fr = "décennie de naissance (1970s, 1980s, …)"
source = "registration"
modalities = { "1970s" = "Années 1970", "1980s" = "Années 1980", "1990s" = "Années 1990" }
"""
# The column, computed from the registration (input_reg.sql's SELECT lists one per
# person attribute).
COLUMN_LINE = "    (r.birth_year // 10 * 10)::VARCHAR || 's' AS birth_decade,\n"

# Run against the copy: SQL_DIR is where every module finds the SQL and the vocabulary.
SCRIPT = """
import json, sys
from pathlib import Path
import socle.config
socle.config.SQL_DIR = Path(sys.argv[1])
import duckdb
from socle.export.labels import breakdown_label, modality_label
from socle.indicators import compute_indicators, load_catalog
from socle.indicators.docs import render
con = duckdb.connect(sys.argv[2])
compute_indicators(con, codes=["CAP_REGISTERED"], progress=None)
rows = con.execute(
    "SELECT level, territory_code, breakdown_value, value FROM indicators.indicator_values "
    "WHERE breakdown = 'birth_decade' ORDER BY ALL").fetchall()
print(json.dumps({
    "rows": [[level, code, value, number] for level, code, value, number in rows],
    "label": breakdown_label("birth_decade"),
    "modality": modality_label("decennie_naissance", "1990s"),
    "documented": "`birth_decade` (décennie de naissance" in render(load_catalog()),
}))
"""


def _copy_with_breakdown(target: Path, column: bool = True) -> Path:
    sql = target / "sql"
    shutil.copytree(SQL_DIR, sql)
    vocabulary = sql / "indicators" / "vocabulary.toml"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + VOCABULARY_ENTRY,
                          encoding="utf-8")
    input_reg = sql / "engine" / "input_reg.sql"
    text = input_reg.read_text(encoding="utf-8")
    anchor = "    eng_month_idx(r.registration_date) AS first_idx,\n"
    assert anchor in text
    if column:
        input_reg.write_text(text.replace(anchor, COLUMN_LINE + anchor), encoding="utf-8")
    catalog = sql / "indicators" / "catalog.toml"
    text = catalog.read_text(encoding="utf-8")
    listed = '"seniority", "category"]\nsql_file = "cap_registered.sql"'
    assert listed in text
    catalog.write_text(text.replace(listed, listed.replace(
        '"category"]', '"category", "birth_decade"]')), encoding="utf-8")
    return sql


def test_a_new_person_attribute_is_computed_documented_and_labelled(new_warehouse, tmp_path):
    """End of January 2024: persons born in 1990 (Paris), 1995 (Paris) and 1975 (Bastia),
    all registered. By decade: 1990s = 2, 1970s = 1 in France; 1990s = 2 in Paris's
    département 75, 1970s = 1 in 2B."""
    sql = _copy_with_breakdown(tmp_path)
    con = new_warehouse(tmp_path)
    insert(con, "registrations", "FT", "2024-01", [
        reg("a", 1, "2023-06-01", "75056", birth_year=1990),
        reg("b", 2, "2023-09-01", "75056", birth_year=1995),
        reg("c", 3, "2023-11-20", "2B033", birth_year=1975),
    ])
    con.close()
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(sql), str(tmp_path / "socle.duckdb")],
                          capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    rows = {(level, code, value): number for level, code, value, number in out["rows"]}
    assert rows[("NAT", "FR", "1990s")] == 2
    assert rows[("NAT", "FR", "1970s")] == 1
    assert rows[("DEP", "75", "1990s")] == 2
    assert rows[("DEP", "2B", "1970s")] == 1
    assert ("DEP", "75", "1970s") not in rows
    assert out["label"] == "Décennie de naissance"
    assert out["modality"] == "Années 1990"
    assert out["documented"]


def test_a_person_attribute_without_its_column_is_named_in_the_error(new_warehouse, tmp_path):
    sql = _copy_with_breakdown(tmp_path, column=False)
    con = new_warehouse(tmp_path)
    insert(con, "registrations", "FT", "2024-01", [reg("a", 1, "2023-06-01", "75056")])
    con.close()
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(sql), str(tmp_path / "socle.duckdb")],
                          capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode != 0
    assert ("breakdowns ['birth_decade'] have source \"registration\" but "
            "sql/engine/input_reg.sql yields no column of that name") in done.stderr
