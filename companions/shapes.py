"""The shapes the article's functions accept: theta, X and y checked to fit together.

cost_function, gradient and gradient_vectorized in ann.py call checked_labels first, so that a
wrong shape is a ValueError that says which argument and what was expected, never a silent
numpy broadcast into a wrong cost.
"""
import numpy as np


def checked_labels(theta, input_layer_size, hidden_layer_size, num_labels, X, y):
    """y as (m,) labels, after checking that theta (flat), X (m, n) and y fit together. The
    article's y is (m, 1); (m,) works too, with the same result to the last bit."""
    size = hidden_layer_size * (input_layer_size + 1) + num_labels * (hidden_layer_size + 1)
    if np.shape(theta) != (size,):
        raise ValueError(f"theta has shape {np.shape(theta)}; a {input_layer_size} - "
                         f"{hidden_layer_size} - {num_labels} network has ({size},)")
    if np.ndim(X) != 2 or np.shape(X)[1] != input_layer_size:
        raise ValueError(f"X has shape {np.shape(X)}; expected (m, {input_layer_size}), "
                         "one image a row, without the bias column")
    if np.shape(y) not in ((len(X),), (len(X), 1)):
        raise ValueError(f"y has shape {np.shape(y)}; expected ({len(X)},) or ({len(X)}, 1), "
                         "one label per row of X")
    return np.reshape(y, -1)
