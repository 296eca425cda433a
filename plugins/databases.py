"""Built-in database sources: SQLite and DuckDB files, read through one SQL query in the ruleset.

A ruleset may come from a stranger, so its query may only read: the database is opened read-only,
the query must be a single SELECT, it cannot reach files or extensions outside the database, and
it stops after ``timeout`` seconds.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path


from govscore.engine.data import DEFAULT_NA, Table, array_of, missing_columns, to_numbers, to_text
from govscore.engine.diagnostics import EngineError, said
from govscore.engine.hookspecs import hookimpl
from govscore.engine.messages import Both

PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["query"],
    "properties": {
        "query": {"type": "string", "minLength": 1, "maxLength": 100_000,
                  "description": "One SELECT whose result has a row per unit (and period) and the columns the ruleset "
                                 "names, e.g. SELECT code, name, volunteers FROM communities WHERE year = 2025."},
        "timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600, "default": 300,
                    "description": "Seconds the query may take before it is stopped."},
        "na": {"type": "array", "items": {"type": "string"},
               "description": "Texts in number columns that mean 'no value' (NULL always does)."},
    },
}


def _refused(path: str, query_error) -> EngineError:
    detail = str(query_error).split("\n\n")[0].strip().rstrip(".")  # the database's own words, without its excerpt
    if detail == "not authorized":
        detail = "it does more than read, which a source's query may not"
    return EngineError([said("E_DATA_QUERY", "data.query_failed", file=path, detail=detail,
                                hint=Both("a source's query is one SELECT that only reads; check the table and column names "
                                          "in the database", "数据源的查询只能是一条只读的 SELECT；请检查数据库中的表名和列名"))])


def _table(path: str, names: list[str], columns_of, columns: dict[str, str], na) -> Table:
    """The wanted columns of a query result as a Table; ``columns_of(name)`` gives one as an Arrow array."""
    problems = missing_columns(path, columns, names, key="data.no_column_query")
    if problems:
        raise EngineError(problems)
    out, rows = {}, 0
    for name, kind in columns.items():
        values = columns_of(name)
        rows = len(values)
        out[name] = to_numbers(values, name, path, 1, na) if kind == "number" else to_text(values)
    return Table(out, rows, file=path, row_numbers_offset=1)


# ---------------------------------------------------------------- SQLite

_SQLITE_READING = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, getattr(sqlite3, "SQLITE_RECURSIVE", 33)}


def _sqlite_reads_only(action, *_):
    return sqlite3.SQLITE_OK if action in _SQLITE_READING else sqlite3.SQLITE_DENY


def load_sqlite(path: str, params: dict, columns: dict[str, str]) -> Table:
    """A SQLite database file, opened read-only; only reading statements are authorised."""
    deadline = time.monotonic() + params.get("timeout", 300)
    try:
        con = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _refused(path, exc) from None
    try:
        con.set_authorizer(_sqlite_reads_only)
        con.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        try:
            cursor = con.execute(params["query"])
            names = [d[0] for d in cursor.description or ()]
            rows = cursor.fetchall()
        except sqlite3.DatabaseError as exc:
            raise _refused(path, "it took longer than its timeout" if time.monotonic() > deadline else exc) from None
    finally:
        con.close()

    def column(name):
        k = names.index(name)
        return array_of([row[k] for row in rows])

    return _table(path, names, column, columns, params.get("na", DEFAULT_NA))


# ---------------------------------------------------------------- DuckDB

def load_duckdb(path: str, params: dict, columns: dict[str, str]) -> Table:
    """A DuckDB database file, opened read-only, with no access to other files or to extensions."""
    import duckdb

    config = {"enable_external_access": False, "autoinstall_known_extensions": False,
              "autoload_known_extensions": False, "lock_configuration": True}
    try:
        con = duckdb.connect(path, read_only=True, config=config)
    except duckdb.Error as exc:
        raise _refused(path, exc) from None
    timer = threading.Timer(params.get("timeout", 300), con.interrupt)
    try:
        statements = con.extract_statements(params["query"])
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            raise _refused(path, f"it holds {len(statements)} statements" if len(statements) != 1
                           else "it is not a SELECT")
        timer.start()
        result = con.sql(params["query"]).to_arrow_table()
    except duckdb.InterruptException:
        raise _refused(path, "it took longer than its timeout") from None
    except duckdb.Error as exc:
        raise _refused(path, exc) from None
    finally:
        timer.cancel()
        con.close()
    return _table(path, result.column_names, result.column, columns, params.get("na", DEFAULT_NA))


@hookimpl
def register_sources(register):
    register("sqlite", load_sqlite, params=PARAMS,
             description={"en": "A SQLite database file, read through one SELECT in params.query (read-only).",
                          "zh": "SQLite 数据库文件，通过 params.query 中的一条 SELECT 语句读取（只读）。"})
    register("duckdb", load_duckdb, params=PARAMS,
             description={"en": "A DuckDB database file, read through one SELECT in params.query (read-only, no outside files).",
                          "zh": "DuckDB 数据库文件，通过 params.query 中的一条 SELECT 语句读取（只读，不访问其他文件）。"})
