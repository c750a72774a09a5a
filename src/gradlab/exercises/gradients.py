"""Exercises of tutorial 5: vanishing and exploding gradients (clipping, initialization, BN)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import initializers, layers, optimizers
from ..i18n import N_, _
from ._core import Mistake, call, exercise, expect_array, fmt, matching, with_hint, yours

SOLUTIONS = "gradlab.exercises.solutions.gradients"

#: (value a typical slip gives, why), for :func:`~gradlab.exercises._core.matching`.
Slips = Sequence[tuple[Any, str]]

#: A slip matches a result within this relative tolerance (the grader's own).
SLIP_RTOL = 1e-4


# --- clip_by_global_norm ------------------------------------------------------------------


def _engine_clip(grads: list[np.ndarray], max_norm: float) -> list[np.ndarray]:
    """The engine's clipping: one SGD step with lr = 1 from zero weights moves them by -g."""
    weights = [np.zeros_like(g) for g in grads]
    optimizers.SGD(lr=1.0, clip_norm=max_norm).step(weights, [g.copy() for g in grads])
    return [-w for w in weights]


def _global_norm(grads: list[np.ndarray]) -> float:
    return math.sqrt(sum(float(np.sum(g * g)) for g in grads))


def _clip_slips(grads: list[np.ndarray], max_norm: float) -> Slips:
    norm = _global_norm(grads)
    slips: list[tuple[Any, str]] = []
    if norm < max_norm:
        slips.append(
            (
                [g * (max_norm / norm) for g in grads],
                _(
                    "the global norm is {norm:.4g}, already at most max_norm = {max_norm:g}, so "
                    "the gradients should come back unchanged; yours were rescaled to norm "
                    "max_norm anyway (scale only when the norm is above max_norm)"
                ).format(norm=norm, max_norm=max_norm),
            )
        )
    own = [g * min(1.0, max_norm / float(np.linalg.norm(g))) for g in grads]
    slips += [
        (
            own,
            _(
                "you clipped each array by its own norm; the norm is global: the square root of "
                "the sum of squares over all arrays together, and every array is scaled by the "
                "same factor, which keeps the direction of the whole gradient"
            ),
        ),
        (
            [np.clip(g, -max_norm, max_norm) for g in grads],
            _(
                "that is clipping by value (each element into [-max_norm, max_norm]), which "
                "changes the direction of the gradient; clipping by norm multiplies every array "
                "by one factor, max_norm / norm"
            ),
        ),
        *(
            [  # with max_norm = 1, g / norm is the right factor, or the first slip above
                (
                    [g / norm for g in grads],
                    _(
                        "you divided by the norm but did not multiply by max_norm: the clipped "
                        "gradient must have norm max_norm = {max_norm:g}, not 1"
                    ).format(max_norm=max_norm),
                )
            ]
            if max_norm != 1
            else []
        ),
        (
            [g * (norm / max_norm) for g in grads],
            _("the factor is upside down: multiply by max_norm / norm, not norm / max_norm"),
        ),
        (
            [g * (max_norm / norm**2) for g in grads],
            _("you divided by the squared norm; take its square root first"),
        ),
    ]
    return slips


def _check_clip(answer: Any, grads: list[np.ndarray], max_norm: float, on: str) -> None:
    what = yours("clip_by_global_norm")
    got = call(answer, grads, max_norm, what=what, on=on)
    if (isinstance(got, np.ndarray) and got.ndim == 0) or isinstance(got, int | float):
        raise Mistake(
            _(
                "{what} on {on} returned a single number ({got}); return the list of clipped "
                "arrays (torch's clip_grad_norm_ clips in place and returns the norm; here the "
                "arrays themselves are the answer)"
            ).format(what=what, on=on, got=fmt(got))
        )
    if not isinstance(got, list | tuple):
        raise Mistake(
            _(
                "{what} on {on} returned {kind}; expected a list of {n} arrays, one per "
                "gradient, in the same order"
            ).format(what=what, on=on, kind=type(got).__name__, n=len(grads))
        )
    if len(got) != len(grads):
        raise Mistake(
            _(
                "{what} on {on} returned {got} arrays; expected {n}, one per gradient, in the "
                "same order"
            ).format(what=what, on=on, got=len(got), n=len(grads))
        )
    expected = _engine_clip(grads, max_norm)
    slip = matching(_clip_slips(grads, max_norm), rtol=SLIP_RTOL)  # on the whole list
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        expect_array(
            g,
            e,
            what=_("your clipped array {i} (shape {shape})").format(i=i, shape=grads[i].shape),
            rtol=1e-5,  # clip_grad_norm_ adds 1e-6 to the norm; leaving it out is fine
            hint=lambda a, b: slip(list(got), expected),
        )


