"""Packer 1.6.6's rawTemplate: the root keys, variables, builders, provisioners and post-processors of
a legacy JSON template, decoded as mapstructure does (same checks, same messages), with positions."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiln_sdk.duration import parse_duration
from kiln_sdk.gotemplate.values import go_str

from kiln.hcl.syntax import Range
from kiln.template.legacy.decode import format_float
from kiln.template.legacy.jsonvalue import JValue

Msg = tuple[str, Range]


def multierror(msgs: list[str]) -> str:
    """go-multierror's text."""
    if len(msgs) == 1:
        return f"1 error occurred:\n\t* {msgs[0]}\n\n"
    return f"{len(msgs)} errors occurred:\n\t" + "\n\t".join(f"* {m}" for m in msgs) + "\n\n"


def decoding(msgs: list[str]) -> str:
    """mapstructure's Error text (its points sorted)."""
    return f"{len(msgs)} error(s) decoding:\n\n" + "\n".join(f"* {m}" for m in sorted(msgs))


class LegacyError(Exception):
    """Packer rejected the template: each message with where it points, and Packer's whole text."""

    def __init__(self, msgs: list[Msg], packer_text: str, summary: str = "") -> None:
        super().__init__(packer_text)
        self.msgs, self.packer_text, self.summary = msgs, packer_text, summary


def kind(jv: JValue) -> str:
    """Go's reflect.Kind name of a decoded JSON value."""
    return {"float64": "float64", "string": "string", "bool": "bool", "[]interface {}": "slice",
            "map[string]interface {}": "map"}.get(jv.go_type(), "invalid")


@dataclass
class Decoder:
    """One mapstructure decode of a JSON object into a struct: its problems, in mapstructure's words."""

    weak: bool
    errors: list[Msg] = field(default_factory=list)

    def fail(self, msg: str, jv: JValue) -> None:
        self.errors.append((msg, jv.range))

    def string(self, jv: JValue, name: str) -> str:
        v = jv.value
        if isinstance(v, str) or v is None:
            return v or ""
        if self.weak and isinstance(v, bool):
            return "1" if v else "0"
        if self.weak and isinstance(v, (int, float)):
            return format_float(v) if isinstance(v, float) else str(v)
        self.fail(f"'{name}' expected type 'string', got unconvertible type '{jv.go_type()}', "
                  f"value: '{go_str(jv.plain())}'", jv)
        return ""

    def strings(self, jv: JValue, name: str) -> list[str]:
        if jv.value is None:
            return []
        if not isinstance(jv.value, list):
            if not self.weak:
                self.fail(f"'{name}': source data must be an array or slice, got {kind(jv)}", jv)
                return []
            return [self.string(jv, f"{name}[0]")]
        return [self.string(item, f"{name}[{i}]") for i, item in enumerate(jv.value)]

    def boolean(self, jv: JValue, name: str) -> bool | None:
        v = jv.value
        if v is None or isinstance(v, bool):
            return v
        if self.weak and isinstance(v, (int, float)):
            return v != 0
        if self.weak and isinstance(v, str) and v in ("1", "t", "T", "TRUE", "true", "True", "0", "f", "F",
                                                      "FALSE", "false", "False", ""):
            return v in ("1", "t", "T", "TRUE", "true", "True")
        self.fail(f"'{name}' expected type 'bool', got unconvertible type '{jv.go_type()}', "
                  f"value: '{go_str(jv.plain())}'", jv)
        return None

    def duration(self, jv: JValue, name: str) -> float:
        v = jv.value
        if v is None:
            return 0.0
        if isinstance(v, str):
            try:
                return parse_duration(v)
            except ValueError as exc:
                self.fail(f"error decoding '{name}': {exc}", jv)
                return 0.0
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return int(v) / 1e9  # a number is nanoseconds, as Go's time.Duration
        self.fail(f"'{name}' expected type 'time.Duration', got unconvertible type '{jv.go_type()}', "
                  f"value: '{go_str(jv.plain())}'", jv)
        return 0.0

    def mapping(self, jv: JValue, name: str) -> dict[str, JValue]:
        v = jv.value
        if isinstance(v, dict):
            return v
        if v is None or (self.weak and v == []):
            return {}
        self.fail(f"'{name}' expected a map, got '{kind(jv)}'", jv)
        return {}

    def text(self) -> str:
        return decoding([m for m, _ in self.errors])


