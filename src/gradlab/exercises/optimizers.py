"""Exercises of tutorial 7: one step of SGD with momentum, RMSprop and Adam, as torch.optim.

Every answer is graded against gradlab's own optimizer (which matches ``torch.optim`` step for
step), driven on the same arrays: its state is set to the learner's inputs with
``set_state``, it takes one ``step`` and its new parameter and state are the expected answer.
The numbers in the hints (what a slip would have produced) are computed only to name the
slip; the verdict always comes from the engine.

The learner's function runs once per check, through
:func:`~gradlab.exercises._core.call_and_warning`, which keeps a NumPy warning for later: a
recognised slip (``grad`` instead of ``grad**2`` makes ``v`` negative, then ``sqrt`` warns) is
named instead of the warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import optimizers
from ..i18n import N_, _
from ._core import (
    Mistake,
    as_array,
    call,
    call_and_warning,
    exercise,
    expect_array,
    expect_shape,
    fmt,
    matching,
    unpack,
    yours,
)

SOLUTIONS = "gradlab.exercises.solutions.optimizers"

Array = np.ndarray

#: Relative tolerance of every comparison: far above rounding (1e-16), far below any slip.
RTOL = 1e-6
ATOL = 1e-12


# ---- shared by the three optimizers ------------------------------------------------------------
def _first_step() -> str:
    return _("your first-step update (param − new_param)")


def _later_step() -> str:
    return _("your later-step update (param − new_param)")


def _returned(out: Any, names: Sequence[str], what: str) -> tuple[Any, ...]:
    """:func:`unpack` the learner's ``(new_param, state...)``; the state is needed next step."""
    state = names[1:]
    why = (
        _("the caller keeps {a} for the next step").format(a=state[0])
        if len(state) == 1
        else _("the caller keeps {a} and {b} for the next step").format(a=state[0], b=state[1])
    )
    return unpack(out, names, what, why=why)


def _grade_run(
    answer: Any,
    names: Sequence[str],
    what: str,
    engine: optimizers.Optimizer,
    param: Array,
    steps: Sequence[tuple[Array, tuple[Any, ...], float, str, str]],
) -> None:
    """Take several steps with the learner's function, its own param and state fed back each
    time (the state starts at zeros), and compare each new param with ``engine``'s.

    ``steps`` holds one ``(grad, hyper, lr, on, name)`` per step: the arguments after the state
    (``(lr, momentum)``), the engine's learning rate, the input in words and what to call the
    new param in a message.
    """
    expected = param.copy()
    p, state = param, [np.zeros_like(param) for _name in names[1:]]
    for grad, hyper, lr, on, name in steps:
        out = call(answer, p, grad, *state, *hyper, what=what, on=on)
        got_p, *state = _returned(out, names, what)
        engine.lr = lr
        engine.step([expected], [grad])
        expect_array(
            got_p,
            expected,
            what=name,
            at=lambda i: _("element {index}").format(index=i[0]),
            rtol=RTOL,
            atol=ATOL,
        )
        p = np.asarray(got_p, dtype=np.float64)
        state = [
            as_array(s, _("your {name}").format(name=n))
            for s, n in zip(state, names[1:], strict=True)
        ]


def _check_step(
    got_param: Any,
    param: Array,
    expected: Array,
    *,
    what: str,
    grad: Array,
    variants: Sequence[tuple[Array, str]],
    warned: Mistake | None,
) -> None:
    """Compare the learner's update ``param − new_param`` with the engine's.

    ``what`` names the update in messages ("your first-step update (param − new_param)");
    ``variants`` holds slips as updates. When the update is wrong, no slip matches and the
    learner's code raised a NumPy warning, the warning is the better message.
    """
    got = as_array(got_param, _("your new_param"))
    expect_shape(got, expected.shape, what=_("your new_param"), shape_of="param")
    hint = matching(variants, rtol=RTOL, atol=ATOL)
    try:
        expect_array(
            param - got,
            param - expected,
            what=what,
            at=lambda i: f"grad = {fmt(grad[i])}",
            rtol=RTOL,
            atol=ATOL,
            hint=hint,
        )
    except Mistake:
        if warned is not None and hint(param - got, param - expected) is None:
            raise warned from None
        raise


