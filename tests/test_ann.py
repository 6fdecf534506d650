"""What the article's network must do: each test's name says what must hold."""
import math
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

import ann
from conftest import ROOT, needs_xvfb, run_ann, toy_images, write_csv

SMALL = (16, 5, 3)        # input_layer_size, hidden_layer_size, num_labels of a small network


def small_problem(seed=0, m=12, scale=1.0):
    rng = np.random.RandomState(seed)
    theta = ann.initial_weights(*SMALL, seed=seed) * scale
    X = rng.rand(m, SMALL[0])
    y = rng.randint(0, SMALL[2], m)
    return theta, X, y


# ---- the sigmoid ----------------------------------------------------------------------------

def test_sigmoid_is_one_half_at_zero_and_symmetric():
    x = np.linspace(-30, 30, 61)
    assert ann.g(0.0) == 0.5
    np.testing.assert_allclose(ann.g(-x), 1 - ann.g(x), atol=1e-15)
    np.testing.assert_allclose(ann.g(x), 1 / (1 + np.exp(-x)), rtol=1e-15)


def test_grad_g_is_the_derivative_of_g():
    x = np.linspace(-8, 8, 33)
    h = 1e-4
    np.testing.assert_allclose(ann.grad_g(x), (ann.g(x + h) - ann.g(x - h)) / (2 * h),
                               rtol=1e-7)


def test_sigmoid_of_huge_inputs_gives_no_overflow_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = ann.g(np.array([-1e6, -800.0, 800.0, 1e6]))
    assert values[0] == values[1] and 0 <= values[0] < 1e-200
    assert values[2] == values[3] == 1.0


# ---- bias, reshape, predict -------------------------------------------------------------------

def test_add_bias_prepends_a_column_of_ones():
    X = np.arange(6.0).reshape(2, 3)
    a1 = ann.add_bias(X)
    assert a1.shape == (2, 4)
    assert list(a1[:, 0]) == [1.0, 1.0]
    np.testing.assert_array_equal(a1[:, 1:], X)


def test_reshape_gives_theta1_and_theta2_in_order_and_round_trips():
    n, h, K = 1024, 8, 3
    theta = np.arange(h * (n + 1) + K * (h + 1), dtype=float)
    Theta1, Theta2 = ann.reshape(theta, n, h, K)
    assert Theta1.shape == (h, n + 1) and Theta2.shape == (K, h + 1)
    assert Theta1[0, 1] == 1 and Theta1[1, 0] == n + 1          # row-major, Theta1 first
    assert Theta2[0, 0] == h * (n + 1)
    np.testing.assert_array_equal(np.concatenate((Theta1.ravel(), Theta2.ravel())), theta)


def test_predict_gives_known_classes_for_known_weights():
    # hidden unit k fires when pixel k is bright; output k listens to hidden unit k
    Theta1 = np.hstack((-5 * np.ones((3, 1)), 10 * np.eye(3)))
    Theta2 = np.hstack((-5 * np.ones((3, 1)), 10 * np.eye(3)))
    X = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0.1, 0.2, 0.9], [0.8, 0.3, 0.1]])
    assert list(ann.predict(Theta1, Theta2, X)) == [0, 1, 2, 2, 0]


# ---- the cost ---------------------------------------------------------------------------------

def test_cost_of_zero_weights_is_K_log_2():
    # every output is g(0) = 1/2, so each of the K classes costs -log(1/2), and no regularization
    _, X, y = small_problem()
    theta = np.zeros(SMALL[1] * (SMALL[0] + 1) + SMALL[2] * (SMALL[1] + 1))
    assert ann.cost_function(theta, *SMALL, X, y, 10.0) == pytest.approx(3 * math.log(2),
                                                                          rel=1e-14)


def test_cost_function_on_a_tiny_example_worked_by_hand():
    # one input pixel x = 1, one hidden unit, two classes, one example of class 1, lambda = 1
    sig = lambda t: 1 / (1 + math.exp(-t))
    Theta1 = np.array([[0.5, 2.0]])                 # z2 = 0.5 + 2 = 2.5
    Theta2 = np.array([[0.0, 1.0], [1.0, -1.0]])    # z3 = (a2, 1 - a2)
    theta = np.concatenate((Theta1.ravel(), Theta2.ravel()))
    a2 = sig(2.5)
    h = [sig(a2), sig(1 - a2)]
    by_hand = (-math.log(1 - h[0])) + (-math.log(h[1]))   # y = (0, 1)
    by_hand += 1 / 2 * (2.0 ** 2 + 1.0 ** 2 + (-1.0) ** 2)  # lambda / 2m * non-bias squares
    J = ann.cost_function(theta, 1, 1, 2, np.array([[1.0]]), np.array([1]), 1.0)
    assert J == pytest.approx(by_hand, rel=1e-14)


