"""
ann.py: an artificial neural network, written from scratch with numpy, that learns to classify
32 x 32 grayscale images of galaxies as Elliptical (0), Spiral (1) or Irregular (2).

It accompanies the article "Create Your Own Artificial Neural Network for Multi-class
Classification (With Python)" by Philip Mocz (2023), and follows it section by section:
the sigmoid activation g and its derivative, the feedforward pass and prediction, the
cross-entropy cost with regularization, backpropagation, and training with scipy's nonlinear
conjugate gradient method (fmin_cg) while a figure shows the network learning.

The network has three layers: an input layer of 1024 pixels, a hidden layer of 8 units and an
output layer of 3 units, one per class. A bias unit of 1 is prepended to the input and to the
hidden layer.

Data: train.csv and test.csv next to this file, one galaxy a row: the label (0, 1 or 2), then
the 1024 gray levels (0..255) of the 32 x 32 image in row-major order, no header.

Run:
    python ann.py              # the article's run: trains for 600 iterations, live figure
    python ann.py --help       # all the options
"""

import argparse
import math
import os
import signal
import sys
import tempfile
import time

import numpy as np
from scipy.optimize import fmin_cg

# ---- The article's settings: the command-line options default to the first four --------------
SEED = 917               # random seed for the initial weights
HIDDEN_LAYER_SIZE = 8    # units in the hidden layer
LMBDA = 1.0              # regularization strength lambda ("lambda" is a Python keyword)
MAXITER = 600            # iterations of nonlinear conjugate gradient
INIT_RANGE = 0.2         # initial weights are drawn uniformly from [-0.2, 0.2)
HERE = os.path.dirname(os.path.abspath(__file__))    # the data sit next to this file,
TRAIN_CSV = os.path.join(HERE, "train.csv")          # 2700 galaxies, 900 of each class
TEST_CSV = os.path.join(HERE, "test.csv")            # 675 galaxies, 225 of each class
CLASS_NAMES = ("Elliptical", "Spiral", "Irregular")  # labels 0, 1, 2


# ================================================================================================
# The network (article sections 2-5). Pure functions: no printing, no plotting, no state.
#
# Shapes: m examples, n = 1024 pixels (input_layer_size), h hidden units (hidden_layer_size),
# K classes (num_labels). Each example is a row, so the article's a1 = [1, x] is a row of a1.
# ================================================================================================

def g(x):
    """The sigmoid activation g(x) = 1 / (1 + e^-x), elementwise; values in (0, 1)."""
    # e^-x overflows a float for x < -709. Raising x to at least -500 avoids that (and numpy's
    # overflow warning) and changes nothing that matters: g(-500) is about 1e-217 instead of
    # something smaller still. Large positive x is harmless: e^-x just becomes 0, and g(x) 1.
    return 1.0 / (1.0 + np.exp(-np.maximum(x, -500.0)))


def grad_g(x):
    """The derivative of the sigmoid, g'(x) = g(x) (1 - g(x)), elementwise."""
    gx = g(x)
    return gx * (1.0 - gx)


def add_bias(X):
    """Prepend a bias unit of 1 to every example: X (m, n) -> (m, n + 1)."""
    return np.hstack((np.ones((X.shape[0], 1)), X))


def feedforward(Theta1, Theta2, a1):
    """The forward pass for all m examples at once (article section 3).

    Theta1 (h, n + 1), Theta2 (K, h + 1), a1 (m, n + 1): the inputs with their bias column.
    Returns z2 (m, h), a2 (m, h + 1), z3 (m, K) and the outputs a3 = h_Theta(x) (m, K).
    """
    z2 = a1 @ Theta1.T              # (m, h)
    a2 = add_bias(g(z2))            # (m, h + 1)
    z3 = a2 @ Theta2.T              # (m, K)
    a3 = g(z3)                      # (m, K)
    return z2, a2, z3, a3


def predict(Theta1, Theta2, X):
    """The predicted class of each example: the index of its largest output.

    X (m, n) pixels scaled to [0, 1]; returns (m,) integers in 0..K-1.
    """
    a3 = feedforward(Theta1, Theta2, add_bias(X))[3]
    return np.argmax(a3, axis=1)


def reshape(theta, input_layer_size, hidden_layer_size, num_labels):
    """Unroll the flat weight vector theta into Theta1 (h, n + 1) and Theta2 (K, h + 1).

    The optimizer works with one vector, the network with two matrices (article section 4).
    """
    split = hidden_layer_size * (input_layer_size + 1)
    Theta1 = theta[:split].reshape(hidden_layer_size, input_layer_size + 1)
    Theta2 = theta[split:].reshape(num_labels, hidden_layer_size + 1)
    return Theta1, Theta2


def one_hot(y, num_labels):
    """Labels y (m,) as one-hot rows Y (m, K): a single 1 in the place of the class."""
    return (y[:, None] == np.arange(num_labels)).astype(float)


def cross_entropy(z3, y):
    """The first term of the cost: -y log(h) - (1 - y) log(1 - h), summed over the K classes
    and averaged over the m examples, with h = g(z3). z3 (m, K), y (m,) integer labels."""
    Y = one_hot(y, z3.shape[1])
    h = g(z3)
    # Where an output h is within about 1e-7 of 1 (z3 >= 16), 1 - h keeps few correct digits,
    # and once h rounds to 1, log(1 - h) = log(0) = -infinity. There the identity
    # log(1 - g(z)) = -log(1 + e^z) takes over, which np.logaddexp(0, z) computes without
    # overflow. Elsewhere this is the article's formula to the last bit. (log h needs no such
    # care: h never rounds to 0, see g.)
    log_1_minus_h = -np.logaddexp(0, z3)
    np.log(1 - h, out=log_1_minus_h, where=z3 < 16)
    return np.sum(-Y * np.log(h) - (1 - Y) * log_1_minus_h) / len(y)


def regularization(Theta1, Theta2, lmbda, m):
    """The second term of the cost: lambda / 2m times the squares of all non-bias weights."""
    return lmbda / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))


