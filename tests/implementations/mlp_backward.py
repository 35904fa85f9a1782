"""A hand-written NumPy backward() for a sigmoid MLP with squared error (mean over the batch),
and five copies with one classic bug each: what ``check --against`` must catch and name."""

import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _backward(params, x, y, *, bug=None):
    x, y = np.atleast_2d(x), np.atleast_2d(y)
    n = len(x)
    z1 = x @ params["W1"].T + params["b1"]
    a1 = _sigmoid(z1)
    z2 = a1 @ params["W2"].T + params["b2"]
    yhat = _sigmoid(z2)
    dl = -2 * (y - yhat) / (1 if bug == "mean" else n)
    if bug == "sign":
        dl = -dl
    d2 = dl * (1.0 if bug == "sigma_prime" else yhat * (1 - yhat))
    w2 = params["W2"].T if bug == "transpose" else params["W2"]
    d1 = (d2 @ w2) * a1 * (1 - a1)
    grads = {"W2": d2.T @ a1, "b2": d2.sum(axis=0), "W1": d1.T @ x, "b1": d1.sum(axis=0)}
    if bug == "layer":
        grads["W1"] = d2.T @ x
    return grads


def correct(params, x, y):
    return _backward(params, x, y)


def missing_sigma_prime(params, x, y):
    return _backward(params, x, y, bug="sigma_prime")


def transposed_weight(params, x, y):
    return _backward(params, x, y, bug="transpose")


def flipped_sign(params, x, y):
    return _backward(params, x, y, bug="sign")


def missing_mean(params, x, y):
    return _backward(params, x, y, bug="mean")


def wrong_layer_delta(params, x, y):
    return _backward(params, x, y, bug="layer")


# Unusable returns and endings, as a first attempt may produce them (tests/test_against.py).
def calls_exit(params, x, y):
    raise SystemExit(3)


def returns_text(params, x, y):
    return {name: "0.5" + "x" for name in params}


def returns_objects(params, x, y):
    return {name: np.array([object()]) for name in params}


def returns_complex(params, x, y):
    return {name: value * 0 + 1j for name, value in correct(params, x, y).items()}


def returns_nan(params, x, y):
    return {name: value * np.nan for name, value in correct(params, x, y).items()}


def returns_zeros(params, x, y):
    return {name: np.zeros_like(value) for name, value in params.items()}


def returns_ragged(params, x, y):
    return {**correct(params, x, y), "W2": [[1.0, 2.0], [3.0]]}


def returns_huge_int(params, x, y):
    return {**correct(params, x, y), "b2": [10 ** 400]}


class _Unreadable:
    """An array-like whose conversion fails (a lazy tensor whose computation raises)."""

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("device lost")

    def __str__(self):
        raise RuntimeError("no text either")


def returns_unreadable(params, x, y):
    return {name: _Unreadable() for name in params}


class Failed(BaseException):
    """What pytest.fail raises: a BaseException, no Exception."""


def fails_like_pytest(params, x, y):
    raise Failed("the user's own assertion")


def raises_two_lines(params, x, y):
    raise ValueError("first line\nsecond line")
