"""Compile-time checks: everything that can be wrong without reading data, reported together."""

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import codes, small_ruleset
from govscore.engine.compiler import compile_document, load_ruleset
from govscore.engine.diagnostics import CODES
from govscore.engine.jsonload import loads


def check(plugins, document):
    text = json.dumps(document, ensure_ascii=False, indent=2)
    value, source_map = loads(text, "r.json")
    ruleset, diagnostics = compile_document(value, source_map, plugins)
    return ruleset, diagnostics


def test_the_small_ruleset_compiles(plugins):
    ruleset, diagnostics = check(plugins, small_ruleset())
    assert ruleset is not None and diagnostics == []
    assert list(ruleset.nodes["total"].weights) == [0.5, 0.25, 0.25]


def test_every_problem_is_reported_at_once_with_its_line(plugins):
    doc = small_ruleset()
    doc["indicators"]["a"]["directon"] = "higher"  # typo in a key
    doc["indicators"]["b"]["normalise"] = "minmx"  # unknown normaliser
    doc["nodes"]["total"]["children"] = ["a", "bb", "c"]  # unknown child
    doc["score"] = "totl"
    _, diagnostics = check(plugins, doc)
    found = {d.code: d for d in diagnostics}
    assert set(found) >= {"E_SCHEMA_UNKNOWN_KEY", "E_UNKNOWN_METHOD", "E_UNKNOWN_NAME", "E_NO_SCORE"}
    assert found["E_SCHEMA_UNKNOWN_KEY"].hint == 'did you mean "direction"?'
    assert found["E_SCHEMA_UNKNOWN_KEY"].path == "/indicators/a/directon"
    assert 'did you mean "minmax"?' in found["E_UNKNOWN_METHOD"].hint and "zscore" in found["E_UNKNOWN_METHOD"].hint
    assert found["E_NO_SCORE"].hint == 'did you mean "total"?'
    assert all(d.file == "r.json" and d.line is not None and d.column is not None for d in diagnostics)


def test_cycles_are_printed(plugins):
    doc = small_ruleset()
    doc["nodes"] = {
        "x": {"formula": "y + 1"},
        "y": {"method": "weighted_mean", "children": ["a", "z"]},
        "z": {"formula": "x * 2"},
        "total": {"formula": "x"},
    }
    _, diagnostics = check(plugins, doc)
    [cycle] = [d for d in diagnostics if d.code == "E_CYCLE"]
    assert "x → y → z → x" in cycle.message


def test_indicator_formula_cycle(plugins):
    doc = small_ruleset()
    doc["indicators"]["p"] = {"formula": "q + a"}
    doc["indicators"]["q"] = {"formula": "p * 2"}
    _, diagnostics = check(plugins, doc)
    assert "E_CYCLE" in codes(diagnostics)


def test_weights_that_must_sum_to_one(plugins):
    doc = small_ruleset()
    doc["nodes"]["total"]["weights"] = {"a": 0.5, "b": 0.3, "c": 0.3}
    _, diagnostics = check(plugins, doc)
    [d] = diagnostics
    assert d.code == "E_WEIGHTS_SUM" and "1.1" in d.message and "renormalise" in d.hint


def test_renormalised_weight_sets_need_not_sum_to_one(plugins):
    doc = small_ruleset(weights={"w": {"method": "fixed", "renormalise": True, "params": {"values": {"a": 2, "b": 1, "c": 1}}}})
    doc["nodes"]["total"]["weights"] = "w"
    ruleset, diagnostics = check(plugins, doc)
    assert diagnostics == [] and list(ruleset.nodes["total"].weights) == [0.5, 0.25, 0.25]


def test_missing_and_negative_weights(plugins):
    doc = small_ruleset(weights={"w": {"method": "fixed", "params": {"values": {"a": 1.5, "b": -0.5}}}})
    doc["nodes"]["total"]["weights"] = "w"
    _, diagnostics = check(plugins, doc)
    assert codes(diagnostics) == ["E_WEIGHTS_MISSING"]
    doc["weights"]["w"]["params"]["values"]["c"] = 0
    _, diagnostics = check(plugins, doc)
    assert codes(diagnostics) == ["E_WEIGHTS_NEGATIVE"]