def cost_function(theta, input_layer_size, hidden_layer_size, num_labels, a1, y, lmbda):
    """The cost J(Theta) of article section 4: cross-entropy plus regularization.

    theta: flat weights; a1 (m, n + 1): inputs with their bias column; y (m,) labels 0..K-1.
    """
    Theta1, Theta2 = reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    z3 = feedforward(Theta1, Theta2, a1)[2]
    return cross_entropy(z3, y) + regularization(Theta1, Theta2, lmbda, len(y))


def gradient(theta, input_layer_size, hidden_layer_size, num_labels, a1, y, lmbda):
    """The gradient of J by backpropagation, one example at a time (article section 5).

    Same arguments as cost_function; returns the flat gradient, shaped like theta.
    """
    Theta1, Theta2 = reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    m = len(y)
    Y = one_hot(y, num_labels)                     # (m, K)
    Delta1 = np.zeros_like(Theta1)                 # (h, n + 1)
    Delta2 = np.zeros_like(Theta2)                 # (K, h + 1)
    Theta2_T = Theta2[:, 1:].T                     # (h, K): Theta2 without its bias column
    a2 = np.ones(hidden_layer_size + 1)            # (h + 1,): a2[0] is the bias unit, always 1
    for i in range(m):
        # forward pass for example i; a1[i] already starts with its bias unit
        z2 = Theta1 @ a1[i]                        # (h,)
        a2[1:] = g(z2)                             # (h + 1,)
        a3 = g(Theta2 @ a2)                        # (K,)
        # backward pass: the errors of the output and hidden layers
        delta3 = a3 - Y[i]                         # (K,)
        delta2 = (Theta2_T @ delta3) * grad_g(z2)  # (h,)
        # accumulate the gradient: Delta += delta a^T
        Delta2 += np.outer(delta3, a2)             # (K, h + 1)
        Delta1 += np.outer(delta2, a1[i])          # (h, n + 1)
    return regularized_gradient(Delta1, Delta2, Theta1, Theta2, lmbda, m)


def gradient_vectorized(theta, input_layer_size, hidden_layer_size, num_labels, a1, y, lmbda):
    """The same gradient as gradient(), for all examples at once with matrix products.

    Each line is the loop's line with the examples stacked as rows, and the sum over examples
    that the loop accumulates done by one matrix product.
    """
    Theta1, Theta2 = reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    m = len(y)
    z2, a2, _, a3 = feedforward(Theta1, Theta2, a1)
    delta3 = a3 - one_hot(y, num_labels)                  # (m, K)
    delta2 = (delta3 @ Theta2[:, 1:]) * grad_g(z2)        # (m, h)
    Delta2 = delta3.T @ a2                                # (K, h + 1)
    Delta1 = delta2.T @ a1                                # (h, n + 1)
    return regularized_gradient(Delta1, Delta2, Theta1, Theta2, lmbda, m)


