"""`python -m bench run`: a fresh dataset in a throw-away database, then the load
test against it, then the database is thrown away. The default of `make bench`."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.generate import generate
from bench.load import run as load


def run_all(
    scale: str,
    backend: str,
    *,
    seed: int = 2026,
    duration: int = 20,
    warmup: int = 5,
    connections: int = 16,
    output: str | None = None,
) -> None:
    if backend == "sqlite":
        work = Path(tempfile.mkdtemp(prefix="tp-bench-db-"))
        try:
            url = f"sqlite:///{work / 'bench.db'}"
            generate(url, scale, seed=seed)
            load(url, duration=duration, warmup=warmup, connections=connections, output=output)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    # The same throw-away cluster as the test suite (it copes with running as root).
    from tests.postgres import ThrowAwayCluster, create_database

    cluster = ThrowAwayCluster()
    try:
        url = create_database(cluster.start(), "bench")
        generate(url, scale, seed=seed)
        load(url, duration=duration, warmup=warmup, connections=connections, output=output)
    finally:
        cluster.stop()
