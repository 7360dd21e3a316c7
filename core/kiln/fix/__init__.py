"""Packer 1.6.6's ``fix``: its fixers, in its order, over a legacy JSON template read as Go reads it.

Each fixer works on plain data as Packer's does after ``encoding/json`` (numbers are floats) and
``mapstructure`` (top-level fields found by exact name, else case-insensitively; builder maps copied
shallowly). Where Packer 1.6.6 panics (a builder without a string ``type`` reaching ``comm-config``,
non-string PowerShell credentials, ...), kiln stops with a clear :class:`FixError` instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from kiln.template.legacy.jsonvalue import JSONSyntaxError, _Reader

Tpl = dict[str, Any]


class FixError(Exception):
    """Packer's message after "Error fixing: "."""


class ParseError(Exception):
    """Packer's message after "Error parsing template: "."""


def _kind(v: Any) -> str:
    if v is None:
        return "invalid"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "slice"
    return "map"


def _json_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    return "array" if isinstance(v, list) else "object"


def decode_template(text: str) -> Tpl | None:
    """json.NewDecoder(f).Decode(&map[string]interface{}): the first JSON value of the file."""
    reader = _Reader(text, "")
    reader.skip_ws()
    if reader.i >= len(text):
        raise ParseError("EOF")
    try:
        value = reader.value().plain()
    except JSONSyntaxError as exc:
        raise ParseError("unexpected EOF" if exc.message == "unexpected end of JSON input" else exc.message) from None
    value = _floats(value)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ParseError(f"json: cannot unmarshal {_json_kind(value)} into Go value of type map[string]interface {{}}")
    return value