def regularized_gradient(Delta1, Delta2, Theta1, Theta2, lmbda, m):
    """Divide the accumulated Delta1 (h, n + 1) and Delta2 (K, h + 1) by m and add
    (lambda / m) Theta to every non-bias column. Returns the flat gradient, ordered like theta.
    """
    grad1 = Delta1 / m
    grad2 = Delta2 / m
    grad1[:, 1:] += lmbda / m * Theta1[:, 1:]
    grad2[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((grad1.ravel(), grad2.ravel()))


def initial_weights(input_layer_size, hidden_layer_size, num_labels, seed):
    """Weights drawn uniformly from [-INIT_RANGE, INIT_RANGE) = [-0.2, 0.2), Theta1 (h, n + 1)
    first, then Theta2 (K, h + 1), returned flat: theta of h (n + 1) + K (h + 1) numbers."""
    # RandomState(seed) draws the same numbers as np.random.seed(seed); np.random.rand(...),
    # without touching numpy's global random state.
    rng = np.random.RandomState(seed)
    Theta1 = rng.rand(hidden_layer_size, input_layer_size + 1) * 2 * INIT_RANGE - INIT_RANGE
    Theta2 = rng.rand(num_labels, hidden_layer_size + 1) * 2 * INIT_RANGE - INIT_RANGE
    return np.concatenate((Theta1.ravel(), Theta2.ravel()))


# ================================================================================================
# Checking the gradient with finite differences (article section 5)
# ================================================================================================

def numerical_gradient(cost, theta, eps=1e-4):
    """Central finite differences: (J(theta + eps e_j) - J(theta - eps e_j)) / 2 eps for each j.

    Simple and general, but it costs two cost evaluations per weight: fine for checking a
    small network, far too slow to train one.
    """
    grad = np.zeros_like(theta)
    step = np.zeros_like(theta)
    for j in range(len(theta)):
        step[j] = eps
        grad[j] = (cost(theta + step) - cost(theta - step)) / (2 * eps)
        step[j] = 0.0
    return grad


def check_gradients(report=print):
    """Compare both backpropagation gradients with finite differences on a small network.

    A network of 16 inputs, 5 hidden units and 3 classes, with fixed weights and 10 examples.
    Prints a few entries side by side and the relative difference
    |backprop - numerical| / |backprop + numerical|, which should be below 1e-9.
    Returns True when both gradients pass.
    """
    rng = np.random.RandomState(0)
    sizes = (16, 5, 3)
    theta = initial_weights(*sizes, seed=1) * 5          # larger weights: a sterner test
    a1 = add_bias(rng.rand(10, sizes[0]))
    y = np.arange(10) % sizes[2]
    lmbda = 3.0
    numerical = numerical_gradient(
        lambda t: cost_function(t, *sizes, a1, y, lmbda), theta)
    passed = True
    for name, backprop in (("gradient", gradient), ("gradient_vectorized", gradient_vectorized)):
        grad = backprop(theta, *sizes, a1, y, lmbda)
        difference = np.linalg.norm(grad - numerical) / np.linalg.norm(grad + numerical)
        ok = bool(difference < 1e-9)
        passed = passed and ok
        report(f"{name}: a few entries, by backpropagation and by finite differences")
        report(f"  {'':10s}  {'backprop':>14s}  {'numerical':>14s}")
        for j in np.linspace(0, len(theta) - 1, 6).astype(int):
            report(f"  theta[{j:3d}]  {grad[j]:14.10f}  {numerical[j]:14.10f}")
        report(f"  relative difference {difference:.2e} (expect below 1e-9): "
               f"{'OK' if ok else 'FAILED'}")
    return passed


# ================================================================================================
# Data: the CSV format, read with validation
# ================================================================================================

class DataError(Exception):
    """A problem with the user's input, reported as one line without a traceback."""


def load_data(path, notes=None, num_labels=None):
    """Read a CSV of labelled images: each row a label, then the image's gray levels 0..255.

    Returns X (m, n) with the pixels scaled to [0, 1] (article section 6) and y (m,) integer
    labels. Blank lines are skipped; a first line that is not numbers is skipped as a header,
    with a note appended to `notes`. Anything else that does not fit raises DataError, naming
    the file, the row and the column.
    """
    try:
        with open(path, encoding="utf-8-sig") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a CSV file") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not a text file (expected a CSV of numbers)") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read it ({e.strerror})") from None
    rows = [(number, line) for number, line in enumerate(lines, 1) if line.strip()]
    if not rows:
        raise DataError(f"{path}: the file is empty (expected one galaxy a row)")
    first_cell = rows[0][1].split(",")[0].strip()
    if not _is_number(first_cell):
        if notes is not None:
            notes.append(f"note: {path}: skipped line {rows[0][0]}, a header "
                         "(the format has none: each row is a label, then the pixels)")
        rows = rows[1:]
        if not rows:
            raise DataError(f"{path}: has a header line but no data")
    width = len(rows[0][1].split(","))
    if width < 2:
        raise DataError(f"{path}: row {rows[0][0]} has one value; expected a label, then pixels")
    data = np.empty((len(rows), width))
    for r, (number, line) in enumerate(rows):
        cells = line.split(",")
        if len(cells) != width:
            raise DataError(f"{path}: row {number} has {len(cells)} values, but row "
                            f"{rows[0][0]} has {width}; every row must have the same length")
        try:
            data[r] = cells
        except ValueError:
            column = next(c for c, cell in enumerate(cells, 1) if not _is_number(cell))
            raise DataError(f"{path}: row {number}, column {column}: "
                            f"{cells[column - 1].strip()!r} is not a number") from None
    bad = ~np.isfinite(data)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataError(f"{path}: row {rows[r][0]}, column {c + 1}: {data[r, c]} "
                        "(expected a finite number)")
    labels = data[:, 0]
    bad = (labels != np.round(labels)) | (labels < 0) | (labels > 2 ** 31)
    if bad.any():
        r = np.flatnonzero(bad)[0]
        raise DataError(f"{path}: row {rows[r][0]}, column 1: label {labels[r]:g} "
                        "(expected a whole number 0, 1, 2, ...)")
    if num_labels is not None and (labels >= num_labels).any():
        r = np.flatnonzero(labels >= num_labels)[0]
        raise DataError(f"{path}: row {rows[r][0]}, column 1: label {labels[r]:g}, but the "
                        f"training set's classes are 0..{num_labels - 1}")
    pixels = data[:, 1:]
    bad = (pixels < 0) | (pixels > 255)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataError(f"{path}: row {rows[r][0]}, column {c + 2}: pixel value "
                        f"{pixels[r, c]:g} (expected gray levels 0..255)")
    side = math.isqrt(pixels.shape[1])
    if side * side != pixels.shape[1]:
        raise DataError(f"{path}: {pixels.shape[1]} pixels a row, which is not a square "
                        "image (32 x 32 = 1024 expected)")
    return pixels / 255.0, labels.astype(int)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_data(train_path, X_train, y_train, test_path, X_test):
    """Check that the training and test sets fit together; returns the number of classes K.
    (load_data has checked the test labels against the training set's classes.)"""
    if X_test.shape[1] != X_train.shape[1]:
        raise DataError(f"{test_path}: {X_test.shape[1]} pixels a row, but {train_path} has "
                        f"{X_train.shape[1]}; both sets must hold images of one size")
    num_labels = int(y_train.max()) + 1
    if num_labels < 2:
        raise DataError(f"{train_path}: every label is 0; at least two classes are needed")
    present = set(y_train.tolist())
    missing = next((k for k in range(num_labels) if k not in present), None)
    if missing is not None:
        raise DataError(f"{train_path}: no example of class {missing} (labels must be "
                        f"0..{num_labels - 1}, each with at least one example)")
    return num_labels


# ================================================================================================
# Training (article section 6)
# ================================================================================================

class StopTraining(Exception):
    """Raised by the callback to end fmin_cg early (window closed, Ctrl-C)."""


class Training:
    """What the callback keeps as training runs: the cost and accuracy history and the weights
    with the lowest test cost so far. fmin_cg calls it once per iteration with the weights.

    The weights kept are those with the lowest *test* cost, as in the article. The test set thus
    helps choose the model, so the test accuracy of the kept weights is a little optimistic:
    a careful study would choose on a third, validation set.
    """

    def __init__(self, sizes, lmbda, train_set, test_set, report=print, on_iteration=None):
        self.sizes = sizes                     # (input_layer_size, hidden_layer_size, num_labels)
        self.lmbda = lmbda
        self.train_set = train_set             # (a1 (m, n + 1), y (m,))
        self.test_set = test_set
        self.report = report                   # where the one-line progress goes
        self.on_iteration = on_iteration       # e.g. the figure update: f(training, theta, pred)
        self.iteration = 0
        self.J_train, self.J_test, self.acc_train, self.acc_test = [], [], [], []
        self.best_theta, self.best_iteration = None, None
        self.stop_reason = None                # set by a signal handler or window close

    def evaluate(self, theta, a1, y):
        """Cost J, accuracy and predictions (m,) of weights theta on one data set, a1 (m, n + 1)
        and y (m,), from one forward pass."""
        Theta1, Theta2 = reshape(theta, *self.sizes)
        z3 = feedforward(Theta1, Theta2, a1)[2]
        J = cross_entropy(z3, y) + regularization(Theta1, Theta2, self.lmbda, len(y))
        prediction = np.argmax(z3, axis=1)    # the largest z3 is the largest output g(z3)
        return J, np.mean(prediction == y), prediction

    def __call__(self, theta):
        """Record the weights after an iteration (iteration 0: the initial weights)."""
        J_train, acc_train, prediction = self.evaluate(theta, *self.train_set)
        J_test, acc_test, _ = self.evaluate(theta, *self.test_set)
        self.J_train.append(J_train)
        self.J_test.append(J_test)
        self.acc_train.append(acc_train)
        self.acc_test.append(acc_test)
        if J_test <= min(self.J_test):
            self.best_theta, self.best_iteration = theta.copy(), self.iteration
        label = "initial" if self.iteration == 0 else f"iter={self.iteration:3d}"
        self.report(f"{label}:  Jtrain= {J_train:.4f} acc= {100 * acc_train:5.2f}%  |  "
                    f"Jtest= {J_test:.4f} acc= {100 * acc_test:5.2f}%")
        if self.on_iteration is not None:
            self.on_iteration(self, theta, prediction)
        self.iteration += 1
        if self.stop_reason is not None:
            raise StopTraining(self.stop_reason)