def _average_slips(
    name: str, old: Array, grad: Array, beta: float, symbol: str, *, squared: bool
) -> list[tuple[Array, str]]:
    """What the usual slips in ``name = β·name + (1 − β)·x`` would give (``x`` = grad or grad²)."""
    term = "grad**2" if squared else "grad"
    x = grad * grad if squared else grad
    slips = [
        (
            old,
            _("{name} was not updated: return the new average, not the one passed in").format(
                name=name
            ),
        ),
        (
            (1 - beta) * old + beta * x,
            _(
                "the weights are swapped: {symbol} multiplies the old {name} and 1 − {symbol} "
                "the new {term}"
            ).format(symbol=symbol, name=name, term=term),
        ),
        (
            beta * old + x,
            _("the factor 1 − {symbol} = {factor} on {term} is missing").format(
                symbol=symbol, factor=fmt(1 - beta), term=term
            ),
        ),
    ]
    if squared:
        slips.append(
            (
                beta * old + (1 - beta) * grad,
                _("{name} averages the squared gradient: use grad**2, not grad").format(name=name),
            )
        )
    return slips


def _passed_in(name: str, value: Any, default: Any) -> str:
    """Name the slip of a default value written into the code instead of the argument."""

    def show(x: Any) -> str:
        return f"({', '.join(fmt(b) for b in x)})" if isinstance(x, tuple | list) else fmt(x)

    used, given = show(default), show(value)
    return _("you used the default {name} {used}, not the {name} passed in, {given}").format(
        name=name, used=used, given=given
    )


# ---- SGD with momentum --------------------------------------------------------------------------
def _momentum_engine(
    param: Array, grad: Array, buf: Array, lr: float, mu: float, first: bool
) -> tuple[Array, Array]:
    """One step of gradlab's SGD(momentum=mu) from ``buf`` (``first``: its very first step)."""
    opt = optimizers.SGD(lr=lr, momentum=mu)
    opt.set_state({"iterations": np.asarray(0 if first else 1), "momentum_buffer/0": buf})
    p = param.copy()
    opt.step([p], [grad.copy()])
    return p, opt.get_state()["momentum_buffer/0"]


def _momentum_update_slips(
    grad: Array, buf: Array, lr: float, mu: float
) -> list[tuple[Array, str]]:
    new = mu * buf + grad
    slips = [
        (lr * grad, _("your step ignores the buffer: that is plain SGD; step with lr · buf")),
        (
            lr * buf,
            _(
                "you stepped with the old buffer: update buf = μ·buf + grad first, then step with "
                "the new one"
            ),
        ),
        (
            lr * (grad + mu * new),
            _(
                "that is Nesterov's step, lr · (grad + μ·buf); classical momentum steps with lr · "
                "buf"
            ),
        ),
        (
            lr * (mu * buf + (1 - mu) * grad),
            _(
                "your buffer averages, buf = μ·buf + (1 − μ)·grad (torch's dampening = μ); "
                "torch.optim.SGD by default adds the whole gradient: buf = μ·buf + grad"
            ),
        ),
        (
            lr * grad - mu * buf,
            _(
                "you treated buf as a velocity (v = μv − lr·grad, param + v); here buf is torch's "
                "buffer, buf = μ·buf + grad, and the step is param − lr·buf"
            ),
        ),
        (
            mu * buf + lr * grad,
            _(
                "you treated buf as a velocity (v = μv + lr·grad, param − v); here buf is torch's "
                "buffer, buf = μ·buf + grad, and the step is param − lr·buf"
            ),
        ),
        (-lr * new, _("your step goes uphill: subtract lr · buf from param")),
    ]
    if mu != 0.9:
        slips.append((lr * (0.9 * buf + grad), _passed_in("momentum", mu, 0.9)))
    if lr != 1e-3:
        slips.append((1e-3 * new, _passed_in("lr", lr, 1e-3)))
    return slips


