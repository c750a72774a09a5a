"""The version of gradlab (one place; ``gradlab.__version__`` and saved models read it)."""

__version__ = "0.1.0"
