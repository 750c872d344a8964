"""OpenAI Structured Outputs: the strict-mode schema rules, a validator, and a generator.

`strict_errors` refuses what OpenAI documents strict mode refuses (Structured Outputs guide,
"Supported schemas"; openai-python's `_ensure_strict_json_schema` shows the same rules from the
client side):
  - the root is an object schema, not `anyOf`;
  - every object sets `additionalProperties: false` and lists every property in `required`;
  - only the supported keywords: `type` (string, number, integer, boolean, object, array, null,
    or a list of them), `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
    `anyOf`, `$ref` (alone, to `#`, `#/$defs/...` or `#/definitions/...`), `$defs`, `definitions`,
    `description`, `title`; strings `pattern` and `format` (date-time, time, date, duration,
    email, hostname, ipv4, ipv6, uuid); numbers `minimum`, `maximum`, `exclusiveMinimum`,
    `exclusiveMaximum`, `multipleOf`; arrays `minItems`, `maxItems`;
  - anything else (`allOf`, `oneOf`, `not`, `if`/`then`/`else`, `default`, `minLength`,
    `maxLength`, `patternProperties`, `uniqueItems`, ...) is "not permitted";
  - a schema without `type` (other than `anyOf` / `$ref`) is refused;
  - limits: 5,000 object properties in all, 10 levels of object nesting, 1,000 enum values,
    120,000 characters of property names, definition names, enum and const values.
The messages copy the shape OpenAI answers with ("Invalid schema for response_format 'NAME':
In context=('properties', 'x'), 'additionalProperties' is required to be supplied and to be
false."), as public client code quotes them; the documentation shows no verbatim body.

Where the documentation is ambiguous the checker is stricter (a schema it accepts is one OpenAI
accepts): `minLength`/`maxLength` are not on the supported list, so they are refused.

`validate` checks an instance against such a schema; `generate` builds an instance that
validates, deterministically from a seed (the request's messages).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import uuid
from typing import Any

TYPES = {"string", "number", "integer", "boolean", "object", "array", "null"}
FORMATS = {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
_ANNOTATIONS = {"description", "title", "$comment"}
_COMMON = {"type", "enum", "const", "anyOf", "$ref", "$defs", "definitions"} | _ANNOTATIONS
_BY_TYPE = {
    "object": {"properties", "required", "additionalProperties"},
    "array": {"items", "minItems", "maxItems"},
    "string": {"pattern", "format"},
    "number": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
    "integer": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"},
    "boolean": set(),
    "null": set(),
}
_ROOT_ONLY = {"$schema", "$id"}
MAX_PROPERTIES = 5000
MAX_DEPTH = 10
MAX_ENUM_VALUES = 1000
MAX_STRING_CHARS = 120_000


def _ctx(path: tuple) -> str:
    return repr(tuple(path))


class _Strict:
    def __init__(self, root: dict):
        self.root = root
        self.properties = 0
        self.enum_values = 0
        self.chars = 0
        self.errors: list[str] = []

    def fail(self, path: tuple, message: str) -> None:
        self.errors.append(f"In context={_ctx(path)}, {message}")

    def walk(self, node: Any, path: tuple, depth: int) -> None:
        if not isinstance(node, dict):
            self.fail(path, "schema must be a JSON object.")
            return
        allowed = set(_COMMON)
        if not path:
            allowed |= _ROOT_ONLY
        types = node.get("type")
        type_list: list = []
        if types is not None:
            type_list = types if isinstance(types, list) else [types]
            if not type_list or any(not isinstance(t, str) or t not in TYPES for t in type_list):
                self.fail(path, f"'type' must be one of {sorted(TYPES)} or a list of them, got {types!r}.")
                return
            for t in type_list:
                allowed |= _BY_TYPE[t]
        for key in node:
            if key not in allowed:
                self.fail(path, f"'{key}' is not permitted.")
        for defs_key in ("$defs", "definitions"):
            defs = node.get(defs_key)
            if defs is not None:
                if not isinstance(defs, dict):
                    self.fail(path, f"'{defs_key}' must be an object.")
                else:
                    for name, sub in defs.items():
                        self.chars += len(name)
                        self.walk(sub, path + (defs_key, name), depth)
        if "$ref" in node:
            others = set(node) - {"$ref"} - _ANNOTATIONS
            if others:
                self.fail(path, f"'$ref' cannot be combined with {sorted(others)}.")
            ref = node["$ref"]
            if not isinstance(ref, str) or resolve_ref(self.root, ref) is None:
                self.fail(path, f"reference {ref!r} can't be resolved.")
            return
        if "anyOf" in node:
            variants = node["anyOf"]
            if not isinstance(variants, list) or not variants:
                self.fail(path, "'anyOf' must be a non-empty array.")
                return
            for i, sub in enumerate(variants):
                self.walk(sub, path + ("anyOf", str(i)), depth)
            return
        if types is None:
            self.fail(path, "schema must have a 'type' key.")
            return
        if "enum" in node:
            values = node["enum"]
            if not isinstance(values, list) or not values:
                self.fail(path, "'enum' must be a non-empty array.")
            else:
                self.enum_values += len(values)
                for v in values:
                    if isinstance(v, str):
                        self.chars += len(v)
                    if not _matches_type(v, type_list):
                        self.fail(path, f"enum value {v!r} does not match the type {types!r}.")
        if "const" in node:
            if isinstance(node["const"], str):
                self.chars += len(node["const"])
            if not _matches_type(node["const"], type_list):
                self.fail(path, f"const value {node['const']!r} does not match the type {types!r}.")
        if "format" in node and node["format"] not in FORMATS:
            self.fail(path, f"format {node['format']!r} is not supported; use one of {sorted(FORMATS)}.")
        if "pattern" in node:
            try:
                re.compile(node["pattern"])
            except (re.error, TypeError):
                self.fail(path, f"pattern {node['pattern']!r} is not a valid regular expression.")
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
            if key in node and (isinstance(node[key], bool) or not isinstance(node[key], (int, float))):
                self.fail(path, f"'{key}' must be a number.")
        if "multipleOf" in node and isinstance(node["multipleOf"], (int, float)) and node["multipleOf"] <= 0:
            self.fail(path, "'multipleOf' must be greater than 0.")
        for key in ("minItems", "maxItems"):
            if key in node and (isinstance(node[key], bool) or not isinstance(node[key], int) or node[key] < 0):
                self.fail(path, f"'{key}' must be a non-negative integer.")
        if "object" in type_list:
            self.walk_object(node, path, depth + 1)
        if "array" in type_list:
            items = node.get("items")
            if items is None:
                self.fail(path, "'items' is required to be supplied for an array.")
            else:
                self.walk(items, path + ("items",), depth)

    def walk_object(self, node: dict, path: tuple, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.fail(path, f"objects may be nested at most {MAX_DEPTH} levels deep.")
            return
        if node.get("additionalProperties") is not False:
            self.fail(path, "'additionalProperties' is required to be supplied and to be false.")
        properties = node.get("properties", {})
        if not isinstance(properties, dict):
            self.fail(path, "'properties' must be an object.")
            return
        required = node.get("required")
        if not isinstance(required, list) or any(not isinstance(r, str) for r in required):
            missing = next(iter(properties), None)
            if properties:
                self.fail(path, f"'required' is required to be supplied and to be an array including every key in properties. Missing '{missing}'.")
            elif required is not None:
                self.fail(path, "'required' must be an array of strings.")
        else:
            for key in properties:
                if key not in required:
                    self.fail(path, f"'required' is required to be supplied and to be an array including every key in properties. Missing '{key}'.")
                    break
            for key in required:
                if key not in properties:
                    self.fail(path, f"'required' names '{key}', which is not in properties.")
                    break
        self.properties += len(properties)
        for key, sub in properties.items():
            self.chars += len(key)
            self.walk(sub, path + ("properties", key), depth)


def strict_errors(schema: Any) -> list[str]:
    """Why strict mode would refuse `schema` (empty when it would accept it)."""
    if not isinstance(schema, dict):
        return ["schema must be a JSON object."]
    root_type = schema.get("type")
    if root_type != "object" or "anyOf" in schema:
        shown = "None" if root_type is None else root_type
        return [f"schema must be a JSON Schema of 'type: \"object\"', got 'type: \"{shown}\"'."]
    checker = _Strict(schema)
    checker.walk(schema, (), 0)
    if checker.properties > MAX_PROPERTIES:
        checker.errors.append(f"A schema may have up to {MAX_PROPERTIES} object properties total; this one has {checker.properties}.")
    if checker.enum_values > MAX_ENUM_VALUES:
        checker.errors.append(f"A schema may have up to {MAX_ENUM_VALUES} enum values total; this one has {checker.enum_values}.")
    if checker.chars > MAX_STRING_CHARS:
        checker.errors.append(f"The total string length of property names, definition names, enum values and const values may be at most {MAX_STRING_CHARS}; this schema has {checker.chars}.")
    return checker.errors


def resolve_ref(root: dict, ref: str) -> Any:
    """The schema a local `$ref` points at, or None."""
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        return None
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, dict) else None


def _matches_type(value: Any, types: list) -> bool:
    for t in types:
        if t == "null" and value is None:
            return True
        if t == "boolean" and isinstance(value, bool):
            return True
        if t == "integer" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if t == "integer" and isinstance(value, float) and value.is_integer():
            return True
        if t == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        if t == "string" and isinstance(value, str):
            return True
        if t == "array" and isinstance(value, list):
            return True
        if t == "object" and isinstance(value, dict):
            return True
    return False


_DATE = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
_TIME = r"([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)"
_FORMAT_RE = {
    "date": re.compile(rf"^{_DATE}$"),
    "time": re.compile(rf"^{_TIME}$"),
    "date-time": re.compile(rf"^{_DATE}[Tt]{_TIME}$"),
    "duration": re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"),
    "email": re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    "hostname": re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"),
    "uuid": re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"),
}


def _format_ok(fmt: str, value: str) -> bool:
    if fmt == "ipv4":
        try:
            return isinstance(ipaddress.ip_address(value), ipaddress.IPv4Address)
        except ValueError:
            return False
    if fmt == "ipv6":
        try:
            return isinstance(ipaddress.ip_address(value), ipaddress.IPv6Address)
        except ValueError:
            return False
    pattern = _FORMAT_RE.get(fmt)
    return True if pattern is None else bool(pattern.match(value))


def validate(instance: Any, schema: dict, root: dict | None = None, path: str = "") -> list[str]:
    """Errors (JSON-pointer-ish path: message) of `instance` against a strict-style schema."""
    root = schema if root is None else root
    errors: list[str] = []
    where = path or "/"
    if "$ref" in schema:
        target = resolve_ref(root, schema["$ref"])
        if target is None:
            return [f"{where}: unresolvable $ref {schema['$ref']!r}"]
        return validate(instance, target, root, path)
    if "anyOf" in schema:
        if not any(not validate(instance, sub, root, path) for sub in schema["anyOf"]):
            errors.append(f"{where}: matches no anyOf variant")
        return errors
    types = schema.get("type")
    type_list = [] if types is None else (types if isinstance(types, list) else [types])
    if type_list and not _matches_type(instance, type_list):
        return [f"{where}: expected {types}, got {type(instance).__name__}"]
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{where}: {instance!r} is not one of {schema['enum']!r}")
    if "const" in schema and instance != schema["const"]:
        errors.append(f"{where}: {instance!r} is not {schema['const']!r}")
    if isinstance(instance, str):
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            errors.append(f"{where}: {instance!r} does not match {schema['pattern']!r}")
        if "format" in schema and not _format_ok(schema["format"], instance):
            errors.append(f"{where}: {instance!r} is not a {schema['format']}")
        if "minLength" in schema and len(instance) < schema["minLength"]:
            errors.append(f"{where}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(instance) > schema["maxLength"]:
            errors.append(f"{where}: longer than {schema['maxLength']}")
    if isinstance(instance, (int, float)) and not isinstance(instance, bool):
        if "minimum" in schema and instance < schema["minimum"]:
            errors.append(f"{where}: {instance} < minimum {schema['minimum']}")
        if "maximum" in schema and instance > schema["maximum"]:
            errors.append(f"{where}: {instance} > maximum {schema['maximum']}")
        if "exclusiveMinimum" in schema and instance <= schema["exclusiveMinimum"]:
            errors.append(f"{where}: {instance} <= exclusiveMinimum {schema['exclusiveMinimum']}")
        if "exclusiveMaximum" in schema and instance >= schema["exclusiveMaximum"]:
            errors.append(f"{where}: {instance} >= exclusiveMaximum {schema['exclusiveMaximum']}")
        if "multipleOf" in schema:
            q = instance / schema["multipleOf"]
            if abs(q - round(q)) > 1e-9:
                errors.append(f"{where}: {instance} is not a multiple of {schema['multipleOf']}")
    if isinstance(instance, list):
        if "minItems" in schema and len(instance) < schema["minItems"]:
            errors.append(f"{where}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(instance) > schema["maxItems"]:
            errors.append(f"{where}: more than {schema['maxItems']} items")
        if isinstance(schema.get("items"), dict):
            for i, item in enumerate(instance):
                errors += validate(item, schema["items"], root, f"{path}/{i}")
    if isinstance(instance, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in instance:
                errors.append(f"{where}: missing required property {key!r}")
        if schema.get("additionalProperties") is False:
            for key in instance:
                if key not in properties:
                    errors.append(f"{where}: unexpected property {key!r}")
        for key, sub in properties.items():
            if key in instance:
                errors += validate(instance[key], sub, root, f"{path}/{key}")
    return errors


# ----------------------------------------------------------------------------- generation


class Generator:
    """Builds an instance of a strict schema from a seed: same seed and schema, same instance.

    Enums take a value picked by a hash of the seed and the path (so different transcripts
    give different sentiments), strings quote a short excerpt of the seed text, numbers land
    inside their bounds, arrays get `minItems` items or two, nullable types get their non-null
    branch, recursion through `$ref` stops at depth 6 by taking a null branch or an empty array.
    """

    def __init__(self, root: dict, seed: str, excerpt: str = ""):
        self.root = root
        self.seed = seed
        self.excerpt = " ".join(excerpt.split())[:60]

    def _hash(self, path: str) -> int:
        return int.from_bytes(hashlib.sha256(f"{self.seed}|{path}".encode()).digest()[:8], "big")

    def value(self, schema: dict, path: str = "", depth: int = 0) -> Any:
        if "$ref" in schema:
            target = resolve_ref(self.root, schema["$ref"])
            return self.value(target or {}, path, depth + 1)
        if "anyOf" in schema:
            variants = schema["anyOf"]
            if depth > 6:
                for v in variants:
                    if v.get("type") == "null":
                        return None
            for v in variants:
                if v.get("type") != "null":
                    return self.value(v, path, depth + 1)
            return None
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            values = schema["enum"]
            return values[self._hash(path) % len(values)]
        types = schema.get("type")
        type_list = types if isinstance(types, list) else [types]
        concrete = [t for t in type_list if t != "null"]
        if not concrete or (depth > 6 and "null" in type_list):
            return None
        t = concrete[0]
        if t == "object":
            return {key: self.value(sub, f"{path}/{key}", depth + 1) for key, sub in schema.get("properties", {}).items()}
        if t == "array":
            low = schema.get("minItems", 0)
            high = schema.get("maxItems", max(low, 2))
            count = 0 if depth > 6 else max(low, min(2, high))
            return [self.value(schema.get("items", {}), f"{path}/{i}", depth + 1) for i in range(count)]
        if t == "string":
            return self.string(schema, path)
        if t in ("integer", "number"):
            return self.number(schema, path, integer=(t == "integer"))
        if t == "boolean":
            return bool(self._hash(path) & 1)
        return None

    def string(self, schema: dict, path: str) -> str:
        fmt = schema.get("format")
        samples = {
            "date-time": "2024-05-06T07:08:09Z",
            "date": "2024-05-06",
            "time": "07:08:09Z",
            "duration": "PT1M30S",
            "email": "caller@example.com",
            "hostname": "example.com",
            "ipv4": "192.0.2.10",
            "ipv6": "2001:db8::10",
            "uuid": str(uuid.UUID(int=self._hash(path) << 64 | self._hash(path + "#"))),
        }
        name = path.rsplit("/", 1)[-1] or "value"
        if name.isdigit():
            name = path.rsplit("/", 2)[-2] if path.count("/") >= 2 else "item"
        candidates = []
        if fmt in samples:
            candidates.append(samples[fmt])
        text = f"Stand-in {name}: {self.excerpt}".strip() if self.excerpt else f"Stand-in {name}"
        candidates += [text, name, "a", "A", "0", "a1", "example"]
        pattern = schema.get("pattern")
        if pattern is not None:
            made = from_pattern(pattern, self._hash(path))
            if made is not None:
                candidates.insert(0, made)
        for c in candidates:
            if pattern is None or re.search(pattern, c):
                if fmt is None or _format_ok(fmt, c):
                    return c
        return candidates[0]

    def number(self, schema: dict, path: str, integer: bool) -> int | float:
        h = self._hash(path)
        low = schema.get("minimum")
        high = schema.get("maximum")
        if "exclusiveMinimum" in schema:
            e = schema["exclusiveMinimum"]
            low = max(low, e) if low is not None else e
        if "exclusiveMaximum" in schema:
            e = schema["exclusiveMaximum"]
            high = min(high, e) if high is not None else e
        step = schema.get("multipleOf")
        if integer:
            lo = int(-(-low // 1)) if low is not None else 0
            hi = int(high // 1) if high is not None else lo + 100
            if "exclusiveMinimum" in schema and lo <= schema["exclusiveMinimum"]:
                lo += 1
            if "exclusiveMaximum" in schema and hi >= schema["exclusiveMaximum"]:
                hi -= 1
            if step:
                first = int(-(-lo // step) * step)
                choices = list(range(first, hi + 1, int(step))) if isinstance(step, int) else [first]
                return choices[h % len(choices)] if choices else first
            return lo + h % max(1, hi - lo + 1)
        lo = float(low) if low is not None else 0.0
        hi = float(high) if high is not None else lo + 100.0
        value = lo + (hi - lo) * ((h % 998) + 1) / 1000  # strictly inside (lo, hi)
        if step:
            value = round(value / step) * step
            while value < lo or ("exclusiveMinimum" in schema and value <= lo):
                value += step
        return round(value, 6) if not step else value


def from_pattern(pattern: str, h: int) -> str | None:
    """A string matching a regular expression, built from Python's own parse of it (literals,
    classes, repeats, groups, alternation; lookarounds and backreferences give up: None)."""
    try:
        import re._constants as C  # Python 3.11+
        import re._parser as P
    except ImportError:  # pragma: no cover - older Pythons
        import sre_constants as C  # type: ignore[no-redef]
        import sre_parse as P  # type: ignore[no-redef]

    def pick_in(items) -> str | None:
        negate = False
        chars: list[str] = []
        for op, av in items:
            if op is C.NEGATE:
                negate = True
            elif op is C.LITERAL:
                chars.append(chr(av))
            elif op is C.RANGE:
                chars.append(chr(av[0]))
            elif op is C.CATEGORY:
                chars.append({C.CATEGORY_DIGIT: "0", C.CATEGORY_WORD: "a", C.CATEGORY_SPACE: " ",
                              C.CATEGORY_NOT_DIGIT: "a", C.CATEGORY_NOT_WORD: "-", C.CATEGORY_NOT_SPACE: "a"}.get(av, "a"))
        if negate:
            for c in "aA0_-x":
                if c not in chars:
                    return c
            return None
        return chars[h % len(chars)] if chars else None

    def emit(tokens) -> str | None:
        out = []
        for op, av in tokens:
            if op is C.LITERAL:
                out.append(chr(av))
            elif op is C.NOT_LITERAL:
                out.append("a" if chr(av) != "a" else "b")
            elif op is C.ANY:
                out.append("a")
            elif op is C.IN:
                c = pick_in(av)
                if c is None:
                    return None
                out.append(c)
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
                low, high, sub = av
                count = low if low > 0 else (1 if high is C.MAXREPEAT or high >= 1 else 0)
                for _ in range(count):
                    piece = emit(sub)
                    if piece is None:
                        return None
                    out.append(piece)
            elif op is C.SUBPATTERN:
                piece = emit(av[-1])
                if piece is None:
                    return None
                out.append(piece)
            elif op is C.BRANCH:
                piece = emit(av[1][0])
                if piece is None:
                    return None
                out.append(piece)
            elif op is C.AT:
                continue
            elif op is C.CATEGORY:
                out.append("0" if av is C.CATEGORY_DIGIT else "a")
            else:
                return None
        return "".join(out)

    try:
        made = emit(P.parse(pattern))
    except Exception:
        return None
    return made if made is not None and re.search(pattern, made) else None


def generate(schema: dict, seed: str, excerpt: str = "") -> Any:
    """An instance of `schema` built from `seed` (see Generator)."""
    return Generator(schema, seed, excerpt).value(schema)


def mismatch(instance: Any, schema: dict) -> Any:
    """A JSON value that does not validate against `schema` (for the schema_mismatch fault):
    the instance without its first required property, or a value of the wrong type."""
    if isinstance(instance, dict) and schema.get("required"):
        broken = dict(instance)
        broken.pop(schema["required"][0], None)
        broken["unexpected_standin_property"] = True
        return broken
    return {"unexpected": "shape"} if not isinstance(instance, dict) else ["not", "an", "object"]
