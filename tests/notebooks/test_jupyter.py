"""gradlab in a fresh Jupyter kernel: figures inline with no magic, progress without widgets or
warnings, one summary, rich displays, and the lazy submodules.

Each test builds a notebook, runs it through a real kernel (nbclient) and inspects what the
kernel sent back, as a learner's browser would receive it.
"""

from __future__ import annotations

import base64

import pytest

from .helpers import execute, nbformat, outputs, problems

CELLS = {
    "setup": (
        "import numpy as np, gradlab\n"
        "X, y = gradlab.datasets.load('xor', n_samples=200, seed=0)\n"
        "model = gradlab.mlp([8], 2, input_dim=2, activation='tanh', seed=0)\n"
        "model.compile(optimizer='adam', loss='cross_entropy', metrics=['accuracy'])"
    ),
    "summary": "model.summary()",
    "fit": "history = model.fit(X, y, epochs=3, batch_size=20, verbose=1)",
    "fit_quiet": "quiet = model.fit(X, y, epochs=2, batch_size=20, verbose=0)",
    "plot": "history.plot()",
    "history": "history",
    "lab": "gradlab.lab.get('C3')",
    "activation": "gradlab.activations.get('sigmoid')",
    "model": "model",
    "snapshot": "gradlab.diagnostics.snapshot(model, X[:64], y[:64])",
    "estimators": "gradlab.estimators.MLPClassifier.__name__",
    "claim_result": "gradlab.lab.get('C2').run('test', seed=0)",
    "reproduce": "gradlab.lab.reproduce('C2,C9', out='report')",
    # After pyplot is imported the kernel's inline backend registers its own PNG formatter for
    # figures: the picture must still appear exactly once.
    "pyplot": "import matplotlib.pyplot as plt\nhistory.plot()",
}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src, metadata={"key": key}) for key, src in CELLS.items()]
    execute(nb, cwd=tmp_path_factory.mktemp("nb"))
    return {cell.metadata["key"]: cell for cell in nb.cells}, nb


def _mimes(cell):
    found = set()
    for out in outputs(cell):
        found |= set(out.get("data", {}))
    return found


def _text(cell):
    parts = []
    for out in outputs(cell):
        parts.append(out.get("text", ""))
        parts.append(out.get("data", {}).get("text/plain", ""))
        parts.append(out.get("data", {}).get("text/html", ""))
    return "\n".join(parts)


def test_no_errors_and_nothing_on_stderr(executed):
    _, nb = executed
    assert problems(nb) == []


def test_history_plot_is_a_png_with_no_magic(executed):
    cells, _ = executed
    [out] = [o for o in outputs(cells["plot"]) if "image/png" in o.get("data", {})]
    png = base64.b64decode(out["data"]["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_fit_shows_progress_once_per_epoch_and_verbose_0_is_silent(executed):
    cells, _ = executed
    text = _text(cells["fit"])
    for epoch in (1, 2, 3):
        assert f"Epoch {epoch}/3" in text
    assert "loss" in text and "ipywidgets" not in text
    assert outputs(cells["fit_quiet"]) == []


def test_summary_prints_once(executed):
    cells, _ = executed
    outs = outputs(cells["summary"])
    assert len(outs) == 1 and outs[0]["output_type"] == "display_data"
    assert "<table>" in outs[0]["data"]["text/html"]
    assert outs[0]["data"]["text/plain"].count("Trainable params") == 1
    assert "execute_result" not in {o["output_type"] for o in outs}


def test_history_shows_a_table_and_curves(executed):
    cells, _ = executed
    html = outputs(cells["history"])[0]["data"]["text/html"]
    assert "<table>" in html and "accuracy" in html and "data:image/png;base64," in html
    assert "History(3 epochs" in outputs(cells["history"])[0]["data"]["text/plain"]


def test_claim_activation_model_and_snapshot_have_rich_displays(executed):
    cells, _ = executed
    assert "Vanishing gradients" in outputs(cells["lab"])[0]["data"]["text/markdown"]
    md = outputs(cells["activation"])[0]["data"]["text/markdown"]
    assert "$$\\sigma(x)" in md and "0.25" in md and "data:image/png" in md
    assert "Trainable params" in outputs(cells["model"])[0]["data"]["text/html"]
    snap = outputs(cells["snapshot"])[0]["data"]
    assert "dead units" in snap["text/html"] and snap["text/html"].count("<tr>") == 3


def test_lazy_submodules_after_import_gradlab(executed):
    cells, _ = executed
    assert "'MLPClassifier'" in outputs(cells["estimators"])[0]["data"]["text/plain"]


def test_figure_appears_once_when_pyplot_is_imported(executed):
    cells, _ = executed
    pngs = [o for o in outputs(cells["pyplot"]) if "image/png" in o.get("data", {})]
    assert len(pngs) == 1


def test_reproduce_shows_progress_and_a_table_of_verdicts(executed):
    cells, _ = executed
    outs = outputs(cells["reproduce"])
    progress = [o for o in outs if o["output_type"] == "display_data"]
    assert progress and "units  2/2" in progress[-1]["data"]["text/plain"]
    [result] = [o for o in outs if o["output_type"] == "execute_result"]
    html = result["data"]["text/html"]
    assert "C2" in html and "C9" in html and "badge" in html


def test_claim_result_shows_badge_reason_numbers_and_figures(executed):
    cells, _ = executed
    html = outputs(cells["claim_result"])[0]["data"]["text/html"]
    assert "confirmed" in html and "badge" in html
    assert "sigmoid_derivative_max" in html and "data:image/png;base64," in html
