"""`python -m newscrawl.demo.server` serves until interrupted and prints the URLs."""

from __future__ import annotations

import signal
import subprocess
import sys

from newscrawl.demo.client import fetch


def test_module_entry_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "newscrawl.demo.server"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for _ in range(20):
            line = proc.stdout.readline()
            lines.append(line)
            if not line or line.startswith("Press Ctrl-C"):
                break
        harbor = next(ln for ln in lines if ln.startswith("The Harbor Gazette")).split()[-1]
        assert fetch(harbor).status == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
    assert proc.returncode == 0, err
    assert "Stopping." in out
    assert "RuntimeWarning" not in err