def _floats(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        f = float(v)
        if f in (float("inf"), float("-inf")):
            raise ParseError(f"json: cannot unmarshal number {v} into Go value of type float64")
        return f
    if isinstance(v, list):
        return [_floats(x) for x in v]
    return {k: _floats(x) for k, x in v.items()}


# --- Go's encoding/json output, as Packer prints it ------------------------------------------------

def _go_float(f: float) -> str:
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    a = abs(f)
    d = Decimal(repr(f))
    if a < 1e-6 or a >= 1e21:
        sign, digits, exp = d.as_tuple()
        ds = "".join(map(str, digits)).rstrip("0") or "0"
        e = len(digits) + int(exp) - 1
        mant = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        es = f"{'-' if e < 0 else '+'}{abs(e):02d}"
        if es.startswith("-0") and len(es) == 3:
            es = "-" + es[2]
        return ("-" if sign else "") + mant + "e" + es
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


_ESC = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "<": "\\u003c", ">": "\\u003e",
        "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _go_string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _ESC:
            out.append(_ESC[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _encode(v: Any, indent: str, out: list[str]) -> None:
    if v is None:
        out.append("null")
    elif isinstance(v, bool):
        out.append("true" if v else "false")
    elif isinstance(v, float):
        out.append(_go_float(v))
    elif isinstance(v, int):
        out.append(str(v))
    elif isinstance(v, str):
        out.append(_go_string(v))
    elif isinstance(v, list):
        if not v:
            out.append("[]")
            return
        inner = indent + "  "
        out.append("[\n")
        for i, x in enumerate(v):
            out.append(inner)
            _encode(x, inner, out)
            out.append(",\n" if i < len(v) - 1 else "\n")
        out.append(indent + "]")
    else:
        if not v:
            out.append("{}")
            return
        inner = indent + "  "
        out.append("{\n")
        keys = sorted(v, key=lambda k: k.encode("utf-8", "surrogatepass"))
        for i, k in enumerate(keys):
            out.append(inner + _go_string(k) + ": ")
            _encode(v[k], inner, out)
            out.append(",\n" if i < len(keys) - 1 else "\n")
        out.append(indent + "}")


def encode(tpl: Tpl | None) -> str:
    """Encoder.Encode + json.Indent("", "  ") + Packer's unescaping of < and > (the trailing newline kept)."""
    out: list[str] = []
    _encode(tpl, "", out)
    return "".join(out).replace("\\u003c", "<").replace("\\u003e", ">") + "\n"


# --- mapstructure, as far as the fixers use it -----------------------------------------------------

def _lookup(tpl: Tpl, field: str) -> tuple[bool, Any]:
    if field in tpl:
        return True, tpl[field]
    for k in tpl:
        if k.casefold() == field.casefold():
            return True, tpl[k]
    return False, None


def _maps(tpl: Tpl, field: str = "Builders", weak: bool = False) -> list[dict[str, Any] | None] | None:
    """Decode ``field`` into []map[string]interface{} (copies of the maps; None for null elements)."""
    found, raw = _lookup(tpl, field)
    if not found or raw is None:
        return None
    if not isinstance(raw, list):
        if weak:
            if isinstance(raw, dict) and not raw:
                return []
            raw = [raw]
        else:
            raise FixError(f"1 error(s) decoding:\n\n* '{field}': source data must be an array or slice, got {_kind(raw)}")
    errs = [f"'{field}[{i}]' expected a map, got '{_kind(x)}'" for i, x in enumerate(raw)
            if x is not None and not isinstance(x, dict)]
    if errs:
        raise FixError(f"{len(errs)} error(s) decoding:\n\n" + "\n".join(f"* {m}" for m in sorted(errs)))
    return [dict(x) if isinstance(x, dict) else None for x in raw]


def _list(tpl: Tpl, field: str, weak: bool) -> list[Any] | None:
    """Decode ``field`` into []interface{}."""
    found, raw = _lookup(tpl, field)
    if not found or raw is None:
        return None
    if isinstance(raw, list):
        return list(raw)
    if not weak:
        raise FixError(f"1 error(s) decoding:\n\n* '{field}': source data must be an array or slice, got {_kind(raw)}")
    if isinstance(raw, dict) and not raw:
        return []
    return [raw]


def _pp_list(pps: list[Any] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in pps or []:
        if isinstance(p, dict):
            out.append(p)
        elif isinstance(p, list):
            out.extend(x for x in p if isinstance(x, dict))
    return out


def _typed(b: dict[str, Any] | None) -> str | None:
    if b is None:
        return None
    t = b.get("type")
    return t if isinstance(t, str) else None


def _need_builder_dict(b: dict[str, Any] | None, fixer: str) -> dict[str, Any]:
    if b is None:
        raise FixError(f"a builder is null ({fixer}: Packer 1.6.6 crashes on this template)")
    return b


# --- the fixers ------------------------------------------------------------------------------------

def _builders_fixer(each: Callable[[dict[str, Any] | None], None]) -> Callable[[Tpl], Tpl]:
    def fix(tpl: Tpl) -> Tpl:
        builders = _maps(tpl)
        for b in builders or []:
            each(b)
        tpl["builders"] = builders
        return tpl
    return fix


def _iso_md5(b: dict[str, Any] | None) -> None:
    if b is not None and isinstance(b.get("iso_md5"), str):
        b["iso_checksum"] = b.pop("iso_md5")
        b["iso_checksum_type"] = "md5"


_CREATETIME = re.compile(r"{{\s*\.CreateTime\s*}}")


def _createtime(b: dict[str, Any] | None) -> None:
    for key in ("ami_name", "bundle_prefix", "snapshot_name"):
        if b is not None and isinstance(b.get(key), str):
            b[key] = _CREATETIME.sub("{{timestamp}}", b[key])


def _gaattach(b: dict[str, Any] | None) -> None:
    if _typed(b) == "virtualbox" and b is not None and isinstance(b.get("guest_additions_attach"), bool):
        b["guest_additions_mode"] = "attach" if b.pop("guest_additions_attach") else "upload"


def _pp_fixer(each: Callable[[dict[str, Any]], None]) -> Callable[[Tpl], Tpl]:
    def fix(tpl: Tpl) -> Tpl:
        if tpl.get("post-processors") is None:
            return tpl
        pps = _list(tpl, "post-processors", weak=False)
        for pp in _pp_list(pps):
            each(pp)
        tpl["post-processors"] = pps
        return tpl
    return fix


def _vagrant_override(pp: dict[str, Any]) -> None:
    if pp.get("type") != "vagrant":
        return
    overrides = {n: pp.pop(n) for n in ("aws", "digitalocean", "virtualbox", "vmware") if n in pp}
    if overrides:
        pp["override"] = overrides


def _virtualbox_rename(tpl: Tpl) -> Tpl:
    builders = _maps(tpl, weak=True)
    provs = _list(tpl, "Provisioners", weak=True)
    for b in builders or []:
        if _typed(b) == "virtualbox" and b is not None:
            b["type"] = "virtualbox-iso"
    for i, raw in enumerate(provs or []):
        if not isinstance(raw, dict):
            continue
        m = dict(raw)
        if "override" not in m:
            continue
        override = m["override"]
        if override is None:
            continue
        if isinstance(override, list) and all(isinstance(x, dict) for x in override):
            merged: dict[str, Any] = {}
            for x in override:
                merged.update(x)
            override = merged
        if not isinstance(override, dict):
            raise FixError(f"'' expected a map, got '{_kind(override)}'")
        override = dict(override)
        if "virtualbox" in override:
            override["virtualbox-iso"] = override.pop("virtualbox")
            m["override"] = override
            assert provs is not None
            provs[i] = m
    if builders:
        tpl["builders"] = builders
    if provs:
        tpl["provisioners"] = provs
    return tpl


def _rename(old: str, new: str) -> Callable[[dict[str, Any] | None], None]:
    def each(b: dict[str, Any] | None) -> None:
        if _typed(b) == old and b is not None:
            b["type"] = new
    return each


def _parallels_headless(b: dict[str, Any] | None) -> None:
    if _typed(b) in ("parallels-iso", "parallels-pvm") and b is not None:
        b.pop("headless", None)


def _parallels_deprecations(b: dict[str, Any] | None) -> None:
    if _typed(b) in ("parallels-iso", "parallels-pvm") and b is not None:
        b.pop("parallels_tools_host_path", None)
        if "guest_os_distribution" in b:
            b["guest_os_type"] = b.pop("guest_os_distribution")


def _prefer(old: str, new: str, kind: type, types: tuple[str, ...] | None = None) -> Callable[[dict[str, Any] | None], None]:
    """``old`` (of ``kind``) becomes ``new`` unless ``new`` is set; ``old`` is dropped either way."""
    def each(b: dict[str, Any] | None) -> None:
        if b is None or (types is not None and b.get("type") not in types):
            return
        if not isinstance(b.get(old), kind) or (kind is str and isinstance(b.get(old), bool)):
            return
        if new not in b:
            b[new] = b[old]
        del b[old]
    return each


def _manifest_filename(pp: dict[str, Any]) -> None:
    if pp.get("type") == "manifest" and isinstance(pp.get("filename"), str):
        pp["output"] = pp.pop("filename")


def _amazon(b: dict[str, Any] | None) -> bool:
    t = _typed(b)
    return t is not None and t.startswith("amazon-")


def _shutdown_behavior(b: dict[str, Any] | None) -> None:
    if _amazon(b) and b is not None and "shutdown_behaviour" in b:
        b["shutdown_behavior"] = b.pop("shutdown_behaviour")


def _enhanced_networking(b: dict[str, Any] | None) -> None:
    if _amazon(b) and b is not None and isinstance(b.get("enhanced_networking"), bool):
        b["ena_support"] = b.pop("enhanced_networking")


_BOOLS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
          "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}


def _private_ip(b: dict[str, Any] | None) -> None:
    if not _amazon(b) or b is None or "ssh_interface" in b or "ssh_private_ip" not in b:
        return
    raw = b["ssh_private_ip"]
    if isinstance(raw, bool):
        private = raw
    elif isinstance(raw, str):
        if raw not in _BOOLS:
            raise FixError(f'ssh_private_ip is not a boolean, strconv.ParseBool: parsing "{raw}": invalid syntax')
        private = _BOOLS[raw]
    else:
        raise FixError("ssh_private_ip is not a boolean (Packer 1.6.6 crashes on this template)")
    del b["ssh_private_ip"]
    b["ssh_interface"] = "private_ip" if private else "public_ip"


def _temp_sec_cidrs(b: dict[str, Any] | None) -> None:
    if _amazon(b) and b is not None and isinstance(b.get("temporary_security_group_source_cidr"), str):
        b["temporary_security_group_source_cidrs"] = [b.pop("temporary_security_group_source_cidr")]


def _docker_email(tpl: Tpl) -> Tpl:
    if tpl.get("post-processors") is None:
        return tpl
    builders = _maps(tpl)
    pps = _list(tpl, "post-processors", weak=False)
    for b in builders or []:
        if b is not None:
            b.pop("login_email", None)
    for pp in _pp_list(pps):
        pp.pop("login_email", None)
    tpl["builders"] = builders
    tpl["post-processors"] = pps
    return tpl


def _tags(raw: Any) -> list[str]:
    if isinstance(raw, list):
        if not all(isinstance(t, str) for t in raw):
            raise FixError("a docker-tag tag is not a string (Packer 1.6.6 crashes on this template)")
        return list(raw)
    if isinstance(raw, str):
        return [t.strip() for t in raw.split(",")]
    return []


def _docker_tag_tags(pp: dict[str, Any]) -> None:
    if pp.get("type") != "docker-tag":
        return
    all_tags = _tags(pp.get("tag")) + _tags(pp.get("tags"))
    pp.pop("tag", None)
    pp["tags"] = list(dict.fromkeys(all_tags))


_PS = re.compile(r"`[$\"`']")


def _ps_unescape(s: str) -> str:
    return _PS.sub(lambda m: m.group(0)[1], s)


def _provisioner_fixer(each: Callable[[dict[str, Any]], bool]) -> Callable[[Tpl], Tpl]:
    def fix(tpl: Tpl) -> Tpl:
        provs = _list(tpl, "Provisioners", weak=True)
        for i, raw in enumerate(provs or []):
            if isinstance(raw, dict):
                m = dict(raw)
                if each(m):
                    assert provs is not None
                    provs[i] = m
        if provs:
            tpl["provisioners"] = provs
        return tpl
    return fix


def _powershell(p: dict[str, Any]) -> bool:
    if p.get("type") != "powershell":
        return False
    for key in ("elevated_user", "elevated_password"):
        if key in p:
            if not isinstance(p[key], str):
                raise FixError(f"{key} is not a string (Packer 1.6.6 crashes on this template)")
            p[key] = _ps_unescape(p[key])
    if "environment_vars" in p:
        env = p["environment_vars"]
        if env is None:
            env = []
        if not isinstance(env, list) or not all(isinstance(e, str) for e in env):
            return False  # mapstructure cannot decode it: Packer drops this provisioner's changes
        p["environment_vars"] = [_ps_unescape(e) for e in env]
    return True


def _vmware_compaction(b: dict[str, Any] | None) -> None:
    if _typed(b) != "vmware-iso" or b is None or b.get("remote_type") != "esx5":
        return
    if "disk_type_id" not in b:
        b["disk_type_id"] = "zeroedthick"
    else:
        dt = b["disk_type_id"]
        if not isinstance(dt, str) or dt == "thin":
            return
    if "skip_compaction" in b:
        if isinstance(b["skip_compaction"], bool) and not b["skip_compaction"]:
            b["skip_compaction"] = True
        return
    b["skip_compaction"] = True


def _hyperv_deprecations(b: dict[str, Any] | None) -> None:
    if _typed(b) == "hyperv-iso" and b is not None:
        b.pop("vhd_temp_path", None)


def _vmxc_typo(b: dict[str, Any] | None) -> None:
    if _typed(b) == "hyperv-vmcx" and b is not None and "clone_from_vmxc_path" in b:
        b["clone_from_vmcx_path"] = b.pop("clone_from_vmxc_path")


def _hyperv_cpu_ram(b: dict[str, Any] | None) -> None:
    if _typed(b) in ("hyperv-vmcx", "hyperv-iso") and b is not None:
        if "cpu" in b:
            b["cpus"] = b.pop("cpu")
        if "ram_size" in b:
            b["memory"] = b.pop("ram_size")


_CLEAN = re.compile(r"clean_(image|ami)_name")


def _clean_image_name(b: dict[str, Any] | None) -> None:
    if b is None:
        return
    for key, value in list(b.items()):
        if isinstance(value, str):
            b[key] = _CLEAN.sub("clean_resource_name", value)
        elif isinstance(value, dict):
            for k, s in value.items():
                if isinstance(s, str):
                    value[k] = _CLEAN.sub("clean_resource_name", s)
        elif key == "image_labels":
            raise FixError("image_labels is not a map (Packer 1.6.6 crashes on this template)")


def _spot_price(b: dict[str, Any] | None) -> None:
    if _typed(b) in ("amazon-ebs", "amazon-ebssurrogate", "amazon-ebsvolume", "amazon-instance") and b is not None:
        b.pop("spot_price_auto_product", None)


def _qemu_disk_size(b: dict[str, Any] | None) -> None:
    if _typed(b) == "qemu" and b is not None and isinstance(b.get("disk_size"), float):
        f = b["disk_size"]
        b["disk_size"] = str(int(f) if -2**63 <= f < 2**63 else -2**63) + "M"


def _galaxy(p: dict[str, Any]) -> bool:
    if p.get("type") != "ansible-local":
        return False
    if "galaxy_command" in p:
        p.pop("galaxycommand", None)
        return True
    if not isinstance(p.get("galaxycommand"), str):
        return False
    p["galaxy_command"] = p.pop("galaxycommand")
    return True


def _weak_builders(each: Callable[[dict[str, Any]], bool]) -> Callable[[Tpl], Tpl]:
    def fix(tpl: Tpl) -> Tpl:
        builders = _list(tpl, "Builders", weak=True)
        for i, raw in enumerate(builders or []):
            if raw is None:
                raw = None
            elif not isinstance(raw, dict):
                continue
            m = dict(raw) if raw is not None else None
            if each(m):  # type: ignore[arg-type]
                assert builders is not None
                builders[i] = m
        if builders:
            tpl["builders"] = builders
        return tpl
    return fix


def _comm_config(b: dict[str, Any] | None) -> bool:
    if b is None or not isinstance(b.get("type"), str):
        raise FixError('a builder has no string "type" (comm-config: Packer 1.6.6 crashes on this template)')
    if not b["type"].startswith("virtualbox"):
        return False
    for short in ("host_port_min", "host_port_max"):
        if short in b:
            b.pop("ssh_" + short, None)
        elif "ssh_" + short in b:
            b[short] = b.pop("ssh_" + short)
    if "skip_nat_mapping" in b:
        b.pop("ssh_skip_nat_mapping", None)
    elif isinstance(b.get("ssh_skip_nat_mapping"), bool):
        b["skip_nat_mapping"] = b.pop("ssh_skip_nat_mapping")
    return True


def _ssh_timeout(b: dict[str, Any] | None) -> bool:
    if b is None:
        return False
    if "ssh_timeout" in b:
        b.pop("ssh_wait_timeout", None)
        return True
    if not isinstance(b.get("ssh_wait_timeout"), str):
        return False
    b["ssh_timeout"] = b.pop("ssh_wait_timeout")
    return True


def _vsphere(b: dict[str, Any] | None) -> None:
    if _typed(b) != "vsphere-iso" or b is None:
        return
    nic: dict[str, Any] = {}
    for old, new in (("network", "network"), ("networkCard", "network_card"), ("network_card", "network_card")):
        if old in b:
            nic[new] = b.pop(old)
    if nic:
        existing = b.get("network_adapters", [])
        if not isinstance(existing, list):
            raise FixError("network_adapters is not a list (Packer 1.6.6 crashes on this template)")
        b["network_adapters"] = [nic, *existing]
    disk: dict[str, Any] = {}
    for key in ("disk_size", "disk_thin_provisioned", "disk_eagerly_scrub"):
        if key in b:
            disk[key] = b.pop(key)
    if disk:
        existing = b.get("storage", [])
        if not isinstance(existing, list):
            raise FixError("storage is not a list (Packer 1.6.6 crashes on this template)")
        b["storage"] = [disk, *existing]


def _iso_checksum(b: dict[str, Any] | None) -> None:
    if b is None:
        return

    def sv(k: str) -> str:
        v = b.get(k)
        return v if isinstance(v, str) else ""
    url, typ, checksum = sv("iso_checksum_url"), sv("iso_checksum_type"), sv("iso_checksum")
    b.pop("iso_checksum_url", None)
    b.pop("iso_checksum_type", None)
    if checksum == "" and url == "":
        return
    if url:
        checksum = "file:" + url
    elif typ:
        checksum = typ + ":" + checksum
    b["iso_checksum"] = checksum


def _qemu_host_port(b: dict[str, Any] | None) -> None:
    if _typed(b) == "qemu" and b is not None:
        for short in ("host_port_min", "host_port_max"):
            if "ssh_" + short in b:
                b[short] = b.pop("ssh_" + short)


def _azure_exclude(b: dict[str, Any] | None) -> None:
    t = _typed(b)
    if t is None or not t.startswith("azure-chroot") or b is None:
        return
    sid = b.get("shared_image_destination")
    if isinstance(sid, dict) and "exlude_from_latest" in sid:
        sid["exclude_from_latest"] = sid.pop("exlude_from_latest")


FIXERS: list[tuple[str, str, Callable[[Tpl], Tpl]]] = [
    ("iso-md5", 'Replaces "iso_md5" in builders with "iso_checksum"', _builders_fixer(_iso_md5)),
    ("createtime", 'Replaces ".CreateTime" in builder configs with "{{timestamp}}"', _builders_fixer(_createtime)),
    ("virtualbox-gaattach", 'Updates VirtualBox builders using "guest_additions_attach" to use '
     '"guest_additions_mode"', _builders_fixer(_gaattach)),
    ("pp-vagrant-override", "Fixes provider-specific overrides for Vagrant post-processor",
     _pp_fixer(_vagrant_override)),
    ("virtualbox-rename", 'Updates "virtualbox" builders to "virtualbox-iso"', _virtualbox_rename),
    ("vmware-rename", 'Updates "vmware" builders to "vmware-iso"', _builders_fixer(_rename("vmware", "vmware-iso"))),
    ("parallels-headless", 'Removes unused "headless" from Parallels builders', _builders_fixer(_parallels_headless)),
    ("parallels-deprecations", 'Removes deprecated "parallels_tools_host_path" from Parallels builders and changes '
     '"guest_os_distribution" to "guest_os_type".', _builders_fixer(_parallels_deprecations)),
    ("sshkeypath", 'Updates builders using "ssh_key_path" to use "ssh_private_key_file"',
     _builders_fixer(_prefer("ssh_key_path", "ssh_private_key_file", str))),
    ("sshdisableagent", 'Updates builders using "ssh_disable_agent" to use "ssh_disable_agent_forwarding"',
     _builders_fixer(_prefer("ssh_disable_agent", "ssh_disable_agent_forwarding", bool))),
    ("scaleway-access-key", 'Updates builders using "access_key" to use "organization_id"',
     _builders_fixer(_prefer("access_key", "organization_id", str, ("scaleway",)))),
    ("manifest-filename", 'Updates "manifest" post-processor so any "filename" field is renamed to "output".',
     _pp_fixer(_manifest_filename)),
    ("amazon-shutdown_behavior", 'Changes "shutdown_behaviour" to "shutdown_behavior" in Amazon builders.',
     _builders_fixer(_shutdown_behavior)),
    ("amazon-enhanced-networking", 'Replaces "enhanced_networking" in builders with "ena_support"',
     _builders_fixer(_enhanced_networking)),
    ("amazon-private-ip", 'Replaces `"ssh_private_ip": true` in amazon builders with `"ssh_interface": '
     '"private_ip"`', _builders_fixer(_private_ip)),
    ("amazon-temp-sec-cidrs", 'Replaces "temporary_security_group_source_cidr" (string) with '
     '"temporary_security_group_source_cidrs" (list of strings)', _builders_fixer(_temp_sec_cidrs)),
    ("docker-email", 'Removes "login_email" from the Docker builder.', _docker_email),
    ("docker-tag-tags", 'Updates "docker" post-processor so any "tag" field is renamed to "tags".',
     _pp_fixer(_docker_tag_tags)),
    ("powershell-escapes", "Removes PowerShell escapes from user env vars and elevated username and password strings",
     _provisioner_fixer(_powershell)),
    ("vmware-compaction", 'Adds "skip_compaction = true" to "vmware-iso" builders with incompatible disk_type_id',
     _builders_fixer(_vmware_compaction)),
    ("hyperv-deprecations", 'Removes the deprecated "vhd_temp_path" setting from Hyper-V ISO builder templates',
     _builders_fixer(_hyperv_deprecations)),
    ("hyperv-vmxc-typo", 'Fixes a typo replacing "clone_from_vmxc_path" with "clone_from_vmcx_path" in Hyper-V '
     "VMCX builder templates", _builders_fixer(_vmxc_typo)),
    ("hyperv-cpu-and-ram", 'Replaces "cpu" with "cpus" and "ram_size" with "memory"in Hyper-V VMCX builder '
     "templates", _builders_fixer(_hyperv_cpu_ram)),
    ("clean-image-name", 'Replaces /clean_(image|ami)_name/ in builder configs with "clean_resource_name"',
     _builders_fixer(_clean_image_name)),
    ("spot-price-auto-product", 'Removes the deprecated "spot_price_auto_product" setting from Amazon builder '
     "templates", _builders_fixer(_spot_price)),
    ("qemu-disk-size", 'Updates "disk_size" from int to string in QEMU builders.', _builders_fixer(_qemu_disk_size)),
    ("galaxy-command", 'Replaces "galaxycommand" in ansible-local provisioner configs with "galaxy_command"',
     _provisioner_fixer(_galaxy)),
    ("comm-config", "Remove ssh prefixes from communicator port forwarding configuration (host_port_min, "
     "host_port_max, skip_nat_mapping)", _weak_builders(_comm_config)),
    ("ssh-wait-timeout", 'Replaces "ssh_wait_timeout" with "ssh_timeout"', _weak_builders(_ssh_timeout)),
    ("vsphere-iso-net-disk", 'Removes deprecated network and disk fields from "vsphere-iso" builder',
     _builders_fixer(_vsphere)),
    ("iso-checksum-type-and-url", 'Puts content of potential "iso_checksum_url" and "iso_checksum_url" in '
     '"iso_checksum"', _builders_fixer(_iso_checksum)),
    ("qemu-host-port", "Updates ssh_host_port_min and ssh_host_port_max to host_port_min and host_port_max",
     _builders_fixer(_qemu_host_port)),
    ("azure-exclude_from_latest", 'Changes "exlude_from_latest" to "exclude_from_latest" in Azure builders.',
     _builders_fixer(_azure_exclude)),
    ("proxmox-type", "Updates the builder type proxmox to proxmox-iso", _builders_fixer(_rename("proxmox", "proxmox-iso"))),
]


def fix_template(tpl: Tpl | None) -> Tpl:
    """Run every fixer in Packer's order; raises FixError."""
    if tpl is None:
        raise FixError("the template is null (Packer 1.6.6 crashes on this template)")
    for _name, _synopsis, fixer in FIXERS:
        tpl = fixer(tpl)
    return tpl
