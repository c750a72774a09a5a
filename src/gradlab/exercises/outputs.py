"""Exercises of tutorial 4: output layers, a softmax that cannot overflow, cross entropy.

The references are gradlab's own ``softmax`` activation and ``cross_entropy`` loss. The inputs
include the article's logits ``[1010, 1000, 990]``, on which ``exp`` overflows: :func:`call`
turns NumPy's overflow warning into a message that names them, and its ``hint=`` adds the
likely cause and the fix.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import activations, losses
from ..i18n import N_, _
from ._core import (
    Hint,
    Mistake,
    as_array,
    call,
    exercise,
    expect_array,
    fmt,
    matching,
    yours,
)

SOLUTIONS = "gradlab.exercises.solutions.outputs"

#: The article's example: exp(1010) overflows float64 (exp overflows above about 709.78).
BIG = (1010.0, 1000.0, 990.0)

OVERFLOW = N_(
    "In float64 exp overflows above about 709.78 (exp(1010) is inf, and inf / inf is NaN): "
    "subtract each row's maximum first, z - z.max(axis=1, keepdims=True); softmax does not "
    "change when one number is subtracted from a whole row"
)
KEEPDIMS = N_(
    "A row's max or sum has shape (n,), which does not line up with the (n, classes) batch: "
    "use keepdims=True (z.max(axis=1, keepdims=True)) so it has shape (n, 1)"
)


# -- stable_softmax -----------------------------------------------------------------------------
def _softmax_hint(z: np.ndarray) -> Hint:
    unnormalised = matching(
        [
            (
                e,
                _(
                    "your rows are not normalised (row 0 sums to {total}): divide each row by "
                    "its sum, e / e.sum(axis=1, keepdims=True)"
                ).format(total=fmt(e[0].sum())),
            )
            for e in (np.exp(z - z.max(axis=1, keepdims=True)), np.exp(z), np.exp(z - z.max()))
        ],
        rtol=1e-5,
        atol=1e-8,
    )

    def hint(got: np.ndarray, expected: np.ndarray) -> str | None:
        if found := unnormalised(got, expected):
            return found
        if len(z) > 1 and np.allclose(got.sum(axis=0), 1.0):
            return _(
                "your columns sum to 1, not your rows: each row is one sample, so normalise "
                "over axis=1 (with keepdims=True)"
            )
        if np.isclose(got.sum(), 1.0):
            return _(
                "the whole batch sums to 1: normalise each row on its own "
                "(e.sum(axis=1, keepdims=True))"
            )
        return None

    return hint


@exercise(
    "stable_softmax",
    title=N_("A softmax that cannot overflow"),
    tutorial=4,
    signature="stable_softmax(z) -> probabilities",
    solution=f"{SOLUTIONS}:stable_softmax",
    task=N_(r"""Write softmax for a batch of logits `z` of shape (n, classes), one row per sample:

    $$\mathrm{softmax}(z)_{ij} = \frac{e^{z_{ij}}}{\sum_k e^{z_{ik}}}$$

    Every row of the result holds positive numbers that sum to 1. It must stay finite, without
    NumPy warnings, for any finite logits, such as the row $[1010, 1000, 990]$, where $e^{1010}$
    overflows, and for batches whose rows lie far apart (one row near 1000, another near 0).

    Subtracting one number $c$ from a row leaves its softmax unchanged, since
    $e^{z - c} = e^{z}e^{-c}$ and $e^{-c}$ cancels. Which $c$ is safe for every row? Subtracting
    the max of the *whole batch* prevents overflow, but can push another row so far down
    that every $e^{z}$ in it underflows to 0, which gives 0/0. Use each row's own maximum.
    """),
)
def _stable_softmax(answer: Any, done: list[str]) -> None:
    softmax = activations.get("softmax")
    what = yours("stable_softmax")
    rng = np.random.default_rng(0)
    z = np.round(rng.normal(scale=2.0, size=(4, 3)), 2)
    got = call(
        answer, z, what=what, on=_("a 4 x 3 batch of logits"), hint={"broadcast": _(KEEPDIMS)}
    )
    expect_array(
        got,
        softmax(z),
        what=_("your probability"),
        at=lambda i: _("row {row} (z = {z}), class {k}").format(row=i[0], z=fmt(z[i[0]]), k=i[1]),
        hint=_softmax_hint(z),
    )
    done.append(_("each row of a 4 x 3 batch is a probability distribution"))

    for rows, words in (
        ([BIG], _("the article's logits: exp(1010) overflows")),
        ([[-1000.0, -1010.0, -1020.0]], _("very negative logits: every exp underflows to 0")),
    ):
        z = np.array(rows)
        got = call(
            answer,
            z,
            what=what,
            on=f"z = {fmt(z)}",
            hint={
                "overflow": _(OVERFLOW),
                "underflow": _(
                    "Every exp underflows to 0 and 0 / 0 is NaN: subtract each row's maximum "
                    "first, so its largest entry becomes exp(0) = 1"
                ),
                "invalid value": _(
                    "That is 0 / 0 or inf / inf: subtract each row's maximum before exp"
                ),
            },
        )
        expect_array(
            got, softmax(z), what=_("your probability"), at=lambda i, z=z: f"z = {fmt(z[i])}"
        )
        done.append(
            _("z = {z} ({words}) gives {p}").format(z=fmt(z), words=words, p=fmt(softmax(z)))
        )

    z = np.array([[1000.0, 990.0, 980.0], [3.0, 2.0, 1.0], [-1000.0, -995.0, -1005.0]])
    global_max = _(
        "These rows lie about 1000 apart. Subtracting one number for the whole batch (its max, "
        "{max}) leaves the lower rows at exp(-1000) = 0 in every entry, and 0 / 0: "
        "subtract each row's own maximum, z.max(axis=1, keepdims=True)"
    ).format(max=fmt(z.max()))
    got = call(
        answer,
        z,
        what=what,
        on=f"z = {fmt(z, limit=None)}",
        hint={"underflow": global_max, "invalid value": global_max, "overflow": _(OVERFLOW)},
    )
    expect_array(
        got,
        softmax(z),
        what=_("your probability"),
        at=lambda i: _("row {row} ({z}), class {k}").format(row=i[0], z=fmt(z[i[0]]), k=i[1]),
        hint=lambda a, e: global_max if not np.all(np.isfinite(a)) else None,
    )
    done.append(
        _("rows far apart (near 1000, near 0, near -1000) are each shifted by their own max")
    )


# -- cross_entropy_from_logits ------------------------------------------------------------------
def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)
    with np.errstate(under="ignore"):
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@exercise(
    "cross_entropy_from_logits",
    title=N_("Cross entropy from logits (log-sum-exp)"),
    tutorial=4,
    signature="cross_entropy_from_logits(z, y) -> loss",
    solution=f"{SOLUTIONS}:cross_entropy_from_logits",
    task=N_(r"""Given logits `z` of shape (n, classes) and integer labels `y` of shape (n,), return
    the mean cross entropy, one number:

    $$L = -\frac{1}{n}\sum_{i=1}^{n} \log \mathrm{softmax}(z_i)_{y_i},
      \qquad \log \mathrm{softmax}(z_i)_{k} = z_{ik} - \log\sum_j e^{z_{ij}}$$

    Compute $\log\sum_j e^{z_{ij}}$ as $m_i + \log\sum_j e^{z_{ij} - m_i}$ with $m_i$ the row's
    maximum (log-sum-exp), and never take the log of a probability: the answer must be right
    for any finite logits, also when the label's probability is too small for a float64
    (`z = [[800, 0, 10]]`, `y = [1]` gives 800).
    """),
)
def _cross_entropy_from_logits(answer: Any, done: list[str]) -> None:
    ce = losses.get("cross_entropy")
    what = yours("cross_entropy_from_logits")
    rng = np.random.default_rng(0)
    z = np.round(rng.normal(scale=2.0, size=(4, 3)), 2)
    y = np.array([0, 2, 1, 2])
    n = len(y)
    got = call(
        answer,
        z,
        y,
        what=what,
        on=_("a 4 x 3 batch with labels y = {y}").format(y=fmt(y)),
        hint={"broadcast": _(KEEPDIMS)},
    )
    expected = ce.forward(z, y)
    arr = as_array(got, _("your loss"))
    if arr.shape == (n,):
        raise Mistake(
            _(
                "your loss has shape {shape}, one value per row: return their mean, one number"
            ).format(shape=arr.shape)
        )
    logp = _log_softmax(z)
    picked = logp[np.arange(n), y]
    expect_array(
        arr,
        expected,
        what=_("your loss"),
        hint=matching(
            [
                (
                    -picked.sum(),
                    _(
                        "that is the sum over the {n} rows; the loss is their mean "
                        "(divide by n = {n})"
                    ).format(n=n),
                ),
                (picked.mean(), _("the sign is flipped: the loss is -log p, a positive number")),
                (
                    -logp[:, y].mean(),
                    _(
                        "p[:, y] takes every row's probability of every label "
                        "(an n x n array); take one per row: p[np.arange(n), y]"
                    ),
                ),
                (
                    -logp[y].mean(),
                    _("p[y] selects rows by label; take one entry per row: p[np.arange(n), y]"),
                ),
                (
                    -logp.max(axis=1).mean(),
                    _(
                        "that is the loss of each row's most likely class "
                        "(the argmax); use the true label y"
                    ),
                ),
                (-logp.mean(), _("you averaged -log p over every class; take only the label's")),
                (-np.log10(np.exp(picked)).mean(), _("use the natural log (np.log), not log10")),
            ],
        ),
    )
    done.append(
        _("the mean over a 4 x 3 batch agrees with gradlab's cross_entropy ({loss:.4g})").format(
            loss=expected
        )
    )

    z = np.array([BIG, BIG])
    y = np.array([0, 2])
    got = call(
        answer,
        z,
        y,
        what=what,
        on=f"z = {fmt(z)}, y = {fmt(y)}",
        hint={
            "overflow": _(
                "{overflow}, or better, compute log softmax directly by log-sum-exp"
            ).format(overflow=_(OVERFLOW)),
            "divide by zero": _("Log(0): a probability underflowed; use log-sum-exp instead"),
        },
    )
    expected = ce.forward(z, y)
    small = float(np.exp(_log_softmax(z)[1, 2]))
    expect_array(
        got,
        expected,
        what=_("your loss"),
        rtol=1e-7,
        atol=1e-12,
        hint=lambda a, e: (
            _(
                "label 2 of row 1 has probability {p:.3g}, so -log p is about 20; a small "
                "constant added inside the log (log(p + 1e-7)) caps it: compute log p by "
                "log-sum-exp instead"
            ).format(p=small)
            if a < e
            else None
        ),
    )
    done.append(
        _("z = {z}, y = {y} gives {loss:.6g} without overflow").format(
            z=fmt(z), y=fmt(y), loss=expected
        )
    )

    z = np.array([[800.0, 0.0, 10.0]])
    y = np.array([1])
    # No warning check: log(0) of an underflowed probability (a divide-by-zero warning) is
    # better told by the value check, whose hint says why and what to do instead.
    got = call(answer, z, y, what=what, on=f"z = {fmt(z)}, y = {fmt(y)}", warn=False)
    expected = ce.forward(z, y)
    expect_array(
        got,
        expected,
        what=_("your loss"),
        rtol=1e-9,
        hint=lambda a, e: _(
            "the label's probability is exp(-800), which underflows to 0 in float64, so "
            "log(p) is -inf (and log(p + 1e-7) is about -16): compute "
            "log p_y = (z_y - m) - log(sum(exp(z - m))) with m the row's max, never "
            "log(softmax(z))"
        ),
    )
    done.append(
        _(
            "z = [[800, 0, 10]], y = [1] gives 800: log-sum-exp stays exact where the "
            "probability underflows"
        )
    )


# -- softmax_cross_entropy_backward -------------------------------------------------------------
@exercise(
    "softmax_cross_entropy_backward",
    title=N_("The gradient of softmax cross entropy: (p - y) / n"),
    tutorial=4,
    signature="softmax_cross_entropy_backward(z, y) -> dz",
    solution=f"{SOLUTIONS}:softmax_cross_entropy_backward",
    task=N_(r"""Return the gradient of the mean cross entropy $L$ (see `cross_entropy_from_logits`)
    with respect to the logits `z` (shape (n, classes)), for integer labels `y`:

    $$\frac{\partial L}{\partial z} = \frac{1}{n}\left(\mathrm{softmax}(z) -
      \mathrm{onehot}(y)\right)$$

    where $\mathrm{onehot}(y)_{ik}$ is 1 when $k = y_i$ and 0 otherwise. The softmax and the
    log cancel so well that no Jacobian is needed. It must work for logits like
    $[1010, 1000, 990]$ too.
    """),
)
def _softmax_cross_entropy_backward(answer: Any, done: list[str]) -> None:
    ce = losses.get("cross_entropy")
    softmax = activations.get("softmax")
    what = yours("softmax_cross_entropy_backward")
    rng = np.random.default_rng(1)
    z = np.round(rng.normal(scale=2.0, size=(4, 3)), 2)
    y = np.array([0, 2, 1, 2])
    n = len(y)
    got = call(
        answer,
        z,
        y,
        what=what,
        on=_("a 4 x 3 batch with labels y = {y}").format(y=fmt(y)),
        hint={"broadcast": _(KEEPDIMS)},
    )
    ce.forward(z, y)
    expected = ce.backward()
    p = softmax(z)
    onehot = np.eye(z.shape[1])[y]
    every_label = p.copy()
    every_label[:, y] -= 1  # the slip itself: 1 off every row at every label (once per label)
    expect_array(
        got,
        expected,
        what=_("your gradient"),
        at=lambda i: _("row {row} (label {label}), class {k}").format(
            row=i[0], label=y[i[0]], k=i[1]
        ),
        hint=matching(
            [
                (
                    p - onehot,
                    _("divide by the batch size n = {n}: the loss is a mean over rows").format(n=n),
                ),
                (p / n, _("subtract 1 at each row's label: (p - onehot(y)) / n")),
                (p, _("subtract 1 at each row's label and divide by n: (p - onehot(y)) / n")),
                ((onehot - p) / n, _("the sign is flipped: p - onehot(y), not onehot(y) - p")),
                (
                    every_label / n,
                    _(
                        "p[:, y] -= 1 subtracts 1 in every row at every label; "
                        "subtract only at each row's own label: p[np.arange(n), y] -= 1"
                    ),
                ),
                (
                    every_label,
                    _(
                        "p[:, y] -= 1 subtracts 1 in every row at every label; "
                        "use p[np.arange(n), y] -= 1 (and divide by n)"
                    ),
                ),
            ],
        ),
    )
    done.append(_("(softmax(z) - onehot(y)) / n on a 4 x 3 batch, as gradlab's cross_entropy"))

    z = np.array([BIG, BIG])
    y = np.array([0, 2])
    got = call(
        answer, z, y, what=what, on=f"z = {fmt(z)}, y = {fmt(y)}", hint={"overflow": _(OVERFLOW)}
    )
    ce.forward(z, y)
    expect_array(
        got,
        ce.backward(),
        what=_("your gradient"),
        at=lambda i: _("row {row} (label {label}), class {k}").format(
            row=i[0], label=y[i[0]], k=i[1]
        ),
        atol=1e-12,
    )
    done.append(_("z = {z}, y = {y}: no overflow, rows sum to 0").format(z=fmt(z), y=fmt(y)))
