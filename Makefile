# Otto's two commands: `make dev` runs Otto, `make test` tests it. Everything else is below.
SHELL := /bin/bash
SWIFT ?= swift
# The release build's flags, shared with deploy/Dockerfile and the bench (README, "Release build"):
# static Swift standard library, stripped, linked by lld with packed relative relocations and no
# exported dynamic symbols.
RELEASE_FLAGS := $(shell cat deploy/release-flags)

.PHONY: dev test build openapi release release-check chroot-check validate smoke\:obs lint-deploy bench bench-instructions chaos fuzz \
	services-start services-stop services-status format format-check verify\:readiness verify\:secrets \
	verify\:cors verify\:tenant verify\:ratelimit verify\:idempotency verify\:observability verify\:all clean

dev: ## Install what is missing, start PostgreSQL and Redis, migrate, run api + worker + beat
	@scripts/dev.sh

test: ## Install what is missing, start private services, run every test, stop what it started
	@scripts/test.sh

openapi: ## Regenerate Sources/OttoAPI/Generated from docs/openapi.json (builds swift-openapi-generator once)
	@scripts/openapi-generate.sh

build: ## Debug build of the three binaries
	$(SWIFT) build

release: ## Release build as the Dockerfile does it (static Swift stdlib, stripped)
	$(SWIFT) build $(RELEASE_FLAGS) --product otto-api
	$(SWIFT) build $(RELEASE_FLAGS) --product otto-worker
	$(SWIFT) build $(RELEASE_FLAGS) --product otto-beat

release-check: release ## Runtime closure of the real release binaries against the Dockerfile
	deploy/check-runtime-closure.sh .build/release

chroot-check: release ## Run the release binaries in a debootstrapped bookworm-slim root (slow; root only)
	deploy/chroot-check.sh .build/release

lint-deploy: ## hadolint, actionlint, fly.toml checks, shellcheck
	scripts/lint-deploy.sh

validate: ## Quick validation of a deployment: make validate BASE=https://… [INTERNAL_API_TOKEN=… ALLOWED_ORIGIN=… TEST_TENANT_ID=… TWILIO_AUTH_TOKEN=…]
	@test -n "$(BASE)" || { echo "usage: make validate BASE=https://your-app.fly.dev"; exit 2; }
	BASE="$(BASE)" deploy/quick-validation.sh

smoke\:obs: ## Observability smoke test: BASE=https://… make smoke:obs
	@test -n "$(BASE)" || { echo "usage: BASE=https://your-app.fly.dev make smoke:obs"; exit 2; }
	BASE="$(BASE)" deploy/smoke-obs.sh

bench: ## Benchmarks (release build, private services); table on stdout, JSON under .bench/
	@scripts/bench.sh

bench-instructions: ## Instructions per webhook, per page and per task under callgrind (stable on a noisy machine); .bench/instructions.json
	@scripts/bench-instructions.sh

chaos: ## Fault drills against real processes; PASS/FAIL per drill
	@scripts/chaos.sh

fuzz: ## Long fuzz runs: libFuzzer per parser (FUZZ_SECONDS, 60), property tests x25, schemathesis x10 (~30 min)
	@scripts/fuzz.sh

services-start: ## Start the private PostgreSQL and Redis (under .local/)
	@scripts/services.sh install && scripts/services.sh start

services-stop: ## Stop them
	@scripts/services.sh stop

services-status:
	@scripts/services.sh status

verify\:readiness: ## The readiness tests alone
	@OTTO_TEST_FILTER=Readiness scripts/test.sh

verify\:secrets: ## No secret, Authorization or Cookie value in the logs
	@OTTO_TEST_FILTER=SecretLeakTests scripts/test.sh

verify\:cors: ## CORS preflight and actual requests
	@OTTO_TEST_FILTER='CORSTests|CORSPreflightMethodAndVaryTests' scripts/test.sh

verify\:tenant: ## Clerk authentication, tenants and row-level security
	@OTTO_TEST_FILTER='AuthenticationTests|JWKSAvailabilityTests|TenantIsolationTests' scripts/test.sh

verify\:ratelimit: ## GCRA rate limiting, headers, fail policy, forged credentials and client addresses
	@OTTO_TEST_FILTER='RateLimitTests|ForgedCredentialsRateLimitTests|ProxyHeaderTests' scripts/test.sh

verify\:idempotency: ## Idempotency keys, including 20 concurrent requests
	@OTTO_TEST_FILTER=IdempotencyTests scripts/test.sh

verify\:observability: ## Request ids, trace context, metrics, problem+json, body limit, slow clients
	@OTTO_TEST_FILTER='ObservabilityTests|HTTPContractTests|BodyLimitStreamingTests|SlowClientTests' scripts/test.sh

verify\:all: ## All seven verification packs in one test run
	@OTTO_TEST_FILTER='Readiness|SecretLeakTests|CORS|AuthenticationTests|JWKSAvailabilityTests|TenantIsolationTests|RateLimitTests|ProxyHeaderTests|IdempotencyTests|ObservabilityTests|HTTPContractTests|BodyLimitStreamingTests|SlowClientTests' scripts/test.sh

format: ## Rewrite sources with swift format
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

format-check: ## Fail when a file is not swift-format clean
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

clean:
	rm -rf .build
