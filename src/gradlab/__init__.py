"""gradlab: learn, check and show how neural networks learn.

The engine is NumPy; PyTorch is the test oracle. Start with :mod:`gradlab.activations`.
"""

from __future__ import annotations

from . import activations

__all__ = ["__version__", "activations"]
__version__ = "0.1.0"
