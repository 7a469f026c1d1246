"""A resolver stub for the guard: made-up ``.test`` names map to private addresses.

Used as ``NEWSCRAWL_GUARD_RESOLVER=stub_resolver.resolve`` (with this folder on PYTHONPATH).
The names never resolve for real, so a guard that let them through would fail with a DNS error,
never connect to 10.x, 169.254.169.254 or ::1.
"""

from __future__ import annotations

from newscrawl.net.addresses import system_resolver

STUB = {
    "metadata.test": ["169.254.169.254"],
    "intranet.test": ["10.1.2.3"],
    "v6.test": ["::1"],
    "mapped.test": ["::ffff:192.168.0.1"],
    "mixed.test": ["93.184.216.34", "10.0.0.7"],
    "public.test": ["93.184.216.34"],
    "shared.test": ["100.64.0.1"],
    "ula.test": ["fd00::1"],
    "zero.test": ["0.0.0.0"],
}


def resolve(host: str) -> list[str]:
    """The stub's addresses for a ``.test`` name, else the system resolver's."""
    if host in STUB:
        return list(STUB[host])
    if host.endswith(".test"):
        raise OSError(f"{host}: not in the stub")
    return system_resolver(host)
