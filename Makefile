# Every target installs what it needs on a fresh clone: Debian packages when missing
# (root, as in CI), node modules (npm ci) when package-lock.json changed, and the build.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

# Debian packages the build and the tests need.
DEBIAN_PACKAGES := socat fonts-wqy-zenhei libpcsclite-dev pcscd vsmartcard-vpcd
BOARD ?= sim
SOURCES := $(shell find src hal emv boards bench -name '*.ts' -o -name '*.json' 2>/dev/null)

.PHONY: help setup system-deps check lint typecheck test run bench fuzz soak test-hw build clean

help:
	@echo "make run        the terminal on the simulated board (embedded acquirer simulator)"
	@echo "make test       type-check, lint, then every test; ends with 'N passed, N failed'"
	@echo "make check      type-check + lint"
	@echo "make bench      benchmarks, each next to its baseline measured in the same run"
	@echo "make fuzz       every outside-input parser, 100000 inputs each (POS_FUZZ_RUNS, POS_FUZZ_SEED)"
	@echo "make soak       3000 transactions with host faults and terminal SIGKILLs, then the invariants (POS_SOAK_TXNS, POS_SOAK_SEED)"
	@echo "make test-hw BOARD=rpi4-pos   conformance suites on a real board"

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	fi

node_modules/.package-lock.json: package-lock.json package.json | system-deps
	@# A node_modules that is a symlink belongs to another checkout: never wipe it with npm ci.
	@if [ -L node_modules ]; then echo "node_modules is a link to another checkout: not running npm ci here"; else npm ci --no-audit --no-fund; fi
	@touch $@

setup: system-deps node_modules/.package-lock.json

dist/.stamp: node_modules/.package-lock.json tsconfig.json tsconfig.build.json $(SOURCES)
	npm run build --silent
	@touch $@

build: setup dist/.stamp

typecheck: setup
	npx tsc -p tsconfig.json --noEmit

lint: setup
	npx eslint .

check: typecheck lint

test: check build
	@set -o pipefail; npx tap --reporter=tap 2>&1 | node scripts/test-summary.mjs

run: build
	node dist/src/cli/main.js run --board $(BOARD)

bench: build
	node dist/bench/run.js

# Every parser that takes outside input, POS_FUZZ_RUNS inputs each (default 100000; `make
# test` runs 2000 of each). A failure prints the seed and the input; POS_FUZZ_SEED replays it.
fuzz: setup
	@set -o pipefail; POS_FUZZ_RUNS=$${POS_FUZZ_RUNS:-100000} npx tap --reporter=tap --timeout=7200 test/fuzz/*.test.ts 2>&1 \
	  | node scripts/test-summary.mjs | grep -E '^ *(not ok|ok [0-9]+ - .*inputs)|passed, ' 

# The reliability campaign (test/soak/fixtures/soak.ts): prints its seed first; POS_SOAK_SEED replays one.
# `make test` runs a short version (test/soak/soak.test.ts). The terminal children run as
# JavaScript transpiled once into .tap/soak-js (test/soak/fixtures/compile.ts), not through the hook.
soak: setup
	POS_LOG=warn POS_SOAK_TXNS=$${POS_SOAK_TXNS:-3000} TS_NODE_TRANSPILE_ONLY=1 node --import=@tapjs/typescript/import test/soak/fixtures/soak.ts

test-hw: build
	@if [ "$(BOARD)" = sim ]; then echo "test-hw needs BOARD=<profile of a real board>, e.g. make test-hw BOARD=rpi4-pos"; exit 2; fi
	POS_TEST_BOARD=$(BOARD) npx tap --reporter=tap test/conformance/hw.test.ts 2>&1 | node scripts/test-summary.mjs

clean:
	rm -rf dist .tap coverage
