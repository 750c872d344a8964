#!/usr/bin/env python3
"""Who may use what, checked on the sources (scripts/check-imports.sh runs this).

Rules (README, "Layout"): each target may import only the Otto targets and C modules listed for it
in ALLOWED (a target's own name aside), so the layers point one way:
  OttoSupport <- OttoPostgres, OttoRedis <- OttoTasks (Redis only) <- OttoProcessKit (configuration,
  logging, check-config, the beat's composition) and OttoCalls <- OttoCore <- otto-api and
  otto-worker; otto-beat stands on OttoProcessKit alone. Besides:
- OttoAPI is HTTP only: it imports neither OttoPostgres, OttoRedis, CLibPQ nor CHiredis, and it
  names neither `sqlState` nor `RedisScript(`.
- SQL is written by OttoCalls (the domain) and OttoPostgres (the driver's own migration
  bookkeeping) only: no other source target holds SQL or a SQLSTATE code in a string literal.
- Lua is held by OttoRedis, OttoTasks and OttoCalls only.
- otto-worker and otto-beat carry no HTTP server: neither they nor the libraries they link
  import Hummingbird. That they do not link it either is checked on the built binaries with nm by
  Tests/OttoSystemTests/Processes/ProcessLifecycleTests.swift ("otto-worker and otto-beat do not
  link Hummingbird; otto-api does").

Usage: check_imports.py [ROOT]   (ROOT defaults to the repository; exit 1 lists every violation)
"""
import pathlib
import re
import sys

IMPORT = re.compile(
    r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?"
    r"import\s+(?:(?:typealias|struct|class|enum|protocol|let|var|func|actor)\s+)?([A-Za-z_][A-Za-z0-9_]*)",
    re.M,
)
C_MODULES = {"CLibPQ", "CHiredis"}
# The Otto targets and C modules each source target may import.
ALLOWED = {
    "OttoSupport": set(),
    "OttoPostgres": {"OttoSupport", "CLibPQ"},
    "OttoRedis": {"OttoSupport", "CHiredis"},
    "OttoTasks": {"OttoSupport", "OttoRedis"},
    "OttoCalls": {"OttoSupport", "OttoPostgres", "OttoRedis", "OttoProviders", "OttoTasks"},
    "OttoProviders": {"OttoSupport"},
    "OttoProcessKit": {"OttoSupport", "OttoRedis", "OttoTasks"},
    "OttoCore": {"OttoSupport", "OttoPostgres", "OttoRedis", "OttoTasks", "OttoCalls", "OttoProviders", "OttoProcessKit"},
    "OttoAPI": {"OttoSupport", "OttoTasks", "OttoCalls", "OttoCore", "OttoProcessKit"},
    "OttoWorker": {"OttoSupport", "OttoRedis", "OttoTasks", "OttoCalls", "OttoCore", "OttoProcessKit"},
    # otto-beat links no PostgreSQL (libpq), no domain and no HTTP client: the binary check is in
    # ProcessLifecycleTests ("otto-beat links neither libpq nor AsyncHTTPClient").
    "OttoBeat": {"OttoSupport", "OttoTasks", "OttoProcessKit"},
}
OTTO_TARGETS = set(ALLOWED) | {"OttoTestSupport"}
SQL_WRITERS = {"OttoCalls", "OttoPostgres"}
LUA_HOLDERS = {"OttoRedis", "OttoTasks", "OttoCalls"}
NO_HTTP_TARGETS = [t for t in ALLOWED if t != "OttoAPI"]
SQL = re.compile(
    r"\b(?:SELECT\s+\S|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(?:TABLE|INDEX|POLICY|ROLE|FUNCTION)"
    r"|ALTER\s+(?:TABLE|ROLE)|DROP\s+(?:TABLE|INDEX|POLICY|ROLE)|ON\s+CONFLICT|RETURNING\s+\w|pg_advisory_\w+"
    r"|set_config\s*\()"
)
SQLSTATE = re.compile(r"^[0-9]{2}[0-9A-Z]{3}$")
LUA = re.compile(r"redis\.call\s*\(|\bKEYS\[\d+\]|\bARGV\[\d+\]")
API_CODE = [(re.compile(r"\bsqlState\b"), "matches a SQLSTATE (sqlState)"), (re.compile(r"\bRedisScript\s*\("), "builds a RedisScript")]


