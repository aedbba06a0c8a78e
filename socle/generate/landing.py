"""`generate_landing`: draw a synthetic network and write it as monthly operator deliveries."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from schemas.codes import EXPECTED_EXTRACTS, EXTRACTS
from socle.generate import events, offers
from socle.generate.extracts import ExtractBuilder
from socle.generate.faults import FaultPlan
from socle.generate.geography import load_geography
from socle.generate.habits import HABITS, file_name, render, write_file
from socle.generate.months import Month, month_range
from socle.generate.population import OPERATORS, SEGMENT_NAMES, draw_population
from socle.generate.truth import active_persons_month_end

# Who delivers what: the extracts delivery coverage expects (job offers from FT and Apec).
DELIVERIES: dict[str, tuple[str, ...]] = EXPECTED_EXTRACTS


def _by_operator(df: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return {op: df.filter(pl.col("op") == i) for i, op in enumerate(OPERATORS)}


def generate_landing(
    out: Path,
    persons: int,
    months: tuple[str, str],
    seed: int = 42,
    faults: bool = False,
    progress: Callable[[str], None] | None = print,
) -> dict[str, Any]:
    """Write `out/<operator>/<YYYY-MM>/<extract>[__<part>].<ext>` for `persons` distinct
    persons over `months` (both included) and return a summary with the ground truth.

    `persons` is the number of distinct persons in the data (stock at the first month
    plus entrants); 6_000_000 is national scale. Same arguments, same bytes.
    """
    if persons < 1:
        raise ValueError("persons must be >= 1")
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    out = Path(out)
    month_list = month_range(months)
    geo = load_geography()

    say(f"generate: {persons:,} persons, {month_list[0].label}..{month_list[-1].label}, "
        f"seed {seed}{', with faults' if faults else ''}")
    pop = draw_population(seed, persons, month_list, geo)
    sp = events.SpellArrays(pop)
    ids = pop.persons["person_id"]

    def with_person(df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns(person_id=ids.gather(df["pid"]))

    diags = events.diagnostics(seed, pop, sp)
    tables = {
        "diagnostics": with_person(diags),
        "pathways": with_person(events.pathways(seed, pop, sp, diags)),
        "hires": with_person(events.hires(seed, pop, sp, month_list)),
        "actions": with_person(events.actions(seed, pop, sp, month_list)),
        "person_answers": with_person(events.person_answers(seed, pop, sp, month_list)),
    }
    job_offers = offers.job_offers(seed, persons, month_list, geo)
    tables["job_offers"] = job_offers
    tables["employer_answers"] = offers.employer_answers(seed, job_offers, month_list)
    person_cols = pop.persons.drop("pid", "segment")
    regs = pop.registrations.hstack(person_cols.select(pl.all().gather(pop.registrations["pid"])))
    truth = active_persons_month_end(pop.registrations, month_list)
    say(f"generate: {pop.spells.height:,} spells, {regs.height:,} operator registrations, "
        f"{tables['hires'].height:,} hires, {job_offers.height:,} offers drawn")

    segment = pop.persons["segment"].to_numpy()
    by_segment = {name: int((segment == i).sum()) for i, name in enumerate(SEGMENT_NAMES)}
    spell_count, pairs = pop.spells.height, int((pop.partner_op >= 0).sum())
    split = {op: _by_operator(t) for op, t in [("registrations", regs), *tables.items()]}
    del regs, tables, pop, sp, diags, job_offers, person_cols  # keep the peak low
    builder = ExtractBuilder(geo)
    cd_deps = _cd_departements(split["registrations"]["CD"], month_list, geo)
    plan = FaultPlan(seed, month_list, geo) if faults else None

    _remove_previous(out)
    deliveries: list[dict[str, Any]] = []
    for month in month_list:
        for op in OPERATORS:
            counts = []
            for extract in DELIVERIES[op]:
                typed = _build(builder, split, extract, op, month)
                files, rows = _deliver(out, typed, op, month, extract, cd_deps, plan)
                _remember(out, files)
                deliveries.append({"operator": op, "month": month.label, "extract": extract,
                                   "files": files, "rows": rows})
                counts.append(f"{extract} {rows:,}")
            say(f"{month.label} {op}: " + ", ".join(counts))

    rows_by_extract = {e: sum(d["rows"] for d in deliveries if d["extract"] == e)
                       for e in EXTRACTS}
    summary: dict[str, Any] = {
        "out": str(out),
        "persons": persons,
        "months": [m.label for m in month_list],
        "seed": seed,
        "faults": faults,
        "files": sum(len(d["files"]) for d in deliveries),
        "bytes": sum((out / f).stat().st_size for d in deliveries for f in d["files"]),
        "rows": rows_by_extract,
        "deliveries": deliveries,
        "spells": spell_count,
        "persons_by_segment": by_segment,
        "persons_two_operators": pairs,
        "active_persons_month_end": truth,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if plan is not None:
        summary["fault_mix"] = plan.report()
    say(f"generate: {summary['files']:,} files, {summary['bytes'] / 1e6:,.1f} MB "
        f"in {summary['seconds']} s")
    return summary


# The files the last generation wrote into a folder, one relative path a line.
WRITTEN = ".socle-generated"


def _remove_previous(out: Path) -> None:
    """Remove the files an earlier generation wrote here (and only those): generating again
    with other arguments must not leave stale parts beside the new deliveries."""
    listing = out / WRITTEN
    if listing.is_file():
        for rel in listing.read_text(encoding="utf-8").splitlines():
            (out / rel).unlink(missing_ok=True)
        listing.unlink()


def _remember(out: Path, files: list[str]) -> None:
    """Add written files to the list as they are written: a generation stopped midway
    still leaves every file it wrote listed."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / WRITTEN, "a", encoding="utf-8") as listing:
        listing.write("".join(f"{f}\n" for f in files))