def test_ratio_weights_sum_to_one_on_each_side(plugins):
    doc = small_ruleset()
    doc["nodes"]["total"] = {"method": "ratio", "children": ["a", "b", "c"], "params": {"denominator": ["c"]},
                             "weights": {"a": 0.5, "b": 0.5, "c": 1}}
    ruleset, diagnostics = check(plugins, doc)
    assert diagnostics == []
    doc["nodes"]["total"]["weights"] = {"a": 0.5, "b": 0.25, "c": 1}
    _, diagnostics = check(plugins, doc)
    assert codes(diagnostics) == ["E_WEIGHTS_SUM"]
    doc["nodes"]["total"]["params"] = {"denominator": ["d"]}
    _, diagnostics = check(plugins, doc)
    assert codes(diagnostics) == ["E_PARAMS"]


def test_goalposts_and_directions(plugins):
    doc = small_ruleset()
    doc["indicators"]["a"].update(goalposts={"lower": 10, "upper": 10}, normalise="goalposts")
    doc["indicators"]["b"].update(direction="range")  # no optimum, and minmax cannot score a range
    doc["indicators"]["c"].update(normalise="distance_to_target")  # no target
    _, diagnostics = check(plugins, doc)
    assert sorted(codes(diagnostics)) == ["E_DIRECTION", "E_DIRECTION", "E_DIRECTION", "E_GOALPOSTS"]
    by_path = {d.path: d for d in diagnostics}
    assert "interval" in by_path["/indicators/b/direction"].hint


def test_normalisers_check_their_parameters_before_any_data(plugins):
    # what cannot be right whatever the data is told when the ruleset is compiled (engine validate)
    doc = small_ruleset()
    doc["indicators"]["a"].update(target=0, normalise="distance_to_target")
    doc["indicators"]["b"].update(goalposts={"lower": 0, "upper": 10}, normalise={"method": "goalposts", "params": {"log": True}})
    doc["indicators"]["c"]["normalise"] = {"method": "thresholds", "params": {"bands": [{"score": 100, "min": 2}, {"score": 0}]}}
    _, diagnostics = check(plugins, doc)
    found = {d.path: d for d in diagnostics}
    assert set(found) == {"/indicators/a/target", "/indicators/b/goalposts", "/indicators/c/normalise/params"}
    assert found["/indicators/c/normalise/params"].key == "normalise.band_bound"  # c is lower-is-better: "max"
    assert all(d.line is not None for d in diagnostics)
    # a ruleset-wide normaliser is checked for every indicator: each wrong one is told
    doc = small_ruleset(normalise={"method": "thresholds", "params": {"bands": [{"score": 1, "min": 5}, {"score": 0}]}})
    doc["indicators"]["b"]["direction"] = "lower"
    _, diagnostics = check(plugins, doc)
    assert sorted(dict(d.fields)["name"] for d in diagnostics) == ["b", "c"]
    assert {d.path for d in diagnostics} == {"/normalise/params"}


def test_chinese_direction_names_are_accepted(plugins):
    doc = small_ruleset()
    doc["indicators"]["a"]["direction"] = "正向"
    doc["indicators"]["c"]["direction"] = "逆向"
    ruleset, diagnostics = check(plugins, doc)
    assert diagnostics == [] and ruleset.indicators["c"].direction == "lower"


def test_plugin_parameters_are_checked_against_the_plugins_schema(plugins):
    doc = small_ruleset(normalise={"method": "minmax", "params": {"scale": [0, 100, 200], "colour": "red"}})
    _, diagnostics = check(plugins, doc)
    assert codes(diagnostics) == ["E_PARAMS", "E_PARAMS"]
    assert {d.path for d in diagnostics} == {"/normalise/params/scale", "/normalise/params/colour"}


def test_names_indicators_and_nodes_share(plugins):
    doc = small_ruleset()
    doc["nodes"]["a"] = {"formula": "b + c"}
    _, diagnostics = check(plugins, doc)
    assert "E_DUPLICATE_NAME" in codes(diagnostics)


def test_names_must_be_identifiers(plugins):
    doc = small_ruleset()
    doc["indicators"]["社会化"] = {"column": "a"}
    _, diagnostics = check(plugins, doc)
    assert "E_SCHEMA_VALUE" in codes(diagnostics)
    assert any("label" in (d.hint or "") for d in diagnostics)


def test_grade_bands_go_from_the_best_down(plugins):
    doc = small_ruleset(grades={"bands": [{"label": "良好", "min": 60}, {"label": "优秀", "min": 80}, {"label": "良好"}]})
    _, diagnostics = check(plugins, doc)
    assert codes(diagnostics) == ["E_GRADES", "E_GRADES"]