def lex(text):
    """Splits Swift source into (code, literals): comments dropped, each string literal's text
    (interpolations included as code)."""
    code, literals = [], []
    i, n = 0, len(text)

    def string_at(i):
        # Returns (end index, literal text, interpolated code) for the literal starting at i.
        hashes = 0
        while i < n and text[i] == "#":
            hashes += 1
            i += 1
        multi = text.startswith('"""', i)
        i += 3 if multi else 1
        closing = ('"""' if multi else '"') + "#" * hashes
        escape = "\\" + "#" * hashes
        out, inner = [], []
        while i < n:
            if text.startswith(closing, i):
                return i + len(closing), "".join(out), "".join(inner)
            if text.startswith(escape, i):
                j = i + len(escape)
                if j < n and text[j] == "(":
                    depth, j = 1, j + 1
                    start = j
                    while j < n and depth:
                        if text[j] == '"' or (text[j] == "#" and text.startswith('"', j + 1)):
                            j, lit, sub = string_at(j)
                            literals.append(lit)
                            inner.append(sub)
                            continue
                        depth += {"(": 1, ")": -1}.get(text[j], 0)
                        j += 1
                    inner.append(text[start : j - 1])
                    i = j
                    continue
                out.append(text[i : j + 1])
                i = j + 1
                continue
            out.append(text[i])
            i += 1
        return n, "".join(out), "".join(inner)

    while i < n:
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif text[i] == '"' or (text[i] == "#" and re.match(r'#+"', text[i:])):
            i, lit, inner = string_at(i)
            literals.append(lit)
            code.append(" " + inner + " ")
        else:
            code.append(text[i])
            i += 1
    return "".join(code), literals


def swift_files(root, target):
    return sorted((root / "Sources" / target).rglob("*.swift"))


def check(root):
    problems = []
    for target, allowed in ALLOWED.items():
        for path in swift_files(root, target):
            rel = path.relative_to(root)
            code, literals = lex(path.read_text(encoding="utf-8"))
            for module in IMPORT.findall(code):
                if (module in OTTO_TARGETS or module in C_MODULES) and module != target and module not in allowed:
                    problems.append(f"{rel}: {target} imports {module} ({explain(target)})")
                if module.startswith("Hummingbird") and target in NO_HTTP_TARGETS:
                    problems.append(f"{rel}: {target} imports {module} (otto-worker and otto-beat carry no HTTP server)")
            for literal in literals:
                if target not in SQL_WRITERS and SQL.search(literal):
                    problems.append(f"{rel}: {target} holds SQL in a string literal: {literal.strip()[:60]!r} (SQL lives in OttoCalls)")
                if target not in SQL_WRITERS and SQLSTATE.match(literal):
                    problems.append(f"{rel}: {target} holds a SQLSTATE code: {literal!r} (SQL lives in OttoCalls)")
                if target not in LUA_HOLDERS and LUA.search(literal):
                    problems.append(f"{rel}: {target} holds a Lua script in a string literal")
            if target == "OttoAPI":
                for pattern, what in API_CODE:
                    if pattern.search(code):
                        problems.append(f"{rel}: OttoAPI {what}")
    return problems


def explain(target):
    return {
        "OttoAPI": "HTTP only: call OttoCalls or OttoTasks instead",
        "OttoPostgres": "a leaf knows no Otto target",
        "OttoRedis": "a leaf knows no Otto target",
        "OttoSupport": "the support library imports no Otto target",
        "OttoTasks": "the task system uses Redis only, and knows no domain",
    }.get(target, "it may import " + ", ".join(sorted(ALLOWED[target])))


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    for target in ALLOWED:
        if not (root / "Sources" / target).is_dir():
            print(f"check-imports: {root}/Sources/{target} is missing", file=sys.stderr)
            return 2
    problems = check(root)
    for problem in problems:
        print(f"check-imports: {problem}", file=sys.stderr)
    if problems:
        print(f"check-imports: {len(problems)} violation(s) of the layout rules", file=sys.stderr)
        return 1
    print(f"check-imports: the {len(ALLOWED)} source targets import only what they may")
    return 0


if __name__ == "__main__":
    sys.exit(main())