def _momentum_buffer_slips(
    grad: Array, buf: Array, lr: float, mu: float
) -> list[tuple[Array, str]]:
    scaled = _(
        "it gives the same steps only while lr never changes; torch.optim.SGD keeps "
        "buf = μ·buf + grad and multiplies by lr when it steps, so a learning-rate schedule "
        "acts at once. Return torch's buf"
    )
    slips = [
        (buf, _("your buffer was not updated: return the new buf = μ·buf + grad")),
        (
            mu * buf - lr * grad,
            _(
                "your buffer is the velocity v = μv − lr·grad, −lr times torch's buffer: {why}"
            ).format(why=scaled),
        ),
        (
            mu * buf + lr * grad,
            _(
                "your buffer is the velocity v = μv + lr·grad, lr times torch's buffer: {why}"
            ).format(why=scaled),
        ),
        (
            mu * buf + (1 - mu) * grad,
            _(
                "your buffer averages, buf = μ·buf + (1 − μ)·grad (torch's dampening = μ); "
                "torch.optim.SGD by default adds the whole gradient: buf = μ·buf + grad"
            ),
        ),
        (grad, _("your buffer is just grad: add μ times the previous buffer")),
    ]
    if mu != 0.9:
        slips.append((0.9 * buf + grad, _passed_in("momentum", mu, 0.9)))
    return slips


def _grade_momentum_step(
    answer: Any, param: Array, grad: Array, buf: Array, lr: float, mu: float, *, first: bool
) -> None:
    on = f"lr = {fmt(lr)}, momentum = {fmt(mu)}, buf = {fmt(buf)}"
    what = yours("momentum_step")
    out, warned = call_and_warning(answer, param, grad, buf, lr, mu, what=what, on=on)
    got_param, got_buf = _returned(out, ("new_param", "buf"), what)
    exp_param, exp_buf = _momentum_engine(param, grad, buf, lr, mu, first)
    _check_step(
        got_param,
        param,
        exp_param,
        what=_first_step() if first else _later_step(),
        grad=grad,
        variants=_momentum_update_slips(grad, buf, lr, mu),
        warned=warned,
    )
    expect_array(
        got_buf,
        exp_buf,
        what=_("your new buf"),
        at=lambda i: _("grad = {grad}, old {name} = {old}").format(
            grad=fmt(grad[i]), name="buf", old=fmt(buf[i])
        ),
        rtol=RTOL,
        atol=ATOL,
        hint=matching(_momentum_buffer_slips(grad, buf, lr, mu)),
    )
    if warned is not None:
        raise warned


@exercise(
    "momentum_step",
    title=N_("One step of SGD with momentum, as torch.optim.SGD"),
    tutorial=7,
    signature="momentum_step(param, grad, buf, lr=1e-3, momentum=0.9) -> (new_param, buf)",
    solution=f"{SOLUTIONS}:momentum_step",
    task=N_(r"""Write one step of SGD with momentum exactly as `torch.optim.SGD(params, lr,
    momentum=μ)` takes it (no dampening, no Nesterov, no weight decay). Given the parameter
    `param`, its gradient `grad`, the momentum buffer `buf` returned by the previous step
    (zeros before the first step), `lr` and `momentum` $\mu$, return `(new_param, buf)`:

    $$b_t = \mu\, b_{t-1} + g_t \qquad \theta_t = \theta_{t-1} - \mathrm{lr}\; b_t$$

    The buffer is the running sum of gradients, not a velocity scaled by the learning rate:
    return $b_t$ as torch stores it (the form $v \leftarrow \mu v - \mathrm{lr}\, g$,
    $\theta \leftarrow \theta + v$ takes the same steps only while `lr` never changes).
    """),
)
def _momentum_step(answer: Any, done: list[str]) -> None:
    param = np.array([0.5, -1.2, 2.0])
    grad = np.array([0.8, -0.3, 1.5])
    _grade_momentum_step(answer, param, grad, np.zeros(3), 0.05, 0.9, first=True)
    done.append(_("first step from buf = 0: buf becomes grad and param moves by lr · grad"))

    param = np.array([[0.3, -0.8], [1.4, 0.05]])
    grad = np.array([[0.6, -0.2], [-1.1, 0.4]])
    buf = np.array([[0.5, 0.3], [-0.9, -0.25]])
    _grade_momentum_step(answer, param, grad, buf, 0.05, 0.8, first=False)
    done.append(_("a later step on a 2 x 2 array: buf = μ·buf + grad, then param − lr · buf"))

    rng = np.random.default_rng(7)
    lrs = [0.1, 0.1, 0.1, 0.02, 0.02, 0.005]
    grads = rng.normal(size=(len(lrs), 4))
    steps = []
    for k, (lr, g) in enumerate(zip(lrs, grads, strict=True), start=1):
        changed = k > 1 and lrs[k - 2] != lr
        change = (
            _(" (lr just changed from {before} to {after})").format(
                before=fmt(lrs[k - 2]), after=fmt(lr)
            )
            if changed
            else ""
        )
        on = _("step {k} of a run with lr = {lrs}{change}, your own buf fed back").format(
            k=k, lrs=lrs, change=change
        )
        name = _("your new_param at step {k}{change}, your own buf fed back").format(
            k=k, change=change
        )
        steps.append((g, (lr, 0.9), lr, on, name))
    _grade_run(
        answer,
        ("new_param", "buf"),
        yours("momentum_step"),
        optimizers.SGD(lr=lrs[0], momentum=0.9),
        rng.normal(size=4),
        steps,
    )
    done.append(
        _(
            "six steps in a row with a learning-rate schedule (0.1, then 0.02, then 0.005), "
            "your buffer fed back: the same parameters as torch.optim.SGD"
        )
    )


