"""Hand-run benchmarks (never timed assertions in tests)."""
