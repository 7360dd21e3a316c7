SHELL := /bin/bash
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

proto-check:
	@tmp=$$(mktemp -d) && cp -r $(PROTO_OUT) $$tmp/before && $(MAKE) -s proto >/dev/null && \
	if diff -r -x __pycache__ $$tmp/before $(PROTO_OUT) >/dev/null; then echo "proto: generated code is up to date"; rm -rf $$tmp; \
	else diff -r -x __pycache__ $$tmp/before $(PROTO_OUT) | head -20; cp -r $$tmp/before/. $(PROTO_OUT)/; rm -rf $$tmp; \
	echo "proto: generated code differs from proto/ (run 'make proto' and commit)"; exit 1; fi