@exercise(
    "clip_by_global_norm",
    title=N_("Clip gradients by their global norm"),
    tutorial=5,
    signature="clip_by_global_norm(grads, max_norm) -> list of arrays",
    solution=f"{SOLUTIONS}:clip_by_global_norm",
    task=N_(r"""Write gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_` and the
    `clip_norm=` option of gradlab's optimizers do.

    `grads` is a list of arrays (the gradients of every parameter, any shapes) and `max_norm`
    a positive number. Their *global* norm is taken over all arrays together,
    $\|g\| = \sqrt{\sum_k \sum_i g_{k,i}^2}$. If $\|g\| \le$ `max_norm` return the gradients
    unchanged; otherwise multiply **every** array by the same factor
    $\text{max\_norm} / \|g\|$, so the result has norm `max_norm` and points in the same
    direction. Return a list of arrays in the same order. (PyTorch divides by
    $\|g\| + 10^{-6}$; with or without that $10^{-6}$ your answer is accepted.)
    """),
)
def _clip_by_global_norm(answer: Any, done: list[str]) -> None:
    small = [np.array([[0.1, -0.2], [0.05, 0.3]]), np.array([0.1, -0.1])]
    _check_clip(answer, small, 1.0, _("two small gradients (global norm 0.4)"))
    done.append(_("gradients whose global norm is under max_norm come back unchanged"))
    big = [
        np.array([[3.0, -4.0, 2.0], [1.0, 6.0, -2.0]]),  # a kernel, norm 8.12
        np.array([0.5, -0.25]),  # its bias, norm 0.56: under max_norm on its own
        np.array([[1.5], [-2.5]]),
    ]
    _check_clip(
        answer,
        big,
        2.0,
        _("a kernel, a bias and a column (global norm {norm:.4g}) with max_norm = 2").format(
            norm=_global_norm(big)
        ),
    )
    done.append(_("above max_norm every array is scaled by one factor, max_norm / global norm"))
    rng = np.random.default_rng(0)
    batch = [rng.normal(size=(8, 5)) * 10, rng.normal(size=(5,)), rng.normal(size=(5, 3))]
    _check_clip(answer, batch, 5.0, _("three random gradients with max_norm = 5"))
    done.append(_("the clipped gradients match the engine's clip_norm on random arrays"))


# --- init_scale ---------------------------------------------------------------------------

SCHEMES = (
    "glorot_uniform",
    "glorot_normal",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
)


def _engine_scale(scheme: str, fan_in: int, fan_out: int) -> float:
    """The std gradlab's initializer draws with, or the limit ``a`` of its ``U(-a, a)``."""
    init = initializers.get(scheme)
    std = init.std((fan_in, fan_out))
    return std * math.sqrt(3.0) if scheme.endswith("uniform") else std


def _scale_slips(scheme: str, fan_in: int, fan_out: int) -> Slips:
    family, _sep, dist = scheme.partition("_")
    scale = {"glorot": 1.0, "he": 2.0, "lecun": 1.0}[family]
    fan = {"glorot": (fan_in + fan_out) / 2, "he": fan_in, "lecun": fan_in}[family]
    std = math.sqrt(scale / fan)
    limit = math.sqrt(3.0) * std
    right = limit if dist == "uniform" else std
    wrong_dist = (
        (
            std,
            _(
                "that is the standard deviation; a uniform scheme asks for the limit a of "
                "U(-a, a), which is sqrt(3) times the std (the variance of U(-a, a) is a²/3)"
            ),
        )
        if dist == "uniform"
        else (
            limit,
            _(
                "that is the limit of the uniform variant; a normal scheme asks for the "
                "standard deviation, sqrt(3) times smaller"
            ),
        )
    )
    k = right / std  # 1 for normal, sqrt(3) for uniform
    slips: list[tuple[Any, str]] = [wrong_dist]
    if family in ("he", "lecun"):
        slips.append(
            (
                k * math.sqrt(scale / fan_out),
                _(
                    "that uses fan_out = {fan_out}; {family} initialization scales by "
                    "fan_in = {fan_in}, the number of inputs each unit sums over"
                ).format(fan_out=fan_out, family=family, fan_in=fan_in),
            )
        )
    if family == "he":
        slips.append(
            (
                k * math.sqrt(1.0 / fan_in),
                _(
                    "the factor 2 is missing (that is LeCun's "
                    "value): He doubles the variance, 2 / fan_in, because ReLU zeroes about "
                    "half of its inputs"
                ),
            )
        )
        slips.append(
            (
                k * math.sqrt(2.0 / (fan_in + fan_out)),
                _("that is Glorot's value; He uses 2 / fan_in"),
            )
        )
    if family == "lecun":
        slips.append(
            (
                k * math.sqrt(2.0 / fan_in),
                _("that is He's value; LeCun uses 1 / fan_in (no factor 2)"),
            )
        )
    if family == "glorot":
        slips.append(
            (
                k * math.sqrt(1.0 / (fan_in + fan_out)),
                _(
                    "Glorot's variance is "
                    "2 / (fan_in + fan_out), the inverse of the mean of the two fans; the 2 "
                    "is missing"
                ),
            )
        )
        slips.append(
            (
                k * math.sqrt(1.0 / fan_in),
                _(
                    "that uses fan_in only (LeCun's value); "
                    "Glorot averages the fans: 2 / (fan_in + fan_out)"
                ),
            )
        )
    slips.append((right**2, _("that is the variance; return its square root")))
    return slips


