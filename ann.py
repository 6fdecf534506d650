"""
ann.py: an artificial neural network, written from scratch with numpy, that learns to classify
32 x 32 grayscale images of galaxies as Elliptical (0), Spiral (1) or Irregular (2).

It accompanies the article "Create Your Own Artificial Neural Network for Multi-class
Classification (With Python)" by Philip Mocz (2023) and follows it in its order: the sigmoid g
and its derivative, prediction, the cost, backpropagation, a check of the gradient by finite
differences, and training with scipy's nonlinear conjugate gradient method (fmin_cg) while a
figure shows the network learning: 1024 input pixels, 8 hidden units, 3 outputs.

    python ann.py                  # the article's run on the project's galaxies (train.csv and
                                   # test.csv here), 600 iterations, with a live figure
    python ann.py --data tutorial  # the same on the article's own Galaxy Zoo images
    python ann.py --help           # all the options
    %run ann.py                    # in Jupyter or Colab: the figure updates in the cell
    python ann.py --exercise my_ann.py   # the six functions for you to write and check

What surrounds the lesson is in companions/, a file per job: the data, the figure and where
it is shown, the options, how training runs and ends, and the modes beyond the article, each
of which imports this module and uses its functions by name.
"""

import math
import os
import sys
import time

import numpy as np
from scipy.optimize import fmin_cg

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)          # companions/, wherever ann.py is run from
if __name__ == "__main__":        # python ann.py: companions/ `import ann` and find this module
    sys.modules["ann"] = sys.modules[__name__]
try:
    from companions import data, figure, finish, options, screens, training
except ModuleNotFoundError as missing:          # ann.py copied without the folder beside it
    if not (missing.name or "").startswith("companions"):
        raise
    sys.exit("ann.py: error: ann.py needs the companions/ folder beside it: get the whole "
             "project (git clone it, or download it as a ZIP), not ann.py alone")

# ---- The article's settings: the command-line options default to them -------------------------
SEED = 917               # random seed for the initial weights
HIDDEN_LAYER_SIZE = 8    # units in the hidden layer
LMBDA = 1.0              # regularization strength lambda ("lambda" is a Python keyword)
MAXITER = 600            # iterations of nonlinear conjugate gradient
INIT_RANGE = 0.2         # initial weights are drawn uniformly from [-0.2, 0.2)
TRAIN_CSV = os.path.join(HERE, "train.csv")           # 2700 galaxies, 900 of each class
TEST_CSV = os.path.join(HERE, "test.csv")             # 675 galaxies, 225 of each class
CLASS_NAMES = ("Elliptical", "Spiral", "Irregular")   # labels 0, 1, 2


# ================================================================================================
# The network (article sections 2-5). Pure functions: no printing, no plotting, no state.
#
# Shapes: m examples, n = 1024 pixels (input_layer_size), h = 8 hidden units (hidden_layer_size),
# K = 3 classes (num_labels). The article writes an example as a column vector; here the m
# examples are the rows of X (m, n), so the article's a1 = [1, x] is a row of a1 (m, n + 1).
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
    """The forward pass for all m examples at once (article section 3): Theta1 (h, n + 1),
    Theta2 (K, h + 1), a1 (m, n + 1) the inputs with their bias column. Returns z2 (m, h),
    a2 (m, h + 1), z3 (m, K) and the outputs a3 = h_Theta(x) (m, K)."""
    z2 = a1 @ Theta1.T              # (m, h)
    a2 = add_bias(g(z2))            # (m, h + 1)
    z3 = a2 @ Theta2.T              # (m, K)
    a3 = g(z3)                      # (m, K)
    return z2, a2, z3, a3


def predict(Theta1, Theta2, X):
    """The predicted class of each example, the index of its largest output: X (m, n) pixels
    scaled to [0, 1]; returns (m,) integers in 0..K-1."""
    a3 = feedforward(Theta1, Theta2, add_bias(X))[3]
    return np.argmax(a3, axis=1)


def reshape(theta, input_layer_size, hidden_layer_size, num_labels):
    """Unroll the flat weight vector theta into Theta1 (h, n + 1) and Theta2 (K, h + 1): the
    optimizer works with one vector, the network with two matrices (article section 4)."""
    split = hidden_layer_size * (input_layer_size + 1)
    Theta1 = theta[:split].reshape(hidden_layer_size, input_layer_size + 1)
    Theta2 = theta[split:].reshape(num_labels, hidden_layer_size + 1)
    return Theta1, Theta2


