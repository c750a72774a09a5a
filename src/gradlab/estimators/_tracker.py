"""The callback that gives a gradlab fit scikit-learn's MLP semantics, epoch by epoch.

* The loss: gradlab's losses average over every element; scikit-learn's MLP sums the log loss
  over the outputs and averages it over the samples, and halves the squared error. After every
  backward pass the gradients are multiplied, and at every epoch end the loss is multiplied, by
  ``loss_scales = (value_scale, grad_scale)``. For ``k`` outputs: softmax cross entropy
  (1, 1); sigmoid cross entropy (k, k); squared error (1/2, k/2) — scikit-learn reports the
  squared error averaged over the targets but follows the gradient of its sum over them, and
  so does this callback, so that ``loss_curve_``, ``tol`` and every update match
  scikit-learn's.
* The L2 penalty is a :class:`~gradlab.callbacks.WeightPenalty` (``per_sample=True``) placed
  right after this callback, so each batch's gradients are first rescaled, then get
  ``alpha * W / batch_size`` on every ``Dense`` kernel; at each epoch end the tracker adds the
  penalty it accumulated, divided by the number of samples, to the epoch's loss — exactly the
  term scikit-learn's MLP adds per mini-batch.
* Convergence: after each epoch the training loss (or, with ``early_stopping``, the validation
  score) is compared with the best so far; more than ``n_iter_no_change`` epochs in a row
  without an improvement of at least ``tol`` stop training.

The tracker keeps what it counts in a :class:`Progress`, which the estimator hands in at the
start of a run and copies into its fitted attributes (``n_iter_``, ``loss_curve_``, ...)
afterwards; the tracker never touches the estimator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..callbacks import Callback, Logs, WeightPenalty

__all__ = ["Progress", "Tracker"]


@dataclass
class Progress:
    """What the convergence rule carries from epoch to epoch, and from one ``partial_fit`` to
    the next.

    Attributes:
        n_iter: Epochs of the current run.
        t: Training samples seen since the network was initialised.
        loss: The last epoch's loss (``None`` before the first).
        loss_curve: The loss of every epoch.
        best_loss: The lowest loss (``None`` when the validation score is watched).
        validation_scores: The validation score of every epoch (``None`` without one).
        best_validation_score: The highest validation score (``None`` without one).
        no_improvement_count: Epochs in a row without an improvement of ``tol``.
    """

    n_iter: int = 0
    t: int = 0
    loss: float | None = None
    loss_curve: list[float] = field(default_factory=list)
    best_loss: float | None = np.inf
    validation_scores: list[float] | None = None
    best_validation_score: float | None = None
    no_improvement_count: int = 0

    @classmethod
    def start(cls, *, validation: bool) -> Progress:
        """Return the progress of a new network, watching the validation score or the loss."""
        if validation:
            return cls(best_loss=None, validation_scores=[], best_validation_score=-np.inf)
        return cls()


class Tracker(Callback):
    """Rescale the loss and its gradients, add the L2 penalty to the loss, decide convergence.

    Args:
        progress: Where the counts go; updated in place at every epoch end.
        n_samples: Training samples per epoch.
        loss_scales: ``(value_scale, grad_scale)`` of the loss.
        penalty: The L2 penalty callback, run right after this one.
        tol, n_iter_no_change: The convergence rule.
        score: ``score(epoch)`` returns the validation score after ``epoch``; ``None`` watches
            the training loss instead.
        verbose: Print the loss (and score) of every epoch, as scikit-learn does.
    """

    def __init__(
        self,
        progress: Progress,
        *,
        n_samples: int,
        loss_scales: tuple[float, float],
        penalty: WeightPenalty,
        tol: float,
        n_iter_no_change: float,
        score: Callable[[int], float] | None = None,
        verbose: bool | int = False,
    ) -> None:
        super().__init__()
        self.progress, self.n_samples, self.score = progress, n_samples, score
        self.penalty = penalty
        self.value_scale, self.grad_scale = loss_scales
        self.tol, self.n_iter_no_change, self.verbose = tol, n_iter_no_change, verbose
        self.converged = False
        self.watched = "training loss" if score is None else "validation score"
        self.best_weights: list[NDArray[np.floating]] | None = None

    def on_train_begin(self, logs: Logs) -> None:
        self._grads = [grad for layer in self.model.layers for grad in layer.grads.values()]
        if self.score is not None:
            self.best_weights = self.model.get_weights()

    def on_after_backward(self, batch: int, logs: Logs) -> None:
        if self.grad_scale != 1:
            for grad in self._grads:
                grad *= self.grad_scale

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        p = self.progress
        loss = self.value_scale * float(logs["loss"]) + self.penalty.take_penalty() / self.n_samples
        p.n_iter += 1
        p.t += self.n_samples
        p.loss = loss
        p.loss_curve.append(loss)
        if self.verbose:
            print(f"Iteration {p.n_iter}, loss = {loss:.8f}")
        if self.score is not None:
            score = self.score(p.n_iter)
            p.validation_scores.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            worse = score < p.best_validation_score + self.tol
            if score > p.best_validation_score:
                p.best_validation_score = score
                self.best_weights = self.model.get_weights()
        else:
            worse = loss > p.best_loss - self.tol
            p.best_loss = min(p.best_loss, loss)
        p.no_improvement_count = p.no_improvement_count + 1 if worse else 0
        if p.no_improvement_count > self.n_iter_no_change:
            self.converged = True
            self.model.stop_training = True
            if self.verbose:
                print(
                    f"The {self.watched} did not improve more than tol={self.tol} for "
                    f"{self.n_iter_no_change} consecutive epochs. Stopping."
                )
