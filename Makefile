SHELL := /bin/bash
# Python writes bytecode caches (some environments disable it: then every kiln process the tests start
# compiles ~300 modules again, ~0.27 s of CPU each).
unexport PYTHONDONTWRITEBYTECODE
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PROTO_SRC := proto/kiln/plugin/v1
PROTO_OUT := sdk/kiln_sdk/_wire/proto/v1

.PHONY: proto proto-check

# Generated code is checked in; the sed makes the generated import relative to its package.
# The descriptor keeps its full path (kiln/plugin/v1/plugin.proto) so it never collides in a process.
proto:
	@tmp=$$(mktemp -d) && $(PY) -m grpc_tools.protoc -Iproto --python_out=$$tmp --pyi_out=$$tmp \
		--grpc_python_out=$$tmp $(PROTO_SRC)/plugin.proto && \
	cp $$tmp/kiln/plugin/v1/plugin_pb2.py $$tmp/kiln/plugin/v1/plugin_pb2.pyi $$tmp/kiln/plugin/v1/plugin_pb2_grpc.py $(PROTO_OUT)/ && \
	rm -rf $$tmp
	sed -i 's/^from kiln.plugin.v1 import plugin_pb2 as/from . import plugin_pb2 as/' $(PROTO_OUT)/plugin_pb2_grpc.py

# proto-check: the checked-in generated code matches the .proto, and the .proto makes no breaking change
# against the committed v1 descriptor set (tools/proto_breaking.py: buf breaking's wire and JSON rules, offline).
# After an additive change, `make proto-baseline` moves the baseline forward (commit it).
PROTO_BASELINE := $(PROTO_SRC)/plugin.v1.binpb

proto-check: install
	@tmp=$$(mktemp -d) && cp -r $(PROTO_OUT) $$tmp/before && $(MAKE) -s proto >/dev/null && \
	if diff -r -x __pycache__ $$tmp/before $(PROTO_OUT) >/dev/null; then echo "proto: generated code is up to date"; rm -rf $$tmp; \
	else diff -r -x __pycache__ $$tmp/before $(PROTO_OUT) | head -20; cp -r $$tmp/before/. $(PROTO_OUT)/; rm -rf $$tmp; \
	echo "proto: generated code differs from proto/ (run 'make proto' and commit)"; exit 1; fi
	@tmp=$$(mktemp -d) && $(PY) -m grpc_tools.protoc -Iproto --descriptor_set_out=$$tmp/current.binpb \
		$(PROTO_SRC)/plugin.proto && \
	if $(PY) tools/proto_breaking.py $(PROTO_BASELINE) $$tmp/current.binpb; then rm -rf $$tmp; \
		echo "proto: no breaking change against $(PROTO_BASELINE)"; else rm -rf $$tmp; exit 1; fi

.PHONY: proto-baseline
proto-baseline: install
	$(PY) -m grpc_tools.protoc -Iproto --descriptor_set_out=$(PROTO_BASELINE) $(PROTO_SRC)/plugin.proto

# Everything below is the project's plumbing; `make demo` and `make test` work on a fresh Debian machine.
STAMP := $(VENV)/.kiln-installed
# Debian packages the tests use: Packer 1.6.6 (the oracle), OpenSSH (a real sshd for the SSH tests),
# podman + runc behind a docker wrapper and busybox-static for the base image (the docker plugin), and
# docker-registry (the CNCF distribution server) for the docker-push tests.
DOCKER_APT_PACKAGES := podman runc busybox-static docker-registry
APT_PACKAGES := packer openssh-server openssh-client $(DOCKER_APT_PACKAGES)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
# Plugin distributions of their own (plugins/NAME/pyproject.toml) are installed with kiln and linted.
PLUGIN_DISTS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
PLUGIN_PKGS := $(filter-out %.egg-info,$(wildcard $(addsuffix /kiln_plugin_*,$(PLUGIN_DISTS))))
empty :=
space := $(empty) $(empty)
MYPYPATH_DIRS := core:sdk:plugins:$(subst $(space),:,$(PLUGIN_DISTS)):.

.PHONY: install deps test lint import-contract bench demo clean distclean help docs

