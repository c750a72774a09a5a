"""Reference answers to the exercises of tutorial 7 (gradient descent and optimizers).

Each function takes one step exactly as its ``torch.optim`` namesake, and returns the new
parameter with the state the next step needs.
"""

from __future__ import annotations

import numpy as np


def momentum_step(param, grad, buf, lr=1e-3, momentum=0.9):
    """One step of torch.optim.SGD(momentum=momentum): return (new_param, buf)."""
    buf = momentum * buf + grad  # the running sum of gradients, not scaled by lr
    new_param = param - lr * buf
    return new_param, buf


def rmsprop_step(param, grad, square_avg, lr=1e-2, alpha=0.99, eps=1e-8):
    """One step of torch.optim.RMSprop: return (new_param, square_avg)."""
    square_avg = alpha * square_avg + (1 - alpha) * grad**2
    new_param = param - lr * grad / (np.sqrt(square_avg) + eps)  # eps outside the root
    return new_param, square_avg


def adam_step(param, grad, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    """One step of torch.optim.Adam (t = 1 at the first step): return (new_param, m, v)."""
    beta1, beta2 = betas
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)  # bias corrections: m and v start at 0, too small early on
    v_hat = v / (1 - beta2**t)
    new_param = param - lr * m_hat / (np.sqrt(v_hat) + eps)  # eps outside the root
    return new_param, m, v  # the raw averages: the next step corrects them again
