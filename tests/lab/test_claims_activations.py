"""The activation claims: each runs at a small size, and its verdict rule can go both ways."""

from __future__ import annotations

import copy

from gradlab import lab

from .helpers import run_claim


def test_c2_sigmoid_peak_is_a_quarter_not_0_3():
    result = run_claim("C2")
    assert result.verdict.status == "confirmed"
    numbers = result.verdict.numbers
    assert abs(numbers["sigmoid_derivative_max"] - 0.25) < 1e-6
    assert numbers["sigmoid_derivative_argmax"] == 0.0
    assert abs(numbers["tanh_derivative_max"] - 1.0) < 1e-6
    assert abs(numbers["articles_0.3_relative_error"] - 0.2) < 1e-6


def test_c2_rule_refutes_a_peak_of_0_3():
    results = copy.deepcopy(run_claim("C2").results)
    results["sigmoid"]["numeric_derivative_max"] = 0.3
    assert lab.get("C2").verdict(results).status == "refuted"
