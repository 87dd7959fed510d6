"""`python -m bench scale`: the multi-node test at a large size, and the mixed
load's throughput per number of app servers (bench/multinode.py).

    python -m bench scale [--scale regional] [--nodes 1,2,3] [--users 24]
                          [--seconds 30] [--update-docs]

In one throw-away PostgreSQL cluster with a fresh dataset of --scale:

1. the multi-node test as tests/monitoring/test_multinode.py runs it, but
   with --users virtual users for --seconds and the kill a third of the way:
   its checks and what the kill cost;
2. per node count, hello world (bench/hello.py under the same gunicorn
   command, behind the same nginx) and then the mixed load, each for
   --seconds with --users virtual users, no kill: requests per second and
   latency, and the ratio of the two.

The results go to bench/results/scale-out.json and, with --update-docs, into
the "Scale-out" section of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from statistics import quantiles

from bench.multinode import Layout, cast, describe, drive, verify
from bench.report import update_docs

RESULTS = Path(__file__).with_name("results") / "scale-out.json"
BEGIN, END = "<!-- bench:scale-out -->", "<!-- /bench:scale-out -->"
MAIL_SETTINGS = {
    "TECHNIEKPOORT_MAIL_DISPATCH_SECONDS": "1",
    "TECHNIEKPOORT_MAIL_LEASE_SECONDS": "5",
}


def _latency(load) -> tuple[float, float]:
    took = sorted((a.ended - a.started) * 1000 for a in load.answers)
    if len(took) < 2:
        return (took[0] if took else 0.0), (took[0] if took else 0.0)
    cuts = quantiles(took, n=100)
    return cuts[49], cuts[94]


def scale_out(
    scale: str,
    nodes: list[int],
    *,
    users: int,
    seconds: float,
    docs: bool = False,
    echo=print,
) -> dict:
    from bench.generate import generate
    from tests.mail import SmtpServer
    from tests.postgres import ThrowAwayCluster, create_database

    cluster = ThrowAwayCluster()
    work = Path(tempfile.mkdtemp(prefix="tp-bench-scale-"))
    smtp = SmtpServer().start()
    entry = {
        "when": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "scale": scale,
        "users": users,
        "seconds": seconds,
        "cpus": os.cpu_count(),
        "runs": [],
    }
    try:
        url = create_database(cluster.start(), f"scale_{scale}")
        generate(url, scale, echo=echo)
        people = cast(url, schools=30, companies=60)

        echo(f"\nThe multi-node test, {scale}: 2 app servers, 2 schedulers, {users} users")
        with Layout(url, work / "kill", smtp_url=smtp.url, settings=MAIL_SETTINGS) as layout:
            load, kill, took = drive(
                layout, people, users=users, seconds=seconds, kill_at=seconds / 3
            )
            report = verify(load, kill, took, layout, people, url, smtp.sink.ids, mail_seconds=60)
        echo(describe(report))
        entry["kill"] = {
            "requests": report.requests,
            "per_second": report.per_second,
            "in_flight": report.in_flight_at_kill,
            "failed": report.in_flight_failed,
            "failed_just_after": report.failed_just_after_kill,
            "restarted_after_s": kill.restarted_after,
            "mails": report.mails_sent,
            "feeds": report.feeds_checked,
            "cross_node": report.cross_node,
            "problems": report.problems(),
        }

        for count in nodes:
            run = {"nodes": count}
            for name, app, ready in (
                ("hello", "bench.hello:app", "/"),
                ("mixed", "wsgi:app", None),
            ):
                layout = Layout(
                    url,
                    work / f"{name}-{count}",
                    nodes=count,
                    schedulers=0 if name == "hello" else 2,
                    smtp_url=smtp.url,
                    app=app,
                    ready_path=ready or "/readyz",
                    settings=MAIL_SETTINGS,
                )
                with layout:
                    load, _, took = drive(
                        layout, people, users=users, seconds=seconds, hello=name == "hello"
                    )
                p50, p95 = _latency(load)
                failed = [
                    a
                    for a in load.answers
                    if (a.status == 0 or a.status >= 500) and a.kind != "checker"
                ]
                errors = len(failed)
                if failed:
                    echo(f"    failed: {[(a.kind, a.method, a.status) for a in failed][:10]}")
                    for n in range(count):
                        tail = layout.log(f"web{n + 1}.log", 4000)
                        if "Traceback" in tail or "ERROR" in tail:
                            echo(f"    app server {n + 1}'s log ends with:\n{tail}")
                run[name] = {
                    "per_second": len(load.answers) / took,
                    "p50_ms": p50,
                    "p95_ms": p95,
                    "errors": errors,
                    "load_average": os.getloadavg()[0],
                }
                echo(
                    f"  {count} app server(s), {name:<5} {run[name]['per_second']:8.1f} req/s  "
                    f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  5xx {errors}  "
                    f"load {run[name]['load_average']:.1f}"
                )
            run["ratio"] = run["mixed"]["per_second"] / run["hello"]["per_second"]
            entry["runs"].append(run)
    finally:
        smtp.stop()
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(entry, indent=2) + "\n")
    text = markdown(entry)
    echo("\n" + text)
    if docs:
        update_docs(text, markers=(BEGIN, END))
    return entry


def markdown(entry: dict) -> str:
    kill = entry["kill"]
    lines = [
        f"Run of {entry['when']}, {entry['scale']} dataset, {entry['users']} virtual users, "
        f"{entry['seconds']:.0f} s per measurement, {entry['cpus']} CPUs shared by nginx, the "
        "app servers, the schedulers, PostgreSQL and the load generator.",
        "",
        "| app servers | hello world req/s | mixed load req/s | mixed / hello | "
        "mixed p50 ms | mixed p95 ms | 5xx | load average |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in entry["runs"]:
        hello, mixed = run["hello"], run["mixed"]
        lines.append(
            f"| {run['nodes']} | {hello['per_second']:.0f} | {mixed['per_second']:.0f} | "
            f"{run['ratio']:.0%} | {mixed['p50_ms']:.0f} | {mixed['p95_ms']:.0f} | "
            f"{mixed['errors']} | {mixed['load_average']:.1f} |"
        )
    lines += [
        "",
        f"The multi-node test at this size (2 app servers, 2 schedulers, SIGKILL of one of "
        f"each a third of the way): {kill['requests']} requests ({kill['per_second']:.0f}/s), "
        f"{kill['in_flight']} in flight at the kill, {kill['failed']} of them answered 502, "
        f"and {kill.get('failed_just_after', 0)} POSTs sent over nginx's kept-alive "
        "connections to the killed server just after it; "
        f"the killed server answered again after {kill['restarted_after_s']:.1f} s; "
        f"{kill['mails']} mails each received once, {kill['feeds']} feeds consistent, "
        f"cross-node checks {kill['cross_node']}; problems: "
        f"{'none' if not kill['problems'] else '; '.join(kill['problems'][:5])}.",
        "",
    ]
    return "\n".join(lines)
