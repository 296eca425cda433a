"""A ruleset as a workbook that policy staff fill in (a framework, as in the JRC COIN Tool), and back.

Sheets, headed in Chinese and English:
- 设置 Settings: one setting a row (id, title, language, the data file, the units' columns, the score…);
- 指标 Indicators: one indicator a row: code, name, unit, direction, column or formula, target,
  goalposts, optimum, clamp, missing-value policy, normaliser;
- 结构 Structure: one link of the framework a row: parent (a dimension or the headline), child,
  weight; the order of the rows is the order of each parent's children;
- 节点 Nodes: one node a row: code, name, method, a named weight set, formula, missing policy, parameters;
- 等级 Grades: one band a row: label, min, max;
- 其他 Other: every part of the ruleset the sheets above do not hold, as JSON, so nothing is lost.

Expert weights written as a named ``fixed`` weight set are shown in the Structure sheet, where people
look for them; the set's own label and description cannot be held there, and ``notes`` say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from .jsonwrite import in_schema_order
from .messages import Both

SETTINGS = ("format", "id", "title", "version", "date", "language", "description", "score", "units.source", "units.id",
            "units.label", "units.group", "units.period", "normalise", "treat", "direction", "missing", "on_invalid",
            "rank.order", "rank.ties", "rank.use_rounded", "grades.node", "grades.use_rounded")
INDICATOR_COLUMNS = ("code", "label", "unit", "direction", "source", "column", "formula", "target", "goalposts.lower",
                     "goalposts.upper", "optimum.lower", "optimum.upper", "clamp.lower", "clamp.upper", "missing",
                     "normalise", "other")
NODE_COLUMNS = ("code", "label", "method", "weights", "formula", "missing", "min_share", "params", "other")
STRUCTURE_COLUMNS = ("parent", "child", "weight")
GRADE_COLUMNS = ("label", "min", "max")
OTHER_COLUMNS = ("key", "json")
SHEETS = {"settings": ("设置 Settings", ("key", "value")), "indicators": ("指标 Indicators", INDICATOR_COLUMNS),
          "structure": ("结构 Structure", STRUCTURE_COLUMNS), "nodes": ("节点 Nodes", NODE_COLUMNS),
          "grades": ("等级 Grades", GRADE_COLUMNS), "other": ("其他 Other", OTHER_COLUMNS)}
HEADINGS = {"key": "设置", "value": "值", "code": "代码", "label": "名称", "unit": "计量单位", "direction": "方向",
            "source": "数据源", "column": "数据列", "formula": "公式", "target": "目标值", "goalposts.lower": "阈值下限",
            "goalposts.upper": "阈值上限", "optimum.lower": "最优区间下限", "optimum.upper": "最优区间上限",
            "clamp.lower": "截断下限", "clamp.upper": "截断上限", "missing": "缺失值处理", "normalise": "标准化方法",
            "other": "其他（JSON）", "method": "合成方法", "weights": "权重集", "min_share": "最低权重份额",
            "params": "参数（JSON）", "parent": "上级", "child": "下级", "weight": "权重", "min": "下限 min",
            "max": "上限 max", "json": "内容（JSON）"}
# column widths in characters (numbers get 12); the long ones wrap
WIDTHS = {"key": 30, "value": 60, "json": 70, "other": 28, "formula": 28, "params": 28, "code": 18, "label": 22,
          "unit": 10, "direction": 10, "source": 12, "column": 18, "missing": 14, "normalise": 24, "method": 16,
          "weights": 14, "parent": 14, "child": 18}
HANDLED = {"format", "id", "title", "version", "date", "language", "description", "score", "units", "normalise", "treat",
           "direction", "missing", "on_invalid", "rank", "indicators", "nodes", "grades", "sources", "weights"}


@dataclass
class Framework:
    """A ruleset's sheets: for each sheet key, its rows (dicts by column), and what the sheets cannot hold."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    notes: list[Both] = field(default_factory=list)


def _cell(value):
    """A ruleset value as a cell: numbers and text as they are, anything else as JSON."""
    return value if value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool) \
        else json.dumps(value, ensure_ascii=False)


def _inlined_sets(document: dict) -> set[str]:
    """Named weight sets that are plain expert weights, shown as weights in the Structure sheet."""
    sets = document.get("weights", {}) if isinstance(document.get("weights"), dict) else {}
    named_by_others = {name for spec in sets.values() for name in (spec.get("params", {}) or {}).get("of", [])}
    return {name for name, spec in sets.items()
            if spec.get("method") == "fixed" and set(spec) <= {"method", "params", "label", "description"}
            and set(spec.get("params", {})) == {"values"} and name not in named_by_others}