def test_cost_averages_over_examples():
    theta, X, y = small_problem()
    J_all = ann.cost_function(theta, *SMALL, X, y, 0.0)
    J_each = [ann.cost_function(theta, *SMALL, X[i:i + 1], y[i:i + 1], 0.0)
              for i in range(len(y))]
    assert J_all == pytest.approx(np.mean(J_each), rel=1e-13)


def test_cost_stays_finite_for_huge_weights_huge_lambda_and_flat_inputs():
    theta, X, y = small_problem(scale=100)
    for inputs in (X, np.zeros((12, 16)), np.ones((12, 16))):
        for lmbda in (0.0, 1.0, 1e6):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                J = ann.cost_function(theta, *SMALL, inputs, y, lmbda)
                grad = ann.gradient_vectorized(theta, *SMALL, inputs, y, lmbda)
            assert np.isfinite(J) and np.isfinite(grad).all()


# ---- the article's signatures ------------------------------------------------------------------

@pytest.mark.parametrize("function", ["cost_function", "gradient", "gradient_vectorized"])
def test_the_articles_m_by_1_labels_give_the_same_result_to_the_last_bit(function):
    theta, X, y = small_problem(seed=2)
    flat = getattr(ann, function)(theta, *SMALL, X, y, 1.0)
    column = getattr(ann, function)(theta, *SMALL, X, y.reshape(-1, 1).astype(float), 1.0)
    np.testing.assert_array_equal(flat, column)


@pytest.mark.parametrize("function", ["cost_function", "gradient", "gradient_vectorized"])
@pytest.mark.parametrize("case, fragment", [
    ("labels (m, 2)", "y has shape (12, 2)"),
    ("one label too few", "y has shape (11,)"),
    ("a single label, which numpy would broadcast", "y has shape (1,)"),
    ("X with its bias column", "X has shape (12, 17); expected (m, 16)"),
    ("one image, flat", "X has shape (16,)"),
    ("theta one weight short", "theta has shape (102,); a 16 - 5 - 3 network has (103,)"),
])
def test_a_wrong_shape_is_an_error_that_says_which(function, case, fragment):
    theta, X, y = small_problem()
    if case == "labels (m, 2)":
        y = np.stack((y, y), axis=1)
    elif case == "one label too few":
        y = y[:-1]
    elif case.startswith("a single label"):
        y = y[:1]
    elif case == "X with its bias column":
        X = ann.add_bias(X)
    elif case == "one image, flat":
        X, y = X[0], y[:1]
    else:
        theta = theta[:-1]
    with pytest.raises(ValueError, match=re.escape(fragment)):
        getattr(ann, function)(theta, *SMALL, X, y, 1.0)


# ---- backpropagation ----------------------------------------------------------------------------

@pytest.mark.parametrize("lmbda", [0.0, 1.0, 5.0])
def test_gradient_agrees_with_central_finite_differences(lmbda):
    theta, X, y = small_problem(seed=3, scale=4)
    numerical = ann.numerical_gradient(lambda t: ann.cost_function(t, *SMALL, X, y, lmbda),
                                       theta)
    grad = ann.gradient(theta, *SMALL, X, y, lmbda)
    assert np.linalg.norm(grad - numerical) / np.linalg.norm(grad + numerical) < 1e-7


def test_gradient_agrees_with_finite_differences_for_weights_100_times_larger():
    theta, X, y = small_problem(seed=1, scale=100)
    Theta1, Theta2 = ann.reshape(theta, *SMALL)
    assert (ann.feedforward(Theta1, Theta2, ann.add_bias(X))[3] == 1.0).any()  # outputs of 1
    # the cost is about 600 here: a wider step keeps round-off out of the differences
    numerical = ann.numerical_gradient(lambda t: ann.cost_function(t, *SMALL, X, y, 1.0),
                                       theta, eps=1e-3)
    grad = ann.gradient(theta, *SMALL, X, y, 1.0)
    assert np.linalg.norm(grad - numerical) / np.linalg.norm(grad + numerical) < 1e-7


def test_gradient_vectorized_equals_the_loop():
    rng = np.random.RandomState(5)
    sizes = (64, 8, 3)
    theta = ann.initial_weights(*sizes, seed=917)
    X = rng.rand(200, 64)
    y = rng.randint(0, 3, 200)
    looped = ann.gradient(theta, *sizes, X, y, 1.0)
    vectorized = ann.gradient_vectorized(theta, *sizes, X, y, 1.0)
    assert np.linalg.norm(vectorized - looped) / np.linalg.norm(looped) < 1e-12