@exercise(
    "init_scale",
    title=N_("The scale of Glorot, He and LeCun initialization"),
    tutorial=5,
    signature="init_scale(scheme, fan_in, fan_out) -> float",
    solution=f"{SOLUTIONS}:init_scale",
    task=N_(r"""Return the number that sets the spread of a scheme's initial weights, for a dense
    kernel of shape `(fan_in, fan_out)`:

    * for a `*_normal` scheme, the standard deviation $\sigma$ of $N(0, \sigma^2)$;
    * for a `*_uniform` scheme, the limit $a$ of $U(-a, a)$.

    `scheme` is one of `"glorot_uniform"`, `"glorot_normal"`, `"he_normal"`, `"he_uniform"`,
    `"lecun_normal"`, `"lecun_uniform"`. The variance each scheme aims for is
    $2/(n_\text{in} + n_\text{out})$ for Glorot (Xavier), $2/n_\text{in}$ for He (Kaiming)
    and $1/n_\text{in}$ for LeCun. A uniform distribution $U(-a, a)$ has variance $a^2/3$.
    """),
)
def _init_scale(answer: Any, done: list[str]) -> None:
    for fan_in, fan_out in ((200, 50), (64, 10)):
        for scheme in SCHEMES:
            on = f"scheme = {scheme!r}, fan_in = {fan_in}, fan_out = {fan_out}"
            got = call(answer, scheme, fan_in, fan_out, what=yours("init_scale"), on=on)
            expected = _engine_scale(scheme, fan_in, fan_out)
            what = _("your limit") if scheme.endswith("uniform") else _("your standard deviation")
            try:
                value = float(np.asarray(got, dtype=np.float64))
            except (TypeError, ValueError):
                raise Mistake(
                    _("{what} on {on} returned {kind} {got}; expected one number").format(
                        what=yours("init_scale"), on=on, kind=type(got).__name__, got=f"{got!r:.60}"
                    )
                ) from None
            if not math.isclose(value, expected, rel_tol=1e-6):
                slips = _scale_slips(scheme, fan_in, fan_out)
                why = matching(slips, rtol=SLIP_RTOL)(value, expected)
                message = _("for {on} {what} is {got:.5g}; expected {expected:.5g}").format(
                    on=on, what=what, got=value, expected=expected
                )
                raise Mistake(with_hint(message, why))
        done.append(
            _(
                "all six schemes for fan_in = {fan_in}, fan_out = {fan_out} match gradlab's "
                "initializers"
            ).format(fan_in=fan_in, fan_out=fan_out)
        )


# --- batchnorm_forward --------------------------------------------------------------------


def _engine_batchnorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> Any:
    bn = layers.BatchNorm(eps=eps)
    bn.build(x.shape[1], dtype="float64")
    bn.params["gamma"][...] = gamma
    bn.params["beta"][...] = beta
    return bn.forward(x, training=True)


