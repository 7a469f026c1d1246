"""JSON (not pickle) for requests in the shared queue: whoever can write to Redis must not be
able to run code in the workers. Bytes (headers, body) are kept as tagged latin-1 strings.

A module with `dumps`/`loads`, the interface scrapy-redis' SCHEDULER_SERIALIZER expects.
"""

from __future__ import annotations

import json
from typing import Any

_BYTES = "$b"
_BYTES_KEYS = "$bk"


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {_BYTES: value.decode("latin-1")}
    if isinstance(value, dict):
        if any(isinstance(k, bytes) for k in value):
            return {
                _BYTES_KEYS: [
                    [k.decode("latin-1") if isinstance(k, bytes) else k, _encode(v)]
                    for k, v in value.items()
                ]
            }
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return value[_BYTES].encode("latin-1")
        if set(value) == {_BYTES_KEYS}:
            return {k.encode("latin-1"): _decode(v) for k, v in value[_BYTES_KEYS]}
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def dumps(obj: Any) -> str:
    """A request dict as compact JSON, keys sorted so equal requests encode equally."""
    return json.dumps(_encode(obj), sort_keys=True, separators=(",", ":"), default=str)


def loads(data: str | bytes) -> Any:
    """The request dict back from `dumps` output."""
    return _decode(json.loads(data))
