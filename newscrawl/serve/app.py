"""Build a configured Datasette for an archive and run it (Datasette is an optional extra)."""

from __future__ import annotations

import os
import socket
import sqlite3
from pathlib import Path
from typing import Any

from newscrawl.archive import Archive, ArchiveError, schema
from newscrawl.serve.charts import MissingExtraError
from newscrawl.serve.config import DEFAULT_SETTINGS, PLUGIN_NAME, build_metadata, database_name

TEMPLATES_DIR = Path(__file__).with_name("templates")
INSTALL_HINT = "newscrawl serve needs Datasette: pip install 'newscrawl[serve]'"


def _older_schema_version(path: str) -> int | None:
    """The schema version of a newscrawl archive older than this newscrawl, else None."""
    try:
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        if schema.application_id(conn) != schema.APPLICATION_ID:
            return None
        version = schema.schema_version(conn)
        return version if 0 < version < schema.SCHEMA_VERSION else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def check_archive(path: str) -> str | None:
    """Raise `ArchiveError` unless `path` is an archive; a note when its schema is older.

    An older archive is served as it is (read-only, never migrated).
    """
    try:
        with Archive.open(path, readonly=True):
            return None
    except ArchiveError:
        version = _older_schema_version(path)
        if version is None:
            raise
    return (
        f"note: {path} has schema version {version} (this newscrawl writes "
        f"{schema.SCHEMA_VERSION}); serving it as it is"
    )


def require_datasette() -> None:
    """Raise `MissingExtraError` with the install command when Datasette is not installed."""
    try:
        import datasette.app  # noqa: F401
    except ImportError:
        raise MissingExtraError(INSTALL_HINT) from None


def register_plugin() -> None:
    """Register the newscrawl plugin with Datasette's plugin manager (once per process)."""
    require_datasette()
    from datasette.plugins import pm

    from newscrawl.serve import plugin

    if pm.get_plugin(PLUGIN_NAME) is None and not pm.is_registered(plugin):
        pm.register(plugin, name=PLUGIN_NAME)


def create_datasette(
    db_path: str | os.PathLike[str],
    *,
    immutable: bool = False,
    sql_time_limit_ms: int | None = None,
    settings: dict[str, Any] | None = None,
) -> Any:
    """A Datasette on the archive at `db_path`, read-only, with newscrawl's configuration.

    The file is opened with ``?mode=ro`` (a running crawl's new articles show up), or as
    immutable (``immutable=True``: faster, for an archive nothing writes to any more).
    """
    register_plugin()
    from datasette.app import Datasette
    from datasette.utils import tilde_encode

    path = str(Path(db_path).resolve())
    name = database_name(path)
    merged = dict(DEFAULT_SETTINGS)
    if sql_time_limit_ms is not None:
        merged["sql_time_limit_ms"] = int(sql_time_limit_ms)
    merged.update(settings or {})
    ds = Datasette(
        files=[] if immutable else [path],
        immutables=[path] if immutable else [],
        metadata=build_metadata(name, tilde_encode(name)),
        settings=merged,
        template_dir=str(TEMPLATES_DIR),
    )
    if name not in ds.databases:
        raise RuntimeError(f"Datasette named the archive {list(ds.databases)}, not {name!r}")
    return ds


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host`:`port`, bound before anything is announced, so that a
    busy port or a bad address is an error of its own (OSError), not a server's failure."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    return sock


def serve(
    ds: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    log_level: str = "warning",
    sock: socket.socket | None = None,
) -> None:
    """Run `ds` with uvicorn until interrupted (startup hooks and checks first), on `sock`
    when given (see `listen`), else on `host`:`port`."""
    import uvicorn
    from datasette.cli import check_databases, run_sync

    run_sync(ds.invoke_startup)
    run_sync(lambda: check_databases(ds))
    config = uvicorn.Config(
        ds.app(), host=host, port=port, log_level=log_level, lifespan="on", workers=1
    )
    uvicorn.Server(config).run(sockets=[sock] if sock is not None else None)
