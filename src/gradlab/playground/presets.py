"""Presets: the lab's claims as live playground setups.

Each preset is a partial config put over the defaults. ``tests/playground/test_session.py``
checks that each one does what its description says. Titles and descriptions are English,
marked with ``N_``; the page shows them in its language (the playground's catalog).
"""

from __future__ import annotations

import copy
from typing import Any

from ..i18n import N_, _
from .config import DEFAULT_CONFIG, ProtocolError, merge_config

__all__ = ["PRESETS", "preset_config", "preset_names"]

_SIGMOID_6x8 = [{"units": 8, "activation": "sigmoid"}] * 6

PRESETS: list[dict[str, Any]] = [
    {
        "name": "vanishing_sigmoid",
        "title": N_("Vanishing gradients"),
        "description": N_(
            "Six sigmoid layers of 8 trained with plain SGD: the gradient reaching "
            "each layer shrinks by orders of magnitude on its way back to the input (the sigmoid's "
            "slope is at most 1/4), so the first layers barely learn."
        ),
        "config": {
            "dataset": "circle",
            "layers": _SIGMOID_6x8,
            "optimizer": {"name": "sgd"},
            "learning_rate": 0.1,
        },
    },
    {
        "name": "residual_sigmoid",
        "title": N_("Skip connections"),
        "description": N_(
            "The same six sigmoid layers of 8 with identity shortcuts (y = x + f(Wx + b)) "
            "around every layer that keeps its width: the gradient flows back along the "
            "shortcuts, reaches the first layers almost undiminished, and the net learns the "
            "circle. Switch skip connections off to compare."
        ),
        # vanishing_sigmoid plus residual: the toggle is the only difference. Measured over
        # seeds 0-19 (grad_norm as the page shows it after 1 epoch, last hidden layer over
        # the first): 360-1670 without shortcuts, 0.97-3.8 with them (0.5-2.4 after 10 and 30
        # epochs); with them train accuracy reached 95 % within 25-50 epochs and 100 % by
        # epoch 200 on every seed, without them it stayed at 50 % for 200 epochs. (At epoch
        # 0 the page shows the whole training set's gradient, whose first-layer terms partly
        # cancel on the symmetric circle: 1.1-33 with shortcuts there.)
        "config": {
            "dataset": "circle",
            "layers": _SIGMOID_6x8,
            "optimizer": {"name": "sgd"},
            "learning_rate": 0.1,
            "residual": True,
        },
    },
    {
        "name": "dying_relu",
        "title": N_("Dying ReLU"),
        "description": N_(
            "ReLU units with a learning rate of 3: a few large updates push units "
            "to negative inputs for every sample; their gradient is then exactly zero and they "
            "never come back (grey units)."
        ),
        "config": {
            "dataset": "circle",
            "layers": [{"units": 8, "activation": "relu"}] * 3,
            "learning_rate": 3.0,
            "optimizer": {"name": "sgd"},
        },
    },
    {
        "name": "xor_no_hidden",
        "title": N_("XOR without a hidden layer"),
        "description": N_(
            "A single neuron on x1 and x2 draws one straight line; no line "
            "separates the XOR quadrants, so accuracy stays near 50 %."
        ),
        "config": {"dataset": "xor", "layers": [], "features": ["x1", "x2"]},
    },
    {
        "name": "xor_hidden",
        "title": N_("XOR with a hidden layer"),
        "description": N_(
            "One hidden layer of 8 ReLU units folds the plane along the axes, and "
            "the output unit combines the folds into the four quadrants: XOR is solved."
        ),
        # Chosen over seeds, not one run. 4 tanh units with SGD at 0.3 on 500 points ended at
        # 88-96 % test accuracy on seeds 0-9 after 100 epochs (few points near the axes, a
        # noisy step); 8 tanh units with Adam still left seed 34 at 94 %. 8 ReLU units, Adam
        # at 0.01 and 2000 points: 97.6-99.4 % on seeds 0-9 after 60 epochs, at least 97.0 %
        # on seeds 0-39, the same with NumPy's AVX2/AVX-512 kernels switched off, and
        # unchanged when the initial weights are perturbed by 0.1 %.
        "config": {
            "dataset": "xor",
            "layers": [{"units": 8, "activation": "relu"}],
            "features": ["x1", "x2"],
            "n_samples": 2000,
            "optimizer": {"name": "adam"},
            "learning_rate": 0.01,
        },
    },
    {
        "name": "batchnorm_off",
        "title": N_("Deep sigmoid net, bad initialization"),
        "description": N_(
            "Five sigmoid layers with initial weights 4 times too large: units "
            "start saturated (flat sigmoid tails) and training stalls."
        ),
        "config": {
            "dataset": "circle",
            "layers": [{"units": 8, "activation": "sigmoid"}] * 5,
            "init_scale": 4.0,
            "batchnorm": False,
            "learning_rate": 0.1,
        },
    },
    {
        "name": "batchnorm_on",
        "title": N_("... with BatchNorm"),
        "description": N_(
            "The same net and initialization with BatchNorm before each "
            "activation: pre-activations are re-centred and re-scaled, units leave the flat "
            "tails and the net learns."
        ),
        "config": {
            "dataset": "circle",
            "layers": [{"units": 8, "activation": "sigmoid"}] * 5,
            "init_scale": 4.0,
            "batchnorm": True,
            "learning_rate": 0.1,
        },
    },
    {
        "name": "spiral_multiclass",
        "title": N_("Three-class spiral"),
        "description": N_(
            "Three interleaved spiral arms, a softmax output over 3 classes and "
            "Adam: three tanh layers on x1, x2, sin(x1) and sin(x2) learn the winding boundary."
        ),
        "config": {
            "dataset": "spiral",
            "classes": 3,
            "features": ["x1", "x2", "sinx1", "sinx2"],
            "layers": [{"units": 8, "activation": "tanh"}] * 3,
            "optimizer": {"name": "adam"},
            "learning_rate": 0.01,
        },
    },
]

_BY_NAME = {p["name"]: p for p in PRESETS}


def preset_names() -> list[str]:
    """Return the names of the presets, in display order."""
    return [p["name"] for p in PRESETS]


def preset_config(name: str) -> dict[str, Any]:
    """Return preset ``name``'s config over the defaults, normalized.

    Raises:
        ProtocolError: for an unknown name.
    """
    if name not in _BY_NAME:
        raise ProtocolError(
            _("{field} must be one of {choices}; received {value!r}").format(
                field="name", choices=", ".join(map(repr, _BY_NAME)), value=name
            ),
            "name",
        )
    return merge_config(DEFAULT_CONFIG, copy.deepcopy(_BY_NAME[name]["config"]))
