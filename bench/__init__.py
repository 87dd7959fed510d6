"""Benchmark tools: a dataset generator and a load script (docs/PERFORMANCE.md)."""
