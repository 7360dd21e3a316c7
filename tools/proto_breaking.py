"""Fail on a breaking change of the plugin protocol: compare two FileDescriptorSets (the committed v1
baseline and what the .proto files give now), as ``buf breaking`` does for its WIRE and WIRE_JSON rules.

    python tools/proto_breaking.py BASELINE.binpb CURRENT.binpb    # exit 1 and one line per break

Breaking: a package, message, enum, service or RPC that disappears; a field that disappears without
its number and name reserved, or changes number, name, type, label (repeated/optional) or oneof; an
enum value that disappears without being reserved or changes number; a reserved number or name that
is no longer reserved; an RPC whose request or response type or streaming changes. Everything else
(new messages, fields, values, RPCs, services) is additive and passes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor_pb2 import FieldDescriptorProto as FieldProto


def _load(path: str) -> descriptor_pb2.FileDescriptorSet:
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    return fds


def _reserved_numbers(msg: descriptor_pb2.DescriptorProto | descriptor_pb2.EnumDescriptorProto) -> set[int]:
    out: set[int] = set()
    enum = isinstance(msg, descriptor_pb2.EnumDescriptorProto)
    for r in msg.reserved_range:
        end = r.end + 1 if enum else r.end  # enum reserved ranges are inclusive, message ranges exclusive
        if end - r.start > 100_000:
            out.update({r.start, -1})  # "to max": compare by start only
        else:
            out.update(range(r.start, end))
    return out


def _messages(prefix: str, msgs: Iterator[descriptor_pb2.DescriptorProto] | list[descriptor_pb2.DescriptorProto]
              ) -> Iterator[tuple[str, descriptor_pb2.DescriptorProto]]:
    for m in msgs:
        name = f"{prefix}.{m.name}"
        yield name, m
        yield from _messages(name, list(m.nested_type))


def _enums(prefix: str, file_or_msg: descriptor_pb2.FileDescriptorProto | descriptor_pb2.DescriptorProto
           ) -> Iterator[tuple[str, descriptor_pb2.EnumDescriptorProto]]:
    for e in file_or_msg.enum_type:
        yield f"{prefix}.{e.name}", e
    msgs = file_or_msg.message_type if isinstance(file_or_msg, descriptor_pb2.FileDescriptorProto) \
        else file_or_msg.nested_type
    for m in msgs:
        yield from _enums(f"{prefix}.{m.name}", m)


def _index(fds: descriptor_pb2.FileDescriptorSet) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {"packages": {}, "messages": {}, "enums": {}, "services": {}}
    for f in fds.file:
        out["packages"][f.name] = f.package
        prefix = f".{f.package}" if f.package else ""
        out["messages"].update(dict(_messages(prefix, list(f.message_type))))
        out["enums"].update(dict(_enums(prefix, f)))
        for s in f.service:
            out["services"][f"{prefix}.{s.name}"] = s
    return out


def _field_type(f: FieldProto) -> str:
    if f.type in (FieldProto.TYPE_MESSAGE, FieldProto.TYPE_ENUM):
        return f.type_name
    return FieldProto.Type.Name(f.type)


def _oneof(msg: descriptor_pb2.DescriptorProto, f: FieldProto) -> str:
    if not f.HasField("oneof_index") or f.proto3_optional:
        return ""
    return msg.oneof_decl[f.oneof_index].name


def breaking_changes(old: descriptor_pb2.FileDescriptorSet, new: descriptor_pb2.FileDescriptorSet) -> list[str]:
    """Every breaking difference from ``old`` to ``new``, one sentence each."""
    a, b = _index(old), _index(new)
    problems: list[str] = []
    for fname, package in a["packages"].items():
        if fname not in b["packages"]:
            problems.append(f"file {fname} was removed")
        elif b["packages"][fname] != package:
            problems.append(f"file {fname}: package changed from {package} to {b['packages'][fname]}")
    for name, m_old in a["messages"].items():
        m_new = b["messages"].get(name)
        if m_new is None:
            problems.append(f"message {name[1:]} was removed")
            continue
        assert isinstance(m_old, descriptor_pb2.DescriptorProto) and isinstance(m_new, descriptor_pb2.DescriptorProto)
        problems += _compare_message(name[1:], m_old, m_new)
    for name, e_old in a["enums"].items():
        e_new = b["enums"].get(name)
        if e_new is None:
            problems.append(f"enum {name[1:]} was removed")
            continue
        assert isinstance(e_old, descriptor_pb2.EnumDescriptorProto)
        assert isinstance(e_new, descriptor_pb2.EnumDescriptorProto)
        problems += _compare_enum(name[1:], e_old, e_new)
    for name, s_old in a["services"].items():
        s_new = b["services"].get(name)
        if s_new is None:
            problems.append(f"service {name[1:]} was removed")
            continue
        assert isinstance(s_old, descriptor_pb2.ServiceDescriptorProto)
        assert isinstance(s_new, descriptor_pb2.ServiceDescriptorProto)
        methods = {m.name: m for m in s_new.method}
        for m in s_old.method:
            n = methods.get(m.name)
            where = f"rpc {name[1:]}.{m.name}"
            if n is None:
                problems.append(f"{where} was removed")
                continue
            if (m.input_type, m.output_type) != (n.input_type, n.output_type):
                problems.append(f"{where}: its types changed from ({m.input_type[1:]}) returns ({m.output_type[1:]}) "
                                f"to ({n.input_type[1:]}) returns ({n.output_type[1:]})")
            if (m.client_streaming, m.server_streaming) != (n.client_streaming, n.server_streaming):
                problems.append(f"{where}: its streaming changed")
    return problems


def _compare_message(name: str, old: descriptor_pb2.DescriptorProto, new: descriptor_pb2.DescriptorProto
                     ) -> list[str]:
    problems = []
    by_number = {f.number: f for f in new.field}
    reserved_numbers, reserved_names = _reserved_numbers(new), set(new.reserved_name)
    for f in old.field:
        where = f"field {name}.{f.name} ({f.number})"
        n = by_number.get(f.number)
        if n is None:
            if f.number not in reserved_numbers or f.name not in reserved_names:
                renumbered = next((x for x in new.field if x.name == f.name), None)
                if renumbered is not None:
                    problems.append(f"{where} was renumbered to {renumbered.number}")
                else:
                    problems.append(f"{where} was removed without reserving its number and name")
            continue
        if n.name != f.name:
            problems.append(f"{where} was renamed to {n.name} (breaks JSON)")
        if _field_type(n) != _field_type(f):
            problems.append(f"{where} changed type from {_field_type(f).lstrip('.')} to {_field_type(n).lstrip('.')}")
        if n.label != f.label or n.proto3_optional != f.proto3_optional:
            problems.append(f"{where} changed its label (repeated/optional)")
        if _oneof(new, n) != _oneof(old, f):
            problems.append(f"{where} moved into or out of a oneof")
    lost = _reserved_numbers(old) - reserved_numbers
    if lost:
        problems.append(f"message {name}: reserved numbers {sorted(lost)} are no longer reserved")
    lost_names = set(old.reserved_name) - reserved_names
    if lost_names:
        problems.append(f"message {name}: reserved names {sorted(lost_names)} are no longer reserved")
    return problems


def _compare_enum(name: str, old: descriptor_pb2.EnumDescriptorProto, new: descriptor_pb2.EnumDescriptorProto
                  ) -> list[str]:
    problems = []
    by_name = {v.name: v for v in new.value}
    by_number = {v.number: v for v in new.value}
    reserved_numbers, reserved_names = _reserved_numbers(new), set(new.reserved_name)
    for v in old.value:
        where = f"enum value {name}.{v.name} ({v.number})"
        n = by_name.get(v.name)
        if n is None:
            if v.number in by_number:
                problems.append(f"{where} was renamed to {by_number[v.number].name} (breaks JSON)")
            elif v.number not in reserved_numbers or v.name not in reserved_names:
                problems.append(f"{where} was removed without reserving its number and name")
        elif n.number != v.number:
            problems.append(f"{where} changed its number to {n.number}")
    lost = _reserved_numbers(old) - reserved_numbers
    if lost:
        problems.append(f"enum {name}: reserved numbers {sorted(lost)} are no longer reserved")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: breaking.py BASELINE.binpb CURRENT.binpb", file=sys.stderr)
        return 2
    problems = breaking_changes(_load(argv[0]), _load(argv[1]))
    for p in problems:
        print(f"proto: breaking change against {argv[0]}: {p}")
    if problems:
        print("proto: protocol v1 only grows (proto/README.md): reserve removed fields, add new ones with new "
              "numbers; a breaking change is a new package kiln.plugin.v2")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
