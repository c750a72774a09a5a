"""The ``global_random_seed`` fixture of scikit-learn's test suite, for the tests ported here.

As in scikit-learn: 42 by default; ``SKLEARN_TESTS_GLOBAL_RANDOM_SEED`` may name one seed,
a range ``"0-9"`` or ``"all"`` (0 to 99).
"""

from __future__ import annotations

import os

import pytest


def _seeds() -> list[int]:
    spec = os.environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED")
    if spec is None:
        return [42]
    if spec == "all":
        return list(range(100))
    if "-" in spec:
        start, stop = spec.split("-")
        seeds = list(range(int(start), int(stop) + 1))
    else:
        seeds = [int(spec)]
    if min(seeds) < 0 or max(seeds) > 99:
        raise pytest.UsageError(
            f"SKLEARN_TESTS_GLOBAL_RANDOM_SEED must name seeds in [0, 99] or 'all'; got {spec!r}"
        )
    return seeds


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "global_random_seed" in metafunc.fixturenames:
        metafunc.parametrize("global_random_seed", _seeds())
