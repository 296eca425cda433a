"""The published ruleset schema: complete help for editors, and in step with the engine."""

import json

import jsonschema

from conftest import RULESETS, ROOT
from govscore.engine.plugins import load_plugins
from govscore.engine.schema import base_schema, published_schema

PUBLISHED = ROOT / "schemas" / "ruleset.schema.json"


def properties(schema, path="#"):
    """Every property schema in the format, with its path."""
    if not isinstance(schema, dict):
        return
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}/{name}", sub
        yield from properties(sub, f"{path}/{name}")
    for key in ("additionalProperties", "items"):
        if isinstance(schema.get(key), dict):
            yield from properties(schema[key], f"{path}/{key}")
    for key in ("oneOf", "anyOf", "allOf"):
        for i, sub in enumerate(schema.get(key, [])):
            yield from properties(sub, f"{path}/{key}/{i}")


def test_every_property_has_a_description_and_an_example():
    for path, sub in properties(base_schema()):
        assert sub.get("description"), f"{path} has no description"
        assert sub.get("examples"), f"{path} has no example"


def test_objects_refuse_unknown_keys():
    def walk(schema, path="#"):
        if isinstance(schema, dict):
            if schema.get("type") == "object" and "properties" in schema:
                assert schema.get("additionalProperties") is False, path
            for key, sub in schema.items():
                walk(sub, f"{path}/{key}")
        elif isinstance(schema, list):
            for i, sub in enumerate(schema):
                walk(sub, f"{path}/{i}")
    walk(base_schema())


def test_the_published_file_is_up_to_date():
    expected = published_schema(load_plugins(autoload=False))
    assert json.loads(PUBLISHED.read_text(encoding="utf-8")) == expected, \
        "run: GOVSCORE_DISABLE_PLUGIN_AUTOLOAD=1 engine schema -o schemas/ruleset.schema.json"


def test_the_published_chinese_file_is_up_to_date_and_every_description_is_translated():
    from govscore.engine.schema_zh import NAMES, ZH
    chinese = published_schema(load_plugins(autoload=False), "zh")
    assert json.loads((PUBLISHED.parent / "ruleset.schema.zh-CN.json").read_text(encoding="utf-8")) == chinese, \
        "run: GOVSCORE_DISABLE_PLUGIN_AUTOLOAD=1 engine schema --lang zh-CN -o schemas/ruleset.schema.zh-CN.json"
    untranslated, unnamed = [], []  # every description in Chinese; every property with a Chinese name (its title)

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str) and value not in ZH:
                    untranslated.append(value)
                if key == "enumDescriptions":
                    untranslated.extend(d for d in value if d not in ZH)
                if key == "properties":
                    unnamed.extend(k for k in value if k not in NAMES)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(base_schema())
    assert untranslated == [] and unnamed == []
    assert chinese["properties"]["indicators"]["additionalProperties"]["properties"]["direction"]["title"] == "方向"
    english = published_schema(load_plugins(autoload=False))
    assert "title" not in english["properties"]["units"]  # the field names are the keys in English
    # every closed choice says what it does, in both languages; the methods' from the plugins' own words
    direction = chinese["properties"]["indicators"]["additionalProperties"]["properties"]["direction"]
    assert len(direction["enumDescriptions"]) == len(direction["enum"]) and direction["enumDescriptions"][0] == "越大越好（正向）。"
    normalise = english["properties"]["normalise"]["oneOf"][0]
    assert normalise["enumDescriptions"][normalise["enum"].index("minmax")].startswith("Min-max")


def test_the_published_schema_is_valid_and_accepts_the_shipped_rulesets():
    schema = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(RULESETS.glob("*.json")):
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert errors == [], (path.name, [e.message for e in errors])


def test_the_published_schema_knows_plugin_methods_and_parameters():
    schema = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    doc = json.loads((RULESETS / "governance.json").read_text(encoding="utf-8"))
    doc["normalise"] = {"method": "minmax", "params": {"scael": [0, 100]}}
    assert any("scael" in e.message for e in validator.iter_errors(doc))
    doc["normalise"] = "minmx"
    assert list(validator.iter_errors(doc))
