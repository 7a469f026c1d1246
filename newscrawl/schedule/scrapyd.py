"""Deploying newscrawl to a Scrapyd server: build the project egg, upload it, schedule crawls.

newscrawl is a pyproject-based package, so there is no ``setup.py`` for ``scrapyd-deploy`` to
build from (without ``--egg`` it would write one into the project folder). `build_egg` zips the
installed `newscrawl` package with the egg metadata Scrapyd reads (the ``scrapy`` entry point
naming ``newscrawl.settings``)::

    python -m newscrawl.schedule.scrapyd deploy                  # scrapy.cfg's [deploy] target
    python -m newscrawl.schedule.scrapyd build-egg newscrawl.egg # then: scrapyd-deploy --egg ...

The Scrapyd host needs newscrawl's dependencies installed (``pip install newscrawl``).
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import sys
import time
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Mapping
from typing import Any

import newscrawl

PROJECT = "newscrawl"
DEFAULT_URL = "http://127.0.0.1:6800/"


class ScrapydError(RuntimeError):
    """Scrapyd answered with an error, or could not be reached."""


def package_dir() -> str:
    """The folder of the `newscrawl` package this code runs from."""
    return os.path.dirname(os.path.abspath(newscrawl.__file__))


def build_egg(path: str, version: str | None = None) -> str:
    """Write the project egg (the `newscrawl` package with its data files) to `path`."""
    version = version or newscrawl.__version__
    root = package_dir()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as egg:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                full = os.path.join(folder, name)
                arcname = os.path.join("newscrawl", os.path.relpath(full, root))
                egg.write(full, arcname.replace(os.sep, "/"))
        egg.writestr(
            "EGG-INFO/PKG-INFO",
            f"Metadata-Version: 2.1\nName: {PROJECT}\nVersion: {version}\n",
        )
        egg.writestr("EGG-INFO/entry_points.txt", "[scrapy]\nsettings = newscrawl.settings\n")
        egg.writestr("EGG-INFO/top_level.txt", "newscrawl\n")
        egg.writestr("EGG-INFO/zip-safe", "\n")
    return path


def _multipart(
    fields: Mapping[str, str], files: Mapping[str, tuple[str, bytes]]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + value.encode() + b"\r\n")
    for name, (filename, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _call(
    url: str,
    endpoint: str,
    *,
    data: bytes | None = None,
    content_type: str | None = None,
    timeout: float = 30.0,
) -> dict[str, Any]:
    request = urllib.request.Request(
        urllib.parse.urljoin(url.rstrip("/") + "/", endpoint), data=data
    )
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except OSError as exc:
        raise ScrapydError(f"cannot reach Scrapyd at {url}: {exc}") from None
    except ValueError as exc:
        raise ScrapydError(f"Scrapyd at {url} sent an answer that is not JSON: {exc}") from None
    if not isinstance(answer, dict) or answer.get("status") != "ok":
        message = answer.get("message") if isinstance(answer, dict) else answer
        raise ScrapydError(f"Scrapyd {endpoint} failed: {message}")
    return answer


def deploy(
    url: str = DEFAULT_URL,
    project: str = PROJECT,
    version: str | None = None,
    egg_path: str | None = None,
) -> dict[str, Any]:
    """Upload the project egg (built now unless `egg_path` is given) with ``addversion.json``."""
    version = version or str(int(time.time()))
    if egg_path is None:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            built = build_egg(os.path.join(tmp, f"{project}-{version}.egg"), newscrawl.__version__)
            with open(built, "rb") as handle:
                egg = handle.read()
    else:
        with open(egg_path, "rb") as handle:
            egg = handle.read()
    body, content_type = _multipart(
        {"project": project, "version": version}, {"egg": (f"{project}.egg", egg)}
    )
    return _call(url, "addversion.json", data=body, content_type=content_type)


def schedule(
    url: str,
    project: str = PROJECT,
    spider: str = "news",
    *,
    settings: Mapping[str, Any] | None = None,
    **arguments: Any,
) -> str:
    """Queue a crawl with ``schedule.json`` (spider arguments as keywords); return the job id."""
    fields: list[tuple[str, str]] = [("project", project), ("spider", spider)]
    fields += [("setting", f"{k}={v}") for k, v in (settings or {}).items()]
    fields += [(k, str(v)) for k, v in arguments.items() if v is not None]
    body = urllib.parse.urlencode(fields).encode("ascii")
    answer = _call(url, "schedule.json", data=body)
    return str(answer["jobid"])


def job_state(url: str, job: str, project: str = PROJECT) -> str | None:
    """``pending``, ``running`` or ``finished`` for a job (None when Scrapyd does not know it)."""
    answer = _call(url, "listjobs.json?" + urllib.parse.urlencode({"project": project}))
    for state in ("pending", "running", "finished"):
        if any(entry.get("id") == job for entry in answer.get(state, [])):
            return state
    return None


def wait_for(url: str, job: str, project: str = PROJECT, timeout: float = 300.0) -> None:
    """Wait until a job has finished; `ScrapydError` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if job_state(url, job, project) == "finished":
            return
        time.sleep(0.5)
    raise ScrapydError(f"job {job} did not finish within {timeout:g}s")


def deploy_target(cfg_path: str = "scrapy.cfg", target: str = "deploy") -> tuple[str, str]:
    """(url, project) of a ``[deploy]`` (or ``[deploy:NAME]``) section of scrapy.cfg."""
    parser = configparser.ConfigParser()
    parser.read(cfg_path)
    section = target if target.startswith("deploy") else f"deploy:{target}"
    if not parser.has_section(section):
        return DEFAULT_URL, PROJECT
    return (
        parser.get(section, "url", fallback=DEFAULT_URL),
        parser.get(section, "project", fallback=PROJECT),
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m newscrawl.schedule.scrapyd build-egg FILE | deploy [--url] [--project]``."""
    parser = argparse.ArgumentParser(
        prog="python -m newscrawl.schedule.scrapyd",
        description="Build newscrawl's Scrapyd egg, or deploy it to a Scrapyd server.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build-egg", help="write the project egg to FILE")
    build.add_argument("file")
    push = commands.add_parser("deploy", help="upload the egg (target from scrapy.cfg [deploy])")
    push.add_argument("--url", help="Scrapyd URL (default: scrapy.cfg's, else " + DEFAULT_URL + ")")
    push.add_argument("--project", help="Scrapyd project (default: scrapy.cfg's, else newscrawl)")
    push.add_argument("--version", help="version label (default: the current Unix time)")
    push.add_argument("--egg", help="upload this egg instead of building one")
    args = parser.parse_args(argv)
    if args.command == "build-egg":
        print(build_egg(args.file))
        return 0
    url, project = deploy_target()
    try:
        answer = deploy(args.url or url, args.project or project, args.version, args.egg)
    except ScrapydError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
