"""The exercises speak Korean under ``use_language("ko")``, and English outside it."""

from __future__ import annotations

import re

import numpy as np
import pytest

from gradlab import exercises
from gradlab.i18n import use_language

from .helpers import wrong_message

HANGUL = re.compile(r"[\uac00-\ud7a3]")

#: A wrong answer to an exercise of each tutorial, and a piece of the English feedback.
WRONG = [
    ("relu_backward", lambda x, g: g * (x >= 0), "at x = 0 your gradient is 1; expected 0"),
    ("collapse_linear", lambda W1, b1, W2, b2: (W2 @ W1, b2), "the order is reversed"),
    ("dense_backward", lambda x, W, b, g: g @ W, "should return the 3 arrays (dx, dW, db)"),
    ("stable_softmax", lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), "warned"),
    ("init_scale", lambda scheme, fan_in, fan_out: (1 / fan_in) ** 0.5, "expected"),
    ("dead_units", lambda z: np.any(z <= 0, axis=0), "your mask says unit"),
    ("momentum_step", lambda p, g, buf, lr=1e-3, mu=0.9: (p - lr * g, g), "plain SGD"),
]


def _unwritten(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize(("name", "answer", "english"), WRONG, ids=[w[0] for w in WRONG])
def test_wrong_answer_feedback_is_korean_inside_and_english_outside(name, answer, english):
    with use_language("ko"):
        korean = exercises.check(name, answer)
        printed = str(korean)
    assert not korean.passed
    assert HANGUL.search(korean.message), korean.message
    assert english not in korean.message
    assert "다시 도전" in printed and "not yet" not in printed

    message = wrong_message(name, answer)  # outside the block: English again
    assert english in message
    assert not HANGUL.search(message), message


def test_the_korean_feedback_keeps_the_numbers_and_code_names():
    def slip(x, g):
        return g * (x >= 0)

    with use_language("ko"):
        message = exercises.check("relu_backward", slip).message
    assert message.startswith("x = 0에서 계산한 기울기의 값이 1인데, 0이어야 한다")
    assert "f'(0) = 0" in message and "x > 0" in message


def test_numpy_warnings_and_unwritten_stubs_are_told_in_korean():
    def naive(x, g):
        s = 1 / (1 + np.exp(-x))
        return g * s * (1 - s)

    with use_language("ko"):
        warned = exercises.check("sigmoid_backward", naive).message
        stub = exercises.check("adam_step", _unwritten).message
    assert "exp에서 오버플로 발생" in warned and "np.exp(-np.abs(x))" in warned
    assert "아직 구현되지 않았다" in stub and "`raise NotImplementedError`" in stub


def test_a_passing_report_lists_its_checks_in_korean():
    ex = exercises.get("softplus")
    with use_language("ko"):
        report = exercises.check("softplus", ex.load_solution())
        text = str(report)
        shown = report._repr_html_()
    assert report.passed and text.startswith("softplus: 정답")
    assert all(HANGUL.search(c) for c in report.checks), report.checks
    assert "정답" in shown


@pytest.mark.parametrize("name", exercises.names())
def test_every_task_shows_in_korean_and_stays_english_outside(name):
    ex = exercises.show(name)
    with use_language("ko"):
        title, task, markdown = ex.shown_title(), ex.shown_task(), ex._repr_markdown_()
    assert HANGUL.search(title) or title == ex.title  # a title may be all code names
    assert HANGUL.search(task), task
    assert task in markdown and ex.signature in markdown
    assert not task.startswith(" ") and "\n    " not in task  # dedented like the English
    assert ex.shown_task() == ex.task and ex.shown_title() == ex.title