def test_max_grade_bands_go_from_the_best_down_and_do_not_mix_with_min(plugins):
    ruleset, diagnostics = check(plugins, small_ruleset(grades={"bands": [{"label": "优", "max": 0.1}, {"label": "良", "max": 0.2},
                                                                         {"label": "差"}]}))
    assert diagnostics == [] and [(b.min, b.max) for b in ruleset.bands] == [(None, 0.1), (None, 0.2), (None, None)]
    _, diagnostics = check(plugins, small_ruleset(grades={"bands": [{"label": "优", "max": 0.2}, {"label": "良", "max": 0.1}]}))
    assert [(d.code, d.path) for d in diagnostics] == [("E_GRADES", "/grades/bands/1/max")]
    assert "not above" in diagnostics[0].message
    # mixing the two kinds is one mistake, told once, whatever the number of bands
    mixed = [{"label": "优", "min": 90}, {"label": "良", "max": 80}, {"label": "中", "min": 60}, {"label": "差", "min": 40}]
    _, diagnostics = check(plugins, small_ruleset(grades={"bands": mixed}))
    assert codes(diagnostics) == ["E_GRADES"] and '"min" and "max"' in diagnostics[0].message
    both = [{"label": "优", "min": 90}, {"label": "良", "min": 60, "max": 90}, {"label": "差"}]
    _, diagnostics = check(plugins, small_ruleset(grades={"bands": both}))
    assert [(d.code, d.path) for d in diagnostics] == [("E_GRADES", "/grades/bands/1")]


def test_column_or_formula_but_not_both(plugins):
    doc = small_ruleset()
    doc["indicators"]["a"]["formula"] = "b * 2"
    del doc["indicators"]["b"]["column"]
    _, diagnostics = check(plugins, doc)
    assert codes(diagnostics).count("E_SCHEMA_REQUIRED") == 2


def test_with_two_sources_an_indicator_column_is_in_the_units_source_unless_it_names_another(plugins):
    doc = small_ruleset()
    doc["sources"]["extra"] = {"format": "csv", "path": "x.csv"}
    doc["indicators"]["c"]["source"] = "extra"
    ruleset, diagnostics = check(plugins, doc)
    assert ruleset is not None, diagnostics
    assert [ruleset.indicators[n].source for n in "abc"] == ["main", "main", "extra"]
    # with no units source written, nothing says which of the two sources is meant
    del doc["units"]["source"]
    _, diagnostics = check(plugins, doc)
    assert codes(diagnostics).count("E_SOURCE") == 2
    assert 'name the units\' source in "units"' in diagnostics[0].hint
    # a units source that does not exist is one mistake, told once
    doc["units"]["source"] = "mian"
    _, diagnostics = check(plugins, doc)
    assert codes(diagnostics) == ["E_UNKNOWN_NAME"] and diagnostics[0].path == "/units/source"


def test_unused_weight_sets_are_warned_about(plugins):
    doc = small_ruleset(weights={"spare": {"method": "equal"}})
    ruleset, diagnostics = check(plugins, doc)
    assert ruleset is not None and codes(diagnostics) == ["W_UNUSED"]


def test_format_version_and_structure(plugins):
    doc = small_ruleset(format="govscore/2")
    _, diagnostics = check(plugins, doc)
    assert codes(diagnostics)[0] == "E_FORMAT_VERSION"
    _, diagnostics = check(plugins, [1, 2])
    assert codes(diagnostics) == ["E_SCHEMA_TYPE"]
    doc = small_ruleset()
    del doc["units"]
    doc["indicators"]["a"]["target"] = "high"
    _, diagnostics = check(plugins, doc)
    assert sorted(codes(diagnostics)) == ["E_SCHEMA_REQUIRED", "E_SCHEMA_TYPE"]


def test_shipped_rulesets_validate_fast(plugins):
    from conftest import RULESETS
    for path in sorted(RULESETS.glob("*.json")):
        start = time.monotonic()
        ruleset, diagnostics = load_ruleset(str(path), plugins)
        assert ruleset is not None, [d.format_text() for d in diagnostics]
        assert time.monotonic() - start < 0.5


# A hostile corpus of rulesets: each must give its code, quickly, without a traceback.
def _mutate(change):
    doc = small_ruleset()
    change(doc)
    return json.dumps(doc, ensure_ascii=False)