def one_hot(y, num_labels):
    """Labels y (m,) as one-hot rows Y (m, K): a single 1 in the place of the class."""
    return (y[:, None] == np.arange(num_labels)).astype(float)


def cost_of_outputs(z3, y, Theta1, Theta2, lmbda):
    """J from the output layer's z3 (m, K) and labels y (m,): the cross-entropy
    -y log(h) - (1 - y) log(1 - h), h = g(z3), summed over the K classes and averaged over the
    m examples, plus lambda / 2m times the squares of all non-bias weights."""
    Y = one_hot(y, z3.shape[1])
    h = g(z3)
    # Where an output h is within about 1e-7 of 1 (z3 >= 16), 1 - h keeps few correct digits,
    # and once h rounds to 1, log(1 - h) = log(0) = -infinity. There the identity
    # log(1 - g(z)) = -log(1 + e^z) takes over, which np.logaddexp(0, z) computes without
    # overflow; likewise log g(z) = -log(1 + e^-z) where g raised its input (z3 < -500).
    # Elsewhere this is the article's formula to the last bit.
    log_h, log_1_minus_h = -np.logaddexp(0, -z3), -np.logaddexp(0, z3)
    np.log(h, out=log_h, where=z3 >= -500)
    np.log(1 - h, out=log_1_minus_h, where=z3 < 16)
    m = len(y)
    J = np.sum(-Y * log_h - (1 - Y) * log_1_minus_h) / m
    return J + lmbda / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))


