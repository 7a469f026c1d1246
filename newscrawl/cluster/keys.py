"""The Redis keys one newscrawl cluster uses, all under one prefix."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PREFIX = "newscrawl"
#: Request meta key holding the lease of a request taken from the shared queue.
LEASE_META = "nc_lease"


@dataclass(frozen=True)
class Keys:
    """Names of the Redis keys of a cluster (several clusters can share a server by prefix)."""

    prefix: str = DEFAULT_PREFIX

    @property
    def requests(self) -> str:
        """Sorted set of serialized requests waiting, best priority first."""
        return f"{self.prefix}:requests"

    @property
    def leases(self) -> str:
        """Hash: serialized request taken by a worker -> JSON {worker, score}."""
        return f"{self.prefix}:requests:leased"

    @property
    def seen(self) -> str:
        """Sorted set: request fingerprint -> time (epoch seconds) until which it counts as seen."""
        return f"{self.prefix}:seen"

    @property
    def items(self) -> str:
        """List of extracted articles (JSON) waiting for the archive-worker."""
        return f"{self.prefix}:items"

    @property
    def items_taken(self) -> str:
        """List of articles the archive-worker has taken but not yet committed."""
        return f"{self.prefix}:items:taken"

    @property
    def archiver(self) -> str:
        """The archive-worker's lock (one writer per archive), with a time to live."""
        return f"{self.prefix}:archiver"

    @property
    def sources(self) -> str:
        """Hash: source name -> JSON source definition, written by `newscrawl seed`."""
        return f"{self.prefix}:sources"

    @property
    def validators(self) -> str:
        """Hash: feed/sitemap/start URL -> JSON {etag, last_modified} for conditional GET."""
        return f"{self.prefix}:validators"

    @property
    def watermarks(self) -> str:
        """Hash: Google News sitemap URL -> ISO time of the last completed pass."""
        return f"{self.prefix}:watermarks"

    @property
    def workers(self) -> str:
        """Sorted set: worker id -> last heartbeat (epoch seconds)."""
        return f"{self.prefix}:workers"

    def worker(self, worker_id: str) -> str:
        """Hash of one worker: host, pid, started, state, counters (JSON)."""
        return f"{self.prefix}:worker:{worker_id}"

    def alive(self, worker_id: str) -> str:
        """A key that exists while the worker sends heartbeats (it expires otherwise)."""
        return f"{self.prefix}:alive:{worker_id}"

    @property
    def alive_pattern(self) -> str:
        return f"{self.prefix}:alive:*"

    @property
    def stats(self) -> str:
        """Hash of cluster-wide counters (added up from every worker)."""
        return f"{self.prefix}:stats"

    def host(self, name: str) -> str:
        """Hash of one host's pacing: next free turn, end of its pause (`cluster.pacing`)."""
        return f"{self.prefix}:host:{name.lower()}"

    def host_slots(self, name: str) -> str:
        """Sorted set of one host's request slots in use: token -> lease expiry (Redis time)."""
        return f"{self.prefix}:host:{name.lower()}:slots"