def to_framework(document: dict) -> Framework:
    """The sheets of a ruleset document (each part's keys in the order of the format, as a saved ruleset has them,
    so a ruleset and the ruleset its workbook reads back give the same sheets)."""
    document = in_schema_order(document)
    out = Framework()
    units, sources = document.get("units", {}), document.get("sources", {})
    flat = {**{k: document.get(k) for k in SETTINGS if "." not in k},
            **{f"units.{k}": v for k, v in units.items()},
            **{f"rank.{k}": v for k, v in document.get("rank", {}).items()},
            **{f"grades.{k}": v for k, v in document.get("grades", {}).items() if k != "bands"}}
    out.rows["settings"] = [{"key": k, "value": _cell(flat[k])} for k in SETTINGS if flat.get(k) is not None]
    for name, spec in sources.items():
        out.rows["settings"] += [{"key": f"sources.{name}.{k}", "value": _cell(v)} for k, v in spec.items()]
    out.rows["indicators"] = []
    for code, spec in document.get("indicators", {}).items():
        row = {"code": code, **{k: _cell(spec.get(k)) for k in INDICATOR_COLUMNS if "." not in k and k not in ("code", "other")}}
        for bound in ("goalposts", "optimum", "clamp"):
            row.update({f"{bound}.{end}": spec.get(bound, {}).get(end) for end in ("lower", "upper")})
        rest = {k: v for k, v in spec.items() if k not in {c.split(".")[0] for c in INDICATOR_COLUMNS}}
        row["other"] = _cell(rest) if rest else None
        out.rows["indicators"].append(row)
    inlined, sets = _inlined_sets(document), document.get("weights", {})
    out.rows["nodes"], out.rows["structure"] = [], []
    for code, spec in document.get("nodes", {}).items():
        weights = spec.get("weights")
        values = sets[weights]["params"]["values"] if isinstance(weights, str) and weights in inlined else weights
        row = {"code": code, **{k: _cell(spec.get(k)) for k in NODE_COLUMNS if k not in ("code", "weights", "other")},
               "weights": weights if isinstance(weights, str) and weights not in inlined else None}
        rest = {k: v for k, v in spec.items() if k not in NODE_COLUMNS and k != "children"}
        row["other"] = _cell(rest) if rest else None
        out.rows["nodes"].append(row)
        out.rows["structure"] += [{"parent": code, "child": child,
                                   "weight": values.get(child) if isinstance(values, dict) else None}
                                  for child in spec.get("children", [])]
    out.rows["grades"] = [{k: band.get(k) for k in GRADE_COLUMNS} for band in document.get("grades", {}).get("bands", [])]
    other = {k: v for k, v in document.items() if k not in HANDLED}
    kept = {name: spec for name, spec in sets.items() if name not in inlined}
    if kept:
        other["weights"] = kept
    out.rows["other"] = [{"key": k, "json": json.dumps(v, ensure_ascii=False)} for k, v in in_schema_order(other).items()]
    for name in sorted(inlined):
        if {"label", "description"} & set(sets[name]):
            out.notes.append(Both(f'the label and description of the weight set "{name}" (its weights are in the Structure sheet)',
                                  f"权重集“{name}”的标签和说明（其权重见“结构 Structure”工作表）"))
    return out


def _value(cell):
    """A cell as a ruleset value: JSON written in a cell (an object, a list, true/false) is read as JSON."""
    if isinstance(cell, str):
        text = cell.strip()
        if text[:1] in "{[" or text in ("true", "false"):
            return json.loads(text)
        return text or None
    return cell


def _set(target: dict, dotted: str, value) -> None:
    """target["a"]["b"] = value for "a.b"; a part written as a plain value before is replaced by the object."""
    *parents, last = dotted.split(".")
    for part in parents:
        if not isinstance(target.get(part), dict):
            target[part] = {}
        target = target[part]
    target[last] = value


