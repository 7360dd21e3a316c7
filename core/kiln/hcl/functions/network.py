"""CIDR functions (go-cty-funcs' cidr package over apparentlymart/go-cidr), on integers."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from kiln.hcl.function import ArgError, FunctionError, Param
from kiln.hcl.values import NUMBER, STRING, ListType, Value

from ._support import define, string, to_int


@dataclass(frozen=True)
class _Net:
    ip: int  # network address (host bits cleared), as Go's ParseCIDR returns it
    prefix: int
    bits: int  # 32 or 128

    def text(self, ip: int | None = None) -> str:
        return _ip_text(self.ip if ip is None else ip, self.bits)

    def __str__(self) -> str:
        return f"{self.text()}/{self.prefix}"

    def contains(self, ip: int) -> bool:
        return (
            ip >> (self.bits - self.prefix) == self.ip >> (self.bits - self.prefix) if self.prefix else True
        )


def _ip_text(ip: int, bits: int) -> str:
    return str(ipaddress.IPv4Address(ip) if bits == 32 else ipaddress.IPv6Address(ip))


def _parse(prefix: str) -> _Net:
    """Go's ``net.ParseCIDR`` (an error names the whole expression, as Go's does)."""
    try:
        if "/" not in prefix or "%" in prefix:  # Go wants a prefix length and no IPv6 zone
            raise ValueError(prefix)
        net = ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        raise ValueError(f"invalid CIDR address: {prefix}") from None
    return _Net(int(net.network_address), net.prefixlen, net.max_prefixlen)


def _network(prefix: str, arg_error: bool = False) -> _Net:
    try:
        return _parse(prefix)
    except ValueError as err:
        message = f"invalid CIDR expression: {err}"
        raise (ArgError(0, message) if arg_error else FunctionError(message)) from None


def _insert(net: _Net, num: int, prefix_len: int) -> int:
    """go-cidr's ``insertNumIntoIP``: ``num`` into the bits just above ``prefix_len``."""
    return net.ip | (num << (net.bits - prefix_len))


def _cidrhost(args: Sequence[Value]) -> Value:
    num = to_int(args[1]) if abs(args[1].v) < 2**63 else int(args[1].v)
    net = _network(args[0].v)
    host_len = net.bits - net.prefix
    max_host = (1 << host_len) - 1
    magnitude = num % 2**64
    if num < 0:
        magnitude = -num - 1
        num = max_host - magnitude
    if magnitude > max_host or not 0 <= num <= max_host:
        raise FunctionError(f"prefix of {net.prefix} does not accommodate a host numbered {num}")
    return string(net.text(net.ip | num))


def _cidrnetmask(args: Sequence[Value]) -> Value:
    net = _network(args[0].v)
    mask = ((1 << net.prefix) - 1) << (net.bits - net.prefix)
    return string(_ip_text(mask, net.bits))


def _cidrsubnet(args: Sequence[Value]) -> Value:
    newbits, num = to_int(args[1]), int(args[2].v)
    net = _network(args[0].v)
    if newbits > 32:
        raise FunctionError("may not extend prefix by more than 32 bits")
    new_len = net.prefix + newbits
    if new_len > net.bits:
        raise FunctionError(f"insufficient address space to extend prefix of {net.prefix} by {newbits}")
    max_num = (1 << newbits) - 1 if newbits >= 0 else 2**64 - 1  # Go: uint64(1<<negative) is 0
    if (abs(num) % 2**64) > max_num:  # big.Int.Uint64 reads the low word of the magnitude
        raise FunctionError(f"prefix extension of {newbits} does not accommodate a subnet numbered {num}")
    # big.Int's Or is two's complement and Bytes() drops the sign: a negative netnum wraps as in Go
    ip = abs(_insert(net, num, new_len)) & ((1 << net.bits) - 1)
    return string(str(_Net(ip, new_len, net.bits)))


def _mask(prefix_len: int, bits: int) -> int:
    return ((1 << prefix_len) - 1) << (bits - prefix_len)


def _cidrsubnets(args: Sequence[Value]) -> Value:
    net = _network(args[0].v, arg_error=True)
    lengths = args[1:]
    if not lengths:
        return Value(ListType(STRING), [])
    full = (1 << net.bits) - 1
    first = _arg_int(lengths[0], 1) + net.prefix
    # go-cidr's PreviousSubnet: the subnet of that length just below the base address
    first = min(first, net.bits)  # a longer one fails the checks below before it is used
    current = _Net((net.ip - 1) & full & _mask(first, net.bits), first, net.bits)
    out: list[Value] = []
    for i, length_v in enumerate(lengths, start=1):
        length = _arg_int(length_v, i)
        if length < 1:
            raise ArgError(i, "must extend prefix by at least one bit")
        if length > 32:
            raise ArgError(i, "may not extend prefix by more than 32 bits")
        length += net.prefix
        if length > net.bits:
            proto = "IPv4" if net.bits == 32 else "IPv6"
            raise ArgError(
                i, f"would extend prefix to {length} bits, which is too long for an {proto} address"
            )
        # go-cidr's NextSubnet
        last = current.ip | (full >> current.prefix if current.prefix < net.bits else 0)
        cur_sub = last & _mask(length, net.bits)
        sub_last = cur_sub | ((full >> length) if length < net.bits else 0)
        nxt_ip = (sub_last + 1) & full
        rollover = nxt_ip == 0
        nxt = _Net(nxt_ip & _mask(length, net.bits), length, net.bits)
        if rollover or not net.contains(nxt.ip):
            raise ArgError(
                i,
                f"not enough remaining address space for a subnet with a prefix of {length} bits after {current}",
            )
        current = nxt
        out.append(string(str(current)))
    return Value(ListType(STRING), out)


def _arg_int(v: Value, index: int) -> int:
    return to_int(v, index)


FUNCTIONS = {
    "cidrhost": define("cidrhost", [Param("prefix", STRING), Param("hostnum", NUMBER)], _cidrhost, STRING),
    "cidrnetmask": define("cidrnetmask", [Param("prefix", STRING)], _cidrnetmask, STRING),
    "cidrsubnet": define(
        "cidrsubnet",
        [Param("prefix", STRING), Param("newbits", NUMBER), Param("netnum", NUMBER)],
        _cidrsubnet,
        STRING,
    ),
    "cidrsubnets": define(
        "cidrsubnets",
        [Param("prefix", STRING)],
        _cidrsubnets,
        ListType(STRING),
        variadic=Param("newbits", NUMBER),
    ),
}