# ---- RMSprop ----------------------------------------------------------------------------------
def _rmsprop_engine(
    param: Array, grad: Array, square_avg: Array, lr: float, alpha: float, eps: float
) -> tuple[Array, Array]:
    opt = optimizers.RMSprop(lr=lr, alpha=alpha, eps=eps)
    opt.set_state({"iterations": np.asarray(0), "square_avg/0": square_avg})
    p = param.copy()
    opt.step([p], [grad.copy()])
    return p, opt.get_state()["square_avg/0"]


def _rmsprop_update_slips(
    grad: Array, old: Array, lr: float, alpha: float, eps: float
) -> list[tuple[Array, str]]:
    new = alpha * old + (1 - alpha) * grad**2
    with np.errstate(all="ignore"):
        slips = [
            (
                lr * grad / np.sqrt(new + eps),
                _(
                    "ε belongs outside the square root: divide by √v + ε (as torch.optim.RMSprop), "
                    "not √(v + ε)"
                ),
            ),
            (lr * grad / (new + eps), _("divide by the root √v + ε, not by v itself")),
            (
                lr * grad / (np.sqrt(old) + eps),
                _(
                    "you divided by the old average: update square_avg first, then divide by its "
                    "root"
                ),
            ),
            (
                lr * grad / (np.sqrt(new / (1 - alpha)) + eps),
                _(
                    "torch's RMSprop has no bias correction (that is Adam's); do not divide "
                    "square_avg by 1 − α"
                ),
            ),
            (
                -lr * grad / (np.sqrt(new) + eps),
                _("your step goes uphill: subtract lr · grad / (√v + ε) from param"),
            ),
        ]
        if alpha != 0.99:
            v = 0.99 * old + 0.01 * grad**2
            slips.append((lr * grad / (np.sqrt(v) + eps), _passed_in("alpha", alpha, 0.99)))
        if eps != 1e-8:
            slips.append((lr * grad / (np.sqrt(new) + 1e-8), _passed_in("eps", eps, 1e-8)))
        if lr != 1e-2:
            slips.append((1e-2 * grad / (np.sqrt(new) + eps), _passed_in("lr", lr, 1e-2)))
    return slips


def _grade_rmsprop_step(
    answer: Any, param: Array, grad: Array, old: Array, lr: float, alpha: float, eps: float
) -> None:
    on = f"lr = {fmt(lr)}, alpha = {fmt(alpha)}, eps = {fmt(eps)}, square_avg = {fmt(old)}"
    what = yours("rmsprop_step")
    out, warned = call_and_warning(answer, param, grad, old, lr, alpha, eps, what=what, on=on)
    got_param, got_avg = _returned(out, ("new_param", "square_avg"), what)
    exp_param, exp_avg = _rmsprop_engine(param, grad, old, lr, alpha, eps)
    slips = _average_slips("square_avg", old, grad, alpha, "α", squared=True)
    if alpha != 0.99:
        slips.append((0.99 * old + 0.01 * grad**2, _passed_in("alpha", alpha, 0.99)))
    expect_array(
        got_avg,
        exp_avg,
        what=_("your new square_avg"),
        at=lambda i: _("grad = {grad}, old {name} = {old}").format(
            grad=fmt(grad[i]), name="square_avg", old=fmt(old[i])
        ),
        rtol=RTOL,
        atol=ATOL,
        hint=matching(slips),
    )
    _check_step(
        got_param,
        param,
        exp_param,
        what=_first_step() if not old.any() else _later_step(),
        grad=grad,
        variants=_rmsprop_update_slips(grad, old, lr, alpha, eps),
        warned=warned,
    )
    if warned is not None:
        raise warned


