"""Test and benchmark support shared by ``tests/`` and ``benchmarks/``: engines on 127.0.0.1,
realistic CVs, fault injection, a lossy proxy and raw edits of stored items."""