def train(training, theta0, maxiter, vectorized=False):
    """Minimize the cost with nonlinear conjugate gradient, starting from theta0.

    `training` (a Training) records every iteration. Returns the reason training ended.
    """
    backprop = gradient_vectorized if vectorized else gradient
    args = (*training.sizes, *training.train_set, training.lmbda)
    try:
        training(theta0)
        _, _, _, _, warnflag = fmin_cg(cost_function, theta0, fprime=backprop, args=args,
                                       maxiter=maxiter, callback=training, disp=False,
                                       full_output=True)
    except StopTraining as stop:
        return str(stop)
    return {0: "converged", 1: "reached --maxiter",
            2: "stopped: the line search made no progress"}.get(warnflag, "stopped")


# ================================================================================================
# The figure (article section 9): sample galaxies with predictions, the hidden units, the costs.
# Built once; each iteration only its data change.
# ================================================================================================

def class_letters(num_labels):
    """E, S, I for the three galaxy classes; the class numbers for other data."""
    if num_labels == len(CLASS_NAMES):
        return [name[0] for name in CLASS_NAMES]
    return [str(k) for k in range(num_labels)]


def sample_indices(y, num_labels, per_class, step):
    """per_class examples of each class, chosen by label and moving on with each step, so the
    grid rotates through the whole data set: not a random sample as in the article, so that a
    run can be repeated exactly and every galaxy comes round. Returns (K, per_class) row
    indices into y; -1 where a class has no example (a test set may lack one)."""
    chosen = np.full((num_labels, per_class), -1)
    for k in range(num_labels):
        rows = np.flatnonzero(y == k)
        if len(rows):
            chosen[k] = rows[(step * per_class + np.arange(per_class)) % len(rows)]
    return chosen


