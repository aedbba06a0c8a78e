"""Test helpers shared by the test modules: staging rows with provenance, reading
results, queries. (Fixtures are in conftest.py.)"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

import schemas
from socle.ingest.samples import sample_rows, write_csv

LOADED_AT = datetime(2024, 12, 1, 12, 0)


def pid(n: int) -> str:
    """A well-formed pseudonymous person id (64 hex chars) from a small number."""
    return f"{n:064x}"


def d(text: str) -> date:
    return date.fromisoformat(text)


def insert(
    con: duckdb.DuckDBPyConnection,
    extract: str,
    operator: str,
    month: str,
    rows: list[dict[str, Any]],
) -> None:
    """Insert `rows` as one delivery (operator, month 'YYYY-MM') of `extract` into staging.

    Missing columns are null; dates may be given as 'YYYY-MM-DD' strings; `person_id`
    may be given as an int (turned into a well-formed id).
    """
    columns = list(schemas.column_types(extract))
    month_date = d(month + "-01")
    params = []
    for row in rows:
        unknown = set(row) - set(columns)
        assert not unknown, f"unknown columns {unknown}"
        values = []
        for col in columns:
            v = row.get(col)
            if col == "person_id" and isinstance(v, int):
                v = pid(v)
            elif isinstance(v, str) and col.endswith("_date"):
                v = d(v)
            values.append(v)
        params.append([*values, operator, month_date, f"{operator}/{month}/{extract}.csv",
                       LOADED_AT])
    placeholders = ", ".join(["?"] * (len(columns) + 4))
    con.executemany(
        f"INSERT INTO staging.{extract} ({', '.join(columns)}, operator, delivery_month, "
        f"source_file, loaded_at) VALUES ({placeholders})",
        params,
    )


def reg(rid: str, person: int, start: str, commune: str, *, exit: str | None = None,
        reason: str | None = None, sex: str = "F", birth_year: int = 1990,
        category: str | None = "A", education: str | None = "4", **flags: Any
        ) -> dict[str, Any]:
    """A registration row with sensible defaults (reason AUTRE when an exit is given)."""
    row = {"registration_id": rid, "person_id": person, "registration_date": start,
           "exit_date": exit, "exit_reason": reason or ("AUTRE" if exit else None),
           "commune_code": commune, "sex": sex, "birth_year": birth_year,
           "education_level": education, "category": category}
    row.update(flags)
    return row


def hire(hid: str, person: int, when: str, ctype: str = "CDI", months: int | None = None
         ) -> dict[str, Any]:
    return {"hire_id": hid, "person_id": person, "hire_date": when, "contract_type": ctype,
            "contract_months": months}


def q(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """Every row of `sql`."""
    return con.execute(sql).fetchall()


def national(con: duckdb.DuckDBPyConnection, code: str) -> dict[str, tuple]:
    """{period 'YYYY-MM': (numerator, denominator, value)} of an indicator's national
    headline."""
    rows = con.execute(
        "SELECT strftime(period, '%Y-%m'), numerator, denominator, value "
        "FROM indicators.indicator_values WHERE indicator_code = ? AND level = 'NAT' "
        "AND breakdown = 'total'", [code]).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def results(con: duckdb.DuckDBPyConnection, code: str) -> dict[tuple, tuple]:
    """{(period 'YYYY-MM', level, territory, breakdown, value): (num, den, value)}."""
    rows = con.execute(
        "SELECT strftime(period, '%Y-%m'), level, territory_code, breakdown, breakdown_value, "
        "numerator, denominator, value FROM indicators.indicator_values "
        "WHERE indicator_code = ?", [code]).fetchall()
    return {tuple(r[:5]): tuple(r[5:]) for r in rows}


def headline(res: dict[tuple, tuple], period: str, level: str = "NAT",
             territory: str = "FR", breakdown: str = "total", value: str = "total"):
    """The value of one cell, or None when the row is left out."""
    row = res.get((period, level, territory, breakdown, value))
    return None if row is None else row[2]


def cells(res: dict[tuple, tuple], period: str, level: str, breakdown: str = "total"
          ) -> dict[str, float]:
    """{territory_code (or breakdown value at NAT): value} for one period/level/breakdown."""
    out = {}
    for (p, lv, terr, b, v), row in res.items():
        if p == period and lv == level and b == breakdown:
            out[terr if breakdown == "total" else v] = row[2]
    return out


def split_bassin(con: duckdb.DuckDBPyConnection) -> tuple[str, str, str, str, str]:
    """A committee spanning two départements: (bassin, commune_a, dep_a, commune_b, dep_b)."""
    row = con.execute("""
        WITH b AS (
            SELECT b.bassin_code, c.commune_code, c.departement_code
            FROM ref.bassins b JOIN ref.communes c USING (commune_code)
            WHERE b.zoning_year = (SELECT max(zoning_year) FROM ref.bassins)
        ), spanning AS (
            SELECT bassin_code FROM b GROUP BY 1
            HAVING count(DISTINCT departement_code) >= 2 ORDER BY 1 LIMIT 1
        )
        SELECT s.bassin_code,
               min(b.commune_code) FILTER (WHERE b.departement_code = deps[1]),
               deps[1],
               min(b.commune_code) FILTER (WHERE b.departement_code = deps[2]),
               deps[2]
        FROM spanning s JOIN b USING (bassin_code),
             (SELECT list(DISTINCT departement_code ORDER BY departement_code) AS deps
              FROM b WHERE bassin_code = (SELECT bassin_code FROM spanning))
        GROUP BY s.bassin_code, deps
    """).fetchall()[0]
    return tuple(row)


def diag(did: str, person: int, when: str) -> dict[str, Any]:
    return {"diagnostic_id": did, "person_id": person, "diagnostic_date": when,
            "orientation": "PRO"}


def path(pid_: str, person: int, ptype: str, start: str, end: str | None = None
         ) -> dict[str, Any]:
    return {"pathway_id": pid_, "person_id": person, "pathway_type": ptype,
            "start_date": start, "end_date": end}


# The month of `land`'s deliveries.
M = date(2024, 3, 1)


def land(tmp_path: Path) -> Path:
    """One delivery per operator, each in its own format (CONTRACT §1)."""
    root = tmp_path / "landing"
    ft = sample_rows("registrations", 40, M, date_style="fr", bool_style="fr", prefix="ft")
    ft = ft.with_columns(commentaire=pl.lit("suivi renforcé ’ œ €"))
    write_csv(ft, root / "FT/2024-03/registrations.csv", sep=";", encoding="cp1252")
    write_csv(sample_rows("registrations", 30, M, prefix="ml"),
              root / "ML/2024-03/registrations.csv", bom=True)
    (root / "CE/2024-03").mkdir(parents=True)
    sample_rows("registrations", 20, M, prefix="ce").with_columns(
        pl.col("registration_date").str.to_date(), pl.col("birth_year").cast(pl.Int64),
        pl.col("allowance_are") == "true",
    ).write_parquet(root / "CE/2024-03/registrations.parquet")
    write_csv(sample_rows("registrations", 10, M, prefix="apec").rename(str.upper),
              root / "APEC/2024-03/registrations.csv.gz", gz=True)
    for dep in ("13", "2A"):
        write_csv(sample_rows("diagnostics", 5, M, prefix=f"cd{dep}-"),
                  root / f"CD/2024-03/diagnostics__{dep}.csv", sep=";")
    return root
