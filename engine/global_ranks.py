"""Ranks over every unit of a run in blocks: the value each unit is ranked on is kept, block by block, in
Parquet files of a scratch folder; DuckDB checks that no unit comes twice and ranks them all (an external
sort, held to half the run's memory and spilling to the scratch folder beyond it), overall and within
groups, with the ruleset's order and tie rule, as the engine ranks in memory. The ranks are written to a
file, row by row, from which each block takes its own.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from . import lazy
from .data import as_numpy
from .diagnostics import EngineError, said
from .messages import Both
from .model import Ruleset

pa = lazy.module("pyarrow")
pq = lazy.module("pyarrow.parquet")


def keep_units(part: int, scored, path: Path):
    """A block's units, as the ranks are taken from them: numbered by block and place in it."""
    units = scored.units.append_column("part", pa.array(np.full(scored.size, part, dtype=np.int64))) \
                        .append_column("idx", pa.array(np.arange(scored.size)))
    pq.write_table(units, path)


def with_ranks(part, ranks: Path, start: int, grouped: bool):
    """A block's ranks over every unit, from the file rank_units wrote (read, not mapped: the pages of a
    mapped file would stay with the run)."""
    found = np.fromfile(ranks, dtype=np.float64, count=2 * part.size, offset=16 * start).reshape(-1, 2)
    part.rank = found[:, 0].copy()
    if grouped:
        part.group_rank = found[:, 1].copy()
    part.whole_ranks = part.ruleset.rank_ties != "average"


def _duckdb(scratch: Path, memory: int):
    """DuckDB held to half the run's memory, spilling to the scratch folder beyond it."""
    import duckdb
    return duckdb.connect(config={"memory_limit": f"{max(256 << 20, memory // 2) >> 20}MB",
                                  "temp_directory": str(scratch / "duckdb"), "threads": max(1, min(4, os.cpu_count() or 1))})


def check_ids(scratch: Path, file: str, memory: int):
    """Every unit (and period) on one row, over every block."""
    units_dir = scratch / "units"
    if not any(units_dir.glob("*.parquet")):
        return
    con = _duckdb(scratch, memory)
    twice = con.execute("SELECT id, period FROM read_parquet(?) GROUP BY id, period HAVING count(*) > 1 "
                        "ORDER BY min(part), min(idx) LIMIT 1000", [str(units_dir / "*.parquet")]).fetchall()
    con.close()
    if twice:
        raise EngineError([said("E_DATA_DUPLICATE_UNIT", "units.duplicate", file=file, units=tuple(i for i, _ in twice),
                                hint=Both("each unit (and period) must have exactly one row", "每个单位（每个时期）只能有一行"))])


RANK_FUNCTIONS = {"min": "rank()", "dense": "dense_rank()", "ordinal": "row_number()", "average": "rank()"}


RANKING_BYTES_PER_UNIT = 96  # ranking every unit at once: the value, group codes, the sort's order, the ranks


def rank_units(ruleset: Ruleset, scratch: Path, size: int, memory: int):
    """Each unit's rank overall (within its period) and within its group, in the ruleset's order and tie
    rule, kept in ``ranks.bin``, row by row: by the engine's own ranking when every unit's value fits in
    ``memory`` at once (it does up to tens of millions of units), else by DuckDB's external sort."""
    if not size:
        return
    if size * RANKING_BYTES_PER_UNIT <= memory:
        return _rank_at_once(ruleset, scratch)
    direction = "DESC" if ruleset.rank_order == "descending" else "ASC"
    ties = ruleset.rank_ties

    def ranked(partition: str) -> str:
        by = f"PARTITION BY {partition} " if partition else ""
        order = f"ORDER BY value {direction} NULLS LAST" + (", part, idx" if ties == "ordinal" else "")
        r = f"{RANK_FUNCTIONS[ties]} OVER ({by}{order})"
        if ties == "average":
            r += f" + (count(*) OVER ({'PARTITION BY ' + partition + ', value' if partition else 'PARTITION BY value'}) - 1) / 2.0"
        return f"CASE WHEN value IS NULL THEN NULL ELSE ({r})::DOUBLE END"

    period, group = "coalesce(period, '')", "coalesce(\"group\", '')"
    con = _duckdb(scratch, memory)
    units = scratch / "units" / "*.parquet"
    query = (f"SELECT {ranked(period)} AS rank, {ranked(period + ', ' + group)} AS group_rank FROM read_parquet('{units}') "
             "ORDER BY part, idx")
    with open(scratch / "ranks.bin", "wb") as out:
        for batch in con.sql(query).to_arrow_reader(1 << 18):
            np.column_stack([as_numpy(batch.column(k)) for k in (0, 1)]).tofile(out)
    con.close()


def _rank_at_once(ruleset: Ruleset, scratch: Path):
    """Every unit's value read back from the kept parts, in order, and ranked as a run in memory ranks them."""
    from .execute import group_codes
    from .ranking import ranks
    parts = sorted((scratch / "units").glob("*.parquet"))
    table = pa.concat_tables(pq.read_table(part, columns=["value", "period", "group"]) for part in parts)
    period, group = table.column("period").combine_chunks(), table.column("group").combine_chunks()
    values = as_numpy(table.column("value"))
    del table
    overall, within = ranks(values, ruleset.rank_order, ruleset.rank_ties, [group_codes(period), group_codes(period, group)])
    np.column_stack([overall, within]).tofile(scratch / "ranks.bin")
