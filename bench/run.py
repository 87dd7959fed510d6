"""`python -m bench run`: per backend and scale, a fresh dataset in a throw-away
database, the load test's rounds against it (bench/load.py), the dashboard and
annual report (bench/insights.py), then the database is thrown away. Each
backend's and scale's results are kept in bench/results/results.json and the
tables of docs/PERFORMANCE.md are made from them (bench/report.py)."""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

from bench.generate import generate
from bench.load import ROUND_SCENARIOS, rounds
from bench.report import RESULTS, markdown, save_entry, update_docs

# With --keep-datasets, SQLite datasets are kept here (one per scale, seed and
# day: the data is laid around the day it is made) and copied for each run.
DATASETS = RESULTS.parent / "datasets"


def run_all(
    scales: list[str],
    backends: list[str],
    *,
    seed: int = 2026,
    count: int = 3,
    duration: int = 10,
    warmup: int = 3,
    connections: int = 16,
    results_path: Path = RESULTS,
    docs: bool = False,
    documents: bool = True,
    only: tuple[str, ...] = (*ROUND_SCENARIOS, "booking"),
    keep_datasets: bool = False,
    echo=print,
) -> None:
    for backend in backends:
        cluster = server = None
        if backend == "postgresql":
            # The same throw-away cluster as the test suite (it copes with running as root).
            from tests.postgres import ThrowAwayCluster

            cluster = ThrowAwayCluster()
            server = cluster.start()
        try:
            for scale in scales:
                entry = run_one(
                    scale,
                    backend,
                    server,
                    seed=seed,
                    count=count,
                    duration=duration,
                    warmup=warmup,
                    connections=connections,
                    documents=documents,
                    only=only,
                    keep=keep_datasets,
                    echo=echo,
                )
                save_entry(entry, results_path)
        finally:
            if cluster is not None:
                cluster.stop()
    from bench.report import load_results

    text = markdown(load_results(results_path))
    echo("")
    echo(text)
    if docs:
        update_docs(text)


def run_one(
    scale: str,
    backend: str,
    server: str | None,
    *,
    seed,
    count,
    duration,
    warmup,
    connections,
    documents,
    only,
    keep=False,
    echo=print,
) -> dict:
    work = Path(tempfile.mkdtemp(prefix="tp-bench-db-"))
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    try:
        if backend == "sqlite":
            url = f"sqlite:///{work / 'bench.db'}"
        else:
            from tests.postgres import create_database

            url = create_database(server, f"bench_{scale}")
        started = time.perf_counter()
        kept = DATASETS / f"{scale}-{seed}-{date.today()}.db"
        if keep and backend == "sqlite" and kept.exists():
            echo(f"Copying the dataset kept in {kept}")
            shutil.copy(kept, work / "bench.db")
        else:
            generate(url, scale, seed=seed, echo=echo)
            if keep and backend == "sqlite":
                DATASETS.mkdir(parents=True, exist_ok=True)
                shutil.copy(work / "bench.db", kept)
        generated = time.perf_counter() - started
        echo(f"\n{backend}, {scale}")
        results = rounds(url, count, only, duration, warmup, connections, echo=echo)
        measured = measure_documents(url, echo) if documents else {}
        if backend == "postgresql":
            _drop(server, f"bench_{scale}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "backend": backend,
        "scale": scale,
        "when": when,
        "rounds": count,
        "duration": duration,
        "warmup": warmup,
        "connections": connections,
        "generated_s": generated,
        "results": [asdict(r) for r in results],
        "documents": measured,
    }


def measure_documents(url: str, echo) -> dict:
    """The dashboard's first paint and the annual report (bench/insights.py)."""
    from app import create_app
    from bench.insights import add_evaluations, ensure_fact_schema, ensure_facts, measure

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SMTP_URL": "",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    ensure_fact_schema(app, echo)
    add_evaluations(app, echo=echo)
    ensure_facts(app, echo)
    results = measure(app, 3, echo)
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    return results


def _drop(server: str, name: str) -> None:
    import psycopg

    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
