"""The few scikit-learn helpers whose home moved between the versions gradlab supports (>= 1.3)."""

from __future__ import annotations

from typing import Any

__all__ = ["validate_data"]

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data
except ImportError:  # pragma: no cover - scikit-learn 1.3 to 1.5

    def validate_data(  # type: ignore[misc]
        estimator: Any, /, X: Any = "no_validation", y: Any = "no_validation", **kwargs: Any
    ) -> Any:
        """Validate ``X`` (and ``y``) and set ``n_features_in_`` as ``BaseEstimator`` did."""
        return estimator._validate_data(X, y, **kwargs)