help:
	@echo "make demo    set everything up, build the container image of examples/demo/ with kiln, run it"
	@echo "make test    set everything up and run the test suite"
	@echo "make lint    ruff + mypy over core, sdk, plugins, tests, bench, tools; the import contract"
	@echo "make bench   kiln build vs packer build, side by side"
	@echo "make docs    regenerate docs/sdk-reference.md from the SDK's docstrings"
	@echo "make clean   remove build outputs and caches (distclean: the venv too)"

# The venv, with kiln, kiln_sdk and the dev tools installed editable; redone only when a pyproject changes.
install: $(STAMP)

$(STAMP): pyproject.toml sdk/pyproject.toml $(addsuffix /pyproject.toml,$(PLUGIN_DISTS))
	@python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "kiln needs Python >= 3.11 (python3 is $$(python3 -V 2>&1))"; exit 1; }
	@if [ ! -x $(PY) ]; then \
		python3 -c 'import ensurepip, venv' 2>/dev/null || $(MAKE) -s apt-install PKGS=python3-venv; \
		echo "creating $(VENV)"; python3 -m venv $(VENV); \
	fi
	$(PY) -m pip install -q --disable-pip-version-check -e sdk -e '.[dev]' $(addprefix -e ,$(PLUGIN_DISTS))
	@touch $@

# Install the Debian packages that are missing; `apt-get update` only when something must be installed.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(MAKE) -s apt-install PKGS="$$missing"; fi

.PHONY: apt-install
apt-install:
	@echo "installing Debian packages:$(PKGS)"
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(PKGS) >/dev/null

# pytest exits 5 when it collected no test: that is a failure here, never a silent success.
test: install deps proto-check lint
	@set -o pipefail; rc=0; \
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests"; fi; exit $$rc

# The SDK reference is generated from the public API's docstrings (tests/sdk/test_sdk_reference.py checks it).
docs: install
	$(PY) tools/sdk_reference.py

lint: install
	$(VENV)/bin/ruff check core sdk plugins tests bench examples tools
	MYPYPATH=$(MYPYPATH_DIRS) $(VENV)/bin/mypy --explicit-package-bases core/kiln sdk/kiln_sdk plugins/kiln_plugins $(PLUGIN_PKGS) tests bench tools
	MYPYPATH=sdk $(VENV)/bin/mypy --strict --explicit-package-bases --cache-dir .mypy_cache/strict sdk/kiln_sdk
	@$(MAKE) -s import-contract

# The architecture (tools/import_contract.py): core, SDK and plugins import only what they may.
import-contract:
	$(PY) tools/import_contract.py

# Every bench/bench_*.py runs, even after one fails; the target fails if any did.
# bench_perf (kiln vs Packer, the performance table) first; QUICK=1: a quick pass of it alone.
bench: install deps
	@rc=0; echo "== bench/bench_perf.py"; $(PY) bench/bench_perf.py || rc=$$?; \
	if [ -z "$(QUICK)" ]; then for b in bench/bench_*.py; do [ $$b = bench/bench_perf.py ] && continue; \
	echo "== $$b"; $(PY) $$b || rc=$$?; done; fi; exit $$rc

# The demo builds a real container image (examples/demo/, the docker builder) in build/demo/, so that its
# manifest does not land in the source tree: it installs podman, runc and busybox-static if missing, writes
# a podman-backed `docker` command and its containers.conf into build/podman/ (tests/podman_fixture.py),
# makes the busybox base image once (cached in podman's storage), builds, then runs the new image.
DEMO_ENV = PATH="$(CURDIR)/build/podman/bin:$$PATH" CONTAINERS_CONF="$(CURDIR)/build/podman/containers.conf"

.PHONY: demo-deps
demo-deps:
	@missing=""; for p in $(DOCKER_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(MAKE) -s apt-install PKGS="$$missing"; fi

demo: install demo-deps
	@mkdir -p build/demo
	@$(PY) tests/podman_fixture.py build/podman >/dev/null
	cd build/demo && $(DEMO_ENV) ../../$(VENV)/bin/kiln build ../../examples/demo/
	@echo; echo "manifest written to build/demo/demo-manifest.json"
	@echo "running the new image: docker run --rm localhost/kiln-demo:latest"
	@$(DEMO_ENV) docker run --rm localhost/kiln-demo:latest

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache packer_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
