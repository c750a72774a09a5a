"""The parameter and attribute documentation the two estimators share, written once.

The estimators' docstrings hold ``{parameters}`` and ``{attributes}``, their methods' ``{X}``;
:func:`fill_doc` substitutes these blocks.
"""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")

__all__ = ["fill_doc"]

PARAMETERS = """\
hidden_layer_sizes : int or array-like of int, default=(100,)
        Units of each hidden layer; ``()`` gives a network without hidden layers.

    activation : str, dict or list of them, default="relu"
        Activation of the hidden layers: any gradlab activation name (``"relu"``,
        ``"tanh"``, ``"gelu"``, ``"selu"``, ``"leaky_relu"``, ...; scikit-learn's
        ``"identity"`` and ``"logistic"`` are aliases of ``"linear"`` and ``"sigmoid"``),
        a serialized activation such as ``{"name": "leaky_relu", "config":
        {"negative_slope": 0.2}}``, or a list/tuple with one of these per hidden layer.

    solver : {"lbfgs", "sgd", "adam"} or a gradlab solver, default="adam"
        scikit-learn's solvers with scikit-learn's rules (written out in
        ``gradlab/estimators/_solvers.py``): ``"lbfgs"`` minimises the full-batch loss with
        scipy's L-BFGS-B (small data sets); ``"sgd"`` is SGD with ``momentum`` (0.9) and
        Nesterov's momentum (``nesterovs_momentum``) and the ``learning_rate`` schedule;
        ``"adam"`` is Adam with ``beta_1``, ``beta_2``, ``epsilon``. gradlab's optimizers,
        with torch.optim's rules, are ``"gradlab_sgd"`` (plain), ``"gradlab_momentum"``,
        ``"gradlab_nesterov"`` (both with ``momentum``), ``"gradlab_adagrad"``,
        ``"gradlab_rmsprop"`` (smoothing 0.99), ``"gradlab_adam"`` (``ε`` added to the
        bias-corrected ``√v̂``, where scikit-learn adds it to ``√v``) and ``"gradlab_adamw"``
        (decoupled weight decay 0.01 on every parameter).

    alpha : float, default=1e-4
        Strength of the L2 penalty, with scikit-learn's meaning: each mini-batch of ``b``
        samples adds ``alpha / (2 b) * Σ‖W‖²`` over the ``Dense`` kernels (not the biases) to
        its loss, so ``alpha * W / b`` to each kernel's gradient. It is not the optimizer's
        ``weight_decay``, which would also decay the biases.

    batch_size : int or "auto", default="auto"
        Samples per mini-batch; ``"auto"`` is ``min(200, n_samples)``.

    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        The rate schedule of ``solver="sgd"``: constant; ``learning_rate_init / (t + 1) **
        power_t`` after each epoch, ``t`` the samples seen (``t_``); or divided by 5 each
        time the loss has not fallen by ``tol`` for ``n_iter_no_change`` epochs (training
        stops once it is at most 1e-6).

    learning_rate_init : float, default=1e-3
        The initial learning rate of the stochastic solvers.

    power_t : float, default=0.5
        The exponent of ``learning_rate="invscaling"``.

    max_iter : int, default=200
        Maximum number of epochs (passes over the training data); for ``"lbfgs"`` the
        maximum number of iterations.

    shuffle : bool, default=True
        Shuffle the samples at every epoch.

    random_state : int, RandomState instance or None, default=None
        As in scikit-learn: the initial weights (``kernel_initializer="auto"``), the shuffles
        and the early-stopping split are drawn from ``check_random_state(random_state)`` in
        scikit-learn's order, so the same value gives scikit-learn's very numbers (and, with
        the same data, scikit-learn's fit). What scikit-learn does not draw (dropout masks,
        gradlab initializers, the probe rows of ``diagnostics_``) comes from
        ``np.random.default_rng(seed_)``.

    tol : float, default=1e-4
        An epoch improves when the training loss drops by at least ``tol`` (or, with
        ``early_stopping``, the validation score rises by at least ``tol``).

    verbose : bool or int, default=False
        Print the loss (and validation score) of every epoch.

    warm_start : bool, default=False
        ``fit`` continues from the fitted weights (and ``t_``, ``loss_curve_``, the best
        scores) instead of drawing new ones; the solver's state starts afresh.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified for single-label
        classification), stop when its score stops improving, and keep the weights of the
        best epoch.

    validation_fraction : float, default=0.1
        Fraction of the training data held out when ``early_stopping`` is on.

    n_iter_no_change : int or np.inf, default=10
        Training stops after more than this many consecutive epochs without improvement.

    max_fun : int, default=15000
        ``"lbfgs"`` only: the maximum number of loss evaluations.

    momentum : float, default=0.9
        Momentum of ``"sgd"`` (and of ``"gradlab_momentum"``, ``"gradlab_nesterov"``).

    nesterovs_momentum : bool, default=True
        Nesterov's momentum for ``"sgd"``.

    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's first and second moment estimates.

    epsilon : float, default=1e-8
        The ε of ``"adam"`` and of gradlab's adaptive solvers.

    kernel_initializer : "auto", str, dict or Initializer, default="auto"
        ``"auto"`` draws as scikit-learn does: kernels and biases uniform on ``±√(f /
        (fan_in + fan_out))``, ``f = 2`` for a logistic hidden activation, else 6, from
        ``random_state``. Any gradlab initializer draws the kernels instead (biases at
        zero).

    batch_norm : bool, default=False
        Put a :class:`~gradlab.layers.BatchNorm` between each hidden ``Dense`` and its
        activation.

    dropout : float, default=0.0
        Drop probability of a :class:`~gradlab.layers.Dropout` after each hidden layer.

    clip_norm : float or None, default=None
        Clip the global L2 norm of the gradients to this value before each step.

    dtype : {"float32", "float64"} or None, default=None
        Precision of the network. None follows scikit-learn: float32 input trains in
        float32, anything else in float64. ``"float32"`` is about twice as fast.

    The regressor also takes ``loss`` (its first parameter, as in scikit-learn):
    ``"squared_error"`` (half the squared error, identity output) or ``"poisson"`` (half the
    Poisson deviance with an exponential output; targets must be >= 0)."""

