"""CPU time of the processes a measurement involves, read from /proc (Linux).

On a machine that other work keeps busy, throughput and wall times say little
on their own; the CPU time a server spent per request hardly depends on what
else runs beside it."""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int(_stat(int(entry.name))[1]) == pid:  # ppid
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def process_tree_seconds(pid: int) -> float:
    """User + system time of a process and its live children (gunicorn's
    master and workers), without what finished children left behind."""
    total = 0
    for each in (pid, *_children(pid)):
        try:
            fields = _stat(each)
        except (OSError, IndexError):  # a worker that just stopped
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


class ServerClock:
    """CPU time of a local PostgreSQL server: its processes' user and system
    time, with the children it reaped (backends that ended, parallel query
    workers). None when the database is not a local PostgreSQL server or its
    processes are not readable (run as root or as the server's user)."""

    def __init__(self, database_url: str):
        from sqlalchemy import create_engine, text

        self.pid = None
        if not database_url.startswith("postgresql"):
            return
        engine = create_engine(database_url)
        try:
            with engine.connect() as connection:
                folder = connection.execute(text("SHOW data_directory")).scalar()
        finally:
            engine.dispose()
        try:
            self.pid = int(Path(folder, "postmaster.pid").read_text().split()[0])
            self.seconds()
        except (OSError, ValueError, IndexError):
            self.pid = None

    def seconds(self) -> float | None:
        if self.pid is None:
            return None
        parent = _stat(self.pid)
        ticks = sum(int(parent[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
        for child in _children(self.pid):
            try:
                fields = _stat(child)
            except (OSError, IndexError):
                continue
            ticks += int(fields[11]) + int(fields[12])
        return ticks / TICK