@dataclass
class Read:
    """A ruleset document read from the sheets, and where each part of it came from: JSON path →
    (sheet, row, column heading), for telling problems by cell."""

    document: dict
    origins: dict[str, tuple[str, int, str]]
    problems: list[tuple[str, int, str, str, dict]]  # sheet, row, column, message key, fields

    def place(self, workbook: str, d):
        """A problem of the ruleset read, told at the cell it came from (the nearest part of its JSON path)."""
        path = d.path
        while path and path not in self.origins:
            path = path.rsplit("/", 1)[0]
        if path not in self.origins:
            return replace(d, file=workbook)
        return replace(d, file=placed(workbook, *self.origins[path]))


def placed(workbook: str, sheet: str, row: int, column: str) -> str:
    """Where in the workbook: the file and the cell, as a spreadsheet names it (结构 Structure!C5)."""
    return f"{workbook} [{cell_of(sheet, row, column)}]"


# what engine template fills in, one example row a sheet
EXAMPLE = {
    "format": "govscore/1", "id": "my-evaluation", "title": "社区治理评价", "language": "zh-CN",
    "units": {"id": "社区编码", "label": "社区名称", "group": "所属乡镇"},
    "sources": {"communities": {"format": "csv", "path": "data/communities.csv"}},
    "normalise": {"method": "minmax", "params": {"scale": [0, 100]}},
    "indicators": {
        "volunteers": {"label": "每千人注册志愿者", "unit": "人/千人", "column": "每千人注册志愿者", "direction": "higher",
                       "missing": "impute_median"},
        "petitions": {"label": "每万人信访件数", "unit": "件/万人", "column": "每万人信访件数", "direction": "lower"},
    },
    "nodes": {"S": {"label": "社会化 S", "method": "weighted_mean", "children": ["volunteers"], "weights": {"volunteers": 1}},
              "L": {"label": "法治化 L", "method": "weighted_mean", "children": ["petitions"], "weights": {"petitions": 1}},
              "H": {"label": "治理水平 H", "method": "weighted_mean", "children": ["S", "L"], "weights": {"S": 0.5, "L": 0.5}}},
    "score": "H",
    "grades": {"bands": [{"label": "优秀", "min": 85}, {"label": "良好", "min": 70}, {"label": "合格", "min": 60},
                         {"label": "不合格"}]},
}

def _spec(row: dict, columns: tuple[str, ...], sheet: str, n: int, problems: list) -> dict | None:
    """One indicator or node from its row (None for a row without its code, which is told); the "other"
    column's JSON object adds what the other columns do not hold."""
    if not row.get("code"):
        problems.append((sheet, n, "code", "framework.empty_cell", {}))
        return None
    spec: dict = {}
    for key in columns[1:]:
        try:
            value = _value(row.get(key))
        except ValueError as exc:
            problems.append((sheet, n, key, "framework.bad_json", {"detail": str(exc)}))
            continue
        if value is None:
            continue
        if key == "other" and not isinstance(value, dict):
            problems.append((sheet, n, key, "framework.bad_json", {"detail": "not an object"}))
        elif key == "other":
            spec.update(value)
        else:
            _set(spec, key, value)
    return spec


def _specs(rows: dict, key: str, columns: tuple[str, ...], problems: list, origins: dict) -> dict[str, dict]:
    """The indicators or nodes of their sheet, by code, each part's cell noted in ``origins``."""
    sheet, out = SHEETS[key][0], {}
    for n, row in rows.get(key, []):
        spec = _spec(row, columns, sheet, n, problems)
        if spec is None:
            continue
        out[row["code"]] = spec
        origins[f"/{key}/{row['code']}"] = (sheet, n, "code")
        for part in spec:  # a bound's object (goalposts...) is noted at its lower end's column
            origins[f"/{key}/{row['code']}/{part}"] = (sheet, n, part if part in columns else f"{part}.lower")
    return out