def test_bias_weights_are_not_regularized():
    theta, X, y = small_problem(seed=6)
    difference = (ann.gradient(theta, *SMALL, X, y, 7.0) - ann.gradient(theta, *SMALL, X, y, 0.0))
    d1, d2 = ann.reshape(difference, *SMALL)
    T1, T2 = ann.reshape(theta, *SMALL)
    m = len(y)
    assert np.all(d1[:, 0] == 0) and np.all(d2[:, 0] == 0)
    np.testing.assert_allclose(d1[:, 1:], 7.0 / m * T1[:, 1:], rtol=1e-9)
    np.testing.assert_allclose(d2[:, 1:], 7.0 / m * T2[:, 1:], rtol=1e-9)


def test_initial_weights_are_the_articles_seeded_draws():
    np.random.seed(917)
    Theta1 = np.random.rand(8, 1025) * 0.4 - 0.2
    Theta2 = np.random.rand(3, 9) * 0.4 - 0.2
    theta = ann.initial_weights(1024, 8, 3, 917)
    np.testing.assert_array_equal(theta, np.concatenate((Theta1.ravel(), Theta2.ravel())))
    assert theta.min() >= -0.2 and theta.max() < 0.2


# ---- training and the figure ---------------------------------------------------------------------

def test_sample_indices_choose_by_label_and_move_on_through_the_data():
    y = np.array([2, 0, 0, 1, 2, 2, 0, 1, 2])      # unsorted, unequal class sizes
    # class 0 is at rows 1, 2, 6; class 1 at 3, 7; class 2 at 0, 4, 5, 8: four of each class a
    # step, taking up where the last step left off and wrapping around
    np.testing.assert_array_equal(ann.figure.sample_indices(y, 3, 4, step=0),
                                  [[1, 2, 6, 1], [3, 7, 3, 7], [0, 4, 5, 8]])
    np.testing.assert_array_equal(ann.figure.sample_indices(y, 3, 4, step=1),
                                  [[2, 6, 1, 2], [3, 7, 3, 7], [0, 4, 5, 8]])
    # a class with no example (a test set may lack one) gets -1
    np.testing.assert_array_equal(ann.figure.sample_indices(y, 4, 2, step=0)[3], [-1, -1])


def test_training_records_every_iteration_and_keeps_lowest_test_cost(toy_csvs):
    X, y = ann.data.load_data(toy_csvs[0])
    Xt, yt = ann.data.load_data(toy_csvs[1])
    sizes = (X.shape[1], 4, 3)
    lines = []
    training = ann.History(sizes, 1.0, X, y, Xt, yt, report=lines.append)
    ended = ann.train(training, ann.initial_weights(*sizes, 917), maxiter=15)
    assert ended == ann.extras.Ended.MAXITER
    assert len(training.J_train) == len(lines) == 16 and lines[0].startswith("initial:")
    assert re.match(r"iter=  1:  Jtrain= \d\.\d{4} acc= [ \d]\d\.\d\d%  \|  Jtest= ", lines[1])
    assert training.J_train[-1] < training.J_train[0]
    best = training.best_iteration
    assert training.J_test[best] == min(training.J_test)
    Jtest_best = ann.cost_function(training.best_theta, *sizes, Xt, yt, 1.0)
    assert Jtest_best == pytest.approx(training.J_test[best], rel=1e-12)


def test_a_short_headless_run_lowers_the_cost_and_writes_the_figure(toy_csvs, tmp_path):
    figure = tmp_path / "figure.png"
    result = run_ann("--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "8",
                     "--save", str(figure))
    assert result.returncode == 0, result.stderr
    costs = [float(v) for v in re.findall(r"Jtrain= (\d+\.\d+)", result.stdout)]
    assert len(costs) == 9 and costs[-1] < costs[0]
    assert "no display" in result.stdout
    assert "Elliptical" in result.stdout and "kept the weights of iteration" in result.stdout
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".figure.png*"))            # no temporary file left behind