@exercise(
    "rmsprop_step",
    title=N_("One step of RMSprop, as torch.optim.RMSprop"),
    tutorial=7,
    signature=(
        "rmsprop_step(param, grad, square_avg, lr=1e-2, alpha=0.99, eps=1e-8) "
        "-> (new_param, square_avg)"
    ),
    solution=f"{SOLUTIONS}:rmsprop_step",
    task=N_(r"""Write one step of RMSprop exactly as `torch.optim.RMSprop(params, lr, alpha, eps)`
    takes it (no momentum, not centred, no weight decay). Given `param`, `grad`, the running
    average of squared gradients `square_avg` returned by the previous step (zeros before the
    first), `lr`, `alpha` $\alpha$ and `eps` $\epsilon$, return `(new_param, square_avg)`:

    $$v_t = \alpha\, v_{t-1} + (1-\alpha)\, g_t^2 \qquad
    \theta_t = \theta_{t-1} - \mathrm{lr}\,\frac{g_t}{\sqrt{v_t} + \epsilon}$$

    All operations are elementwise: each weight gets its own step size.
    """),
)
def _rmsprop_step(answer: Any, done: list[str]) -> None:
    param = np.array([0.5, -1.2, 2.0, 0.3])
    grad = np.array([0.8, -0.3, 2e-5, -5.0])
    _grade_rmsprop_step(answer, param, grad, np.zeros(4), 0.01, 0.99, 1e-8)
    done.append(
        _(
            "first step from square_avg = 0: every weight moves by about lr/√(1 − α) = 10·lr, "
            "whatever the size of its gradient (RMSprop has no bias correction)"
        )
    )

    param = np.array([[0.2, -0.7, 1.1], [0.05, -1.5, 0.9]])
    grad = np.array([[0.4, -1.3, 2e-6], [0.02, 0.7, -0.25]])
    old = np.array([[0.09, 1.5, 1e-12], [0.001, 0.3, 0.2]])
    _grade_rmsprop_step(answer, param, grad, old, 0.003, 0.9, 1e-6)
    done.append(_("a later step on a 2 x 3 array with alpha = 0.9 and eps = 1e-6"))

    rng = np.random.default_rng(3)
    grads = rng.normal(size=(5, 4))
    steps = [
        (
            g,
            (0.01, 0.99, 1e-8),
            0.01,
            _("step {k} of a run of 5 with lr = 0.01, your own square_avg fed back").format(k=k),
            _("your new_param at step {k} (your own square_avg fed back)").format(k=k),
        )
        for k, g in enumerate(grads, start=1)
    ]
    _grade_run(
        answer,
        ("new_param", "square_avg"),
        yours("rmsprop_step"),
        optimizers.RMSprop(lr=0.01),
        rng.normal(size=4),
        steps,
    )
    done.append(_("five steps in a row, your square_avg fed back: the parameters of torch's"))


# ---- Adam -------------------------------------------------------------------------------------
def _adam_engine(
    param: Array, grad: Array, m: Array, v: Array, t: int, lr: float, betas: Any, eps: float
) -> tuple[Array, Array, Array]:
    """Step ``t`` of gradlab's Adam from the moments ``m`` and ``v``."""
    opt = optimizers.Adam(lr=lr, betas=betas, eps=eps)
    opt.set_state({"iterations": np.asarray(t - 1), "exp_avg/0": m, "exp_avg_sq/0": v})
    p = param.copy()
    opt.step([p], [grad.copy()])
    state = opt.get_state()
    return p, state["exp_avg/0"], state["exp_avg_sq/0"]


def _adam_update(
    grad: Array,
    m: Array,
    v: Array,
    t: int,
    lr: float,
    betas: Any,
    eps: float,
    *,
    correct_m: bool = True,
    correct_v: bool = True,
    eps_inside: bool = False,
    eps_first: bool = False,
    numerator: str = "m",
) -> Array:
    """The update ``param − new_param`` of one Adam step, with one slip switched on.

    Used only to name a slip; the expected answer comes from :func:`_adam_engine`.
    """
    b1, b2 = betas
    with np.errstate(all="ignore"):
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        bc1 = 1 - b1**t if correct_m else 1.0
        bc2 = 1 - b2**t if correct_v else 1.0
        top = m / bc1 if numerator == "m" else grad
        if eps_inside:
            den = np.sqrt(v / bc2 + eps)
        elif eps_first:
            den = (np.sqrt(v) + eps) / np.sqrt(bc2)
        else:
            den = np.sqrt(v / bc2) + eps
        return lr * top / den


