"""Strict-mode schema rules, the validator and the generator behind the OpenAI stand-in.

The generator's output is checked by the stand-in's own validator and by the `jsonschema`
package (installed by scripts/test.sh), an independent implementation of JSON Schema.
"""

import copy
import json
import unittest

import jsonschema

from standin import schema as strict

ANALYSIS = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "description": "two sentences"},
        "sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]},
        "outcome": {"type": "string", "enum": ["booked", "follow_up", "lost", "other"]},
        "objections": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"objection": {"type": "string"}, "response": {"type": ["string", "null"]}},
                "required": ["objection", "response"],
                "additionalProperties": False,
            },
        },
        "next_steps": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 5},
        "lead_score": {"type": "integer", "minimum": 0, "maximum": 100},
        "confidence": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
        "callback_at": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
        "contact": {"$ref": "#/$defs/contact"},
    },
    "required": ["summary", "sentiment", "outcome", "objections", "next_steps", "lead_score", "confidence", "callback_at", "contact"],
    "additionalProperties": False,
    "$defs": {
        "contact": {
            "type": "object",
            "properties": {"email": {"type": ["string", "null"], "format": "email"}, "zip": {"type": "string", "pattern": "^[0-9]{5}$"}},
            "required": ["email", "zip"],
            "additionalProperties": False,
        }
    },
}


def refusal(schema) -> str:
    errors = strict.strict_errors(schema)
    assert errors, f"strict mode accepted {json.dumps(schema)[:200]}"
    return errors[0]


class StrictRulesTests(unittest.TestCase):
    def test_a_strict_schema_passes(self):
        self.assertEqual(strict.strict_errors(ANALYSIS), [])

    def test_missing_or_true_additional_properties_is_refused_at_every_level(self):
        root = copy.deepcopy(ANALYSIS)
        del root["additionalProperties"]
        self.assertEqual(refusal(root), "In context=(), 'additionalProperties' is required to be supplied and to be false.")
        nested = copy.deepcopy(ANALYSIS)
        nested["properties"]["objections"]["items"]["additionalProperties"] = True
        self.assertIn("In context=('properties', 'objections', 'items'), 'additionalProperties'", refusal(nested))
        in_defs = copy.deepcopy(ANALYSIS)
        del in_defs["$defs"]["contact"]["additionalProperties"]
        self.assertIn("('$defs', 'contact')", refusal(in_defs))

    def test_every_property_must_be_required(self):
        s = copy.deepcopy(ANALYSIS)
        s["required"].remove("lead_score")
        self.assertIn("Missing 'lead_score'", refusal(s))
        s = copy.deepcopy(ANALYSIS)
        del s["properties"]["objections"]["items"]["required"]
        self.assertIn("('properties', 'objections', 'items'), 'required' is required", refusal(s))
        s = copy.deepcopy(ANALYSIS)
        s["required"].append("ghost")
        self.assertIn("'ghost'", refusal(s))

    def test_root_must_be_an_object_and_not_any_of(self):
        self.assertIn("type: \"object\"", refusal({"type": "array", "items": {"type": "string"}}))
        self.assertIn("type: \"object\"", refusal({"anyOf": [ANALYSIS]}))

    def test_unsupported_keywords_are_not_permitted(self):
        for key, value in (("default", "x"), ("minLength", 1), ("maxLength", 9), ("allOf", [{"type": "string"}]), ("oneOf", [{"type": "string"}]), ("not", {"type": "null"})):
            with self.subTest(key=key):
                s = copy.deepcopy(ANALYSIS)
                s["properties"]["summary"][key] = value
                self.assertEqual(refusal(s), f"In context=('properties', 'summary'), '{key}' is not permitted.")
        s = copy.deepcopy(ANALYSIS)
        s["properties"]["next_steps"]["uniqueItems"] = True
        self.assertIn("'uniqueItems' is not permitted", refusal(s))
        s = copy.deepcopy(ANALYSIS)
        s["properties"]["summary"]["minimum"] = 1  # a number keyword on a string
        self.assertIn("'minimum' is not permitted", refusal(s))

    def test_type_format_and_ref_rules(self):
        s = copy.deepcopy(ANALYSIS)
        del s["properties"]["summary"]["type"]
        self.assertIn("schema must have a 'type' key", refusal(s))
        s = copy.deepcopy(ANALYSIS)
        s["properties"]["summary"]["format"] = "uri"
        self.assertIn("format 'uri' is not supported", refusal(s))
        s = copy.deepcopy(ANALYSIS)
        s["properties"]["contact"] = {"$ref": "#/$defs/contact", "type": "object"}
        self.assertIn("'$ref' cannot be combined", refusal(s))
        s = copy.deepcopy(ANALYSIS)
        s["properties"]["contact"] = {"$ref": "#/$defs/nowhere"}
        self.assertIn("can't be resolved", refusal(s))
        s = copy.deepcopy(ANALYSIS)
        s["properties"]["sentiment"]["enum"] = ["positive", 3]
        self.assertIn("enum value 3", refusal(s))

    def test_limits(self):
        deep = {"type": "string"}
        for i in range(11):
            deep = {"type": "object", "properties": {f"l{i}": deep}, "required": [f"l{i}"], "additionalProperties": False}
        self.assertTrue(any("nested at most 10" in e for e in strict.strict_errors(deep)))
        ten = {"type": "string"}
        for i in range(10):
            ten = {"type": "object", "properties": {f"l{i}": ten}, "required": [f"l{i}"], "additionalProperties": False}
        self.assertEqual(strict.strict_errors(ten), [])
        many = {"type": "object", "properties": {"e": {"type": "string", "enum": [str(i) for i in range(1001)]}}, "required": ["e"], "additionalProperties": False}
        self.assertTrue(any("1000 enum values" in e for e in strict.strict_errors(many)))


