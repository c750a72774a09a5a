"""Exercises of tutorial 4: the reference answers pass, the usual slips are named."""

from __future__ import annotations

import numpy as np

from gradlab import exercises
from gradlab.exercises.solutions.outputs import stable_softmax

from .helpers import wrong_message as _message

NAMES = ["stable_softmax", "cross_entropy_from_logits", "softmax_cross_entropy_backward"]


def _naive_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _pick(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    return p[np.arange(len(y)), y]


def test_registered_for_tutorial_4() -> None:
    assert set(NAMES) <= set(exercises.names(tutorial=4))


# --- stable_softmax ---------------------------------------------------------------------------


def test_naive_softmax_overflow_names_the_input() -> None:
    message = _message("stable_softmax", _naive_softmax)
    assert "on z = [[1010, 1000, 990]] warned: overflow encountered in exp" in message
    assert "subtract each row's maximum" in message


def test_unnormalised_rows_are_named() -> None:
    message = _message("stable_softmax", lambda z: np.exp(z - z.max(axis=1, keepdims=True)))
    assert "your rows are not normalised" in message


def test_normalising_columns_is_named() -> None:
    def columns(z):
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    assert "your columns sum to 1, not your rows" in _message("stable_softmax", columns)


def test_whole_batch_normalised_is_named() -> None:
    def whole(z):
        e = np.exp(z - z.max())
        return e / e.sum()

    assert "the whole batch sums to 1" in _message("stable_softmax", whole)


def test_missing_keepdims_is_named() -> None:
    def flat(z):
        e = np.exp(z - z.max(axis=1))
        return e / e.sum(axis=1)

    message = _message("stable_softmax", flat)
    assert "could not be broadcast" in message
    assert "keepdims=True" in message


def test_global_max_is_rejected_with_the_reason() -> None:
    # Subtracting the batch's max avoids overflow but underflows rows far below it (0 / 0).
    def global_max(z):
        e = np.exp(z - z.max())
        return e / e.sum(axis=1, keepdims=True)

    message = _message("stable_softmax", global_max)
    assert "[[1000, 990, 980], [3, 2, 1], [-1000, -995, -1005]]" in message
    assert "Subtracting one number for the whole batch" in message


# --- cross_entropy_from_logits ----------------------------------------------------------------


def test_log_of_naive_softmax_overflow_is_named() -> None:
    message = _message(
        "cross_entropy_from_logits", lambda z, y: -np.log(_pick(_naive_softmax(z), y)).mean()
    )
    assert "[[1010, 1000, 990], [1010, 1000, 990]], y = [0, 2] warned: overflow" in message
    assert "log-sum-exp" in message


def test_log_of_stable_softmax_underflow_is_named() -> None:
    message = _message(
        "cross_entropy_from_logits", lambda z, y: -np.log(_pick(stable_softmax(z), y)).mean()
    )
    assert "your loss is inf; expected 800" in message
    assert "never log(softmax(z))" in message


def test_small_constant_in_the_log_is_named() -> None:
    message = _message(
        "cross_entropy_from_logits",
        lambda z, y: -np.log(_pick(stable_softmax(z), y) + 1e-7).mean(),
    )
    assert "caps it" in message


def test_sum_instead_of_mean_is_named() -> None:
    message = _message(
        "cross_entropy_from_logits", lambda z, y: -np.log(_pick(stable_softmax(z), y)).sum()
    )
    assert "that is the sum over the 4 rows" in message


def test_wrong_class_indexing_is_named() -> None:
    message = _message(
        "cross_entropy_from_logits", lambda z, y: -np.log(stable_softmax(z)[:, y]).mean()
    )
    assert "p[:, y] takes every row's probability of every label" in message


def test_predicted_class_instead_of_label_is_named() -> None:
    message = _message(
        "cross_entropy_from_logits", lambda z, y: -np.log(stable_softmax(z).max(axis=1)).mean()
    )
    assert "most likely class (the argmax)" in message


def test_per_row_losses_are_named() -> None:
    message = _message(
        "cross_entropy_from_logits", lambda z, y: -np.log(_pick(stable_softmax(z), y))
    )
    assert "one value per row: return their mean" in message


# --- softmax_cross_entropy_backward -----------------------------------------------------------


def test_backward_without_mean_is_named() -> None:
    message = _message(
        "softmax_cross_entropy_backward", lambda z, y: stable_softmax(z) - np.eye(3)[y]
    )
    assert "divide by the batch size n = 4" in message


def test_backward_without_onehot_is_named() -> None:
    message = _message("softmax_cross_entropy_backward", lambda z, y: stable_softmax(z) / len(y))
    assert "subtract 1 at each row's label" in message


def test_backward_sign_is_named() -> None:
    message = _message(
        "softmax_cross_entropy_backward",
        lambda z, y: (np.eye(3)[y] - stable_softmax(z)) / len(y),
    )
    assert "the sign is flipped" in message


def test_backward_every_label_in_every_row_is_named() -> None:
    def every(z, y):
        g = stable_softmax(z)
        g[:, y] -= 1
        return g / len(y)

    assert "p[np.arange(n), y] -= 1" in _message("softmax_cross_entropy_backward", every)


def test_backward_naive_softmax_overflow_is_named() -> None:
    def naive(z, y):
        g = _naive_softmax(z)
        g[np.arange(len(y)), y] -= 1
        return g / len(y)

    message = _message("softmax_cross_entropy_backward", naive)
    assert "on z = [[1010, 1000, 990], [1010, 1000, 990]], y = [0, 2] warned: overflow" in message