def from_framework(rows: dict[str, list[tuple[int, dict]]]) -> Read:
    """A ruleset document from the sheets' rows (each with its row number)."""
    doc: dict = {}
    origins: dict[str, tuple[str, int, str]] = {}
    problems: list = []
    sheet = SHEETS["settings"][0]
    for n, row in rows.get("settings", []):
        key, value = row.get("key"), row.get("value")
        if not key or value is None:
            continue
        try:
            _set(doc, key, _value(value))
        except ValueError as exc:
            problems.append((sheet, n, "value", "framework.bad_json", {"detail": str(exc)}))
            continue
        origins["/" + key.replace(".", "/")] = (sheet, n, "value")
    doc["indicators"] = _specs(rows, "indicators", INDICATOR_COLUMNS, problems, origins)
    nodes = _specs(rows, "nodes", NODE_COLUMNS, problems, origins)
    sheet = SHEETS["structure"][0]
    for n, row in rows.get("structure", []):
        parent, child, weight = row.get("parent"), row.get("child"), row.get("weight")
        if parent is None and child is None:
            continue
        if not parent or not child:
            problems.append((sheet, n, "parent" if not parent else "child", "framework.empty_cell", {}))
            continue
        if parent not in nodes:
            problems.append((sheet, n, "parent", "framework.unknown_parent", {"name": parent}))
            continue
        node = nodes[parent]
        node.setdefault("children", []).append(child)
        origins.setdefault(f"/nodes/{parent}/children", (sheet, n, "child"))
        origins[f"/nodes/{parent}/children/{len(node['children']) - 1}"] = (sheet, n, "child")
        if weight is not None:
            node.setdefault("weights", {})
            if isinstance(node["weights"], dict):
                node["weights"][child] = weight
                origins.setdefault(f"/nodes/{parent}/weights", (sheet, n, "weight"))
                origins[f"/nodes/{parent}/weights/{child}"] = (sheet, n, "weight")
    if nodes:
        doc["nodes"] = nodes
    bands = [{k: v for k, v in row.items() if v is not None} for _, row in rows.get("grades", []) if row.get("label")]
    if bands:
        doc.setdefault("grades", {})["bands"] = bands
        for k, (n, _) in enumerate(r for r in rows["grades"] if r[1].get("label")):
            origins[f"/grades/bands/{k}"] = (SHEETS["grades"][0], n, "label")
    sheet = SHEETS["other"][0]
    for n, row in rows.get("other", []):
        if row.get("key") and row.get("json"):
            try:
                value = json.loads(str(row["json"]))
            except ValueError as exc:
                problems.append((sheet, n, "json", "framework.bad_json", {"detail": str(exc)}))
                continue
            if isinstance(doc.get(row["key"]), dict) and isinstance(value, dict):
                doc[row["key"]].update(value)
            else:
                doc[row["key"]] = value
            origins[f"/{row['key']}"] = (sheet, n, "json")
    return Read(doc, origins, problems)


# ---------------------------------------------------------------- the workbook file

def write_workbook(framework: Framework, stream, choices: dict[str, list[str]]) -> None:
    """The sheets as an .xlsx workbook: headings in both languages, the header row frozen, and a drop-down
    list for every column with closed choices (``choices``: column → allowed values)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(stream, {"in_memory": True})
    header = book.add_format({"bold": True, "bg_color": "#EEF2F6", "text_wrap": True, "valign": "top"})
    wrapped = book.add_format({"text_wrap": True, "valign": "top"})
    for key, (title, columns) in SHEETS.items():
        sheet = book.add_worksheet(title)
        sheet.write_row(0, 0, [f"{HEADINGS[c]}\n{c}" for c in columns], header)
        sheet.set_row(0, 32)
        sheet.freeze_panes(1, 0)
        sheet.set_landscape()  # printed: as wide as the page, the heading on every page
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        for r, row in enumerate(framework.rows.get(key, []), start=1):
            for c, column in enumerate(columns):
                value = row.get(column)
                if isinstance(value, str):
                    sheet.write_string(r, c, value)  # text stays text: "=…" is never a formula
                elif value is not None:
                    sheet.write_number(r, c, value)
        for c, column in enumerate(columns):
            width = WIDTHS.get(column, 12)
            sheet.set_column(c, c, width, wrapped if width >= 28 else None)
            allowed = choices.get(f"{key}.{column}")
            if allowed and len(",".join(allowed)) <= 255:  # Excel's limit for a list written in place
                # a normaliser may also be written with its parameters as JSON: offered, not enforced
                sheet.data_validation(1, c, 2000, c, {"validate": "list", "source": allowed,
                                                      "error_type": "warning" if column == "normalise" else "stop"})
    book.close()


def read_workbook(path: str) -> dict[str, list[tuple[int, dict]]]:
    """Each known sheet's rows, by the English key in the last line of each heading, with their row numbers.
    Raises EngineError when the file is not a workbook or lacks the indicators sheet."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    from .diagnostics import EngineError, said

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise EngineError([said("E_FRAMEWORK", "framework.unreadable", file=path, detail=str(exc)[:120])]) from None
    out = {}
    for key, (title, _) in SHEETS.items():
        sheet = next((book[name] for name in book.sheetnames if name == title or name in title.split(" ")), None)
        if sheet is None:
            continue
        rows = sheet.iter_rows(values_only=True)
        heads = [str(h).strip().splitlines()[-1].strip() if h is not None else "" for h in next(rows, ())]
        out[key] = []
        for n, values in enumerate(rows, start=2):
            row = {h: (v.strip() or None) if isinstance(v, str) else v for h, v in zip(heads, values) if h}
            if any(v is not None for v in row.values()):
                out[key].append((n, row))
    book.close()
    if "indicators" not in out:
        raise EngineError([said("E_FRAMEWORK", "framework.no_indicators", file=path, sheet=SHEETS["indicators"][0])])
    return out


