"""The article's network, function by function: each test's name says what must hold."""
import math
import re
import warnings

import numpy as np
import pytest

import ann
from conftest import main_in_process

SMALL = (16, 5, 3)        # input_layer_size, hidden_layer_size, num_labels of a small network


def small_problem(seed=0, m=12, scale=1.0):
    rng = np.random.RandomState(seed)
    theta = ann.initial_weights(*SMALL, seed=seed) * scale
    return theta, rng.rand(m, SMALL[0]), rng.randint(0, SMALL[2], m)


def relative_difference(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(a + b)


# ---- the sigmoid, bias, reshape, predict -------------------------------------------------------

def test_sigmoid_is_one_half_at_zero_symmetric_and_its_derivative_is_grad_g():
    x = np.linspace(-30, 30, 61)
    assert ann.g(0.0) == 0.5
    np.testing.assert_allclose(ann.g(-x), 1 - ann.g(x), atol=1e-15)
    np.testing.assert_allclose(ann.g(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    x, h = np.linspace(-8, 8, 33), 1e-4
    np.testing.assert_allclose(ann.grad_g(x), (ann.g(x + h) - ann.g(x - h)) / (2 * h), rtol=1e-7)


def test_reshape_gives_theta1_and_theta2_in_order_and_round_trips():
    n, h, K = 1024, 8, 3
    theta = np.arange(h * (n + 1) + K * (h + 1), dtype=float)
    Theta1, Theta2 = ann.reshape(theta, n, h, K)
    assert Theta1.shape == (h, n + 1) and Theta2.shape == (K, h + 1)
    assert Theta1[0, 1] == 1 and Theta1[1, 0] == n + 1          # row-major, Theta1 first
    assert Theta2[0, 0] == h * (n + 1)
    np.testing.assert_array_equal(np.concatenate((Theta1.ravel(), Theta2.ravel())), theta)


def test_predict_gives_known_classes_for_known_weights_with_a_bias_unit_of_1_first():
    # hidden unit k fires when pixel k is bright; output k listens to hidden unit k
    Theta1 = np.hstack((-5 * np.ones((3, 1)), 10 * np.eye(3)))
    Theta2 = np.hstack((-5 * np.ones((3, 1)), 10 * np.eye(3)))
    X = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0.1, 0.2, 0.9], [0.8, 0.3, 0.1]])
    assert list(ann.predict(Theta1, Theta2, X)) == [0, 1, 2, 2, 0]
    np.testing.assert_array_equal(ann.add_bias(X), np.hstack((np.ones((5, 1)), X)))  # bias 1


def test_initial_weights_are_the_articles_seeded_draws():
    np.random.seed(917)
    Theta1 = np.random.rand(8, 1025) * 0.4 - 0.2
    Theta2 = np.random.rand(3, 9) * 0.4 - 0.2
    theta = ann.initial_weights(1024, 8, 3, 917)
    np.testing.assert_array_equal(theta, np.concatenate((Theta1.ravel(), Theta2.ravel())))


# ---- the cost ---------------------------------------------------------------------------------

def test_cost_of_zero_weights_is_K_log_2_and_the_cost_averages_over_examples():
    # every output is g(0) = 1/2, so each of the K classes costs -log(1/2), and no regularization
    theta, X, y = small_problem()
    zero = np.zeros_like(theta)
    assert ann.cost_function(zero, *SMALL, X, y, 10.0) == pytest.approx(3 * math.log(2), rel=1e-14)
    J_each = [ann.cost_function(theta, *SMALL, X[i:i + 1], y[i:i + 1], 0.0) for i in range(12)]
    assert ann.cost_function(theta, *SMALL, X, y, 0.0) == pytest.approx(np.mean(J_each),
                                                                         rel=1e-13)


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


@pytest.mark.parametrize("sizes", [SMALL, (1024, 8, 3)], ids=["small", "galaxy-sized"])
def test_cost_gradients_and_evaluation_stay_finite_for_huge_weights_lambda_and_flat_inputs(
        sizes):
    # weights 100 times their usual size: outputs of exactly 0 and 1; any overflow, log(0) or
    # invalid value raises here
    theta = ann.initial_weights(*sizes, seed=917) * 100
    y = np.arange(6) % 3
    for X in (np.random.RandomState(0).rand(6, sizes[0]), np.zeros((6, sizes[0])),
              np.ones((6, sizes[0]))):
        for lmbda in (0.0, 1.0, 1e6):
            with warnings.catch_warnings(), np.errstate(over="raise", divide="raise",
                                                        invalid="raise"):
                warnings.simplefilter("error")
                J = ann.cost_function(theta, *sizes, X, y, lmbda)
                looped = ann.gradient(theta, *sizes, X, y, lmbda)
                vectorized = ann.gradient_vectorized(theta, *sizes, X, y, lmbda)
                history = ann.History(sizes, lmbda, X, y, X, y, report=lambda line: None)
                J_eval, prediction = history.evaluate(theta, history.a1_train, y)
            assert math.isfinite(J) and J == J_eval
            assert np.isfinite(looped).all() and np.isfinite(vectorized).all()
            assert prediction.shape == (6,) and set(prediction) <= {0, 1, 2}