class GeneratorTests(unittest.TestCase):
    SCHEMAS = {
        "analysis": ANALYSIS,
        "numbers": {
            "type": "object",
            "properties": {
                "a": {"type": "integer", "minimum": 10, "maximum": 12},
                "b": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 2},
                "c": {"type": "number", "minimum": -1.5, "maximum": -1.25},
                "d": {"type": "integer", "multipleOf": 5, "minimum": 7, "maximum": 30},
                "e": {"type": "number", "multipleOf": 0.25, "minimum": 0, "maximum": 1},
                "f": {"type": "boolean"},
                "g": {"type": "string", "const": "fixed"},
            },
            "required": ["a", "b", "c", "d", "e", "f", "g"],
            "additionalProperties": False,
        },
        "recursive": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#"}}},
            "required": ["name", "children"],
            "additionalProperties": False,
        },
        "patterns": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "pattern": "^[A-Z]{2}-\\d{3}$"},
                "answer": {"type": "string", "pattern": "^(yes|no)$"},
                "ticket": {"type": "string", "pattern": "^T[0-9a-f]+(-[a-z]{2,4})?$"},
            },
            "required": ["code", "answer", "ticket"],
            "additionalProperties": False,
        },
        "formats": {
            "type": "object",
            "properties": {f: {"type": "string", "format": f} for f in sorted(strict.FORMATS)},
            "required": sorted(strict.FORMATS),
            "additionalProperties": False,
        },
    }

    def test_generated_instances_validate_by_both_validators(self):
        for name, s in self.SCHEMAS.items():
            self.assertEqual(strict.strict_errors(s), [], name)
            for seed in ("one call", "another call", ""):
                with self.subTest(schema=name, seed=seed):
                    value = strict.generate(s, seed, "the customer asked about a quote")
                    self.assertEqual(strict.validate(value, s), [])
                    jsonschema.Draft202012Validator(s, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(value)

    def test_generation_is_deterministic_and_follows_the_transcript(self):
        a = strict.generate(ANALYSIS, "seed-a", "hello")
        self.assertEqual(a, strict.generate(ANALYSIS, "seed-a", "hello"))
        sentiments = {strict.generate(ANALYSIS, f"seed-{i}")["sentiment"] for i in range(30)}
        self.assertGreater(len(sentiments), 1, "enum values should depend on the seed")
        self.assertIn("price of a quote", strict.generate(ANALYSIS, "s", "asked about the price of a quote")["summary"])

    def test_mismatch_does_not_validate(self):
        value = strict.generate(ANALYSIS, "x")
        broken = strict.mismatch(value, ANALYSIS)
        self.assertTrue(strict.validate(broken, ANALYSIS))
        with self.assertRaises(jsonschema.ValidationError):
            jsonschema.validate(broken, ANALYSIS)

    def test_validator_reports_what_jsonschema_reports(self):
        bad = strict.generate(ANALYSIS, "x")
        bad["lead_score"] = 101
        bad["sentiment"] = "angry"
        bad["objections"].append({"objection": "x", "response": None, "extra": 1})
        errors = strict.validate(bad, ANALYSIS)
        self.assertTrue(any("lead_score" in e for e in errors))
        self.assertTrue(any("angry" in e for e in errors))
        self.assertTrue(any("extra" in e for e in errors))
        self.assertEqual(len(list(jsonschema.Draft202012Validator(ANALYSIS).iter_errors(bad))), 3)


if __name__ == "__main__":
    unittest.main()