def montage(images, columns, pad, fill, group=1, group_pad=0):
    """Tile images (N, side, side) into one array, `columns` to a row, `pad` pixels apart, with
    `group_pad` more between every `group` columns. Returns the array and the (row, column)
    pixel of each tile's top-left corner."""
    count, side = len(images), images.shape[1]
    rows = math.ceil(count / columns)
    corners = [(r * (side + pad), c * (side + pad) + (c // group) * group_pad)
               for r, c in (divmod(j, columns) for j in range(count))]
    height = rows * (side + pad) - pad
    width = columns * (side + pad) - pad + (columns - 1) // group * group_pad
    tiled = np.full((height, width), fill, dtype=float)
    for (top, left), image in zip(corners, images):
        tiled[top:top + side, left:left + side] = image
    return tiled, corners


class LiveFigure:
    """The training figure, built once: sample galaxies (3 rows, 2 columns per class) with each
    one's predicted class letter, blue and ticked when right, red when wrong; the hidden units'
    weights as images; the train and test cost against iteration. update() changes only the
    data of what is drawn (image pixels, texts, line data), so redrawing is cheap."""

    grid_rows, columns_per_class = 3, 2

    def __init__(self, X, y, num_labels, hidden_layer_size, maxiter):
        import matplotlib.pyplot as plt
        self.X, self.y, self.num_labels = X, y, num_labels
        self.side = side = math.isqrt(X.shape[1])
        self.letters = class_letters(num_labels)
        self.per_class = self.grid_rows * self.columns_per_class
        self.pad = max(1, side // 8)
        self.grid_columns = num_labels * self.columns_per_class
        self.unit_columns = min(hidden_layer_size, 2 * self.grid_columns)
        blank = np.zeros((self.grid_rows * self.grid_columns, side, side))
        galaxies, self.corners = montage(blank, self.grid_columns, self.pad, 1.0,
                                         self.columns_per_class, 2 * self.pad)
        units, self.unit_corners = montage(np.zeros((hidden_layer_size, side, side)),
                                           self.unit_columns, self.pad, np.nan)

        # Layout in inches, from the sizes of the two montages: a unit is drawn no larger than
        # a galaxy, and the cost plot below has a fixed height.
        width, margin = 8.0, 0.35
        scale = (width - 2 * margin) / galaxies.shape[1]                # inches per pixel
        unit_scale = min(scale, (width - 2 * margin) / units.shape[1])
        heights = [0.55, 0.3, galaxies.shape[0] * scale, 0.35, units.shape[0] * unit_scale,
                   0.55, 2.4, 0.6]   # title, class names, galaxies, label, units, gap, costs
        height = sum(heights)
        self.fig = plt.figure(figsize=(width, height))

        def axes_at(row, w, left):            # an axes filling row `row` of `heights`
            bottom = height - sum(heights[:row + 1])
            return self.fig.add_axes((left / width, bottom / height, w / width,
                                      heights[row] / height))

        self.title = self.fig.suptitle("", y=1 - 0.2 / height, fontsize=11)
        self.galaxy_ax = axes_at(2, width - 2 * margin, margin)
        self.galaxy_image = self.galaxy_ax.imshow(galaxies, cmap="gray", vmin=0, vmax=1,
                                                  interpolation="nearest")
        self.galaxy_ax.set_axis_off()
        self.texts = [self.galaxy_ax.text(left + 1, top + 1, "", va="top", ha="left",
                                          fontsize=12, fontweight="bold")
                      for top, left in self.corners]
        for k in range(num_labels):
            top, left = self.corners[k * self.columns_per_class]
            self.galaxy_ax.text(left, top - 1.5, f"true: {self.class_name(k)}", va="bottom",
                                ha="left", fontsize=10)

        # What the hidden units see: each row of Theta1 without its bias is an image, scaled by
        # its largest weight so that white is 0. Red pixels have positive weights: light (sky)
        # there excites the unit. Blue pixels have negative weights: dark (galaxy) there
        # excites it, since the images are inverted.
        units_width = units.shape[1] * unit_scale
        self.units_ax = axes_at(4, units_width, (width - units_width) / 2)
        self.units_image = self.units_ax.imshow(units, cmap="RdBu_r", vmin=-1, vmax=1,
                                                interpolation="nearest")
        self.units_ax.set_axis_off()
        self.units_ax.set_title("what the hidden units see: Theta1's weights "
                                "(red +, blue -, white 0)", fontsize=9)

        self.cost_ax = axes_at(6, width - 1.0, 0.8)
        self.train_line, = self.cost_ax.plot([], [], color="tab:blue", label="train")
        self.test_line, = self.cost_ax.plot([], [], color="tab:red", label="test")
        self.best_marker, = self.cost_ax.plot([], [], "o", color="tab:red", mfc="none",
                                              label="lowest test cost")
        self.cost_ax.set_xlim(0, maxiter)
        self.cost_ax.set_xlabel("iteration")
        self.cost_ax.set_ylabel("cost J")
        self.cost_ax.legend(loc="upper right", fontsize=9)
        # what update() changes; draw() redraws just these over a saved background
        self.changing = [self.title, self.galaxy_image, *self.texts, self.units_image,
                         self.train_line, self.test_line, self.best_marker]
        self.background = None

    def class_name(self, k):
        return CLASS_NAMES[k] if self.num_labels == len(CLASS_NAMES) else f"class {k}"

    def update(self, training, theta, prediction, step=None):
        """Show the galaxies of this step with the predictions (m,) of weights theta, the hidden
        units of theta, and the cost history so far."""
        step = training.iteration if step is None else step
        chosen = sample_indices(self.y, self.num_labels, self.per_class, step)
        galaxies = self.galaxy_image.get_array()
        for j, ((top, left), text) in enumerate(zip(self.corners, self.texts)):
            r, c = divmod(j, self.grid_columns)
            k, column = divmod(c, self.columns_per_class)
            i = chosen[k, r * self.columns_per_class + column]
            if i < 0:                                 # no galaxy of this class: a blank tile
                galaxies[top:top + self.side, left:left + self.side] = 1.0
                text.set_text("")
                continue
            galaxies[top:top + self.side, left:left + self.side] = \
                self.X[i].reshape(self.side, self.side)
            right = prediction[i] == self.y[i]
            text.set_text(self.letters[prediction[i]] + (" \u2713" if right else ""))
            text.set_color("tab:blue" if right else "tab:red")
        self.galaxy_image.set_data(galaxies)

        Theta1 = reshape(theta, *training.sizes)[0]
        units = self.units_image.get_array()
        for (top, left), weights in zip(self.unit_corners, Theta1[:, 1:]):
            largest = np.abs(weights).max() or 1.0
            units[top:top + self.side, left:left + self.side] = \
                weights.reshape(self.side, self.side) / largest
        self.units_image.set_data(units)

        iterations = np.arange(len(training.J_train))
        self.train_line.set_data(iterations, training.J_train)
        self.test_line.set_data(iterations, training.J_test)
        best = training.best_iteration
        self.best_marker.set_data([best], [training.J_test[best]])
        low = min(min(training.J_train), min(training.J_test))
        high = max(max(training.J_train), max(training.J_test))
        bottom, top = self.cost_ax.get_ylim()
        if len(iterations) == 1 or low < bottom or high > top:
            # New limits mean new tick labels and a full redraw, so leave room for the costs to
            # fall (they start near their highest) and the redraws stay few.
            self.cost_ax.set_ylim(0.8 * low if len(iterations) > 1 else 0.5 * low,
                                  high + 0.05 * (high - low) + 1e-3)
            self.background = None
        self.title.set_text(f"iteration {len(training.J_train) - 1}:  train accuracy "
                            f"{100 * training.acc_train[-1]:.1f}%,  test accuracy "
                            f"{100 * training.acc_test[-1]:.1f}%")

    def draw(self):
        """Show the update in the window. Only what changes is redrawn, over a saved image of
        the rest (matplotlib's "blitting"); all of it only when that image is out of date."""
        canvas = self.fig.canvas
        if not canvas.supports_blit:                  # a backend that cannot: draw it all
            canvas.draw_idle()
            canvas.flush_events()
            return
        if self.background is None or self.background_size != canvas.get_width_height():
            for artist in self.changing:
                artist.set_animated(True)     # left out of the full draw below
            canvas.draw()
            self.background = canvas.copy_from_bbox(self.fig.bbox)
            self.background_size = canvas.get_width_height()
            for artist in self.changing:
                artist.set_animated(False)    # so that saving draws them
        else:
            canvas.restore_region(self.background)
        for artist in self.changing:
            self.fig.draw_artist(artist)
        canvas.blit(self.fig.bbox)
        canvas.flush_events()


class GifRecorder:
    """An animated GIF of the training, one frame every few iterations, with matplotlib's own
    Pillow writer. The writer keeps the frames in memory; finish() writes them atomically."""

    frames_wanted = 120

    def __init__(self, fig, path, maxiter):
        from matplotlib.animation import PillowWriter
        self.path = path
        self.every = max(1, round(maxiter / self.frames_wanted))
        self.frames = 0
        self.writer = PillowWriter(fps=12)
        self.writer.setup(fig, path, dpi=45)

    def wants(self, iteration):
        return iteration % self.every == 0

    def grab(self):
        self.writer.grab_frame()
        self.frames += 1

    def finish(self):
        self.grab()                           # the final figure, with the kept weights, ends it

        def write(tmp):
            self.writer.outfile = tmp
            self.writer.finish()
        write_atomically(self.path, write)


# ================================================================================================
# Writing files: each goes to a temporary file beside its target, then is renamed over it, so
# that an interrupted run never leaves a half-written file in place of a good one.
# ================================================================================================

def write_atomically(path, write):
    """Call write(temporary_path), then rename the temporary file to path."""
    folder, name = os.path.split(os.path.abspath(path))
    suffix = os.path.splitext(name)[1]
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=suffix)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)         # mkstemp's file is private; make it ordinary
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_figure(fig, path):
    """Save fig in the format its path's extension names, atomically."""
    fmt = os.path.splitext(path)[1][1:].lower()
    write_atomically(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=100))