def cost_function(theta, input_layer_size, hidden_layer_size, num_labels, X, y, lmbda):
    """The cost J(Theta) of article section 4, for flat weights theta (h (n + 1) + K (h + 1),),
    images X (m, n) and labels y (m,) or, as the article has them, (m, 1)."""
    y = data.checked_labels(theta, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    z3 = feedforward(Theta1, Theta2, add_bias(X))[2]
    return cost_of_outputs(z3, y, Theta1, Theta2, lmbda)


def gradient(theta, input_layer_size, hidden_layer_size, num_labels, X, y, lmbda):
    """The gradient of J by backpropagation, one example at a time (article section 5).
    Same arguments as cost_function; returns the flat gradient, shaped like theta."""
    y = data.checked_labels(theta, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    m = len(y)
    Y = one_hot(y, num_labels)                     # (m, K)
    Delta1 = np.zeros_like(Theta1)                 # (h, n + 1)
    Delta2 = np.zeros_like(Theta2)                 # (K, h + 1)
    for i in range(m):
        # forward pass for example i, the bias unit 1 first in a1 and a2
        a1 = np.concatenate(([1.0], X[i]))         # (n + 1,)
        z2 = Theta1 @ a1                           # (h,)
        a2 = np.concatenate(([1.0], g(z2)))        # (h + 1,)
        a3 = g(Theta2 @ a2)                        # (K,)
        # backward pass: the errors of the output and hidden layers (Theta2 without its bias)
        delta3 = a3 - Y[i]                                 # (K,)
        delta2 = (Theta2[:, 1:].T @ delta3) * grad_g(z2)   # (h,)
        # accumulate the gradient: Delta += delta a^T, the outer product of the two vectors
        Delta2 += np.outer(delta3, a2)             # (K, h + 1)
        Delta1 += np.outer(delta2, a1)             # (h, n + 1)
    return regularized_gradient(Delta1, Delta2, Theta1, Theta2, lmbda, m)


def regularized_gradient(Delta1, Delta2, Theta1, Theta2, lmbda, m):
    """Divide the accumulated Delta1 (h, n + 1) and Delta2 (K, h + 1) by m and add
    (lambda / m) Theta to every non-bias column. Returns the flat gradient, ordered like theta."""
    grad1 = Delta1 / m
    grad2 = Delta2 / m
    grad1[:, 1:] += lmbda / m * Theta1[:, 1:]
    grad2[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((grad1.ravel(), grad2.ravel()))


def gradient_vectorized(theta, input_layer_size, hidden_layer_size, num_labels, X, y, lmbda):
    """Beyond the article: the same gradient for all examples at once, with matrix products,
    about ten times faster. Same arguments as gradient()."""
    y = data.checked_labels(theta, input_layer_size, hidden_layer_size, num_labels, X, y)
    Theta1, Theta2 = reshape(theta, input_layer_size, hidden_layer_size, num_labels)
    a1 = add_bias(X)
    return backpropagate(Theta1, Theta2, a1, y, lmbda, feedforward(Theta1, Theta2, a1))


def backpropagate(Theta1, Theta2, a1, y, lmbda, forward):
    """The loop's backward pass with the examples stacked as rows of a1 (m, n + 1); one matrix
    product does the sum over examples that the loop accumulates. forward: what
    feedforward(Theta1, Theta2, a1) returned."""
    z2, a2, _, a3 = forward
    delta3 = a3 - one_hot(y, Theta2.shape[0])             # (m, K)
    delta2 = (delta3 @ Theta2[:, 1:]) * grad_g(z2)        # (m, h)
    Delta2 = delta3.T @ a2                                # (K, h + 1)
    Delta1 = delta2.T @ a1                                # (h, n + 1)
    return regularized_gradient(Delta1, Delta2, Theta1, Theta2, lmbda, len(y))


# ==== Checking the gradient with finite differences (article section 5) ==========================

def numerical_gradient(cost, theta, eps=1e-4):
    """Central finite differences, (J(theta + eps e_j) - J(theta - eps e_j)) / 2 eps for each j:
    two cost evaluations per weight, fine for checking a small network, too slow to train one."""
    grad, step = np.zeros_like(theta), np.zeros_like(theta)
    for j in range(len(theta)):
        step[j] = eps
        grad[j] = (cost(theta + step) - cost(theta - step)) / (2 * eps)
        step[j] = 0.0
    return grad


def check_gradients(report=print):
    """Compare both gradients with finite differences on a small network (16 inputs, 5 hidden
    units, 3 classes, 10 examples, fixed weights). The relative difference
    |backprop - numerical| / |backprop + numerical| should be below 1e-9. True if both pass."""
    sizes, lmbda = (16, 5, 3), 3.0
    theta = initial_weights(*sizes, seed=1) * 5          # larger weights: a sterner test
    X, y = np.random.RandomState(0).rand(10, sizes[0]), np.arange(10) % sizes[2]
    numerical = numerical_gradient(lambda t: cost_function(t, *sizes, X, y, lmbda), theta)
    passed = True
    for name, backprop in (("gradient", gradient), ("gradient_vectorized", gradient_vectorized)):
        grad = backprop(theta, *sizes, X, y, lmbda)
        difference = np.linalg.norm(grad - numerical) / np.linalg.norm(grad + numerical)
        passed &= bool(difference < 1e-9)
        report(f"{name}: a few entries, by backpropagation and by finite differences\n"
               f"  {'':10s}  {'backprop':>14s}  {'numerical':>14s}")
        for j in np.linspace(0, len(theta) - 1, 6).astype(int):
            report(f"  theta[{j:3d}]  {grad[j]:14.10f}  {numerical[j]:14.10f}")
        report(f"  relative difference {difference:.2e} (expect below 1e-9): "
               f"{'OK' if difference < 1e-9 else 'FAILED'}")
    return passed


# ==== Training (article section 6) ===============================================================

def initial_weights(input_layer_size, hidden_layer_size, num_labels, seed):
    """Weights drawn uniformly from [-0.2, 0.2), Theta1 (h, n + 1) then Theta2 (K, h + 1),
    returned flat: theta (h (n + 1) + K (h + 1),). `RandomState(seed).rand` draws the article's
    `np.random.seed(seed); np.random.rand(...)` numbers, without numpy's global state."""
    rng = np.random.RandomState(seed)
    Theta1 = rng.rand(hidden_layer_size, input_layer_size + 1) * 2 * INIT_RANGE - INIT_RANGE
    Theta2 = rng.rand(num_labels, hidden_layer_size + 1) * 2 * INIT_RANGE - INIT_RANGE
    return np.concatenate((Theta1.ravel(), Theta2.ravel()))


class History:
    """The training callback and what it records, in place of the article's globals: cost and
    accuracy on each set after each iteration, and the weights with the lowest test cost.

    The weights kept are those with the lowest *test* cost, as in the article. The test set thus
    helps choose the model, so the test accuracy of the kept weights is a little optimistic: a
    careful study chooses on a third, validation set, as `validation` (X, y) does here."""

    def __init__(self, sizes, lmbda, X_train, y_train, X_test, y_test, report=print,
                 on_iteration=None, validation=None):
        self.sizes, self.lmbda = sizes, lmbda    # sizes: (input, hidden, output) layer sizes
        self.X_train, self.y_train, self.X_test, self.y_test = X_train, y_train, X_test, y_test
        # each set gets its bias column once, not at every iteration
        self.a1_train, self.a1_test = add_bias(X_train), add_bias(X_test)
        self.report, self.on_iteration = report, on_iteration   # progress lines; the figure
        self.iteration = 0
        self.J_train, self.J_test, self.acc_train, self.acc_test = [], [], [], []
        # beyond the article: a validation set (a1, y), whose cost then chooses the kept weights
        self.validation = (add_bias(validation[0]), validation[1]) if validation else None
        self.J_val, self.acc_val = [], []
        self.chosen_by = "validation" if validation else "test"    # the set whose cost chooses
        self.J_chosen = self.J_val if validation else self.J_test
        self.best_theta, self.best_iteration = None, None
        self.stop_reason = None                  # an Ended, on Ctrl-C or the window's closing

    def evaluate(self, theta, a1, y):
        """Cost J and predictions (m,) of weights theta on inputs a1 (m, n + 1) and labels y
        (m,), from one forward pass (the largest z3 is the largest output g(z3))."""
        Theta1, Theta2 = reshape(theta, *self.sizes)
        z3 = feedforward(Theta1, Theta2, a1)[2]
        return cost_of_outputs(z3, y, Theta1, Theta2, self.lmbda), np.argmax(z3, axis=1)

    def evaluate_training_set(self, theta):
        """J and predictions on the training set (the fast path's reuses fmin_cg's forward pass)."""
        return self.evaluate(theta, self.a1_train, self.y_train)

    def __call__(self, theta):
        """Record the weights after an iteration (iteration 0: the initial weights)."""
        J_train, prediction = self.evaluate_training_set(theta)
        J_test, test_prediction = self.evaluate(theta, self.a1_test, self.y_test)
        if self.validation is not None:          # every set evaluated before any is recorded
            J_val, val_prediction = self.evaluate(theta, *self.validation)
            self.J_val.append(J_val)
            self.acc_val.append(np.mean(val_prediction == self.validation[1]))
        self.J_train.append(J_train)
        self.J_test.append(J_test)
        self.acc_train.append(np.mean(prediction == self.y_train))
        self.acc_test.append(np.mean(test_prediction == self.y_test))
        if self.J_chosen[-1] <= min(self.J_chosen):
            self.best_theta, self.best_iteration = theta.copy(), self.iteration
        label = "initial" if self.iteration == 0 else f"iter={self.iteration:3d}"
        validation = f"Jval= {J_val:.4f} acc= {100 * self.acc_val[-1]:5.2f}%  |  " if \
            self.validation is not None else ""
        self.report(f"{label}:  Jtrain= {J_train:.4f} acc= {100 * self.acc_train[-1]:5.2f}%  |  "
                    f"{validation}Jtest= {J_test:.4f} acc= {100 * self.acc_test[-1]:5.2f}%")
        if self.on_iteration is not None:
            self.on_iteration(self, theta, prediction)
        self.iteration += 1
        if self.stop_reason is not None:
            raise training.StopTraining(self.stop_reason)


def train(history, theta0, maxiter, vectorized=False, minimize=(cost_function, gradient)):
    """Minimize the cost with nonlinear conjugate gradient from theta0, `history` recording
    every iteration; returns why training ended, a training.Ended. minimize: the cost and its
    gradient (a learner's own in the exercise), given labels (m, 1) as in the article. Beyond
    the article, vectorized: the fast path, one forward pass shared by cost, gradient, callback."""
    f, fprime = minimize
    args = (*history.sizes, history.X_train, history.y_train[:, None], history.lmbda)
    if vectorized:
        fast = training.FastPath(history)
        f, fprime, args = fast.cost, fast.gradient, ()
        history.evaluate_training_set = fast.evaluate
    try:
        history(theta0)
        warnflag = fmin_cg(f, theta0, fprime=fprime, args=args, maxiter=maxiter,
                           callback=history, disp=False, full_output=True)[4]
    except training.StopTraining as stop:
        return stop.args[0]
    Ended = training.Ended                       # fmin_cg's warnflag 0-3 says why it ended
    return (Ended.CONVERGED, Ended.MAXITER, Ended.NO_PROGRESS, Ended.NAN_COST)[warnflag]


# ==== The figure (article section 9): what it shows; its layout is in companions/ ================

class LiveFigure(figure.FigureLayout):
    """Sample galaxies (3 rows, 2 columns per class) with each one's predicted class letter,
    blue and ticked when right, red when wrong; what the hidden units see; the costs. Its parts
    (galaxy_image and texts, show_units, cost_ax and its lines, title) are FigureLayout's."""

    def __init__(self, X, y, num_labels, hidden_layer_size, maxiter, validation=False):
        names = class_names(num_labels)
        super().__init__(math.isqrt(X.shape[1]), names, hidden_layer_size, maxiter, validation)
        self.X, self.y, self.num_labels = X, y, num_labels
        self.letters = [name[0] for name in names] if num_labels == len(CLASS_NAMES) else names

    def update(self, history, theta, prediction, step):
        """Show the step'th set of sample galaxies with their predictions (m,) by weights
        theta, the hidden units of theta, and the cost history so far."""
        chosen = figure.sample_indices(self.y, self.num_labels,
                                       self.grid_rows * self.columns_per_class, step)
        galaxies = self.galaxy_image.get_array()
        for j, (corner, text) in enumerate(zip(self.corners, self.texts)):
            r, c = divmod(j, self.grid_columns)
            k, column = divmod(c, self.columns_per_class)
            i = chosen[k, r * self.columns_per_class + column]
            right = bool(i >= 0 and prediction[i] == self.y[i])
            self.tile(galaxies, corner)[:] = self.X[i].reshape(self.side, -1) if i >= 0 else 1.0
            text.set_text("" if i < 0 else self.letters[prediction[i]] + " \u2713" * right)
            text.set_color("tab:blue" if right else "tab:red")
        self.galaxy_image.set_data(galaxies)
        self.show_units(reshape(theta, *history.sizes)[0])   # what the hidden units see
        iterations = np.arange(len(history.J_train))
        self.train_line.set_data(iterations, history.J_train)
        self.test_line.set_data(iterations, history.J_test)
        if history.J_val:
            self.validation_line.set_data(iterations, history.J_val)
        self.best_marker.set_data([history.best_iteration],
                                  [history.J_chosen[history.best_iteration]])
        self.fit_cost_limits(history.J_train + history.J_test + history.J_val,
                             first=len(iterations) == 1)
        accuracies = {"train": history.acc_train, "validation": history.acc_val,
                      "test": history.acc_test}
        self.title.set_text(self.progress(len(iterations) - 1) + ":  " + ",  ".join(
            f"{name} accuracy {100 * acc[-1]:.1f}%" for name, acc in accuracies.items() if acc))

    def show_kept(self, history, prediction, accuracy):
        """The final figure: the kept weights, with their predictions (m,) of the sample galaxies
        and their accuracies (by set)."""
        self.update(history, history.best_theta, prediction, step=0)
        accuracies = ", ".join(f"{name} {100 * a:.1f}%" for name, a in accuracy.items())
        self.title.set_text(f"kept weights (iteration {history.best_iteration}, lowest "
                            f"{history.chosen_by} cost): {accuracies} right")


def class_names(num_labels):
    """Elliptical, Spiral, Irregular for three classes; the class numbers for other data."""
    return CLASS_NAMES if num_labels == len(CLASS_NAMES) else tuple(map(str, range(num_labels)))


# ==== Running it (article section 9) =============================================================

def run(args, network=None):
    """The article's run: train while the figure shows it live, report the kept weights, then
    finish (--mistakes, files, the window). args: the options; beyond the article, network is a
    learner's own functions (the exercise) or ann.py's with a classic mistake made in them
    (--break), a training.Network. Returns the exit status."""
    sets = data.read_sets(args)
    X_train, y_train, X_test, y_test, num_labels, validation = sets
    screen = screens.choose_screen(args.no_plot)
    network = network or training.Network(cost_function, gradient, predict, "ann.py: training",
                                           "vectorized" if args.vectorized else "looped")
    sizes = (X_train.shape[1], args.hidden, num_labels)
    print(f"{len(y_train)} training{f', {len(validation[1])} validation' if validation else ''} and"
          f" {len(y_test)} test images of {X_train.shape[1]} pixels, {num_labels} classes; network "
          f"{' - '.join(map(str, sizes))}, lambda = {args.lmbda:g}, up to {args.maxiter} iterations"
          f" ({network.whose} gradient)")
    live = LiveFigure(X_train, y_train, num_labels, args.hidden, args.maxiter, bool(validation))
    frames = figure.Frames(screen, figure.GifRecorder(live.fig, args.gif, args.maxiter)
                           if args.gif else None)    # the GIF's own schedule, the eye's pace

    def on_iteration(history, theta, prediction):
        frames.offer(history.iteration, lambda step: live.update(history, theta, prediction, step))

    history = History(sizes, args.lmbda, X_train, y_train, X_test, y_test,
                      on_iteration=on_iteration, validation=validation)
    network.before_training(live, history)      # --break: ann.py's own run, drawn faint
    start = time.perf_counter()
    ended = training.until_stopped(history, screen, live, network.title, lambda: train(
        history, initial_weights(*sizes, args.seed), args.maxiter, args.vectorized,
        (network.cost_function, network.gradient)))
    if history.best_theta is None:                 # stopped before the first evaluation
        return training.stopped_before_training(screen, live.fig)
    print(f"training {ended.value} after {history.iteration - 1} iterations "
          f"in {time.perf_counter() - start:.1f} s")
    frames.flush()                                 # the last iteration is always shown
    accuracy, prediction = report_kept_weights(history, sets, network.predict)
    live.show_kept(history, prediction, accuracy)
    network.reported(history, accuracy)          # --break: what the mistake did, and why
    finish.still_falling(history, ended, live)   # beyond the article: the curve, honestly
    return finish.finish(args, screen, live, ended, frames.recorder, history, sets)


def report_kept_weights(history, sets, predict=predict):
    """The kept weights (the lowest test or validation cost) and what they get right, printed:
    their accuracy on each set (sets: a data.Sets), the test set's table of true against
    predicted classes. Returns the accuracies (by set) and the training set's predictions."""
    X_train, y_train, X_test, y_test, num_labels, validation = sets
    Theta1, Theta2 = reshape(history.best_theta, *history.sizes)
    train_prediction = predict(Theta1, Theta2, X_train)
    test_prediction = predict(Theta1, Theta2, X_test)
    accuracy = {"train": np.mean(train_prediction == y_train)}
    if validation:
        accuracy["validation"] = np.mean(predict(Theta1, Theta2, validation[0]) == validation[1])
    accuracy["test"] = np.mean(test_prediction == y_test)
    print(f"kept the weights of iteration {history.best_iteration}, which had the lowest "
          f"{history.chosen_by} cost, {history.J_chosen[history.best_iteration]:.4f}")
    print(", ".join(f"{name} accuracy {100 * a:.1f}%" for name, a in accuracy.items()) + (
        " (the test set did not choose the weights)" if validation else
        " (optimistic: the test set chose the weights)"))
    print("test set:\n  " + "\n  ".join(finish.confusion_table(y_test, test_prediction,
                                                                class_names(num_labels))))
    return accuracy, train_prediction


def main(argv=None, learner=None):
    """Run ann.py with the command-line arguments argv; returns the exit status. learner: the
    namespace of a learner's own six functions (python my_ann.py), checked, then trained."""
    from companions import breaking, exercise, sweep, weights    # the modes beyond the article
    args = options.parse_args(argv, learner and learner.get("__file__", "my_ann.py"))
    if args.check_gradients:
        return 0 if check_gradients() else 1
    try:
        if learner:               # the exercise: a learner's six functions, checked, then trained
            return exercise.run(learner, args)
        if args.exercise:         # the exercise's file, for a learner to write
            return exercise.write(args.exercise)
        if args.sweep:            # a network per hidden size and lambda
            return sweep.run(args)
        if args.weights:          # weights saved by --save-weights, on the test set
            return weights.run(args)
        if args.break_mistake:    # ann.py's network with a classic mistake made in it
            return breaking.run(args)
        return run(args)
    except (data.UserError, MemoryError) as e:
        print(f"{args.prog}: error: {e or 'out of memory'}", file=sys.stderr)  # MemoryError: ''
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    try:
        status = main()
    finally:             # %run in Jupyter: a later `import ann` reads the file anew
        del sys.modules["ann"]
    if screens.notebook_shell() is None:   # in Jupyter, %run would show a SystemExit as an error
        sys.exit(status)