HOSTILE_RULESETS = [
    ("malformed JSON", '{"format": "govscore/1", ', "E_JSON_SYNTAX"),
    ("duplicate keys", '{"id": "a", "id": "b"}', "E_JSON_DUPLICATE_KEY"),
    ("NaN", '{"id": NaN}', "E_JSON_NOT_FINITE"),
    ("deeply nested", '{"a":' * 5000 + "1" + "}" * 5000, "E_JSON_TOO_DEEP"),
    ("not an object", '"just a string"', "E_SCHEMA_TYPE"),
    ("typo in a key", _mutate(lambda d: d.update(scroe="total")), "E_SCHEMA_UNKNOWN_KEY"),
    ("cycle", _mutate(lambda d: d["nodes"].update(total={"formula": "total + 1"})), "E_UNKNOWN_NAME"),
    ("self child", _mutate(lambda d: d["nodes"]["total"].update(children=["total", "a"])), "E_CYCLE"),
    ("formula escape", _mutate(lambda d: d["nodes"]["total"].update(formula="a.__class__", method=None) or
                               d["nodes"]["total"].pop("method") and None), "E_FORMULA_FORBIDDEN"),
    ("huge power", _mutate(lambda d: d["indicators"].update(x={"formula": "a ** 10000"})), "E_FORMULA_POWER"),
    ("unknown source format", _mutate(lambda d: d["sources"]["main"].update(format="xls")), "E_UNKNOWN_METHOD"),
    ("wrong type", _mutate(lambda d: d["nodes"]["total"].update(children="a")), "E_SCHEMA_TYPE"),
]


@pytest.mark.parametrize("text,code", [(t, c) for _, t, c in HOSTILE_RULESETS], ids=[n for n, _, _ in HOSTILE_RULESETS])
def test_hostile_rulesets(plugins, tmp_path, text, code):
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    start = time.monotonic()
    ruleset, diagnostics = load_ruleset(str(path), plugins)
    assert time.monotonic() - start < 1.0
    assert ruleset is None
    assert code in codes(diagnostics), [d.format_text() for d in diagnostics]


@pytest.mark.parametrize("path", ["/tmp/elsewhere.csv", "../escape.csv", "results/../../escape.csv"])
def test_a_ruleset_cannot_write_outside_its_folder(plugins, path):
    _, diagnostics = check(plugins, small_ruleset(outputs=[{"format": "csv", "path": path}]))
    assert codes(diagnostics) == ["E_OUTPUT"] and diagnostics[0].path == "/outputs/0/path"


def test_a_ruleset_may_write_inside_its_folder(plugins):
    ruleset, diagnostics = check(plugins, small_ruleset(outputs=[{"format": "csv", "path": "results/a.csv"},
                                                                 {"format": "table", "path": "-"}]))
    assert ruleset is not None and diagnostics == []


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-10, 10, allow_nan=False), st.text(max_size=6),
              st.sampled_from(["a", "b", "total", "minmax", "fixed", "weighted_mean", "a / b", "higher", "range"])),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)),
    max_leaves=6)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_mutation_of_a_ruleset_gives_diagnostics_never_a_crash(plugins, data):
    doc = small_ruleset(weights={"w": {"method": "fixed", "params": {"values": {"a": 0.5, "b": 0.5}}}},
                        rounding=[{"node": "total", "digits": 2}], grades={"bands": [{"label": "好", "min": 0.5}, {"label": "差"}]},
                        outputs=[{"format": "csv", "path": "out.csv"}])
    doc["indicators"]["d"] = {"formula": "a / b", "missing": "leave", "goalposts": {"lower": 0, "upper": 1}}
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = data.draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if data.draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(json_values)
    ruleset, diagnostics = check(plugins, doc)
    assert (ruleset is None) == any(d.is_error for d in diagnostics)
    for d in diagnostics:
        assert d.code in CODES and d.message
        d.format_text()


def test_a_weight_for_no_child_and_an_unused_direction_are_warned(plugins):
    doc = small_ruleset()
    doc["nodes"]["total"]["weights"] = {"a": 0.5, "b": 0.25, "c": 0.25, "d": 0.1}
    doc["indicators"]["spare"] = {"column": "a", "direction": "lower"}
    ruleset, diagnostics = check(plugins, doc)
    assert ruleset is not None
    found = {d.path: d for d in diagnostics if d.code == "W_UNUSED"}
    assert set(found) == {"/nodes/total/weights/d", "/indicators/spare/direction"}
    assert '"d"' in found["/nodes/total/weights/d"].message and "a, b, c" in found["/nodes/total/weights/d"].message
    # a named weight set shared by nodes: a key is used when any node weighted with it has that child
    doc = small_ruleset()
    doc["weights"] = {"w": {"method": "fixed", "params": {"values": {"a": 0.5, "b": 0.25, "c": 0.25, "x": 1}}}}
    doc["nodes"]["total"]["weights"] = "w"
    _, diagnostics = check(plugins, doc)
    assert [d.path for d in diagnostics if d.code == "W_UNUSED"] == ["/weights/w/params/values/x"]


