"""CSV and JSON sources: encodings, number formats, NA markers, and the errors policy staff meet."""

import json

import numpy as np
import pytest

from govscore.engine.diagnostics import EngineError
from govscore.plugins.sources import load_csv, load_json, load_parquet

TEXT = "编号,名称,经费\n001,城关社区,\"1,234.5\"\n002,东湖社区,-\n003,西山社区, 77 \n"
COLUMNS = {"编号": "text", "名称": "text", "经费": "number"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "d.csv"
    path.write_bytes(TEXT.encode(encoding))
    table = load_csv(str(path), {}, COLUMNS)
    assert table.columns["编号"].to_pylist() == ["001", "002", "003"]  # ids keep their leading zeros
    assert table.columns["名称"].to_pylist() == ["城关社区", "东湖社区", "西山社区"]
    np.testing.assert_array_equal(table.columns["经费"], [1234.5, np.nan, 77.0])
    assert table.rows == 3


def test_declared_encoding_that_does_not_fit(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(TEXT.encode("gbk"))
    with pytest.raises(EngineError) as exc:
        load_csv(str(path), {"encoding": "utf-8"}, COLUMNS)
    assert exc.value.diagnostics[0].code == "E_DATA_ENCODING"


def test_undecodable_file(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b"id,x\n\xff\xfe\xfa,1\n\x81\x20\n")
    with pytest.raises(EngineError) as exc:
        load_csv(str(path), {}, {"id": "text"})
    assert exc.value.diagnostics[0].code == "E_DATA_ENCODING"


def test_explicit_na_markers_and_other_separators(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("id;x\na;1.234,5\nb;暂无\nc;2\n", encoding="utf-8")
    table = load_csv(str(path), {"delimiter": ";", "thousands": ".", "decimal": ",", "na": ["暂无"]},
                     {"id": "text", "x": "number"})
    np.testing.assert_array_equal(table.columns["x"], [1234.5, np.nan, 2.0])


def test_cells_that_are_not_numbers_are_listed_with_their_rows(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("id,x\na,1\nb,twelve\nc,3\nd,4 人\n", encoding="utf-8")
    with pytest.raises(EngineError) as exc:
        load_csv(str(path), {}, {"id": "text", "x": "number"})
    [d] = exc.value.diagnostics
    assert d.code == "E_DATA_NOT_NUMBER"
    assert "rows 3 ('twelve'), 5 ('4 人')" in d.message


def test_missing_columns_suggest_near_matches(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("id,staff_fte\na,1\n", encoding="utf-8")
    with pytest.raises(EngineError) as exc:
        load_csv(str(path), {}, {"id": "text", "staff_ftes": "number", "budget": "number"})
    found = {d.message: d for d in exc.value.diagnostics}
    assert len(found) == 2
    assert any(d.hint == 'did you mean "staff_fte"?' for d in found.values())
    assert any("the columns are: id, staff_fte" in d.hint for d in found.values())


def test_ragged_csv_is_a_format_error(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("id,x\na,1\nb,2,3\n", encoding="utf-8")
    with pytest.raises(EngineError) as exc:
        load_csv(str(path), {}, {"id": "text", "x": "number"})
    assert exc.value.diagnostics[0].code == "E_DATA_FORMAT"


def test_skip_rows_before_the_header(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("2025年社区台账\nid,x\na,1\n", encoding="utf-8")
    table = load_csv(str(path), {"skip_rows": 1}, {"id": "text", "x": "number"})
    assert table.columns["x"].tolist() == [1.0]


def test_json_records(tmp_path):
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"data": [{"id": 1, "x": 2.5}, {"id": 2, "x": "1,000"}, {"id": 3, "x": None}]}),
                    encoding="utf-8")
    table = load_json(str(path), {"records": "data"}, {"id": "text", "x": "number"})
    assert table.columns["id"].to_pylist() == ["1", "2", "3"]
    np.testing.assert_array_equal(table.columns["x"], [2.5, 1000.0, np.nan])


@pytest.mark.parametrize("text,params,code", [
    ('{"data": 1}', {"records": "data"}, "E_DATA_FORMAT"),
    ('[{"id": 1, "x": NaN}]', {}, "E_DATA_FORMAT"),
    ('[{"id": 1}]', {}, "E_DATA_COLUMN"),
])
def test_json_source_errors(tmp_path, text, params, code):
    path = tmp_path / "d.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EngineError) as exc:
        load_json(str(path), params, {"id": "text", "x": "number"})
    assert exc.value.diagnostics[0].code == code


def test_gbk_text_that_starts_late_in_a_large_file(tmp_path):
    """The first 4 MiB are plain ASCII, the Chinese names come later: still read as GBK."""
    path = tmp_path / "d.csv"
    rows = ["id,name,fund"] + [f"{i:07d},plain,{i}" for i in range(300_000)] + ["9999999,城关社区,5"]
    path.write_bytes("\n".join(rows).encode("gbk"))
    assert path.stat().st_size > 4 * 2**20
    table = load_csv(str(path), {}, {"id": "text", "name": "text", "fund": "number"})
    assert table.columns["name"][-1].as_py() == "城关社区" and table.rows == 300_001


def test_a_utf8_file_with_a_gbk_part_late_in_it_is_an_error_naming_the_line(tmp_path):
    """UTF-8 Chinese from the start, then after 4 MiB a row pasted from a GBK file: reading it all as GB18030
    would garble every label, so the line is named instead; a declared encoding is followed."""
    path = tmp_path / "d.csv"
    rows = ["id,name,fund"] + [f"{i:07d},城关社区,{i}" for i in range(250_000)]
    data = "\n".join(rows).encode("utf-8") + "\n9999999,".encode() + "幸福社区".encode("gbk") + b",5\n"
    path.write_bytes(data)
    assert data.index("幸福社区".encode("gbk")) > 4 * 2**20
    with pytest.raises(EngineError) as exc:
        load_csv(str(path), {}, {"id": "text", "name": "text", "fund": "number"})
    [d] = exc.value.diagnostics
    assert d.code == "E_DATA_ENCODING" and f"line {len(rows) + 1}" in d.message and "gb18030" in d.hint
    with pytest.raises(EngineError):  # the JSON source decides the same way
        from govscore.engine.data import not_utf8_after_all
        not_utf8_after_all(str(path))
    # a file whose bad bytes come before any Chinese in UTF-8 is a GBK file after all
    path.write_bytes(b"id,name,fund\n1," + "幸福社区".encode("gbk") + b",5\n")
    assert load_csv(str(path), {}, {"id": "text", "name": "text", "fund": "number"}).columns["name"][0].as_py() == "幸福社区"


def test_parquet_source_reads_only_the_columns_asked_for(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": ["001", "002"], "x": [1.5, None], "y": ["1,200", "暂无"], "unused": [1, 2]}), path)
    table = load_parquet(str(path), {"na": ["暂无"]}, {"id": "text", "x": "number", "y": "number"})
    assert table.columns["id"].to_pylist() == ["001", "002"]
    np.testing.assert_array_equal(table.columns["x"], [1.5, np.nan])
    np.testing.assert_array_equal(table.columns["y"], [1200.0, np.nan])
    with pytest.raises(EngineError) as exc:
        load_parquet(str(path), {}, {"id": "text", "z": "number"})
    assert exc.value.diagnostics[0].code == "E_DATA_COLUMN"
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(EngineError) as exc:
        load_parquet(str(tmp_path / "bad.parquet"), {}, {"id": "text"})
    assert exc.value.diagnostics[0].code == "E_DATA_FORMAT"


def test_a_header_on_another_row_is_one_problem_with_a_hint(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("2025年社区台账,,\nid,name,fund\n1,甲,5\n", encoding="utf-8")
    with pytest.raises(EngineError) as exc:
        load_csv(str(path), {}, {"id": "text", "name": "text", "fund": "number"})
    [d] = exc.value.diagnostics
    assert d.code == "E_DATA_COLUMN" and "none of the 3 columns" in d.message and "skip_rows" in d.hint
    assert load_csv(str(path), {"skip_rows": 1}, {"id": "text", "name": "text", "fund": "number"}).rows == 1