def save_weights(path, theta, sizes, settings):
    """An .npz holding Theta1, Theta2 and the settings they were trained with."""
    Theta1, Theta2 = reshape(theta, *sizes)

    def write(tmp):
        with open(tmp, "wb") as f:
            np.savez(f, Theta1=Theta1, Theta2=Theta2, **settings)
    write_atomically(path, write)


def load_weights(path):
    """Theta1 and Theta2 from an .npz written by --save-weights."""
    try:
        with np.load(path, allow_pickle=False) as saved:
            Theta1, Theta2 = saved["Theta1"], saved["Theta2"]
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except (OSError, ValueError, KeyError, EOFError) as e:
        raise DataError(f"{path}: not a weights file written by --save-weights "
                        f"({type(e).__name__})") from None
    if (Theta1.ndim != 2 or Theta2.ndim != 2 or Theta2.shape[1] != Theta1.shape[0] + 1
            or not (np.isfinite(Theta1).all() and np.isfinite(Theta2).all())):
        raise DataError(f"{path}: Theta1 {Theta1.shape} and Theta2 {Theta2.shape} do not make "
                        "a network (expected (h, n + 1) and (K, h + 1), finite)")
    return Theta1.astype(float), Theta2.astype(float)


# ================================================================================================
# Reporting
# ================================================================================================

def confusion_table(y, prediction, num_labels):
    """Rows: true class; columns: predicted class; as lines of text."""
    names = [CLASS_NAMES[k] if num_labels == len(CLASS_NAMES) else str(k)
             for k in range(num_labels)]
    width = max(len(n) for n in names) + 2
    counts = np.zeros((num_labels, num_labels), dtype=int)
    np.add.at(counts, (y, prediction), 1)
    lines = ["true \\ predicted".ljust(width + 6) + "".join(n.rjust(width) for n in names)]
    for k in range(num_labels):
        right = (f"{100 * counts[k, k] / counts[k].sum():5.1f}% right" if counts[k].sum()
                 else "    - (no example)")
        lines.append(names[k].ljust(width + 6) + "".join(f"{c:{width}d}" for c in counts[k])
                     + "   " + right)
    return lines


# ================================================================================================
# The command line
# ================================================================================================

def positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def seed_value(text):
    value = int(text)
    if not 0 <= value < 2 ** 32:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to 2**32 - 1, not {value}")
    return value


def non_negative_float(text):
    value = float(text)
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a finite number 0 or more, not {text}")
    return value


def output_path(extensions):
    """An argparse type: a path to write, in a folder that exists, with one of `extensions`
    (None: any format matplotlib can save)."""
    def check(text):
        folder = os.path.dirname(os.path.abspath(text))
        if not os.path.isdir(folder):
            raise argparse.ArgumentTypeError(f"folder {os.path.dirname(text)!r} does not exist")
        if os.path.isdir(text):
            raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name in it")
        suffix = os.path.splitext(text)[1].lower()
        allowed = extensions
        if allowed is None:
            from matplotlib.backend_bases import FigureCanvasBase
            allowed = ["." + e for e in FigureCanvasBase.get_supported_filetypes()]
        if suffix not in allowed:
            raise argparse.ArgumentTypeError(f"{text!r} should end in one of "
                                             f"{', '.join(sorted(allowed))}")
        return text
    check.__name__ = "path"
    return check