@dataclass
class LegacyVariable:
    name: str
    default: str | None  # None: required
    range: Range
    sensitive: bool = False

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass
class RawComponent:
    """A builder, provisioner or post-processor object of the template, special keys decoded."""

    kind: str  # "builder" | "provisioner" | "post-processor"
    type: str
    name: str
    obj: JValue  # the whole object as written (a string post-processor gets a synthetic one)
    index: str  # Packer's numbering in messages: "2" or "1.2"
    only: list[str] = field(default_factory=list)
    except_: list[str] = field(default_factory=list)
    override: dict[str, JValue] = field(default_factory=dict)
    pause_before: float = 0.0
    max_retries: str = ""
    timeout: float = 0.0
    keep_input_artifact: bool | None = None

    @property
    def range(self) -> Range:
        return self.obj.range


BUILDER_KEYS = frozenset({"type", "name"})
PROVISIONER_KEYS = frozenset({"type", "except", "only", "override", "pause_before", "max_retries", "timeout"})
POST_PROCESSOR_KEYS = frozenset({"type", "name", "except", "only", "keep_input_artifact"})


def decode_builder(jv: JValue, i: int, errs: list[Msg]) -> RawComponent | None:
    if not isinstance(jv.value, dict):
        errs.append((f"builder {i}: '' expected a map, got '{kind(jv)}'", jv.range))
        return None
    d = Decoder(weak=True)
    btype = d.string(jv.value["type"], "type") if "type" in jv.value else ""
    name = d.string(jv.value["name"], "name") if "name" in jv.value else ""
    if d.errors:
        errs.append((f"builder {i}: {d.text()}", d.errors[0][1]))
        return None
    if not btype:
        errs.append((f"builder {i}: missing 'type'", jv.range))
        return None
    return RawComponent("builder", btype, name or btype, jv, str(i))


def decode_provisioner(jv: JValue, where: str, errs: list[Msg]) -> RawComponent | None:
    if not isinstance(jv.value, dict):
        errs.append((f"{where}: Error decoding provisioner: '' expected a map, got '{kind(jv)}'", jv.range))
        return None
    d = Decoder(weak=True)
    get = jv.value.get
    null = JValue(None, jv.range)
    p = RawComponent(
        "provisioner", d.string(get("type", null), "type"), "", jv, where.split()[-1],
        only=d.strings(get("only", null), "only"), except_=d.strings(get("except", null), "except"),
        override=d.mapping(get("override", null), "override"),
        pause_before=d.duration(get("pause_before", null), "pause_before"),
        max_retries=d.string(get("max_retries", null), "max_retries"),
        timeout=d.duration(get("timeout", null), "timeout"),
    )
    if d.errors:
        errs.append((f"{where}: Error decoding provisioner: {d.text()}", d.errors[0][1]))
        return None
    if not p.type:
        errs.append((f"{where}: Provisioner missing 'type'", jv.range))
        return None
    p.name = p.type
    return p


def decode_post_processors(jv: JValue, i: int, errs: list[Msg]) -> list[RawComponent]:
    items: list[JValue]
    if isinstance(jv.value, (str, dict)):
        items = [jv]
    elif isinstance(jv.value, list):
        items = jv.value
        bad = False
        for j, item in enumerate(items, 1):
            if isinstance(item.value, list):
                errs.append((f"post-processor {i}.{j}: sequence not allowed to be nested in a sequence", item.range))
                bad = True
            elif not isinstance(item.value, (str, dict)):
                errs.append((f"post-processor {i}.{j}: unknown format", item.range))
                bad = True
        if bad:
            return []
    else:
        errs.append((f"post-processor {i}: bad format", jv.range))
        return []
    chain = []
    for j, item in enumerate(items, 1):
        obj = item
        if isinstance(item.value, str):
            obj = JValue({"type": JValue(item.value, item.range)}, item.range, {"type": item.range})
        assert isinstance(obj.value, dict)
        d = Decoder(weak=False)
        get = obj.value.get
        null = JValue(None, obj.range)
        pp = RawComponent(
            "post-processor", d.string(get("type", null), "type"), d.string(get("name", null), "name"), obj,
            f"{i}.{j}", only=d.strings(get("only", null), "Only"), except_=d.strings(get("except", null), "Except"),
            keep_input_artifact=d.boolean(get("keep_input_artifact", null), "keep_input_artifact"),
        )
        if d.errors:
            errs.append((f"post-processor {i}.{j}: {d.text()}", d.errors[0][1]))
            continue
        if not pp.type:
            errs.append((f"post-processor {i}.{j}: type is required", obj.range))
            continue
        pp.name = pp.name or pp.type
        chain.append(pp)
    return chain
