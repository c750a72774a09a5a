"""The claims, one module per family; importing this package registers all of them.

Every module in this folder is imported, so a new family needs no edit here.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")