def cell_of(sheet_key_or_title: str, row: int, column: str) -> str:
    """An Excel cell reference, Sheet!C5, for a column of a sheet."""
    from openpyxl.utils import get_column_letter

    key = next((k for k, (title, _) in SHEETS.items() if title == sheet_key_or_title or k == sheet_key_or_title), "settings")
    title, columns = SHEETS[key]
    position = columns.index(column) + 1 if column in columns else 1
    return f"{title}!{get_column_letter(position)}{row}"


# ---------------------------------------------------------------- COINr's indicator metadata

def is_coinr(rows: list[dict]) -> bool:
    return bool(rows) and {"iCode", "Parent", "Type"} <= set(rows[0])


def from_coinr(meta: list[dict], data_path: str, data_columns: list[str], name: str) -> dict:
    """A ruleset from COINr's iMeta table (and the columns of its iData): indicators with their
    direction, unit and target, aggregates by level with their relative weights, and COINr's default
    pipeline: min-max onto [0, 100], then the arithmetic mean over the children a unit has (weights
    renormalised over them). Denominators and groups are left as columns of the data: COINr applies
    them only when asked."""
    def number(value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return None

    indicators = {}
    for m in (m for m in meta if m.get("Type") == "Indicator"):
        spec = {"label": m.get("iName") or m["iCode"], "column": m["iCode"],
                "direction": "lower" if number(m.get("Direction")) == -1 else "higher", "missing": "leave"}
        if m.get("Unit") not in (None, "", "NA"):
            spec["unit"] = m["Unit"]
        if number(m.get("Target")) is not None:
            spec["target"] = number(m["Target"])
        indicators[m["iCode"]] = spec
    aggregates = sorted((m for m in meta if m.get("Type") == "Aggregate"), key=lambda m: number(m.get("Level")) or 0)
    weights, nodes = {}, {}
    for m in aggregates:
        members = [c for c in meta if c.get("Parent") == m["iCode"] and c.get("Type") in ("Indicator", "Aggregate")]
        weights[f"{m['iCode']}_weights"] = {"method": "fixed", "renormalise": True, "params": {"values": {
            c["iCode"]: number(c.get("Weight")) if number(c.get("Weight")) is not None else 1.0 for c in members}}}
        nodes[m["iCode"]] = {"label": m.get("iName") or m["iCode"], "method": "weighted_mean",
                             "children": [c["iCode"] for c in members], "weights": f"{m['iCode']}_weights",
                             "missing": "renormalise"}
    units = {"source": "data", "id": "uCode", **({"label": "uName"} if "uName" in data_columns else {})}
    return {"format": "govscore/1", "id": name, "title": f"{name} (COINr)", "units": units,
            "sources": {"data": {"format": "xlsx" if data_path.endswith(".xlsx") else "csv", "path": data_path}},
            "normalise": {"method": "minmax", "params": {"scale": [0, 100]}}, "indicators": indicators,
            "weights": weights, "nodes": nodes, "score": aggregates[-1]["iCode"] if aggregates else None}


def read_table(path: str, sheet: str) -> list[dict]:
    """The rows of a CSV file, or of the named sheet of a workbook ([] when there is no such table)."""
    import csv

    if path.lower().endswith(".csv"):
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                return list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError):
            return []
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, openpyxl.utils.exceptions.InvalidFileException):
        return []
    if sheet not in book.sheetnames:
        return []
    rows = book[sheet].iter_rows(values_only=True)
    heads = [str(h) if h is not None else "" for h in next(rows, ())]
    out = [{h: ("" if v is None else str(v)) for h, v in zip(heads, values)} for values in rows]
    book.close()
    return out
