"""Excel workbooks, SQLite and DuckDB databases, and data in long format: what policy staff keep
their figures in, and the errors they meet there."""

import sqlite3

import duckdb
import numpy as np
import openpyxl
import pytest

from conftest import compile_and_run, small_ruleset, write_ruleset
from govscore.engine.compiler import load_ruleset
from govscore.engine.diagnostics import EngineError
from govscore.plugins.databases import load_duckdb, load_sqlite
from govscore.plugins.sources import load_xlsx


def statistics_workbook(path):
    """A sheet as statistics offices lay it out: a merged title, a two-row header with a merged group
    heading and vertically merged cells, a row of units, numbers stored as text, and empty rows at the end."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "社区"
    book.create_sheet("说明")
    sheet.append(["2025年社区治理统计表"])
    sheet.merge_cells("A1:E1")
    sheet.append(["编号", "名称", "社会化", None, "法治化"])
    sheet.append([None, None, "志愿者数", "社会组织", "调解件数"])
    for cells in ("A2:A3", "B2:B3", "C2:D2"):
        sheet.merge_cells(cells)
    sheet.append(["", "", "人", "个", "件"])
    sheet.append(["001", "城关社区", 120, "3", "1,204"])
    sheet.append([2, "东湖社区", "95", 4, 88])
    sheet.append(["003", "西山社区", 77.5, None, "—"])
    sheet.append([None, None, None, None, None])
    book.save(path)
    return path


def test_xlsx_with_merged_two_row_header(tmp_path):
    path = str(statistics_workbook(tmp_path / "d.xlsx"))
    params = {"sheet": "社区", "header_row": 2, "header_rows": 2, "skip_rows": 1}
    columns = {"编号": "text", "名称": "text", "社会化/志愿者数": "number", "社会化/社会组织": "number", "法治化/调解件数": "number"}
    table = load_xlsx(path, params, columns)
    assert table.rows == 3 and table.row_numbers_offset == 5
    assert table.columns["编号"].to_pylist() == ["001", "2", "003"]
    np.testing.assert_array_equal(table.columns["社会化/志愿者数"], [120, 95, 77.5])
    np.testing.assert_array_equal(table.columns["社会化/社会组织"], [3, 4, np.nan])
    np.testing.assert_array_equal(table.columns["法治化/调解件数"], [1204, 88, np.nan])  # "—" means no value
    assert load_xlsx(path, {**params, "sheet": 1}, {"编号": "text"}).rows == 3


def test_xlsx_errors_name_the_sheet_cell_and_near_matches(tmp_path):
    path = str(statistics_workbook(tmp_path / "d.xlsx"))
    params = {"header_row": 2, "header_rows": 2, "skip_rows": 1}

    def error(params, columns):
        with pytest.raises(EngineError) as exc:
            load_xlsx(path, params, columns)
        return exc.value.diagnostics

    [d] = error({**params, "sheet": "社 区"}, {"编号": "text"})
    assert d.code == "E_DATA_SHEET" and d.hint == 'did you mean "社区"? its sheets: 社区, 说明'
    [d] = error({**params, "sheet": 3}, {"编号": "text"})
    assert d.code == "E_DATA_SHEET" and "no sheet 3" in d.message
    [d] = error(params, {"社会化/志愿者": "number"})
    assert d.code == "E_DATA_COLUMN" and d.message == f'The sheet 社区 of {path} has no column "社会化/志愿者".'
    assert d.hint == 'did you mean "社会化/志愿者数"?'
    [d] = error(params, {"名称": "number"})
    assert d.code == "E_DATA_NOT_NUMBER" and "column B" in d.message and "rows 5 ('城关社区')" in d.message
    not_a_workbook = tmp_path / "x.xlsx"
    not_a_workbook.write_text("id,x\n1,2\n", encoding="utf-8")
    with pytest.raises(EngineError) as exc:
        load_xlsx(str(not_a_workbook), {}, {"id": "text"})
    assert exc.value.diagnostics[0].code == "E_DATA_FORMAT"


def test_a_ruleset_reads_a_workbook(tmp_path, plugins):
    statistics_workbook(tmp_path / "d.xlsx")
    doc = small_ruleset(
        units={"source": "main", "id": "编号", "label": "名称"},
        sources={"main": {"format": "xlsx", "path": "d.xlsx", "params": {"header_row": 2, "header_rows": 2, "skip_rows": 1}}},
        indicators={"v": {"column": "社会化/志愿者数"}, "m": {"column": "法治化/调解件数", "missing": "impute_mean"}},
        nodes={"total": {"method": "weighted_mean", "children": ["v", "m"]}})
    result = compile_and_run(write_ruleset(tmp_path, doc), plugins)
    # v min-max: 1, 0.41, 0; m (the third filled in with the mean, 646): 1, 0, 0.5 → means 1, 0.21, 0.25
    assert result.unit_ids.to_pylist() == ["001", "2", "003"] and result.rank.tolist() == [1, 3, 2]


def sqlite_file(path):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE communities (code TEXT, name TEXT, year INTEGER, volunteers REAL, orgs TEXT)")
    con.executemany("INSERT INTO communities VALUES (?, ?, ?, ?, ?)", [
        ("001", "城关社区", 2025, 120, "3"), ("002", "东湖社区", 2025, 95, "4"), ("003", "西山社区", 2025, None, "2"),
        ("001", "城关社区", 2024, 100, "2")])
    con.commit()
    con.close()
    return str(path)


def duckdb_file(path):
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE communities (code VARCHAR, volunteers DOUBLE)")
    con.execute("INSERT INTO communities VALUES ('001', 120), ('002', 95), ('003', NULL)")
    con.close()
    return str(path)


@pytest.mark.parametrize("load,make", [(load_sqlite, sqlite_file), (load_duckdb, duckdb_file)])
def test_database_sources_read_through_a_query(tmp_path, load, make):
    path = make(tmp_path / "db")
    table = load(path, {"query": "SELECT code, volunteers * 2 AS v FROM communities WHERE code <> '004' ORDER BY code"
                                 + (" LIMIT 3" if load is load_sqlite else "")}, {"code": "text", "v": "number"})
    assert table.columns["code"].to_pylist()[:3] == ["001", "001", "002"] if load is load_sqlite else ["001", "002", "003"]
    assert table.rows == 3


@pytest.mark.parametrize("load,make", [(load_sqlite, sqlite_file), (load_duckdb, duckdb_file)])
@pytest.mark.parametrize("query,said", [
    ("DELETE FROM communities", "more than read|not a SELECT"),
    ("SELECT 1 AS code; DELETE FROM communities", "one statement|2 statements"),
    ("CREATE TABLE x AS SELECT 1", "more than read|not a SELECT"),
    ("SELECT nope FROM communities", "nope"),
])
def test_database_queries_may_only_read(tmp_path, load, make, query, said):
    import re
    path = make(tmp_path / "db")
    with pytest.raises(EngineError) as exc:
        load(path, {"query": query}, {"code": "text"})
    [d] = exc.value.diagnostics
    assert d.code == "E_DATA_QUERY" and re.search(said, d.message), d.message
    check = load(path, {"query": "SELECT count(*) AS n FROM communities"}, {"n": "number"})
    assert check.columns["n"][0] in (3, 4)  # nothing was deleted


def test_database_queries_reach_no_other_file_and_stop_in_time(tmp_path):
    path = duckdb_file(tmp_path / "db")
    outside = tmp_path / "secret.csv"
    outside.write_text("a\n1\n", encoding="utf-8")
    for query in (f"SELECT * FROM read_csv('{outside}')", f"COPY communities TO '{tmp_path / 'out.csv'}'"):
        with pytest.raises(EngineError) as exc:
            load_duckdb(path, {"query": query}, {"a": "text"})
        assert exc.value.diagnostics[0].code == "E_DATA_QUERY"
    assert not (tmp_path / "out.csv").exists()
    endless = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT max(n) AS n FROM r"
    with pytest.raises(EngineError) as exc:
        load_sqlite(sqlite_file(tmp_path / "s.db"), {"query": endless, "timeout": 0.5}, {"n": "number"})
    assert "timeout" in exc.value.diagnostics[0].message
    with pytest.raises(EngineError) as exc:
        load_duckdb(path, {"query": "SELECT count(*) AS n FROM range(10000000000000) a", "timeout": 0.5}, {"n": "number"})
    assert "timeout" in exc.value.diagnostics[0].message


def test_a_ruleset_reads_sqlite_and_numbers_stored_as_text(tmp_path, plugins):
    sqlite_file(tmp_path / "g.db")
    doc = small_ruleset(
        units={"source": "db", "id": "code", "label": "name"},
        sources={"db": {"format": "sqlite", "path": "g.db",
                        "params": {"query": "SELECT code, name, volunteers, orgs FROM communities WHERE year = 2025"}}},
        indicators={"v": {"column": "volunteers", "missing": "impute_median"}, "o": {"column": "orgs"}},
        nodes={"total": {"method": "weighted_mean", "children": ["v", "o"]}})
    result = compile_and_run(write_ruleset(tmp_path, doc), plugins)
    assert result.unit_ids.to_pylist() == ["001", "002", "003"]
    np.testing.assert_allclose(result.raw["v"], [120, 95, 107.5])
    np.testing.assert_allclose(result.raw["o"], [3, 4, 2])


LONG = "code,name,year,indicator,value\n" + "".join(
    f"{u},{n},{y},{i},{v}\n" for u, n, y, i, v in [
        ("A", "甲", 2024, "vol", 1), ("A", "甲", 2024, "org", 5), ("B", "乙", 2024, "vol", 2), ("B", "乙", 2024, "org", 3),
        ("A", "甲", 2025, "vol", 4), ("A", "甲", 2025, "org", 6), ("B", "乙", 2025, "vol", 3), ("B", "乙", 2025, "org", 7)])


def long_ruleset(**overrides):
    doc = small_ruleset(
        units={"source": "d", "id": "code", "label": "name", "period": "year"},
        sources={"d": {"format": "csv", "path": "long.csv", "long": {"indicator": "indicator", "value": "value"}}},
        normalise="none",
        indicators={"vol": {"column": "vol"}, "org": {"column": "org"}},
        nodes={"total": {"method": "weighted_mean", "children": ["vol", "org"]}})
    doc.update(overrides)
    return doc


def test_long_format_is_pivoted(tmp_path, plugins):
    (tmp_path / "long.csv").write_text(LONG, encoding="utf-8")
    result = compile_and_run(write_ruleset(tmp_path, long_ruleset()), plugins)
    assert result.unit_ids.to_pylist() == ["A", "B", "A", "B"]
    assert result.unit_periods.to_pylist() == ["2024", "2024", "2025", "2025"]
    assert result.unit_labels.to_pylist() == ["甲", "乙", "甲", "乙"]
    np.testing.assert_array_equal(result.raw["vol"], [1, 2, 4, 3])
    np.testing.assert_array_equal(result.raw["org"], [5, 3, 6, 7])


def test_long_format_errors(tmp_path, plugins):
    (tmp_path / "long.csv").write_text(LONG + "B,乙,2025,org,8\n", encoding="utf-8")
    doc = long_ruleset()
    doc["indicators"]["vol"]["column"] = "vols"
    ruleset, _ = load_ruleset(str(write_ruleset(tmp_path, doc)), plugins)
    from govscore.engine.loading import load_data
    with pytest.raises(EngineError) as exc:
        load_data(ruleset, plugins)
    [d] = exc.value.diagnostics
    assert d.code == "E_DATA_DUPLICATE_UNIT" and d.units == ("B / 2025: org",)
    (tmp_path / "long.csv").write_text(LONG, encoding="utf-8")
    with pytest.raises(EngineError) as exc:
        load_data(ruleset, plugins)
    [d] = exc.value.diagnostics
    assert d.code == "E_DATA_COLUMN" and '"vols"' in d.message and d.hint == 'did you mean "vol"?'


def test_min_max_per_period_or_pooled(tmp_path, plugins):
    # vol is 1, 2 in 2024 and 4, 3 in 2025. Pooled over both years min-max gives 0, 1/3, 1, 2/3; each year
    # on its own gives 0, 1 and 1, 0.
    (tmp_path / "long.csv").write_text(LONG, encoding="utf-8")
    pooled = compile_and_run(write_ruleset(tmp_path, long_ruleset(normalise="minmax")), plugins)
    np.testing.assert_allclose(pooled.normalised["vol"], [0, 1 / 3, 1, 2 / 3])
    apart = compile_and_run(write_ruleset(tmp_path, long_ruleset(normalise="minmax", panel={"normalise": "per_period"})),
                            plugins)
    np.testing.assert_allclose(apart.normalised["vol"], [0, 1, 1, 0])
    doc = small_ruleset(panel={"normalise": "per_period"})
    (tmp_path / "data.csv").write_text("id,name,town,a,b,c\nu1,一,甲,1,10,5\n", encoding="utf-8")
    ruleset, diagnostics = load_ruleset(str(write_ruleset(tmp_path, doc)), plugins)
    assert ruleset is None and [d.path for d in diagnostics if d.is_error] == ["/panel/normalise"]