def number_list(kind):
    def parse(text):
        values = [kind(v) for v in text.split(",") if v.strip()]
        if not values:
            raise argparse.ArgumentTypeError("give a comma-separated list")
        return values
    parse.__name__ = "list"
    return parse


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="ann.py",
        description="Train a three-layer neural network, written from scratch with numpy, to "
                    "classify galaxy images as Elliptical, Spiral or Irregular, and watch it "
                    "learn. With no options: the article's run.")
    data = parser.add_argument_group("data and network")
    data.add_argument("--train", default=TRAIN_CSV, metavar="CSV",
                      help="training set (default: train.csv next to ann.py)")
    data.add_argument("--test", default=TEST_CSV, metavar="CSV",
                      help="test set (default: test.csv next to ann.py)")
    data.add_argument("--hidden", type=positive_int, default=HIDDEN_LAYER_SIZE, metavar="N",
                      help=f"units in the hidden layer (default {HIDDEN_LAYER_SIZE})")
    data.add_argument("--lmbda", type=non_negative_float, default=LMBDA, metavar="L",
                      help=f"regularization strength lambda (default {LMBDA:g})")
    data.add_argument("--maxiter", type=positive_int, default=None, metavar="N",
                      help=f"iterations of fmin_cg (default {MAXITER}; 300 with --sweep)")
    data.add_argument("--seed", type=seed_value, default=SEED, metavar="N",
                      help=f"random seed of the initial weights (default {SEED})")
    data.add_argument("--vectorized", action="store_true",
                      help="train with gradient_vectorized (faster) instead of the loop")
    out = parser.add_argument_group("figure and files")
    out.add_argument("--no-plot", action="store_true",
                     help="no live window: just print the progress (the final figure is "
                          "still saved)")
    out.add_argument("--close-when-done", action="store_true",
                     help="close the window when training ends (default: keep it open)")
    out.add_argument("--save", type=output_path(None), default=None, metavar="PATH",
                     help="where to save the final figure (default ann.png; sweep.png with "
                          "--sweep)")
    out.add_argument("--gif", type=output_path([".gif"]), metavar="PATH",
                     help="also write an animated GIF of the training (about 120 frames)")
    out.add_argument("--save-weights", type=output_path([".npz"]), metavar="PATH",
                     help="save the kept weights and their settings to an .npz file")
    more = parser.add_argument_group("beyond the article")
    more.add_argument("--weights", metavar="NPZ",
                      help="skip training: evaluate weights saved by --save-weights on the "
                           "test set")
    more.add_argument("--check-gradients", action="store_true",
                      help="check backpropagation against finite differences on a small "
                           "network, then exit (status 1 if the check fails)")
    more.add_argument("--sweep", action="store_true",
                      help="train one network per hidden size and lambda (vectorized) and save "
                           "a heat map of their test accuracies")
    more.add_argument("--sweep-hidden", type=number_list(positive_int), default=[4, 8, 16, 32],
                      metavar="N,N,...", help="hidden sizes for --sweep (default 4,8,16,32)")
    more.add_argument("--sweep-lmbda", type=number_list(non_negative_float),
                      default=[0.1, 1.0, 10.0], metavar="L,L,...",
                      help="lambdas for --sweep (default 0.1,1,10)")
    args = parser.parse_args(argv)
    if args.maxiter is None:
        args.maxiter = 300 if args.sweep else MAXITER
    if args.save is None:
        args.save = "sweep.png" if args.sweep else "ann.png"
    return args


def use_display(no_plot):
    """Choose matplotlib's backend: the default (a window) when there is a display, else an
    off-screen one. Returns True when training will be shown in a window."""
    import matplotlib
    if no_plot:
        matplotlib.use("agg")
        return False
    import matplotlib.pyplot as plt
    backend = plt.get_backend().lower()         # matplotlib falls back to agg without a display
    if backend in ("agg", "cairo", "pdf", "pgf", "ps", "svg", "template"):
        print(f"no display (matplotlib backend {backend!r}): training without a window; the "
              "figure is saved at the end")
        return False
    return True


def load_sets(args, notes):
    """The training and test sets of the command line, checked to fit together."""
    X_train, y_train = load_data(args.train, notes)
    X_test, y_test = load_data(args.test, notes, int(y_train.max()) + 1)
    num_labels = check_data(args.train, X_train, y_train, args.test, X_test)
    return X_train, y_train, X_test, y_test, num_labels


def run_training(args, show, X_train, y_train, X_test, y_test, num_labels):
    """The article's run: train, show it live, report the kept weights, save what was asked."""
    import matplotlib.pyplot as plt
    sizes = (X_train.shape[1], args.hidden, num_labels)
    print(f"{len(y_train)} training and {len(y_test)} test images of {X_train.shape[1]} pixels, "
          f"{num_labels} classes; network {sizes[0]} - {sizes[1]} - {sizes[2]}, "
          f"lambda = {args.lmbda:g}, up to {args.maxiter} iterations "
          f"({'vectorized' if args.vectorized else 'looped'} gradient)")
    figure = LiveFigure(X_train, y_train, num_labels, args.hidden, args.maxiter)
    gif = GifRecorder(figure.fig, args.gif, args.maxiter) if args.gif else None

    def on_iteration(training, theta, prediction):
        frame = gif is not None and gif.wants(training.iteration)
        if show or frame:
            figure.update(training, theta, prediction)
        if frame:
            gif.grab()
        if show:
            figure.draw()

    training = Training(sizes, args.lmbda, (add_bias(X_train), y_train),
                        (add_bias(X_test), y_test), on_iteration=on_iteration)
    if show:
        figure.fig.canvas.mpl_connect(
            "close_event", lambda event: setattr(training, "stop_reason", "window closed"))
        plt.show(block=False)

    def on_sigint(signum, frame):
        # the first Ctrl-C ends training after the current iteration; a second one at once
        signal.signal(signal.SIGINT, signal.default_int_handler)
        training.stop_reason = "interrupted (Ctrl-C)"
    previous = signal.signal(signal.SIGINT, on_sigint)
    start = time.perf_counter()
    theta0 = initial_weights(*sizes, args.seed)
    try:
        ended = train(training, theta0, args.maxiter, args.vectorized)
    except KeyboardInterrupt:
        ended = "interrupted (Ctrl-C)"
    finally:
        signal.signal(signal.SIGINT, previous)
    if training.best_theta is None:                 # stopped before the first evaluation
        print("interrupted before training began", file=sys.stderr)
        return 130
    print(f"training {ended} after {training.iteration - 1} iterations "
          f"in {time.perf_counter() - start:.1f} s")

    # the kept weights: those with the lowest test cost
    best = training.best_theta
    Theta1, Theta2 = reshape(best, *sizes)
    prediction = predict(Theta1, Theta2, X_train)
    test_prediction = predict(Theta1, Theta2, X_test)
    train_accuracy = 100 * np.mean(prediction == y_train)
    test_accuracy = 100 * np.mean(test_prediction == y_test)
    print(f"kept the weights of iteration {training.best_iteration}, which had the lowest test "
          f"cost, {training.J_test[training.best_iteration]:.4f}")
    print(f"train accuracy {train_accuracy:.1f}%, test accuracy {test_accuracy:.1f}% "
          "(optimistic: the test set chose the weights)")
    print("test set:")
    for line in confusion_table(y_test, test_prediction, num_labels):
        print("  " + line)

    figure.update(training, best, prediction, step=0)
    figure.title.set_text(
        f"kept weights (iteration {training.best_iteration}, lowest test cost): train "
        f"{train_accuracy:.1f}%, test {test_accuracy:.1f}% right")
    save_figure(figure.fig, args.save)
    print(f"saved the figure to {args.save}")
    if gif:
        gif.finish()
        print(f"saved the animation to {args.gif} ({gif.frames} frames)")
    if args.save_weights:
        save_weights(args.save_weights, best, sizes,
                     dict(hidden=args.hidden, lmbda=args.lmbda, seed=args.seed,
                          maxiter=args.maxiter, iteration=training.best_iteration))
        print(f"saved the weights to {args.save_weights}")
    if ended.startswith("interrupted"):
        return 130
    if show and not args.close_when_done and ended != "window closed":
        figure.fig.canvas.draw_idle()
        print("close the window to exit")
        plt.show()
    plt.close(figure.fig)
    return 0


