#!/usr/bin/env python3
"""Check deploy/fly.toml against DESIGN.md's deployment rules and against the code.

Usage:
    python3 deploy/check-fly-toml.py [--config PATH] [--source-root DIR]
    python3 deploy/check-fly-toml.py --self-test

Exit status: 0 when every rule holds, 1 when any fails (each failure is one
"FAIL ..." line), 2 on bad usage or an unreadable file.

Rules on fly.toml (DESIGN.md "Deployment"):
  - [processes] is exactly api = otto-api, worker = otto-worker, beat = otto-beat;
  - [http_service] serves the api group only, on the API's default port, forces
    HTTPS, never auto-stops, and its routing checks ([[http_service.checks]]) are
    GET /health only (a worker or Redis outage must never take the API out of
    rotation); a [[services]] section's http_checks route too, so they obey the
    same rule;
  - a top-level [checks] entry: type http, GET /ready on the same port, api only;
  - one [[vm]] per process group: api 1gb, worker 512mb, beat 256mb;
  - kill_signal = "SIGTERM" and kill_timeout above the worker's shutdown grace
    (and at most Fly's 300 s);
  - [deploy] release_command = "otto-api migrate";
  - [env] holds strings only, no FLY_* names and nothing secret;
  - [build] dockerfile (relative to fly.toml's directory, as flyctl resolves it)
    exists, its build-target stage is the last one, has no ENTRYPOINT (Fly's
    process commands replace CMD and keep ENTRYPOINT) and receives every binary
    that [processes] and release_command run; stages api, worker and beat each
    have their own binary as ENTRYPOINT.

Cross-checks against the code. The source root is the repository root (the parent
of this file's directory), or --source-root, or $OTTO_SOURCE_ROOT. What is grepped,
in order of preference (the first form found wins):
  port     the API's default port, in Sources/OttoCore/Configuration/*.swift
           (override: $OTTO_PORT_SOURCES, files or folders separated by ':'; when
           nothing is found there, Sources/OttoCore and Sources/OttoAPI):
           1. `defaultPort ... = 8080` (any identifier starting with defaultPort),
           2. a line naming the key "PORT" with `default: 8080` or `?? 8080`;
  routes   every check path is registered as a route in Sources/OttoAPI (override:
           $OTTO_ROUTE_SOURCES): `.get("/health")` or `.get("health")` (also .head,
           .on, .add) in code, never in a comment or a multi-line string literal (the
           embedded OpenAPI document names every path, routed or not); a bare
           "/health" literal is not a route;
  migrate  the release command's subcommand exists in Sources/OttoAPI (override:
           $OTTO_COMMAND_SOURCES): `commandName: "migrate"`, or a command type named
           `Migrate` conforming to ParsableCommand/AsyncParsableCommand;
  grace    the worker's default WORKER_SHUTDOWN_GRACE, in Sources/OttoCore and Sources/OttoTasks
           (override: $OTTO_GRACE_SOURCES): an identifier `default...ShutdownGrace`
           assigned a number or `.seconds(N)`, or a line naming the key
           WORKER_SHUTDOWN_GRACE (or worker.shutdown.grace) with `default: N` or
           `?? N`, or `shutdownGrace ... = .seconds(N)`; when several values are
           found, the largest counts;
  products every binary fly.toml runs is an `.executable(name: ...)` product of
           Package.swift.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile

try:
    import tomllib
except ModuleNotFoundError:  # Python before 3.11
    sys.exit("check-fly-toml: Python 3.11 or later is required (tomllib)")
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CONFIG = HERE / "fly.toml"
DEFAULT_SOURCE_ROOT = HERE.parent

EXPECTED_PROCESSES = {"api": "otto-api", "worker": "otto-worker", "beat": "otto-beat"}
EXPECTED_MEMORY_MB = {"api": 1024, "worker": 512, "beat": 256}  # DESIGN.md's process table
EXPECTED_RELEASE_COMMAND = ["otto-api", "migrate"]
ROUTING_CHECK_PATH = "/health"
READINESS_CHECK_PATH = "/ready"
FLY_MAX_KILL_TIMEOUT_S = 300

SECRET_ENV_NAMES = {
    "DATABASE_URL", "REDIS_URL", "UPSTASH_REDIS_URL", "CLERK_SECRET_KEY", "CLERK_JWT_KEY",
    "TWILIO_AUTH_TOKEN", "CALLRAIL_API_KEY", "CALLRAIL_SIGNING_KEY", "DEEPGRAM_API_KEY",
    "OPENAI_API_KEY", "BLAND_API_KEY", "INTERNAL_API_TOKEN", "TENANT_SECRETS_KEY",
}
SECRET_NAME_PATTERN = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|API_KEY|SIGNING_KEY|PRIVATE")
SECRET_VALUE_PATTERN = re.compile(r"://[^/@\s]*:[^/@\s]+@|\bsk_(test|live)_|-----BEGIN")


@dataclass
class Report:
    failures: list[str] = field(default_factory=list)
    passes: list[str] = field(default_factory=list)

    def check(self, ok: bool, success: str, failure: str) -> bool:
        (self.passes if ok else self.failures).append(success if ok else failure)
        return ok

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def ok(self, message: str) -> None:
        self.passes.append(message)


# ----------------------------------------------------------------------------- parsing


def parse_duration_ms(value: object) -> float | None:
    """Fly durations: an integer is milliseconds; a string is Go-style ("1m30s", "500ms")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value)
    if not isinstance(value, str) or not value:
        return None
    units = {"ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    return sum(float(n) * units[u] for n, u in parts)


def parse_kill_timeout_s(value: object) -> float | None:
    """kill_timeout: an integer is seconds; a string is a Go-style duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value)
    ms = parse_duration_ms(value)
    return None if ms is None else ms / 1000.0


def parse_memory_mb(value: object) -> int | None:
    """[[vm]] memory: an integer is MB; a string has a unit (mb, gb), case-insensitive."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    m = re.fullmatch(r"\s*(\d+)\s*(mb|gb|m|g)?\s*", value.lower())
    if not m:
        return None
    n = int(m.group(1))
    return n * 1024 if (m.group(2) or "mb").startswith("g") else n


def split_command(command: object) -> list[str]:
    if isinstance(command, list):
        return [str(c) for c in command]
    if isinstance(command, str):
        return command.split()
    return []


@dataclass
class Stage:
    name: str
    instructions: list[tuple[str, str]]  # (INSTRUCTION, arguments)


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages of a Dockerfile with their instructions (continuations joined, comments dropped)."""
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        logical.append(current)
        current = ""
    if current:
        logical.append(current)

    stages: list[Stage] = []
    for line in logical:
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            m = re.search(r"\s+AS\s+(\S+)\s*$", rest, re.IGNORECASE)
            stages.append(Stage(m.group(1) if m else str(len(stages)), []))
        elif stages:
            stages[-1].instructions.append((word, rest.strip()))
    return stages


# ----------------------------------------------------------------------------- code grep


def swift_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files.extend(sorted(p.rglob("*.swift")))
    return files


def source_paths(root: Path, env_name: str, defaults: list[str]) -> list[Path]:
    override = os.environ.get(env_name)
    if override:
        return [Path(p) if os.path.isabs(p) else root / p for p in override.split(":") if p]
    return [root / d for d in defaults]


def code_lines(files: list[Path]):
    """(file, line number, line) for every line that is not a // comment."""
    for f in files:
        try:
            lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for i, line in enumerate(lines):
            if line.lstrip().startswith(("//", "///", "*", "/*")):
                continue
            yield f, i, lines, line


def rel(root: Path, f: Path) -> str:
    try:
        return str(f.relative_to(root))
    except ValueError:
        return str(f)


NUMBER_AFTER = [
    re.compile(r"\bdefault\s*:\s*(?:Duration\s*)?\.?(?:seconds\s*\(\s*)?(\d+)"),
    re.compile(r"\?\?\s*(?:Duration\s*)?\.?(?:seconds\s*\(\s*)?(\d+)"),
]


def numbers_near(lines: list[str], i: int, key: re.Pattern[str], max_lines: int = 4) -> list[int]:
    """Numbers given as `default: N` or `?? N` in the expression that names `key` on line i.

    The expression runs from the key to the `)` that closes the enclosing call, or to
    the end of a line that does not continue (ends without `,`, `(` or `[`), so the
    default of the next key in the same file is never taken for this one's.
    """
    match = key.search(lines[i])
    if match is None:
        return []
    text = "\n".join(lines[i : i + max_lines])[match.start():]
    depth = 0
    end = len(text)
    for pos, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth < 0:
                # The key's enclosing call or subscript closes here. A call such as
                # reader.int(forKey: "X", default: 20) ends the expression once it has
                # given a number; otherwise (env["X"] ?? 20) the expression goes on.
                if any(p.search(text[:pos]) for p in NUMBER_AFTER):
                    end = pos
                    break
                depth = 0
        elif ch == "\n" and depth == 0 and not text[:pos].rstrip().endswith((",", "(", "[")):
            end = pos
            break
    window = text[:end]
    found: list[int] = []
    for pattern in NUMBER_AFTER:
        found.extend(int(n) for n in pattern.findall(window))
    return found


def find_default_port(root: Path) -> tuple[int | None, str]:
    primary = swift_files(source_paths(root, "OTTO_PORT_SOURCES", ["Sources/OttoCore/Configuration"]))
    fallback = swift_files([root / "Sources/OttoCore", root / "Sources/OttoAPI"])
    assign = re.compile(r"\bdefaultPort\w*\b[^=\n]*=\s*(\d+)\b")
    key = re.compile(r"\"PORT\"")
    for files in (primary, fallback):
        for tier in ("assign", "key"):
            hits: list[tuple[int, str]] = []
            for f, i, lines, line in code_lines(files):
                if tier == "assign":
                    hits.extend((int(n), f"{rel(root, f)}:{i + 1}") for n in assign.findall(line))
                elif key.search(line):
                    hits.extend((n, f"{rel(root, f)}:{i + 1}") for n in numbers_near(lines, i, key))
            hits = [(n, where) for n, where in hits if 0 < n < 65536]
            values = sorted({n for n, _ in hits})
            if len(values) == 1:
                return values[0], ", ".join(where for _, where in hits)
            if len(values) > 1:
                listing = "; ".join(f"{n} at {where}" for n, where in hits)
                return None, f"ambiguous default port ({listing})"
    return None, "no `defaultPort = N` and no \"PORT\" key with a default in " + ", ".join(
        sorted({rel(root, p) for p in source_paths(root, 'OTTO_PORT_SOURCES', ['Sources/OttoCore/Configuration'])})
    )


def find_worker_grace(root: Path) -> tuple[int | None, str]:
    files = swift_files(source_paths(root, "OTTO_GRACE_SOURCES", ["Sources/OttoCore", "Sources/OttoTasks"]))
    seconds = r"(?:Duration\s*)?\.?(?:seconds\s*\(\s*)?(\d+)"
    tiers = [
        ("identifier", re.compile(r"\bdefault\w*ShutdownGrace\w*\b[^=\n]*=\s*" + seconds)),
        ("key", re.compile(r"(?i)WORKER_SHUTDOWN_GRACE|worker[._]shutdown[._]?grace")),
        ("property", re.compile(r"\bshutdownGrace\w*\b[^=\n]*=\s*" + seconds)),
    ]
    for name, pattern in tiers:
        hits: list[tuple[int, str]] = []
        for f, i, lines, line in code_lines(files):
            if name == "key":
                if pattern.search(line):
                    hits.extend((n, f"{rel(root, f)}:{i + 1}") for n in numbers_near(lines, i, pattern))
            else:
                hits.extend((int(n), f"{rel(root, f)}:{i + 1}") for n in pattern.findall(line))
        if hits:
            best = max(n for n, _ in hits)
            return best, ", ".join(f"{n} at {where}" for n, where in hits)
    return None, "no default for WORKER_SHUTDOWN_GRACE found in " + ", ".join(
        rel(root, p) for p in source_paths(root, "OTTO_GRACE_SOURCES", ["Sources/OttoCore", "Sources/OttoTasks"])
    )


def swift_code_lines(files: list[Path]):
    """(file, line number, code) for Swift code outside comments and multi-line string literals.

    A line that opens a \"\"\" literal keeps the code before it; lines inside the literal
    (an embedded JSON document, a SQL migration) are skipped.
    """
    for f in files:
        try:
            lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        in_literal = False
        for i, line in enumerate(lines):
            quotes = line.count('"""')
            if in_literal:
                if quotes % 2 == 1:
                    in_literal = False
                continue
            if line.lstrip().startswith(("//", "///", "*", "/*")):
                continue
            if quotes % 2 == 1:
                in_literal = True
                line = line[: line.index('"""')]
            yield f, i, line


def find_route(root: Path, path: str) -> str | None:
    """A GET route at `path`: a hand-written `.get("/path")`, or an operation that the code
    generated from docs/openapi.json registers (`method: .get,` followed by
    `path: server.apiPathComponentsWithServerPrefix("/path")`)."""
    files = swift_files(source_paths(root, "OTTO_ROUTE_SOURCES", ["Sources/OttoAPI"]))
    seg = re.escape(path.lstrip("/"))
    call = re.compile(r"\.(?:get|head|on|add)\s*\(\s*\"/?" + seg + r"\"")
    generated = re.compile(r"path:\s*server\.apiPathComponentsWithServerPrefix\(\s*\"/" + seg + r"\"\s*\)")
    previous: tuple[Path, str] | None = None
    for f, i, line in swift_code_lines(files):
        if call.search(line):
            return f"route registered at {rel(root, f)}:{i + 1}"
        if generated.search(line) and previous is not None and previous[0] == f \
                and re.fullmatch(r"\s*method:\s*\.(?:get|head),\s*", previous[1]):
            return f"generated operation registered at {rel(root, f)}:{i + 1}"
        previous = (f, line)
    return None


def find_subcommand(root: Path, name: str) -> str | None:
    files = swift_files(source_paths(root, "OTTO_COMMAND_SOURCES", ["Sources/OttoAPI"]))
    explicit = re.compile(r"commandName\s*:\s*\"" + re.escape(name) + r"\"")
    type_name = name[:1].upper() + name[1:]
    implicit = re.compile(r"\b(?:struct|final class|class)\s+" + re.escape(type_name) + r"\s*:[^{]*ParsableCommand")
    for f, i, _lines, line in code_lines(files):
        if explicit.search(line) or implicit.search(line):
            return f"{rel(root, f)}:{i + 1}"
    return None


def package_executables(root: Path) -> set[str] | None:
    manifest = root / "Package.swift"
    if not manifest.is_file():
        return None
    text = manifest.read_text(encoding="utf-8", errors="replace")
    return set(re.findall(r"\.executable\s*\(\s*name\s*:\s*\"([^\"]+)\"", text))


# ----------------------------------------------------------------------------- rules


def check(config_path: Path, source_root: Path) -> Report:
    r = Report()
    try:
        with config_path.open("rb") as fh:
            fly = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as error:
        r.fail(f"{config_path}: cannot parse: {error}")
        return r
    r.ok(f"{config_path.name} parses as TOML")

    # --- app
    for key in ("app", "primary_region"):
        value = fly.get(key)
        r.check(isinstance(value, str) and bool(value), f"{key} = {value!r}", f"{key} must be a non-empty string")

    # --- processes
    processes = fly.get("processes")
    if not isinstance(processes, dict):
        r.fail("[processes] is missing")
        processes = {}
    binaries_run: set[str] = set()
    r.check(
        set(processes) == set(EXPECTED_PROCESSES),
        f"[processes] groups are {sorted(processes)}",
        f"[processes] must define exactly {sorted(EXPECTED_PROCESSES)}, found {sorted(processes)}",
    )
    for group, binary in EXPECTED_PROCESSES.items():
        argv = split_command(processes.get(group))
        if argv:
            binaries_run.add(argv[0])
        r.check(
            argv[:1] == [binary],
            f"process {group} runs {binary}",
            f"process {group} must run {binary}, found {processes.get(group)!r}",
        )

    # --- http_service
    internal_port = None
    svc = fly.get("http_service")
    if not isinstance(svc, dict):
        r.fail("[http_service] is missing")
        svc = {}
    else:
        internal_port = svc.get("internal_port")
        r.check(svc.get("processes") == ["api"], "http_service serves the api group only",
                f"http_service.processes must be [\"api\"], found {svc.get('processes')!r}")
        r.check(isinstance(internal_port, int), f"http_service.internal_port = {internal_port}",
                "http_service.internal_port must be an integer")
        r.check(svc.get("force_https") is True, "http_service.force_https = true",
                "http_service.force_https must be true")
        auto_stop = svc.get("auto_stop_machines", "off")
        r.check(auto_stop in ("off", False), f"http_service.auto_stop_machines = {auto_stop!r}",
                f"http_service.auto_stop_machines must be \"off\" (webhook providers need a running API), "
                f"found {auto_stop!r}")
        checks = svc.get("checks")
        if not isinstance(checks, list) or not checks:
            r.fail("[[http_service.checks]] is missing: the routing check must be GET /health")
            checks = []
        for n, c in enumerate(checks):
            where = f"http_service.checks[{n}]"
            r.check(c.get("path") == ROUTING_CHECK_PATH, f"{where} path {ROUTING_CHECK_PATH}",
                    f"{where}: a routing check must be {ROUTING_CHECK_PATH} (found {c.get('path')!r}); "
                    f"/ready belongs in top-level [checks] so a worker outage never removes the API from rotation")
            check_timing(r, where, c)
            method = str(c.get("method", "GET")).upper()
            r.check(method == "GET", f"{where} method GET", f"{where}: method must be GET, found {method}")

    # A [[services]] section routes traffic like [http_service]: its http_checks decide rotation too.
    services = fly.get("services")
    if isinstance(services, dict):
        services = [services]
    for n, service in enumerate(services if isinstance(services, list) else []):
        http_checks = service.get("http_checks") if isinstance(service, dict) else None
        if isinstance(http_checks, dict):
            http_checks = [http_checks]
        for m, c in enumerate(http_checks if isinstance(http_checks, list) else []):
            where = f"services[{n}].http_checks[{m}]"
            path = c.get("path") if isinstance(c, dict) else None
            r.check(path == ROUTING_CHECK_PATH, f"{where} path {ROUTING_CHECK_PATH}",
                    f"{where}: a routing check must be {ROUTING_CHECK_PATH} (found {path!r}); "
                    f"/ready belongs in top-level [checks] so a worker outage never removes the API from rotation")

    # --- top-level checks
    top = fly.get("checks")
    ready = []
    if isinstance(top, dict):
        ready = [(name, c) for name, c in top.items() if isinstance(c, dict) and c.get("path") == READINESS_CHECK_PATH]
    if not ready:
        r.fail(f"a top-level [checks.<name>] entry on {READINESS_CHECK_PATH} is missing")
    for name, c in ready:
        where = f"checks.{name}"
        r.check(c.get("type") == "http", f"{where} type http", f"{where}: type must be \"http\"")
        r.check(c.get("port") == internal_port, f"{where} port {c.get('port')}",
                f"{where}: port must equal http_service.internal_port ({internal_port}), found {c.get('port')!r}")
        r.check(c.get("processes") == ["api"], f"{where} runs on api",
                f"{where}: processes must be [\"api\"], found {c.get('processes')!r}")
        method = str(c.get("method", "GET")).upper()
        r.check(method == "GET", f"{where} method GET", f"{where}: method must be GET, found {method}")
        check_timing(r, where, c)

    # --- vm
    vms = fly.get("vm")
    if isinstance(vms, dict):
        vms = [vms]
    if not isinstance(vms, list) or not vms:
        r.fail("[[vm]] is missing: one per process group with processes = [...]")
        vms = []
    for group, expected in EXPECTED_MEMORY_MB.items():
        tables = [v for v in vms if group in (v.get("processes") or [])]
        if len(tables) != 1:
            r.fail(f"[[vm]]: process group {group} needs exactly one table naming it, found {len(tables)}")
            continue
        mem = parse_memory_mb(tables[0].get("memory"))
        r.check(mem == expected, f"[[vm]] {group} memory {tables[0].get('memory')}",
                f"[[vm]] {group}: memory must be {expected} MB, found {tables[0].get('memory')!r}")
    for v in vms:
        unknown = set(v.get("processes") or []) - set(EXPECTED_PROCESSES)
        if not v.get("processes"):
            r.fail("[[vm]] without processes applies to every group: name the group")
        elif unknown:
            r.fail(f"[[vm]] names unknown process groups {sorted(unknown)}")

    # --- shutdown
    r.check(fly.get("kill_signal") == "SIGTERM", "kill_signal = SIGTERM",
            f"kill_signal must be \"SIGTERM\" (top level), found {fly.get('kill_signal')!r}")
    kill_timeout = parse_kill_timeout_s(fly.get("kill_timeout"))
    if kill_timeout is None:
        r.fail(f"kill_timeout must be set at the top level (seconds), found {fly.get('kill_timeout')!r}")
    else:
        r.check(kill_timeout <= FLY_MAX_KILL_TIMEOUT_S, f"kill_timeout {kill_timeout:g}s within Fly's maximum",
                f"kill_timeout {kill_timeout:g}s exceeds Fly's maximum of {FLY_MAX_KILL_TIMEOUT_S}s")

    # --- release command
    deploy = fly.get("deploy") if isinstance(fly.get("deploy"), dict) else {}
    release = split_command(deploy.get("release_command"))
    r.check(release == EXPECTED_RELEASE_COMMAND, f"release_command = {' '.join(release)}",
            f"[deploy] release_command must be \"{' '.join(EXPECTED_RELEASE_COMMAND)}\", "
            f"found {deploy.get('release_command')!r}")
    if release:
        binaries_run.add(release[0])

    # --- env
    env = fly.get("env", {})
    if not isinstance(env, dict):
        r.fail("[env] must be a table")
        env = {}
    for name, value in env.items():
        if not isinstance(value, str):
            r.fail(f"[env] {name}: Fly env values must be strings, found {type(value).__name__}")
        if name.startswith("FLY_"):
            r.fail(f"[env] {name}: names starting with FLY_ are reserved by Fly")
        if name in SECRET_ENV_NAMES or SECRET_NAME_PATTERN.search(name):
            r.fail(f"[env] {name} is a secret: set it with `fly secrets set`, not in fly.toml")
        elif isinstance(value, str) and SECRET_VALUE_PATTERN.search(value):
            r.fail(f"[env] {name} looks like it carries a credential: use `fly secrets set`")
    r.check(env.get("APP_ENV") in ("staging", "production"), f"APP_ENV = {env.get('APP_ENV')}",
            f"[env] APP_ENV must be staging or production, found {env.get('APP_ENV')!r}")
    r.check(env.get("LOG_FORMAT", "json") == "json", "LOG_FORMAT json",
            f"[env] LOG_FORMAT must be json outside development, found {env.get('LOG_FORMAT')!r}")
    for flag in ("ENABLE_CELERY", "ENABLE_CELERY_BEAT"):
        if flag in env:
            r.check(env[flag] in ("true", "false"), f"{flag} = {env[flag]}",
                    f"[env] {flag} must be \"true\" or \"false\", found {env[flag]!r}")
    if "PUBLIC_BASE_URL" in env:
        r.check(str(env["PUBLIC_BASE_URL"]).startswith("https://"), "PUBLIC_BASE_URL is https",
                f"[env] PUBLIC_BASE_URL must be an https:// URL in staging and production, "
                f"found {env['PUBLIC_BASE_URL']!r}")
    if "PORT" in env:
        r.check(env["PORT"] == str(internal_port), f"[env] PORT matches internal_port",
                f"[env] PORT={env['PORT']!r} but http_service.internal_port = {internal_port}")
    env_grace = None
    if "WORKER_SHUTDOWN_GRACE" in env:
        try:
            env_grace = int(str(env["WORKER_SHUTDOWN_GRACE"]))
        except ValueError:
            r.fail(f"[env] WORKER_SHUTDOWN_GRACE must be whole seconds, found {env['WORKER_SHUTDOWN_GRACE']!r}")
        if env_grace is not None and kill_timeout is not None:
            r.check(kill_timeout > env_grace, f"kill_timeout {kill_timeout:g}s > [env] WORKER_SHUTDOWN_GRACE {env_grace}s",
                    f"kill_timeout {kill_timeout:g}s must exceed [env] WORKER_SHUTDOWN_GRACE {env_grace}s")

    # --- Dockerfile
    check_dockerfile(r, config_path, fly, binaries_run)

    # --- cross-checks against the code
    port, where = find_default_port(source_root)
    if port is None:
        r.fail(f"code: cannot determine the API's default port: {where}")
    else:
        r.check(internal_port == port, f"internal_port {internal_port} = the API's default port ({where})",
                f"http_service.internal_port {internal_port} differs from the API's default port {port} ({where})")

    paths = {c.get("path") for c in (svc.get("checks") or []) if isinstance(c, dict)}
    paths |= {c.get("path") for _, c in ready}
    for path in sorted(p for p in paths if isinstance(p, str)):
        found = find_route(source_root, path)
        r.check(found is not None, f"check path {path}: {found}",
                f"check path {path} is not a route of Sources/OttoAPI (no .get(\"{path}\") registered in code)")

    if len(release) >= 2:
        found = find_subcommand(source_root, release[1])
        r.check(found is not None, f"subcommand {release[1]} of {release[0]} at {found}",
                f"release_command runs `{' '.join(release)}` but no `commandName: \"{release[1]}\"` "
                f"(or command type {release[1].capitalize()}) exists in Sources/OttoAPI")

    grace, where = find_worker_grace(source_root)
    if grace is None:
        r.fail(f"code: cannot determine the worker's default shutdown grace: {where}")
    elif kill_timeout is not None:
        r.check(kill_timeout > grace, f"kill_timeout {kill_timeout:g}s > default worker grace {grace}s ({where})",
                f"kill_timeout {kill_timeout:g}s must exceed the worker's default shutdown grace {grace}s ({where})")

    executables = package_executables(source_root)
    if executables is None:
        r.fail(f"code: {source_root / 'Package.swift'} not found")
    else:
        for binary in sorted(binaries_run):
            r.check(binary in executables, f"{binary} is an executable product of Package.swift",
                    f"fly.toml runs {binary}, which is not an .executable product of Package.swift")
    return r


def check_timing(r: Report, where: str, c: dict) -> None:
    values = {k: parse_duration_ms(c.get(k)) for k in ("grace_period", "interval", "timeout")}
    for k, v in values.items():
        r.check(v is not None and v > 0, f"{where} {k} {c.get(k)}",
                f"{where}: {k} must be a duration such as \"10s\", found {c.get(k)!r}")
    if values["timeout"] and values["interval"]:
        r.check(values["timeout"] < values["interval"], f"{where} timeout < interval",
                f"{where}: timeout {c.get('timeout')} must be shorter than interval {c.get('interval')}")


def check_dockerfile(r: Report, config_path: Path, fly: dict, binaries_run: set[str]) -> None:
    build = fly.get("build") if isinstance(fly.get("build"), dict) else {}
    name = build.get("dockerfile")
    if not isinstance(name, str) or not name:
        r.fail("[build] dockerfile must name deploy/Dockerfile (relative to fly.toml's directory)")
        return
    dockerfile = (config_path.parent / name).resolve()
    if not dockerfile.is_file():
        r.fail(f"[build] dockerfile {name!r} resolves to {dockerfile}, which does not exist "
               f"(flyctl resolves it relative to fly.toml's directory)")
        return
    r.ok(f"[build] dockerfile resolves to {dockerfile}")
    stages = parse_dockerfile(dockerfile.read_text(encoding="utf-8"))
    by_name = {s.name: s for s in stages}
    target = build.get("build-target") or (stages[-1].name if stages else None)
    stage = by_name.get(target)
    if stage is None:
        r.fail(f"[build] build-target {target!r} is not a stage of {name}")
        return
    r.check(stages[-1].name == target, f"stage {target} is the Dockerfile's last (default) stage",
            f"stage {target} must be the last stage of {name} (a plain build must produce it)")
    has_entrypoint = any(word == "ENTRYPOINT" for word, _ in stage.instructions)
    r.check(not has_entrypoint, f"stage {target} has no ENTRYPOINT",
            f"stage {target} has an ENTRYPOINT: Fly's process commands replace CMD only, so "
            f"\"otto-worker\" would become an argument of that entrypoint")
    copied = " ".join(args for word, args in stage.instructions if word in ("COPY", "ADD"))
    for binary in sorted(binaries_run):
        r.check(re.search(r"(?<![\w-])" + re.escape(binary) + r"(?![\w-])", copied) is not None,
                f"stage {target} receives {binary}", f"stage {target} does not COPY {binary}")
    for group, binary in EXPECTED_PROCESSES.items():
        s = by_name.get(group)
        if s is None:
            r.fail(f"{name}: final stage {group!r} is missing")
            continue
        entry = [args for word, args in s.instructions if word == "ENTRYPOINT"]
        r.check(bool(entry) and binary in entry[-1], f"stage {group} has ENTRYPOINT {binary}",
                f"stage {group} must have ENTRYPOINT [\"{binary}\"], found {entry[-1] if entry else 'none'}")
        others = [b for b in EXPECTED_PROCESSES.values() if b != binary]
        stage_copies = " ".join(args for word, args in s.instructions if word in ("COPY", "ADD"))
        r.check(not any(re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", stage_copies) for o in others),
                f"stage {group} holds only {binary}", f"stage {group} must hold only {binary}")


# ----------------------------------------------------------------------------- self-test

FIXTURE = {
    "Package.swift": '.executable(name: "otto-api", targets: ["OttoAPI"]),\n'
                     '.executable(name: "otto-worker", targets: ["OttoWorker"]),\n'
                     '.executable(name: "otto-beat", targets: ["OttoBeat"]),\n',
    "Sources/OttoCore/Configuration/APIConfiguration.swift":
        "/// The port otto-api listens on unless PORT says otherwise.\n"
        "public static let defaultPort: Int = 8080\n",
    "Sources/OttoCore/Configuration/WorkerConfiguration.swift":
        'self.shutdownGrace = try reader.int(\n    forKey: "WORKER_SHUTDOWN_GRACE",\n    default: 20)\n'
        'self.visibilityTimeout = try reader.int(forKey: "WORKER_VISIBILITY_TIMEOUT", default: 30)\n',
    "Sources/OttoAPI/Application+build.swift":
        'router.get("/health") { _, _ in health() }\nrouter.get("ready") { _, _ in try await ready() }\n',
    "Sources/OttoAPI/Commands/MigrateCommand.swift":
        'static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply migrations.")\n',
}

ALTERNATE_SHAPES = {
    "Sources/OttoCore/Configuration/APIConfiguration.swift":
        'let port = environment["PORT"].flatMap(Int.init) ?? 8080\n',
    "Sources/OttoCore/Configuration/WorkerConfiguration.swift":
        "public var shutdownGrace: Duration = .seconds(20)\n",
    "Sources/OttoAPI/Application+build.swift":
        'router.get("health") { _, _ in health() }\nrouter.on("ready", method: .get) { _, _ in ready() }\n',
    "Sources/OttoAPI/Commands/MigrateCommand.swift":
        "struct Migrate: AsyncParsableCommand {\n",
}


def self_test() -> int:
    failures = 0

    def run(name: str, expect_ok: bool, expect_text: str = "", toml_edit=None, files=None,
            dockerfile_edit=None, remove: tuple[str, ...] = ()) -> None:
        nonlocal failures
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for path, text in {**FIXTURE, **(files or {})}.items():
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(text)
            for path in remove:
                (root / path).unlink()
            (root / "deploy").mkdir()
            toml = DEFAULT_CONFIG.read_text()
            docker = (HERE / "Dockerfile").read_text()
            if toml_edit:
                old, new = toml_edit
                assert old in toml, f"self-test edit {old!r} does not apply to fly.toml"
                toml = toml.replace(old, new, 1)
            if dockerfile_edit:
                old, new = dockerfile_edit
                assert old in docker, f"self-test edit {old!r} does not apply to the Dockerfile"
                docker = docker.replace(old, new, 1)
            (root / "deploy/fly.toml").write_text(toml)
            (root / "deploy/Dockerfile").write_text(docker)
            saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("OTTO_") and k.endswith("_SOURCES")}
            try:
                report = check(root / "deploy/fly.toml", root)
            finally:
                os.environ.update(saved)
        ok = not report.failures
        matched = expect_ok or any(expect_text in f for f in report.failures)
        if ok == expect_ok and matched:
            print(f"ok   self-test {name}")
        else:
            failures += 1
            print(f"FAIL self-test {name}: expected {'success' if expect_ok else 'a failure mentioning ' + repr(expect_text)}")
            for f in report.failures:
                print(f"       {f}")

    run("the real fly.toml and Dockerfile pass against conforming code", True)
    run("alternate code shapes are recognised", True, files=ALTERNATE_SHAPES)
    run("internal_port differs from the code", False, "internal_port 9090",
        toml_edit=("internal_port = 8080", "internal_port = 9090"))
    run("the code's default port changes", False, "default port 9000",
        files={"Sources/OttoCore/Configuration/APIConfiguration.swift": "static let defaultPort = 9000\n"})
    run("kill_timeout below the worker grace", False, "kill_timeout 15s must exceed",
        toml_edit=("kill_timeout = 30", "kill_timeout = 15"))
    run("the code's grace grows past kill_timeout", False, "default shutdown grace 40s",
        files={"Sources/OttoCore/Configuration/WorkerConfiguration.swift": "static let defaultShutdownGrace = 40\n"})
    run("routing check on /ready", False, "routing check must be /health",
        toml_edit=('path = "/health"', 'path = "/ready"'))
    run("no top-level /ready check", False, "top-level",
        toml_edit=('path = "/ready"', 'path = "/status"'))
    run("a check path with no route", False, "/ready is not a route",
        files={"Sources/OttoAPI/Application+build.swift": 'router.get("/health") { _, _ in health() }\n'})
    run("a check path named only by a string literal is not a route", False, "/ready is not a route",
        files={"Sources/OttoAPI/Application+build.swift":
               'router.get("/health") { _, _ in health() }\nlet readyPath = "/ready"\n'})
    run("a check path named only inside the embedded OpenAPI document is not a route", False,
        "/ready is not a route",
        files={"Sources/OttoAPI/Application+build.swift": 'router.get("/health") { _, _ in health() }\n',
               "Sources/OttoAPI/OpenAPI/OpenAPIDocument.swift":
                   'enum OpenAPIDocument {\n    static let json = """\n        {"paths": {\n'
                   '            "/ready": {"get": {}},\n            "x": ".get(\\"/ready\\")"\n'
                   '        }}\n        """\n}\n'})
    run("a check path served by the generated OpenAPI server code is a route", True, "",
        files={"Sources/OttoAPI/Application+build.swift": 'router.get("/health") { _, _ in health() }\n',
               "Sources/OttoAPI/Generated/Server.swift":
                   '        try transport.register(\n            { try await server.ready(request: $0) },\n'
                   '            method: .get,\n'
                   '            path: server.apiPathComponentsWithServerPrefix("/ready")\n        )\n'})
    run("a generated operation under another method is not a GET route", False, "/ready is not a route",
        files={"Sources/OttoAPI/Application+build.swift": 'router.get("/health") { _, _ in health() }\n',
               "Sources/OttoAPI/Generated/Server.swift":
                   '        try transport.register(\n            { try await server.ready(request: $0) },\n'
                   '            method: .post,\n'
                   '            path: server.apiPathComponentsWithServerPrefix("/ready")\n        )\n'})
    run("a [[services]] http check on /ready routes too", False, "services[0].http_checks[0]",
        toml_edit=("[[vm]]", '[[services]]\ninternal_port = 8080\nprotocol = "tcp"\nprocesses = ["api"]\n\n'
                   '[[services.http_checks]]\ninterval = "15s"\ntimeout = "2s"\npath = "/ready"\n\n[[vm]]'))
    run("a key's default is not taken from the next key", False, "cannot determine the worker's default",
        files={"Sources/OttoCore/Configuration/WorkerConfiguration.swift":
               'let grace = try reader.int(forKey: "WORKER_SHUTDOWN_GRACE")\n'
               'let visibility = try reader.int(forKey: "WORKER_VISIBILITY_TIMEOUT", default: 30)\n'})
    run("migrate subcommand missing", False, "commandName: \"migrate\"",
        remove=("Sources/OttoAPI/Commands/MigrateCommand.swift",))
    run("worker memory wrong", False, "worker: memory must be 512",
        toml_edit=('memory = "512mb"', 'memory = "256mb"'))
    run("a secret in [env]", False, "DATABASE_URL is a secret",
        toml_edit=('APP_ENV = "staging"', 'APP_ENV = "staging"\nDATABASE_URL = "postgres://u:p@h/db"'))
    run("kill_signal SIGINT", False, "kill_signal",
        toml_edit=('kill_signal = "SIGTERM"', 'kill_signal = "SIGINT"'))
    run("http_service on every group", False, "http_service.processes",
        toml_edit=('processes = ["api"]\ninternal_port', 'processes = ["api", "worker"]\ninternal_port'))
    run("dockerfile path relative to the repository root", False, "does not exist",
        toml_edit=('dockerfile = "Dockerfile"', 'dockerfile = "deploy/Dockerfile"'))
    run("runtime stage with an ENTRYPOINT", False, "has an ENTRYPOINT",
        dockerfile_edit=('CMD ["otto-api"]', 'ENTRYPOINT ["otto-api"]'))
    run("an http PUBLIC_BASE_URL", False, "PUBLIC_BASE_URL must be an https",
        toml_edit=('PUBLIC_BASE_URL = "https://', 'PUBLIC_BASE_URL = "http://'))
    run("release command changed", False, "release_command",
        toml_edit=('release_command = "otto-api migrate"', 'release_command = "otto-api migrations"'))
    print(f"self-test: {'all passed' if not failures else f'{failures} failed'}")
    return 1 if failures else 0


# ----------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="fly.toml to check")
    parser.add_argument("--source-root", type=Path,
                        default=Path(os.environ.get("OTTO_SOURCE_ROOT", DEFAULT_SOURCE_ROOT)),
                        help="repository root holding Package.swift and Sources/")
    parser.add_argument("--self-test", action="store_true", help="check this checker on fixtures")
    parser.add_argument("--verbose", "-v", action="store_true", help="also list the rules that hold")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if not args.config.is_file():
        print(f"check-fly-toml: {args.config} not found", file=sys.stderr)
        return 2
    report = check(args.config.resolve(), args.source_root.resolve())
    if args.verbose:
        for line in report.passes:
            print(f"ok   {line}")
    for line in report.failures:
        print(f"FAIL {line}")
    print(f"check-fly-toml: {len(report.passes)} passed, {len(report.failures)} failed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
