"""Benchmark tools: a dataset generator and a load script (docs/PERFORMANCE.md)."""

import os

# The application refuses to start without its public address; benchmarks run
# on this machine only.
os.environ.setdefault("TECHNIEKPOORT_BASE_URL", "http://127.0.0.1:5000")
# A load test sends thousands of requests a second from one address: the rate
# limits would answer most of them with 429.
os.environ.setdefault("TECHNIEKPOORT_RATELIMITS", "off")
