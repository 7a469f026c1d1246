"""`newscrawl serve` on a busy port or a bad address: one clear line, and no "Serving" claim."""

from __future__ import annotations

import socket
from pathlib import Path

from click.testing import CliRunner

from newscrawl.cli.main import cli


def test_a_busy_port_is_one_line(web_archive_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["serve", "--db", str(web_archive_path), "--port", str(port)]
        )
    assert result.exit_code == 1
    assert "Serving" not in result.output
    assert f"Error: cannot listen on 127.0.0.1:{port}: Address already in use" in result.output


def test_an_address_not_on_this_machine_is_one_line(web_archive_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--db", str(web_archive_path), "--host", "192.0.2.1", "--port", "8931"]
    )
    assert result.exit_code == 1
    assert "Serving" not in result.output
    assert result.output.startswith("Error: cannot listen on 192.0.2.1:8931")