ATTRIBUTES = """\
loss_ : float
        The loss (with the L2 term) of the last epoch.

    loss_curve_ : list of float
        The loss of every epoch, as scikit-learn's MLP computes it: the log loss (summed
        over the outputs), half the squared error (averaged over the targets) or half the
        Poisson deviance (summed over them), weighted over the samples, plus the L2 term of
        every batch. With ``"lbfgs"`` (where scikit-learn has none): the loss after each
        iteration.

    best_loss_ : float or None
        The lowest training loss seen; None with ``early_stopping``.

    validation_scores_ : list of float or None
        The validation score of every epoch with ``early_stopping``, else None.

    best_validation_score_ : float or None
        The best validation score with ``early_stopping``, else None.

    n_iter_ : int
        Epochs (``"lbfgs"``: iterations) run by the last call to ``fit`` or
        ``partial_fit``.

    t_ : int
        Training samples seen by the solver over all calls.

    coefs_ : list of ndarray of shape (n_in, n_out)
        The kernel of every ``Dense`` layer, input to output: views of ``model_``'s weights.
        Arrays assigned to ``coefs_`` or its items are copied into the network before the
        next prediction or fit, as in scikit-learn.

    intercepts_ : list of ndarray of shape (n_out,)
        The bias of every ``Dense`` layer (the same).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during fit, when ``X`` had string column names.

    n_outputs_ : int
        Number of network outputs.

    n_layers_ : int
        Number of layers of the perceptron, input and output included.

    out_activation_ : str
        Name of the output activation (scikit-learn's names: ``"softmax"``, ``"logistic"``,
        ``"identity"``, ``"exp"``).

    seed_ : int
        The seed of the numbers scikit-learn does not draw (see ``random_state``).

    model_ : gradlab.Sequential
        The trained network (not compiled: the estimator computes scikit-learn's loss).

    diagnostics_ : dict
        Per-epoch measurements of the network (stochastic solvers), recorded by
        :class:`gradlab.diagnostics.Diagnostics` at the end of every epoch:
        ``"layers"`` (one name per layer of ``model_``), ``"epoch"`` (1, 2, ... over all
        calls), ``"grad_norm"`` (per epoch, per layer: the mean over the epoch's batches of
        ‖∂L/∂W‖₂ of the layer's kernel, NaN for a layer without weights) and
        ``"dead_fraction"`` (per epoch, per layer: the fraction of units whose activation has
        a zero derivative on every one of up to 256 training samples — dead ReLUs; NaN for a
        layer without an activation)."""


#: The ``X`` argument of every method, indented for a method docstring.
X_DOC = """\
X : array-like of shape (n_samples, n_features)
            The input data."""

_BLOCKS = {"{parameters}": PARAMETERS, "{attributes}": ATTRIBUTES, "{X}": X_DOC}


def _fill(doc: str | None) -> str | None:
    for key, text in _BLOCKS.items():
        doc = doc and doc.replace(key, text)
    return doc


def fill_doc(cls: T) -> T:
    """Substitute the shared blocks (``{parameters}``, ``{attributes}``, ``{X}``) in the
    docstrings of ``cls`` and of the methods it defines."""
    cls.__doc__ = _fill(cls.__doc__)
    for member in vars(cls).values():
        if callable(member) and getattr(member, "__doc__", None):
            member.__doc__ = _fill(member.__doc__)
    return cls
