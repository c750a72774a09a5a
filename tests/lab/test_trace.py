"""``gradlab.lab.trace``: the step-by-step pass against PyTorch autograd (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from gradlab.lab import trace

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    ("hidden", "output", "loss"),
    [
        ("sigmoid", "identity", "mse"),
        ("tanh", "softmax", "cross_entropy"),
        ("elu", "softmax", "mse"),
    ],
)
def test_matches_torch_autograd(hidden, output, loss):
    rng = np.random.default_rng(0)
    weights, biases = trace.random_network([3, 5, 4, 3], seed=1)
    x = rng.normal(size=(4, 3))
    target = np.eye(3)[[0, 2, 1, 2]]
    tr = trace.run(x, weights, biases, hidden=hidden, output=output, loss=loss, target=target)

    params = [
        torch.tensor(p, requires_grad=True) for wb in zip(weights, biases, strict=True) for p in wb
    ]
    h = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "elu": torch.nn.functional.elu}[hidden]
    z = torch.tensor(x)
    activations = []
    for i in range(3):
        a = z @ params[2 * i] + params[2 * i + 1]
        a.retain_grad()
        z = (torch.softmax(a, 1) if output == "softmax" else a) if i == 2 else h(a)
        activations.append(a)
    t = torch.tensor(target)
    value = ((z - t) ** 2).mean() if loss == "mse" else -(t * torch.log(z)).sum() / len(x)
    value.backward()

    assert tr.loss_value == pytest.approx(value.item(), rel=1e-14)
    np.testing.assert_allclose(tr.y, z.detach().numpy(), rtol=1e-14, atol=1e-15)
    for i in range(3):
        np.testing.assert_allclose(tr.dA[i], activations[i].grad.numpy(), atol=1e-15)
        np.testing.assert_allclose(tr.dW[i], params[2 * i].grad.numpy(), atol=1e-15)
        np.testing.assert_allclose(tr.dB[i], params[2 * i + 1].grad.numpy(), atol=1e-15)


def test_check_and_rows_of_the_article_network():
    weights, biases = trace.article_network()
    tr = trace.run([1.0, 0.5], weights, biases)
    np.testing.assert_allclose(tr.y[0], trace.ARTICLE_OUTPUT, atol=5e-9)
    result = trace.check(tr)
    assert result["forward_max_abs_diff"] == 0.0 and result["backward_max_abs_diff"] < 1e-16
    assert result["gradcheck_max_rel_error"] < 1e-8
    assert len(trace.forward_rows(tr)) == 1 + 4 * 3 and len(trace.backward_rows(tr)) == 4 * 3 + 1
    assert trace.format_matrix([[-0.0, 1.5]]) == "[0, 1.5]"
    assert trace.format_matrix([[1, 10], [2, 3]], row_sep="\n") == " 1  10\n 2   3"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"output": "relu"}, "output must be one of"),
        ({"loss": "hinge"}, "loss must be one of"),
        ({"loss": "cross_entropy"}, "needs the softmax output"),
        ({"hidden": "softmax"}, "must be elementwise"),
    ],
)
def test_run_rejects_bad_arguments(kwargs, message):
    weights, biases = trace.article_network()
    with pytest.raises(ValueError, match=message):
        trace.run([1.0, 0.5], weights, biases, **kwargs)


def test_run_rejects_mismatched_shapes():
    weights, biases = trace.article_network()
    with pytest.raises(ValueError, match="layer 2: W must be"):
        trace.run([1.0, 0.5], weights, [biases[0], biases[0], biases[2]])
