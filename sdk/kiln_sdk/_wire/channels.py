"""One gRPC channel per address per process, opened on first use."""

from __future__ import annotations

import threading

import grpc

_lock = threading.Lock()
_channels: dict[str, grpc.Channel] = {}

# Large transfers stream in chunks, but a chunk plus framing must fit in one message.
OPTIONS = [
    ("grpc.max_send_message_length", 64 * 1024 * 1024),
    ("grpc.max_receive_message_length", 64 * 1024 * 1024),
]


def channel(address: str) -> grpc.Channel:
    with _lock:
        ch = _channels.get(address)
        if ch is None:
            ch = grpc.insecure_channel(address, options=OPTIONS)
            _channels[address] = ch
        return ch


def forget(address: str) -> None:
    """Close and drop the channel to ``address`` (its process is gone)."""
    with _lock:
        ch = _channels.pop(address, None)
    if ch is not None:
        ch.close()


def close_all() -> None:
    with _lock:
        for ch in _channels.values():
            ch.close()
        _channels.clear()
