"""Helpers for tests that start real servers on 127.0.0.1 (Chroma, Streamlit)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen) -> None:
    """Terminate, then kill if it does not stop within ten seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_until_ok(url: str, process: subprocess.Popen, timeout: float, describe) -> None:
    """Poll `url` until it answers 200; fail early if `process` exits. `describe()` gives the
    server's log tail for the error message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{describe()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"server not ready after {timeout:.0f} s ({url})")


def isolated_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """Our environment without any CTG_* variable, offline, on `data_dir`, plus `settings`
    (`chroma_url="…"` becomes CTG_CHROMA_URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTG_")}
    env.update(HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False", CTG_DATA_DIR=str(data_dir))
    env.update({f"CTG_{name.upper()}": value for name, value in settings.items()})
    return env


@contextmanager
def serve(command: list[str], log: Path, health_url: str, timeout: float,
          **popen: Any) -> Iterator[subprocess.Popen]:
    """Run `command` with its output in `log`, wait until `health_url` answers, stop it on
    exit."""
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, **popen)
    try:
        wait_until_ok(health_url, process, timeout,
                      lambda: log.read_text(errors="replace")[-3000:])
        yield process
    finally:
        stop_process(process)
