"""A linear network's backward written as a student would (tests/test_against.py): one
linear layer, the mean squared error, rounding as NumPy rounds."""

import numpy as np


def correct(params, x, y):
    x, y = np.atleast_2d(x), np.atleast_2d(y)
    error = 2 * (x @ params["W1"].T + params["b1"] - y) / len(x)
    return {"W1": error.T @ x, "b1": error.sum(axis=0)}
