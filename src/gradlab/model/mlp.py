"""``mlp``: the one builder of a multi-layer perceptron that every part of gradlab uses.

The command line, the scikit-learn estimators, the lab's experiments and the playground all
describe their networks with the same few words (hidden widths, an activation, an
initializer, batch normalisation, dropout, an output layer) and build them here, so a
network means the same thing wherever it is made.

Each hidden layer is

* ``Dense(h, activation)`` — the plain case;
* ``Dense(h) -> BatchNorm -> Activation(activation)`` with ``batch_norm=True`` (normalise the
  pre-activation, then apply the nonlinearity);
* ``Dense(h) -> <Layer>()`` when ``activation`` is a layer class such as
  :class:`~gradlab.layers.PReLU` (a nonlinearity with weights of its own);

followed by ``Dropout(dropout)`` when ``dropout > 0``. With ``residual=True`` each hidden
block whose input width equals its width is wrapped, whole, in an identity skip connection
:class:`~gradlab.layers.Residual` (``y = x + block(x)``). The output layer is
``Dense(output, output_activation)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from .. import activations as activations_mod
from .. import layers as layers_mod
from .._checks import check_bool, check_int, check_number
from .sequential import Sequential

__all__ = ["check_hidden_activation", "mlp"]


def check_hidden_activation(activation: Any, name: str = "activation") -> Any:
    """Return ``activation`` resolved, after checking it keeps the width of its layer.

    A hidden layer of a ``Dense`` stack must map ``h`` features to ``h`` features; ``glu``
    (which halves them) cannot be used there. Layer classes (``layers.PReLU``) are returned
    unchanged.

    Raises:
        ValueError: for an unknown name or an activation that changes the width.
    """
    if isinstance(activation, type) and issubclass(activation, layers_mod.Layer):
        return activation
    act = activations_mod.get(activation)
    if act.info.elementwise:
        return act
    width = act(np.zeros((1, 4))).shape[-1]
    if width != 4:
        raise ValueError(
            f"{name} {act.name} maps 4 features to {width}, and a hidden activation must "
            "keep the width of its layer; choose an elementwise activation or softmax"
        )
    return act


def mlp(
    hidden: Sequence[int],
    output: int,
    *,
    input_dim: int | None = None,
    activation: Any = "relu",
    output_activation: Any = None,
    init: Any = "glorot_uniform",
    output_init: Any = None,
    bias_init: Any = "zeros",
    batch_norm: bool = False,
    dropout: float = 0.0,
    residual: bool = False,
    seed: int | None = 0,
    dtype: DTypeLike = "float32",
) -> Sequential:
    """Build an MLP: one block per hidden width, then ``Dense(output, output_activation)``.

    Args:
        hidden: Widths of the hidden layers, input side first (may be empty: a linear model).
        output: Width of the output layer.
        input_dim: Number of input features; when given the model is built now (weights drawn),
            else on first use.
        activation: Hidden nonlinearity: a name, a dict, an
            :class:`~gradlab.activations.Activation`, a layer class used after each ``Dense``
            (``layers.PReLU``), or a list of those, one per hidden layer.
        output_activation: Activation of the output layer (``None``: linear).
        init: Kernel initializer of the hidden ``Dense`` layers (and of the output layer unless
            ``output_init`` is given).
        output_init: Kernel initializer of the output layer (``None``: the same as ``init``).
        bias_init: Bias initializer of the hidden ``Dense`` layers (the output bias starts at 0).
        batch_norm: Put ``BatchNorm`` between each hidden ``Dense`` and its activation.
        dropout: Drop probability of a ``Dropout`` after each hidden block (0: none).
        residual: Wrap each hidden block (its ``Dense``, ``BatchNorm`` and activation, its
            ``Dropout``) in :class:`~gradlab.layers.Residual` where the block keeps the width:
            its input width (``input_dim`` for the first one, the previous width after that)
            equals its own width. A block that changes the width stays unwrapped, so does
            the first block when ``input_dim`` is not given. The weights drawn are the same
            as with ``residual=False``.
        seed: Seed of the weight initialisation (and of dropout masks).
        dtype: ``"float32"`` (default) or ``"float64"``.

    Returns:
        An uncompiled :class:`~gradlab.model.Sequential`.

    Example:
        >>> from gradlab.model import mlp
        >>> net = mlp([16, 16], 3, input_dim=4, activation="tanh", seed=0)
        >>> [type(layer).__name__ for layer in net.layers]
        ['Dense', 'Dense', 'Dense']
        >>> net.count_params()
        403
        >>> net = mlp([8, 8, 8], 2, input_dim=2, activation="sigmoid", residual=True)
        >>> [type(layer).__name__ for layer in net.layers]   # 2 -> 8 changes the width
        ['Dense', 'Residual', 'Residual', 'Dense']
        >>> net.layers[1].describe()
        'Residual(Dense(8, sigmoid))'
    """
    widths = [check_int(h, f"hidden[{i}]", low=1) for i, h in enumerate(hidden)]
    check_int(output, "output", low=1)
    batch_norm = check_bool(batch_norm, "batch_norm")
    dropout = check_number(dropout, "dropout", low=0.0, high=1.0, high_open=True)
    residual = check_bool(residual, "residual")
    if input_dim is not None:
        input_dim = check_int(input_dim, "input_dim", low=1)
    if isinstance(activation, list | tuple):
        if len(activation) != len(widths):
            raise ValueError(
                f"activation must be one activation or a list of {len(widths)} (one per hidden "
                f"layer), got a list of {len(activation)}"
            )
        per_layer = list(activation)
    else:
        per_layer = [activation] * len(widths)
    per_layer = [check_hidden_activation(a) for a in per_layer]

    stack: list[layers_mod.Layer] = []
    fan_in = input_dim  # the width entering the block (None: not known yet)
    for width, act in zip(widths, per_layer, strict=True):
        block: list[layers_mod.Layer]
        if isinstance(act, type):  # a layer class: the nonlinearity has weights of its own
            dense = layers_mod.Dense(width, kernel_initializer=init, bias_initializer=bias_init)
            block = [dense, act()]
        elif batch_norm:
            dense = layers_mod.Dense(width, kernel_initializer=init, bias_initializer=bias_init)
            block = [dense, layers_mod.BatchNorm(), layers_mod.Activation(act)]
        else:
            block = [
                layers_mod.Dense(width, act, kernel_initializer=init, bias_initializer=bias_init)
            ]
        if dropout:
            block.append(layers_mod.Dropout(dropout))
        if residual and fan_in == width:
            stack.append(layers_mod.Residual(block))
        else:
            stack += block
        fan_in = width
    out_init = init if output_init is None else output_init
    stack.append(layers_mod.Dense(output, output_activation, kernel_initializer=out_init))
    return Sequential(stack, input_dim=input_dim, seed=seed, dtype=dtype)