def run_saved(args, X_test, y_test, num_labels):
    """--weights: evaluate saved weights on the test set, without training."""
    Theta1, Theta2 = load_weights(args.weights)
    if Theta1.shape[1] != X_test.shape[1] + 1:
        raise DataError(f"{args.weights}: the weights take {Theta1.shape[1] - 1} pixels a row, "
                        f"but {args.test} has {X_test.shape[1]}")
    if Theta2.shape[0] != num_labels:
        raise DataError(f"{args.weights}: the weights have {Theta2.shape[0]} classes, but "
                        f"{args.train} has {num_labels}")
    prediction = predict(Theta1, Theta2, X_test)
    print(f"weights from {args.weights}: network {Theta1.shape[1] - 1} - {Theta1.shape[0]} - "
          f"{Theta2.shape[0]}")
    print(f"test accuracy {100 * np.mean(prediction == y_test):.1f}% "
          f"({len(y_test)} images in {args.test})")
    for line in confusion_table(y_test, prediction, num_labels):
        print("  " + line)
    theta = np.concatenate((Theta1.ravel(), Theta2.ravel()))
    sizes = (Theta1.shape[1] - 1, Theta1.shape[0], num_labels)
    training = Training(sizes, 0.0, (add_bias(X_test), y_test), (add_bias(X_test), y_test),
                        report=lambda line: None)
    training(theta)
    figure = LiveFigure(X_test, y_test, num_labels, sizes[1], 1)
    figure.update(training, theta, prediction, step=0)
    figure.title.set_text(f"saved weights on the test set: "
                          f"{100 * np.mean(prediction == y_test):.1f}% right")
    save_figure(figure.fig, args.save)
    print(f"saved the figure to {args.save}")
    return 0


def run_sweep(args, X_train, y_train, X_test, y_test, num_labels):
    """--sweep: one network per hidden size and lambda; a heat map of their test accuracies."""
    import matplotlib.pyplot as plt
    hidden_sizes, lmbdas = args.sweep_hidden, args.sweep_lmbda
    accuracy = np.zeros((len(hidden_sizes), len(lmbdas)))
    sets = (add_bias(X_train), y_train), (add_bias(X_test), y_test)
    print(f"sweep: {len(hidden_sizes)} hidden sizes x {len(lmbdas)} lambdas, "
          f"{args.maxiter} iterations each, vectorized gradient")
    for r, hidden in enumerate(hidden_sizes):
        for c, lmbda in enumerate(lmbdas):
            start = time.perf_counter()
            sizes = (X_train.shape[1], hidden, num_labels)
            training = Training(sizes, lmbda, *sets, report=lambda line: None)
            train(training, initial_weights(*sizes, args.seed), args.maxiter, vectorized=True)
            accuracy[r, c] = training.acc_test[training.best_iteration]
            print(f"  hidden {hidden:3d}, lambda {lmbda:6g}: test accuracy "
                  f"{100 * accuracy[r, c]:5.1f}% (kept, iteration {training.best_iteration}; "
                  f"final {100 * training.acc_test[-1]:.1f}%), "
                  f"{time.perf_counter() - start:.1f} s")
    print("test accuracy (%) of the kept weights, rows: hidden units, columns: lambda")
    print("hidden \\ lambda " + "".join(f"{lmbda:>8g}" for lmbda in lmbdas))
    for r, hidden in enumerate(hidden_sizes):
        print(f"{hidden:>15d} " + "".join(f"{100 * a:8.1f}" for a in accuracy[r]))

    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(lmbdas), 1.6 + 0.7 * len(hidden_sizes)),
                           layout="constrained")
    shown = ax.imshow(100 * accuracy, cmap="viridis", aspect="auto")
    for r in range(len(hidden_sizes)):
        for c in range(len(lmbdas)):
            tutorial = hidden_sizes[r] == HIDDEN_LAYER_SIZE and lmbdas[c] == LMBDA
            ax.text(c, r, f"{100 * accuracy[r, c]:.1f}" + ("\n(article)" if tutorial else ""),
                    ha="center", va="center", fontsize=9,
                    color="black" if accuracy[r, c] > accuracy.mean() else "white")
    ax.set_xticks(range(len(lmbdas)), [f"{v:g}" for v in lmbdas])
    ax.set_yticks(range(len(hidden_sizes)), [str(h) for h in hidden_sizes])
    ax.set_xlabel("lambda")
    ax.set_ylabel("hidden units")
    ax.set_title(f"test accuracy (%) after up to {args.maxiter} iterations", fontsize=10)
    fig.colorbar(shown, ax=ax, label="test accuracy (%)")
    save_figure(fig, args.save)
    plt.close(fig)
    print(f"saved the heat map to {args.save}")
    return 0


def main(argv=None):
    """Run ann.py with the command-line arguments argv; returns the exit status."""
    args = parse_args(argv)
    if args.check_gradients:
        return 0 if check_gradients() else 1
    try:
        show = use_display(args.no_plot or args.sweep or bool(args.weights))
        notes = []
        X_train, y_train, X_test, y_test, num_labels = load_sets(args, notes)
        for note in notes:
            print(note, file=sys.stderr)
        if args.sweep:
            return run_sweep(args, X_train, y_train, X_test, y_test, num_labels)
        if args.weights:
            return run_saved(args, X_test, y_test, num_labels)
        return run_training(args, show, X_train, y_train, X_test, y_test, num_labels)
    except DataError as e:
        print(f"ann.py: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