def run_in_window(script, *args):
    """Run a Python script that drives ann.main(ARGS) on a virtual display, with matplotlib's
    default (interactive) backend; returns the CompletedProcess."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    env["PYTHONPATH"] = ROOT
    return subprocess.run(["xvfb-run", "-a", sys.executable, "-c", script, *args],
                          capture_output=True, text=True, env=env, timeout=300)


@needs_xvfb
def test_a_real_window_on_a_virtual_display_shows_the_last_iteration_and_the_final_figure(
        toy_csvs, tmp_path):
    figure = tmp_path / "window.png"
    script = (
        "import sys, ann, matplotlib.pyplot as plt\n"
        "from companions import display\n"
        "titles = []\n"
        "original = display.Screen.draw\n"
        "def recording(self):\n"
        "    titles.append((self.fig.canvas.manager is not None, self.fig._suptitle.get_text()))\n"
        "    return original(self)\n"
        "display.Screen.draw = recording\n"
        "status = ann.main(sys.argv[1:])\n"
        "print('backend', plt.get_backend(), 'draws', len(titles), all(m for m, _ in titles))\n"
        "print('titles', titles[-2][1], '|', titles[-1][1])\n"
        "sys.exit(status)\n")
    out = run_in_window(script, "--train", toy_csvs[0], "--test", toy_csvs[1], "--maxiter", "4",
                        "--close-when-done", "--save", str(figure))
    assert out.returncode == 0, out.stderr
    assert "no display" not in out.stdout and "GUI toolkit" not in out.stdout
    backend, count, managed = re.search(r"backend (\S+) draws (\d+) (\w+)", out.stdout).groups()
    assert backend.lower() not in ("agg", "pdf", "svg")
    assert managed == "True"                          # every draw went to a real window
    # at least the initial weights, the last iteration and the kept weights' final figure
    assert int(count) >= 3
    last, final = re.search(r"titles (.*) \| (.*)", out.stdout).groups()
    assert last.startswith("iteration 4:")
    assert final.startswith("kept weights (iteration")
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_xvfb
def test_closing_the_window_stops_training_and_reports_the_best_weights(toy_csvs, tmp_path):
    figure = tmp_path / "closed.png"
    script = (
        "import sys, ann, matplotlib.pyplot as plt\n"
        "from companions import display\n"
        "draws = []\n"
        "original = display.Screen.draw\n"
        "def draw_then_close(self):\n"
        "    original(self)\n"
        "    draws.append(1)\n"
        "    if len(draws) == 3:\n"
        "        plt.close(self.fig)          # as if the learner closed the window\n"
        "display.Screen.draw = draw_then_close\n"
        "sys.exit(ann.main(sys.argv[1:]))\n")
    # 3000 training images: far from converged when the window closes
    train = write_csv(tmp_path / "big_train.csv", *toy_images(1000, seed=1))
    out = run_in_window(script, "--train", train, "--test", toy_csvs[1], "--maxiter", "100000",
                        "--save", str(figure))
    assert out.returncode == 0, out.stderr
    stopped = re.search(r"training window closed after (\d+) iterations", out.stdout)
    assert stopped, out.stdout[-2000:]
    last = int(re.findall(r"^iter=\s*(\d+):", out.stdout, re.MULTILINE)[-1])
    assert last == int(stopped.group(1)) < 100000
    assert "kept the weights of iteration" in out.stdout
    assert "close the window to exit" not in out.stdout
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("data", ["toy", "shipped"])
def test_the_fast_path_trains_exactly_as_the_cost_and_vectorized_gradient_called_apart(
        data, toy_csvs):
    """--vectorized shares one forward pass between fmin_cg's cost and gradient calls and the
    callback. Before, fmin_cg got cost_function and gradient_vectorized as two functions and the
    callback evaluated the training set again. Both ways must give the same run to the last
    bit: every cost and accuracy, the kept iteration and weights, and the final weights."""
    train_csv, test_csv = (toy_csvs if data == "toy" else
                           (os.path.join(ROOT, "train.csv"), os.path.join(ROOT, "test.csv")))
    X, y = ann.data.load_data(train_csv)
    Xt, yt = ann.data.load_data(test_csv)
    sizes, maxiter = (X.shape[1], 8, 3), 25
    theta0 = ann.initial_weights(*sizes, 917)

    def history():
        weights = []
        recorder = ann.History(sizes, 1.0, X, y, Xt, yt, report=lambda line: None,
                               on_iteration=lambda h, theta, p: weights.append(theta.copy()))
        return recorder, weights

    fast, fast_weights = history()
    assert ann.train(fast, theta0, maxiter, vectorized=True) == ann.extras.Ended.MAXITER
    assert "evaluate_training_set" in vars(fast)        # the training set came from the cache

    apart, apart_weights = history()
    apart(theta0)
    ann.fmin_cg(ann.cost_function, theta0, fprime=ann.gradient_vectorized,
                args=(*sizes, X, y, 1.0), maxiter=maxiter, callback=apart, disp=False)

    assert len(fast.J_train) == len(apart.J_train) == maxiter + 1
    for name in ("J_train", "J_test", "acc_train", "acc_test"):
        assert getattr(fast, name) == getattr(apart, name), name      # exact, not approximate
    assert fast.best_iteration == apart.best_iteration
    assert fast.best_theta.tobytes() == apart.best_theta.tobytes()
    assert fast_weights[-1].tobytes() == apart_weights[-1].tobytes()
