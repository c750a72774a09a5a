"""The callback that gives a gradlab fit scikit-learn's MLP semantics, epoch by epoch.

* The loss: gradlab's losses average over every element; scikit-learn's MLP sums the log loss
  over the outputs and averages it over the samples, and halves the squared error. After every
  backward pass the gradients are multiplied, and at every epoch end the loss is multiplied, by
  the estimator's ``_loss_scales = (value_scale, grad_scale)``. For ``k`` outputs: softmax
  cross entropy (1, 1); sigmoid cross entropy (k, k); squared error (1/2, k/2) — scikit-learn
  reports the squared error averaged over the targets but follows the gradient of its sum over
  them, and so does this callback, so that ``loss_curve_``, ``tol`` and every update match
  scikit-learn's.
* The L2 penalty: after every backward pass, ``alpha * W / batch_size`` is added to the
  gradient of every ``Dense`` kernel (not the biases, not BatchNorm's scale and shift), and
  ``alpha / (2 batch_size) * Σ‖W‖²`` to the batch loss — exactly the term scikit-learn's MLP adds
  per mini-batch.
* Convergence: after each epoch the training loss (or, with ``early_stopping``, the validation
  score) is compared with the best so far; more than ``n_iter_no_change`` epochs in a row
  without an improvement of at least ``tol`` stop training.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..callbacks import Callback, Logs
from ..layers import Dense

if TYPE_CHECKING:
    from ._base import BaseMLP

__all__ = ["Tracker"]


class Tracker(Callback):
    """Rescale the loss, add scikit-learn's L2 penalty and decide convergence."""

    def __init__(self, est: BaseMLP, n_samples: int, X_val: Any, y_val: Any) -> None:
        super().__init__()
        self.est, self.n_samples, self.X_val, self.y_val = est, n_samples, X_val, y_val
        self.converged = False
        self.watched = "training loss" if X_val is None else "validation score"
        self.best_weights: list[NDArray[np.floating]] | None = None
        self._penalty = 0.0

    def on_train_begin(self, logs: Logs) -> None:
        layers = self.model.layers
        self._value_scale, self._grad_scale = self.est._loss_scales
        self._grads = [grad for layer in layers for grad in layer.grads.values()]
        dense = [layer for layer in layers if isinstance(layer, Dense)]
        self._kernels = [(layer.params["W"], layer.grads["W"]) for layer in dense]
        if self.X_val is not None:
            self.best_weights = self.model.get_weights()

    def on_after_backward(self, batch: int, logs: Logs) -> None:
        if self._grad_scale != 1:
            for grad in self._grads:
                grad *= self._grad_scale
        alpha = self.est.alpha
        if not alpha:
            return
        scale = alpha / logs["size"]
        squares = 0.0
        for W, grad in self._kernels:
            grad += scale * W
            squares += float(np.vdot(W, W))
        self._penalty += 0.5 * alpha * squares  # the batch's term times its size

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        est = self.est
        loss = self._value_scale * float(logs["loss"]) + self._penalty / self.n_samples
        self._penalty = 0.0
        est.n_iter_ += 1
        est.t_ += self.n_samples
        est.loss_ = loss
        est.loss_curve_.append(loss)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {loss:.8f}")
        if self.X_val is not None:
            score = est._score_validated(self.X_val, self.y_val)
            est.validation_scores_.append(score)
            if est.verbose:
                print(f"Validation score: {score:f}")
            worse = score < est.best_validation_score_ + est.tol
            if score > est.best_validation_score_:
                est.best_validation_score_ = score
                self.best_weights = self.model.get_weights()
        else:
            worse = loss > est.best_loss_ - est.tol
            est.best_loss_ = min(est.best_loss_, loss)
        est._no_improvement_count = est._no_improvement_count + 1 if worse else 0
        if est._no_improvement_count > est.n_iter_no_change:
            self.converged = True
            self.model.stop_training = True
            if est.verbose:
                print(
                    f"The {self.watched} did not improve more than tol={est.tol} for "
                    f"{est.n_iter_no_change} consecutive epochs. Stopping."
                )