def _cd_departements(cd_regs: pl.DataFrame, months: list[Month], geo: Any) -> list[str]:
    """Départements whose council has registrations in the window, in a fixed order."""
    seen = cd_regs.filter(
        (pl.col("start") <= months[-1].last) & (pl.col("exit") >= months[0].first)
    )
    deps = geo.communes["departement_code"].gather(seen["commune"]).unique().sort()
    return deps.to_list()


def _build(builder: ExtractBuilder, split: dict, extract: str, op: str, month: Month
           ) -> pl.DataFrame:
    if extract == "satisfaction":
        return builder.satisfaction(split["person_answers"][op], split["employer_answers"][op],
                                    op, month)
    return getattr(builder, extract)(split[extract][op], op, month)


def _deliver(out: Path, typed: pl.DataFrame, op: str, month: Month, extract: str,
             cd_deps: list[str], plan: FaultPlan | None) -> tuple[list[str], int]:
    """Write one delivery (all its files); returns the relative paths and the row count."""
    habit = HABITS[op]
    folder = Path(op) / month.label
    if habit.split_by_departement:
        # One file per département that has rows this month: a council with nothing to
        # report sends nothing, which changes nothing under the union of deliveries.
        parts = typed.partition_by("dep", as_dict=True, include_key=False, maintain_order=True)
        pieces: list[tuple[str | None, pl.DataFrame]] = [
            (dep, parts[(dep,)]) for dep in cd_deps if (dep,) in parts]
        # No council has any: one header-only file, so the month's delivery is there
        # (delivery coverage tells "nothing happened" from "nothing sent").
        pieces = pieces or [(None, typed.drop("dep"))]
    else:
        pieces = [(None, typed.drop("dep"))]
    files, rows = [], 0
    for part, df in pieces:
        rendered = render(df, habit)
        if plan is not None:
            rendered = plan.apply(rendered, op, month, extract, part, habit)
        rel = folder / file_name(extract, habit, part)
        if plan is not None and plan.unreadable(op, month, extract):
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(plan.garbage())
        else:
            write_file(rendered, habit, out / rel)
        files.append(rel.as_posix())
        rows += rendered.height
    return files, rows


__all__ = ["DELIVERIES", "generate_landing"]