def test_cost_of_outputs_saturated_the_wrong_way_is_large_but_exact():
    # every output sure of the wrong answer: z3 = +1000 for the wrong classes, -1000 for the right
    Theta1 = np.array([[0.0, 0.0]])                    # one hidden unit, always 1/2
    Theta2 = np.array([[1000.0, 0.0], [1000.0, 0.0], [-1000.0, 0.0]])
    theta = np.concatenate((Theta1.ravel(), Theta2.ravel()))
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        J = ann.cost_function(theta, 1, 1, 3, np.array([[0.5]]), np.array([2]), 1e6)
        values = ann.g(np.array([-np.inf, -1e308, 1e308, np.inf]))
    # -log(1 - h) = log(1 + e^1000) = 1000 for each wrong class, and -log(h) = 1000 for the
    # right one; no penalty, the non-bias weights being 0. A log clipped anywhere (or g's own
    # floor at -500) would give less.
    assert J == pytest.approx(3000.0, rel=1e-12)
    assert list(values[2:]) == [1.0, 1.0] and 0 <= values[0] == values[1] < 1e-200


# ---- the article's signatures ------------------------------------------------------------------

FUNCTIONS = ["cost_function", "gradient", "gradient_vectorized"]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_articles_m_by_1_labels_give_the_same_result_to_the_last_bit(function):
    theta, X, y = small_problem(seed=2)
    flat = getattr(ann, function)(theta, *SMALL, X, y, 1.0)
    column = getattr(ann, function)(theta, *SMALL, X, y.reshape(-1, 1).astype(float), 1.0)
    np.testing.assert_array_equal(flat, column)


WRONG_SHAPES = {   # what is wrong: (X, y, theta) made from the right ones, what the error says
    "labels (m, 2)": (lambda X, y, t: (X, np.stack((y, y), axis=1), t), "y has shape (12, 2)"),
    "one label too few": (lambda X, y, t: (X, y[:-1], t), "y has shape (11,)"),
    "a single label, which numpy would broadcast": (lambda X, y, t: (X, y[:1], t),
                                                    "y has shape (1,)"),
    "X with its bias column": (lambda X, y, t: (ann.add_bias(X), y, t),
                               "X has shape (12, 17); expected (m, 16)"),
    "one image, flat": (lambda X, y, t: (X[0], y[:1], t), "X has shape (16,)"),
    "theta one weight short": (lambda X, y, t: (X, y, t[:-1]),
                               "theta has shape (102,); a 16 - 5 - 3 network has (103,)"),
}


@pytest.mark.parametrize("function", FUNCTIONS)
@pytest.mark.parametrize("case", list(WRONG_SHAPES))
def test_a_wrong_shape_is_an_error_that_says_which(function, case):
    theta, X, y = small_problem()
    spoil, fragment = WRONG_SHAPES[case]
    X, y, theta = spoil(X, y, theta)
    with pytest.raises(ValueError, match=re.escape(fragment)):
        getattr(ann, function)(theta, *SMALL, X, y, 1.0)


# ---- backpropagation ----------------------------------------------------------------------------

@pytest.mark.parametrize("lmbda, scale, seed", [(0.0, 4, 3), (1.0, 4, 3), (5.0, 4, 3),
                                               (1.0, 100, 1)])
def test_gradient_agrees_with_central_finite_differences(lmbda, scale, seed):
    theta, X, y = small_problem(seed=seed, scale=scale)
    if scale == 100:           # outputs of exactly 1, where the cost takes its logs from z3
        Theta1, Theta2 = ann.reshape(theta, *SMALL)
        assert (ann.feedforward(Theta1, Theta2, ann.add_bias(X))[3] == 1.0).any()
    # the cost is about 600 at weights 100 times larger: a wider step keeps round-off out
    numerical = ann.numerical_gradient(lambda t: ann.cost_function(t, *SMALL, X, y, lmbda),
                                       theta, eps=1e-4 if scale < 100 else 1e-3)
    assert relative_difference(ann.gradient(theta, *SMALL, X, y, lmbda), numerical) < 1e-7


def test_gradient_vectorized_equals_the_loop():
    rng = np.random.RandomState(5)
    sizes = (64, 8, 3)
    theta = ann.initial_weights(*sizes, seed=917)
    X, y = rng.rand(200, 64), rng.randint(0, 3, 200)
    looped = ann.gradient(theta, *sizes, X, y, 1.0)
    vectorized = ann.gradient_vectorized(theta, *sizes, X, y, 1.0)
    assert np.linalg.norm(vectorized - looped) / np.linalg.norm(looped) < 1e-12


def test_bias_weights_are_not_regularized():
    theta, X, y = small_problem(seed=6)
    difference = ann.gradient(theta, *SMALL, X, y, 7.0) - ann.gradient(theta, *SMALL, X, y, 0.0)
    d1, d2 = ann.reshape(difference, *SMALL)
    T1, T2 = ann.reshape(theta, *SMALL)
    assert np.all(d1[:, 0] == 0) and np.all(d2[:, 0] == 0)
    np.testing.assert_allclose(d1[:, 1:], 7.0 / 12 * T1[:, 1:], rtol=1e-9)
    np.testing.assert_allclose(d2[:, 1:], 7.0 / 12 * T2[:, 1:], rtol=1e-9)


def test_check_gradients_passes_on_the_real_gradients_and_fails_on_a_broken_one(monkeypatch,
                                                                                capsys):
    passed = main_in_process(capsys, "--check-gradients")
    differences = [float(v) for v in re.findall(r"relative difference (\S+)", passed.stdout)]
    assert passed.returncode == 0 and len(differences) == 2 and max(differences) < 1e-9
    assert "gradient_vectorized" in passed.stdout and "FAILED" not in passed.stdout
    real = ann.gradient
    monkeypatch.setattr(ann, "gradient", lambda theta, *args: real(theta, *args[:-1], 0.0))
    failed = main_in_process(capsys, "--check-gradients")     # forgets the regularization
    assert failed.returncode == 1
    assert failed.stdout.count("OK") == 1 and failed.stdout.count("FAILED") == 1