def _adam_update_slips(
    grad: Array, m: Array, v: Array, t: int, lr: float, betas: Any, eps: float
) -> list[tuple[Array, str]]:
    b1, b2 = betas
    bc1, bc2 = fmt(1 - b1**t), fmt(1 - b2**t)

    def update(t: int = t, lr: float = lr, betas: Any = betas, eps: float = eps, **slip: Any):
        return _adam_update(grad, m, v, t, lr, betas, eps, **slip)

    slips = [
        (
            update(correct_m=False, correct_v=False),
            _(
                "bias correction missing: at step t = {t} divide m by 1 − β₁ᵗ = {bc1} and v by "
                "1 − β₂ᵗ = {bc2} before the step (m and v start at 0, so early on they are too "
                "small)"
            ).format(t=t, bc1=bc1, bc2=bc2),
        ),
        (
            update(correct_v=False),
            _("the bias correction of v is missing: divide v by 1 − β₂ᵗ = {bc2}").format(bc2=bc2),
        ),
        (
            update(correct_m=False),
            _("the bias correction of m is missing: divide m by 1 − β₁ᵗ = {bc1}").format(bc1=bc1),
        ),
        (
            update(t=t + 1),
            _(
                "your bias correction uses step {used}, not t = {t}: t is already 1-based (the "
                "first step divides by 1 − β₁¹), so use β₁**t and β₂**t as given"
            ).format(used=t + 1, t=t),
        ),
        (
            update(t=t - 1),
            _(
                "your bias correction uses step {used}, not t = {t}, as if steps were counted "
                "from 0: t is already 1-based (the first step divides by 1 − β₁¹), so use β₁**t "
                "and β₂**t as given"
            ).format(used=t - 1, t=t),
        ),
        (
            update(eps_inside=True),
            _(
                "ε belongs outside the square root: divide by √v̂ + ε (as torch.optim.Adam), "
                "not √(v̂ + ε)"
            ),
        ),
        (
            update(eps_first=True),
            _(
                "you added ε before the bias correction of the root, (√v + ε)/√(1 − β₂ᵗ), as in "
                "the Adam paper's faster form; torch.optim.Adam adds it after: √v̂ + ε with "
                "v̂ = v/(1 − β₂ᵗ)"
            ),
        ),
        (
            update(numerator="grad"),
            _("the numerator is the corrected average m̂ = m/(1 − β₁ᵗ), not the raw gradient"),
        ),
        (-update(), _("your step goes uphill: subtract lr · m̂/(√v̂ + ε) from param")),
    ]
    if tuple(betas) != (0.9, 0.999):
        slips.append((update(betas=(0.9, 0.999)), _passed_in("betas", betas, (0.9, 0.999))))
    if lr != 1e-3:
        slips.append((update(lr=1e-3), _passed_in("lr", lr, 1e-3)))
    if eps != 1e-8:
        slips.append((update(eps=1e-8), _passed_in("eps", eps, 1e-8)))
    return slips


