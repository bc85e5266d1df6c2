"""Start `tandem serve` on a free local port for a benchmark and wait until it answers.

The server's output goes to a log file, never a pipe nobody reads (a full pipe would stall the server
mid-measurement); the log's tail is in the error when it does not come up.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(env: Mapping[str, str], log_path: Path, wait_s: float = 60) -> tuple[subprocess.Popen[bytes], str]:
    """(the server process, its base URL); `env` is added to this process's environment."""
    port = free_port()
    command = [sys.executable, "-m", "tandem.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("tandem serve exited: " + log_path.read_text(errors="replace")[-2000:])
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("tandem serve did not start: " + log_path.read_text(errors="replace")[-2000:])
