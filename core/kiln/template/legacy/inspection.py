"""``packer inspect`` of a legacy JSON template (Packer 1.6.6's JSON mode), as UI records.

Inspect only parses the template: required variables may be unset and names stay as written.
Each record is ``("say", (message,))`` or a machine-readable one such as
``("template-variable", (name, default, "1"))``; ``inspect_text`` is the human output.
"""

from __future__ import annotations

from kiln.template.legacy.root import RawTemplate

Record = tuple[str, tuple[str, ...]]

NOTE = ("\nNote: If your build names contain user variables or template\n"
        "functions such as 'timestamp', these are processed at build time,\n"
        "and therefore only show in their raw form here.")


def inspect_records(raw: RawTemplate) -> list[Record]:
    out: list[Record] = [("say", ("Packer Inspect: JSON mode",))]

    def say(msg: str) -> None:
        out.append(("say", (msg,)))

    if raw.description:
        say("Description:\n")
        say(raw.description + "\n")
    # Packer 1.6.6 compares defaults with the sensitive variables' (which it has just masked, in
    # random map order), so another variable with the same default is masked only sometimes; kiln
    # masks exactly the sensitive variables.
    def shown(name: str) -> str:
        v = raw.variables[name]
        return "<sensitive>" if v.sensitive else v.default or ""

    def width(names: list[str]) -> int:  # Go pads by bytes, not characters
        return max(len(n.encode()) for n in names)

    def pad(name: str, to: int) -> str:
        return name + " " * (to - len(name.encode()))

    if not raw.variables:
        say("Variables:\n")
        say("  <No variables>")
    else:
        required = [k for k, v in raw.variables.items() if v.required]
        if required:
            say("Required variables:\n")
            for k in sorted(required):  # Go ranges over a map here; kiln keeps it stable
                out.append(("template-variable", (k, shown(k), "1")))
                say("  " + k)
            say("")
        say("Optional variables and their defaults:\n")
        w = width(list(raw.variables))
        for k in sorted(raw.variables):
            v = raw.variables[k]
            if v.required:
                continue
            out.append(("template-variable", (k, shown(k), "0")))
            say(f"  {pad(k, w)} = {shown(k)}")
    say("")
    say("Builders:\n")
    if not raw.builders:
        say("  <No builders>")
    else:
        w = width([b.name for b in raw.builders])
        for b in sorted(raw.builders, key=lambda b: b.name):
            line = f"  {pad(b.name, w)}"
            if b.name != b.type:
                line += f" ({b.type})"
            out.append(("template-builder", (b.name, b.type)))
            say(line)
    say("")
    say("Provisioners:\n")
    if not raw.provisioners:
        say("  <No provisioners>")
    for p in raw.provisioners:
        out.append(("template-provisioner", (p.type,)))
        say(f"  {p.type}")
    say(NOTE)
    return out


def inspect_text(raw: RawTemplate) -> str:
    """What ``packer inspect`` prints for ``raw``."""
    return "".join(args[0] + "\n" for kind, args in inspect_records(raw) if kind == "say")
