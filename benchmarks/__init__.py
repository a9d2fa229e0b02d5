"""Benchmarks for the store: run ``uv run python -m benchmarks``."""