def _grade_adam_step(
    answer: Any,
    param: Array,
    grad: Array,
    m: Array,
    v: Array,
    t: int,
    lr: float,
    betas: tuple[float, float],
    eps: float,
) -> None:
    on = f"t = {t}, lr = {fmt(lr)}, betas = {betas}, eps = {fmt(eps)}, m = {fmt(m)}, v = {fmt(v)}"
    args = (param, grad, m, v, t, lr, betas, eps)
    out, warned = call_and_warning(answer, *args, what=yours("adam_step"), on=on)
    got_param, got_m, got_v = _returned(out, ("new_param", "m", "v"), yours("adam_step"))
    exp_param, exp_m, exp_v = _adam_engine(*args)
    b1, b2 = betas
    corrected = _(
        "you returned the bias-corrected {name}; return the raw average {name} (the next step "
        "corrects it again)"
    )
    for name, got, expected, old, beta, symbol, squared in (
        ("m", got_m, exp_m, m, b1, "β₁", False),
        ("v", got_v, exp_v, v, b2, "β₂", True),
    ):
        slips = _average_slips(name, old, grad, beta, symbol, squared=squared)
        slips.append((expected / (1 - beta**t), corrected.format(name=name)))
        if tuple(betas) != (0.9, 0.999):
            default = 0.9 if name == "m" else 0.999
            x = grad**2 if squared else grad
            slip = default * old + (1 - default) * x
            slips.append((slip, _passed_in("betas", betas, (0.9, 0.999))))
        expect_array(
            got,
            expected,
            what=_("your new {name}").format(name=name),
            at=lambda i, old=old, name=name: _("grad = {grad}, old {name} = {old}").format(
                grad=fmt(grad[i]), name=name, old=fmt(old[i])
            ),
            rtol=RTOL,
            atol=ATOL,
            hint=matching(slips),
        )
    _check_step(
        got_param,
        param,
        exp_param,
        what=_("your step-{t} update (param − new_param)").format(t=t),
        grad=grad,
        variants=_adam_update_slips(grad, m, v, t, lr, betas, eps),
        warned=warned,
    )
    if warned is not None:
        raise warned


@exercise(
    "adam_step",
    title=N_("One step of Adam with bias correction, as torch.optim.Adam"),
    tutorial=7,
    signature=(
        "adam_step(param, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8) "
        "-> (new_param, m, v)"
    ),
    solution=f"{SOLUTIONS}:adam_step",
    task=N_(r"""Write one step of Adam exactly as `torch.optim.Adam(params, lr, betas, eps)` takes
    it (no weight decay, no amsgrad). Given `param`, `grad`, the running averages `m` and `v`
    returned by the previous step (zeros before the first), the step number `t` (1 at the
    first step), `lr`, `betas` $= (\beta_1, \beta_2)$ and `eps` $\epsilon$, return
    `(new_param, m, v)`:

    $$m_t = \beta_1 m_{t-1} + (1-\beta_1)\, g_t \qquad
    v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2$$

    $$\hat m_t = \frac{m_t}{1-\beta_1^{\,t}} \qquad \hat v_t = \frac{v_t}{1-\beta_2^{\,t}}
    \qquad \theta_t = \theta_{t-1} - \mathrm{lr}\,\frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}$$

    Return the raw averages $m_t$ and $v_t$, not the corrected ones: the next step corrects
    them again.
    """),
)
def _adam_step(answer: Any, done: list[str]) -> None:
    param = np.array([0.5, -1.2, 2.0, 0.3])
    grad = np.array([0.8, -0.3, 2e-4, -5.0])
    zeros = np.zeros(4)
    _grade_adam_step(answer, param, grad, zeros, zeros, 1, 0.02, (0.9, 0.999), 1e-8)
    done.append(
        _(
            "step t = 1 from m = v = 0: m, v, and a first step of about lr for every weight, "
            "whatever the size of its gradient"
        )
    )

    param = np.array([[0.2, -0.7, 1.1], [0.05, -1.5, 0.9]])
    grad = np.array([[0.4, -1.3, 2e-6], [0.02, 0.7, -0.25]])
    m = np.array([[0.1, -0.4, 1e-6], [-0.05, 0.3, -0.1]])
    v = np.array([[0.05, 0.9, 1e-12], [0.002, 0.2, 0.04]])
    _grade_adam_step(answer, param, grad, m, v, 3, 0.05, (0.8, 0.99), 1e-6)
    done.append(_("step t = 3 on a 2 x 3 array with betas = (0.8, 0.99) and eps = 1e-6"))

    rng = np.random.default_rng(5)
    grads = rng.normal(size=(5, 4))
    steps = [
        (
            g,
            (t, 0.01, (0.9, 0.999), 1e-8),
            0.01,
            _("step t = {t} of a run of 5 with lr = 0.01, your own m and v fed back").format(t=t),
            _("your new_param at step t = {t} (your own m and v fed back)").format(t=t),
        )
        for t, g in enumerate(grads, start=1)
    ]
    _grade_run(
        answer,
        ("new_param", "m", "v"),
        yours("adam_step"),
        optimizers.Adam(lr=0.01),
        rng.normal(size=4),
        steps,
    )
    done.append(_("five steps t = 1..5 in a row, your m and v fed back: the parameters of torch's"))
