# Otto's two commands: `make dev` runs Otto, `make test` tests it. Everything else is below.
SHELL := /bin/bash
SWIFT ?= swift
RELEASE_FLAGS := -c release --static-swift-stdlib -Xlinker -s

.PHONY: dev test build release services-start services-stop services-status format format-check \
	verify\:readiness verify\:all clean

dev: ## Install what is missing, start PostgreSQL and Redis, migrate, run api + worker + beat
	@scripts/dev.sh

test: ## Install what is missing, start private services, run every test, stop what it started
	@scripts/test.sh

build: ## Debug build of the three binaries
	$(SWIFT) build

release: ## Release build as the Dockerfile does it (static Swift stdlib, stripped)
	$(SWIFT) build $(RELEASE_FLAGS) --product otto-api
	$(SWIFT) build $(RELEASE_FLAGS) --product otto-worker
	$(SWIFT) build $(RELEASE_FLAGS) --product otto-beat

services-start: ## Start the private PostgreSQL and Redis (under .local/)
	@scripts/services.sh install && scripts/services.sh start

services-stop: ## Stop them
	@scripts/services.sh stop

services-status:
	@scripts/services.sh status

verify\:readiness: ## The readiness tests alone
	@OTTO_TEST_FILTER=Readiness scripts/test.sh

verify\:all: verify\:readiness

format: ## Rewrite sources with swift format
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

format-check: ## Fail when a file is not swift-format clean
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

clean:
	rm -rf .build
