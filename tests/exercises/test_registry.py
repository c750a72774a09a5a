"""Every exercise: the reference answer is accepted, an unwritten stub is told so, and the
tasks the tutorials promise exist."""

from __future__ import annotations

import pytest

from gradlab import exercises

ALL = exercises.names()


def test_every_tutorial_has_exercises_and_the_promised_ones_exist():
    assert {exercises.get(n).tutorial for n in ALL} == set(range(1, 8))
    for name in (
        "relu_backward",
        "sigmoid_backward",
        "stable_softmax",
        "dense_backward",
        "adam_step",
        "cross_entropy_from_logits",
    ):
        assert name in ALL


@pytest.mark.parametrize("name", ALL)
def test_reference_answer_is_accepted(name):
    report = exercises.check(name, exercises.get(name).load_solution())
    assert report.passed, str(report)
    assert report.checks and "correct" in str(report)


@pytest.mark.parametrize("name", ALL)
def test_an_unwritten_answer_is_told_so(name):
    def stub(*args, **kwargs):
        raise NotImplementedError

    report = exercises.check(name, stub)
    assert not report.passed
    assert "not written yet" in report.message


@pytest.mark.parametrize("name", ALL)
def test_task_signature_and_solution_source_are_there(name):
    ex = exercises.show(name)
    assert ex.task and ex.signature and name in str(ex)
    assert "def " in exercises.solution(name) or "=" in exercises.solution(name)


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="relu_backward"):
        exercises.check("relu_backwards", lambda x, g: g)


def test_a_wrong_kind_of_answer_is_named():
    report = exercises.check("relu_backward", 3.0)
    assert not report.passed and "expected a function" in report.message