def test_the_rulesets_own_warnings_are_in_every_result(plugins, small):
    from conftest import compile_and_run
    doc = small_ruleset()
    doc["indicators"]["spare"] = {"column": "a", "direction": "lower"}
    result = compile_and_run(small(doc), plugins)
    assert [d.path for d in result.diagnostics if d.code == "W_UNUSED"] == ["/indicators/spare/direction"]


def test_indicator_settings_given_once_for_the_whole_ruleset(plugins):
    doc = small_ruleset(missing="leave", direction="lower", on_invalid="missing")
    doc["indicators"]["a"].pop("direction")
    doc["indicators"]["f"] = {"formula": "a / b"}  # formula indicators follow the defaults too
    doc["nodes"]["total"]["children"].append("f")
    doc["nodes"]["total"]["weights"] = {"a": 0.4, "b": 0.2, "c": 0.2, "f": 0.2}
    ruleset, diagnostics = check(plugins, doc)
    assert ruleset is not None, [d.format_text() for d in diagnostics]
    ind = ruleset.indicators
    assert (ind["a"].direction, ind["a"].missing, ind["f"].missing, ind["f"].on_invalid) == ("lower", "leave", "leave", "missing")
    assert ind["b"].direction == "higher"  # its own setting wins
    # a default that needs a group column is told at the default
    _, diagnostics = check(plugins, {**small_ruleset(missing="impute_group_mean"), "units": {"source": "main", "id": "id"}})
    assert "/missing" in [d.path for d in diagnostics if d.code == "E_SCHEMA_REQUIRED"]


@pytest.mark.parametrize("change,path,words", [
    (lambda d: d["nodes"]["total"].update(weights="equal"), "/nodes/total/weights", 'leave "weights" out'),
    (lambda d: d.update(rounding=[{"node": "total", "digits": 2}]) or d["nodes"].update(x={"formula": "total.rounded * 2"}),
     "/nodes/x/formula", "round(total, 2)"),
    (lambda d: d["indicators"]["a"].update(goalposts={"lower": 1, "upper": 10, "log": True}, normalise="goalposts"),
     "/indicators/a/goalposts/log", '"params": {"log": true}'),
    (lambda d: d.update(grades={"bands": [{"label": "好", "min": 0.5}, {"label": "差"}], "max": 3}), "/grades/max",
     'each band gives its own "max"'),
])
def test_hints_point_to_the_right_fix(plugins, change, path, words):
    doc = small_ruleset()
    change(doc)
    _, diagnostics = check(plugins, doc)
    [d] = [d for d in diagnostics if d.is_error]
    assert d.path == path and words in d.hint, d.format_text()


def test_a_key_unknown_in_a_list_item_says_which_item(plugins):
    _, diagnostics = check(plugins, small_ruleset(grades={"bands": [{"label": "好", "min": 0.5, "order": 1}, {"label": "差"}]}))
    [d] = diagnostics
    assert d.message == '"order" is not a property of item 1 of "bands".' and d.text("zh") == "“order”不是“bands”的第 1 项的属性。"


def test_a_plugins_parameters_with_references_in_their_schema_are_told_in_words():
    """A third-party plugin may write its parameters' schema with $defs and $ref: each problem still
    names the parameter, the rule and the description the plugin gave."""
    from govscore.engine.messages import Both
    from govscore.engine.schema import params_problems
    schema = {"$defs": {"count": {"type": "integer", "minimum": 1, "description": "How many rounds, 1 or more."}},
              "type": "object", "additionalProperties": False,
              "properties": {"rounds": {"$ref": "#/$defs/count"}, "mode": {"enum": ["fast", "exact"]}}}
    what = Both("the weighting delphi2", "赋权方法 delphi2")
    found = params_problems({"rounds": 0, "mode": "fats", "colour": 1}, schema, "/weights/w/params", what)
    by_path = {d.path: d for d in found}
    assert set(by_path) == {"/weights/w/params/rounds", "/weights/w/params/mode", "/weights/w/params/colour"}
    assert "at least 1" in by_path["/weights/w/params/rounds"].message
    assert by_path["/weights/w/params/rounds"].hint == "How many rounds, 1 or more."
    assert by_path["/weights/w/params/mode"].hint == 'did you mean "fast"?'
    assert params_problems({"rounds": "x"}, schema, "", what)[0].code == "E_PARAMS"
