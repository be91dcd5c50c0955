"""Fixtures of the reliability tests: a real Chroma server for the session."""

from __future__ import annotations

import pytest

from tests.reliability.support import ChromaServer, chroma_server


@pytest.fixture(scope="session")
def chroma(tmp_path_factory) -> ChromaServer:
    """A `chroma run` server on 127.0.0.1, shared by the session (tests use their own
    collections), stopped at the end."""
    with chroma_server(tmp_path_factory.mktemp("chroma-server") / "db") as server:
        yield server
