# oschange — the two commands a new user runs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup build typecheck test test-unit test-integration demo demo-lint lint-readme bench soak clean image

help:
	@echo "make demo       a sandbox, 1,000,000 users rows, a write load, and an online ALTER with its final check"
	@echo "make demo-lint  oschange lint on a few migration files: without a server, then against a sandbox, with its advice"
	@echo "make setup      install what this machine lacks (npm ci, MariaDB 10.11, the MySQL 9.7 chroot)"
	@echo "make test       setup + typecheck + unit + integration tests on MySQL 9.7 and MariaDB 10.11"
	@echo "make soak       the fault suite (crashes, kills, restarts under load) with many seeds on both flavors"
	@echo "make build      compile to dist/ (bin: dist/cmd/oschange.js)"
	@echo "make bench      oschange vs INSERT … SELECT vs pt-osc (and gh-ost: BENCH_GHOST=path) on 1,000,000 rows, both flavors (~25 min; BENCH_ROWS=, BENCH_FLAVORS=)"
	@echo "make image      docker build -f docker/Dockerfile -t oschange . (needs a Docker engine; none on the dev machines)"

setup:
	@bash scripts/setup.sh

build: setup
	npm run build

typecheck:
	npx tsc -p tsconfig.json --noEmit

demo: setup
	npx tsx scripts/demo.ts

demo-lint: setup
	npx tsx scripts/demo-lint.ts

# The README's lint rule list, from the registry (a unit test fails when they disagree).
lint-readme:
	npx tsx scripts/lint-readme.ts

test: setup
	@bash scripts/test.sh

bench: setup
	npx tsx scripts/bench.ts

test-unit:
	npx vitest run --project unit

test-integration: setup
	npx vitest run --project integration

soak: setup
	OSCHANGE_FAULT_SEEDS=$${SOAK_SEEDS:-12} npx vitest run --project integration test/integration/fault-suite.test.ts

clean:
	rm -rf dist

# The container image (docker/Dockerfile). No Docker engine on the dev machines: its steps are tested
# without one by test/integration/package.test.ts.
image:
	docker build -f docker/Dockerfile -t oschange:$$(node -p 'require("./package.json").version') .
