#!/usr/bin/env python3
"""Who may use what, checked on the sources (scripts/check-imports.sh runs this).

Rules (README, "Layout"):
- OttoAPI is HTTP only: it imports neither OttoPostgres, OttoRedis, CLibPQ nor CHiredis, and its
  string literals hold no SQL, no SQLSTATE code and no Lua; it names neither `sqlState` nor
  `RedisScript(`.
- OttoPostgres and OttoRedis are leaf libraries: they import no Otto target.
- otto-worker and otto-beat carry no HTTP server: neither they nor the libraries they link
  (OttoCore, OttoPostgres, OttoRedis) import Hummingbird. That they do not link it either is
  checked on the built binaries with nm by
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
OTTO_TARGETS = {"OttoCore", "OttoAPI", "OttoWorker", "OttoBeat", "OttoPostgres", "OttoRedis", "OttoTestSupport"}
API_FORBIDDEN_IMPORTS = {"OttoPostgres", "OttoRedis", "CLibPQ", "CHiredis"}
NO_HTTP_TARGETS = ["OttoCore", "OttoPostgres", "OttoRedis", "OttoWorker", "OttoBeat"]
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
    for path in swift_files(root, "OttoAPI"):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root)
        code, literals = lex(text)
        for module in IMPORT.findall(code):
            if module in API_FORBIDDEN_IMPORTS:
                problems.append(f"{rel}: OttoAPI imports {module} (HTTP only: call OttoCore instead)")
        for literal in literals:
            if SQL.search(literal):
                problems.append(f"{rel}: OttoAPI holds SQL in a string literal: {literal.strip()[:60]!r}")
            if SQLSTATE.match(literal):
                problems.append(f"{rel}: OttoAPI holds a SQLSTATE code: {literal!r}")
            if LUA.search(literal):
                problems.append(f"{rel}: OttoAPI holds a Lua script in a string literal")
        for pattern, what in API_CODE:
            if pattern.search(code):
                problems.append(f"{rel}: OttoAPI {what}")
    for target in ["OttoPostgres", "OttoRedis"]:
        for path in swift_files(root, target):
            code, _ = lex(path.read_text(encoding="utf-8"))
            for module in IMPORT.findall(code):
                if module in OTTO_TARGETS and module != target:
                    problems.append(f"{path.relative_to(root)}: {target} imports {module} (a leaf knows no Otto target)")
    for target in NO_HTTP_TARGETS:
        for path in swift_files(root, target):
            code, _ = lex(path.read_text(encoding="utf-8"))
            for module in IMPORT.findall(code):
                if module.startswith("Hummingbird"):
                    problems.append(
                        f"{path.relative_to(root)}: {target} imports {module} (otto-worker and otto-beat carry no HTTP server)"
                    )
    return problems


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    for target in ["OttoAPI", "OttoPostgres", "OttoRedis", "OttoCore"]:
        if not (root / "Sources" / target).is_dir():
            print(f"check-imports: {root}/Sources/{target} is missing", file=sys.stderr)
            return 2
    problems = check(root)
    for problem in problems:
        print(f"check-imports: {problem}", file=sys.stderr)
    if problems:
        print(f"check-imports: {len(problems)} violation(s) of the layout rules", file=sys.stderr)
        return 1
    print("check-imports: OttoAPI, OttoPostgres, OttoRedis, worker and beat import only what they may")
    return 0


if __name__ == "__main__":
    sys.exit(main())