def _bn_slips(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> Slips:
    mean, var = x.mean(axis=0), x.var(axis=0)
    row_mean, row_var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        slips: list[tuple[Any, str]] = []
        if eps != 1e-5:
            slips.append(
                (
                    gamma * (x - mean) / np.sqrt(var + 1e-5) + beta,
                    _(
                        "you used eps = 1e-5 whatever eps is passed (here {eps:g}); use the "
                        "argument"
                    ).format(eps=eps),
                )
            )
        return [
            *slips,
            (
                gamma * (x - mean) / np.sqrt(x.var(axis=0, ddof=1) + eps) + beta,
                _(
                    "you divided by n - 1 (the unbiased variance); batch normalization "
                    "standardizes with the biased variance, the mean of the squared deviations "
                    "(PyTorch keeps an unbiased estimate only for the running variance)"
                ),
            ),
            (
                gamma * (x - row_mean) / np.sqrt(row_var + eps) + beta,
                _(
                    "you standardized each sample over its features (axis=1, that is layer "
                    "normalization); batch normalization takes the mean and variance of each "
                    "feature over the batch (axis=0)"
                ),
            ),
            (
                gamma * (x - mean) / (np.sqrt(var) + eps) + beta,
                _("eps belongs inside the square root: sqrt(var + eps), not sqrt(var) + eps"),
            ),
            (
                gamma * (x - mean) / np.sqrt(var) + beta,
                _("eps is missing: divide by sqrt(var + eps)"),
            ),
            (
                gamma * (x - mean) / (var + eps) + beta,
                _("you divided by the variance; divide by the standard deviation, sqrt(var + eps)"),
            ),
            (
                (x - mean) / np.sqrt(var + eps),
                _(
                    "the normalization is right, but the scale gamma and the shift beta are "
                    "missing: return gamma * x_hat + beta"
                ),
            ),
            (
                (x - mean) / np.sqrt(var + eps) * beta + gamma,
                _("gamma and beta are swapped: gamma scales, beta shifts"),
            ),
        ]


def _check_batchnorm(
    answer: Any, x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float, on: str
) -> None:
    got = call(answer, x, gamma, beta, eps, what=yours("batchnorm_forward"), on=on)
    expect_array(
        got,
        _engine_batchnorm(x, gamma, beta, eps),
        what=_("your output"),
        at=lambda i: _("sample {sample}, feature {feature} of {input}").format(
            sample=i[0], feature=i[1], input=on
        ),
        hint=matching(_bn_slips(x, gamma, beta, eps), rtol=SLIP_RTOL),
    )


@exercise(
    "batchnorm_forward",
    title=N_("Batch normalization in training mode"),
    tutorial=5,
    signature="batchnorm_forward(x, gamma, beta, eps=1e-5) -> y",
    solution=f"{SOLUTIONS}:batchnorm_forward",
    task=N_(r"""Write the forward pass of batch normalization in training mode, as
    `torch.nn.BatchNorm1d` and `gradlab.layers.BatchNorm` compute it.

    `x` has shape `(batch, features)`; `gamma` and `beta` have shape `(features,)`. For each
    feature $j$, take the mean and the **biased** variance over the batch,
    $\mu_j = \frac{1}{n}\sum_i x_{ij}$ and $\sigma_j^2 = \frac{1}{n}\sum_i (x_{ij} - \mu_j)^2$,
    then return
    $$y_{ij} = \gamma_j \, \frac{x_{ij} - \mu_j}{\sqrt{\sigma_j^2 + \varepsilon}} + \beta_j .$$
    """),
)
def _batchnorm_forward(answer: Any, done: list[str]) -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 3))
    z = (z - z.mean(axis=0)) / z.std(axis=0)  # exact mean 0 and std 1 per column
    # Features on very different scales; feature 1 varies by 0.003 only, close to sqrt(eps).
    x = z * np.array([2.0, 0.003, 1.0]) + np.array([5.0, 0.2, -1.0])
    gamma, beta = np.array([1.5, 0.5, 2.0]), np.array([0.1, -0.2, 0.3])
    on = _("a batch of 6 samples with 3 features (feature 1 has std 0.003)")
    _check_batchnorm(answer, x, gamma, beta, 1e-5, on)
    done.append(_("each feature is standardized over the batch with the biased variance"))
    done.append(_("eps is added inside the square root, then gamma scales and beta shifts"))
    x = x.copy()
    x[:, 2] = 7.0
    _check_batchnorm(
        answer, x, gamma, beta, 1e-3, _("a batch whose feature 2 is constant, eps = 1e-3")
    )
    done.append(_("a constant feature gives beta (eps prevents 0 / 0), for any eps"))
