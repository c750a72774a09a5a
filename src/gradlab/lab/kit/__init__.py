"""The lab's experiment kit: what several claims use, defined once.

* :mod:`.seeds` — seeds derived from one seed, and summaries over seeds (``spread``);
* :mod:`.data` — the digit data (bundled 8x8 digits, or MNIST from ``--data-dir``);
* :mod:`.fitting` — training that records a divergence as a result, accuracy, small MLP runs;
* :mod:`.probes` — per-layer gradient and activation profiles, finite differences;
* :mod:`.maps` — decision maps of 2-D classifiers, computed and drawn;
* :mod:`.verdicts` — the verdict of a claim made of parts, with its rule as a parameter;
* :mod:`.figures` — pyplot-free figures, the shared colours and per-layer panels.

Networks are built with :func:`gradlab.model.mlp`, the engine's one builder. What only one
claim needs (its own callbacks, constants, a custom activation) stays in that claim's file.
"""
