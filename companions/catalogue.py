"""The classic mistakes: wrong versions of the article's six functions, as a learner writes them.

Each is named, with what to change, the line of ann.py to compare, and why it does what it does
to training. Each calls the article's other functions by name (g, grad_g, reshape), ann.py's
own, as a learner's file does; made(name) puts it in place of ann.py's function of its name for
a `with` block. n, h, K are input_layer_size, hidden_layer_size, num_labels.
"""
import warnings
from collections import namedtuple
from contextlib import contextmanager
from unittest import mock

import numpy as np

import ann
from ann import g, grad_g, reshape

SECTIONS = {"g": 2, "grad_g": 2, "predict": 3, "reshape": 4, "cost_function": 4, "gradient": 5}
NAMES = tuple(SECTIONS)           # the article's six functions, in its order
Mistake = namedtuple("Mistake", "function title advice wrong compare why")   # why: its cause
CATALOGUE = {}          # its name on the command line -> Mistake


def mistake(name, title, advice, compare, why):
    """Catalogue the function below as the mistake `name`: its title, what to change, the text
    of ann.py's line to compare it with, and why it does what it does to training."""
    def register(wrong):
        function = wrong.__name__.split("__")[0]
        CATALOGUE[name] = Mistake(function, title, advice, wrong, compare, why)
        return wrong
    return register


LABELS_FROM_1 = ("labels counted from 1", "the classes are 0, 1, 2, ... as Python counts: the "
                 "one-hot label of class k has its 1 in column k, np.eye(K)[y] (y - 1, or "
                 "labels 1..K, are Octave's: class 0 loses its 1 or lands in the last column)")
SOFTMAX = ("a softmax in place of independent sigmoids", "the article's outputs are K "
           "independent sigmoids, a3 = g(z3), each with its own logistic cost -y log h - "
           "(1 - y) log(1 - h), summed over the classes; a softmax is another network's")
BIAS = "the bias column (the first of Theta1 and of Theta2) is left out of the regularization"


# ==== g and grad_g (article section 2) ==========================================================

@mistake("e-to-the-x", "e^x in place of e^-x", "g(x) = 1 / (1 + e^-x): np.exp(-x), so that g "
         "rises from 0 to 1 (yours falls: g(6) is near 0)", "return 1.0 / (1.0 + np.exp(-",
         "this g falls where the article's rises, while backpropagation's g' assumes it rises")
def g__e_to_the_x(x):
    return 1 / (1 + np.exp(x))


@mistake("grad-g-of-x", "the derivative taken of the wrong thing", "g'(x) = g(x) (1 - g(x)) "
         "takes g of x first; x (1 - x) is g' only where x is already an activation g(z)",
         "return gx * (1.0 - gx)", "x (1 - x) is not the sigmoid's slope at x, so Theta1's part "
         "of the gradient is wrong")
def grad_g__of_x(x):
    return x * (1 - x)


# ==== predict (article section 3) ================================================================

@mistake("predict-plus-1", LABELS_FROM_1[0], "the classes are 0, 1, 2, ... as Python counts, "
         "and np.argmax gives them as they are: no + 1", "return np.argmax(a3, axis=1)",
         "training never calls predict: the costs are ann.py's, but every guess at the end is "
         "one class too high, and class 0 is never guessed")
def predict__plus_1(Theta1, Theta2, X):
    a1 = np.column_stack((np.ones(len(X)), X))
    a2 = np.column_stack((np.ones(len(X)), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    return np.argmax(a3, axis=1) + 1


@mistake("argmax-axis-0", "the largest output over the examples", "each example's class is the "
         "index of the largest of its own K outputs: np.argmax(a3, axis=1), the examples being "
         "rows", "return np.argmax(a3, axis=1)", "it gives one guess per class, not per galaxy")
def predict__axis_0(Theta1, Theta2, X):
    a1 = np.column_stack((np.ones(len(X)), X))
    a2 = np.column_stack((np.ones(len(X)), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    return np.argmax(a3, axis=0)


# ==== reshape (article section 4) ================================================================

@mistake("reshape-order-f", "Octave's column-major order", "theta holds Theta1 row by row, "
         "numpy's own order: theta[:h * (n + 1)].reshape(h, n + 1), without order='F'",
         "Theta1 = theta[:split]", "the cost reads theta in Octave's column order, while the "
         "gradient is unrolled row by row")
def reshape__order_f(theta, n, h, K):
    Theta1 = theta[:h * (n + 1)].reshape((h, n + 1), order="F")
    Theta2 = theta[h * (n + 1):].reshape((K, h + 1), order="F")
    return Theta1, Theta2


@mistake("theta2-first", "Theta2 taken from the start of theta", "theta holds Theta1's "
         "h (n + 1) weights first, then Theta2's K (h + 1)", "Theta2 = theta[split:]",
         "the cost reads Theta2 from where the gradient puts Theta1's slopes")
def reshape__theta2_first(theta, n, h, K):
    Theta2 = theta[:K * (h + 1)].reshape(K, h + 1)
    Theta1 = theta[K * (h + 1):].reshape(h, n + 1)
    return Theta1, Theta2


# ==== cost_function (article section 4) ==========================================================

@mistake("cost-bias-regularized", "the bias regularized", BIAS + ": Theta1[:, 1:] and "
         "Theta2[:, 1:]", "return J + lmbda / (2 * m)", "the cost also penalizes the bias "
         "weights, which the gradient leaves alone: a few weights among many")
def cost_function__bias_regularized(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    a2 = np.column_stack((np.ones(m), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    J = np.sum(-Y * np.log(a3) - (1 - Y) * np.log(1 - a3)) / m
    return J + lmbda / (2 * m) * (np.sum(Theta1 ** 2) + np.sum(Theta2 ** 2))


@mistake("cost-no-m", "the division by m forgotten", "J averages the cross-entropy over the m "
         "examples: divide its sum by m", "J = np.sum(-Y * log_h", "the cost sums over the m "
         "examples while the gradient, ann.py's, averages")
def cost_function__no_m(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    a2 = np.column_stack((np.ones(m), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    J = np.sum(-Y * np.log(a3) - (1 - Y) * np.log(1 - a3))
    return J + lmbda / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))


@mistake("cost-lambda-m", "lambda / m in place of lambda / 2m", "the penalty is lambda / (2 m) "
         "times the sum of the squares (its derivative is then (lambda / m) Theta)",
         "return J + lmbda / (2 * m)", "the cost's penalty is twice what ann.py's gradient is "
         "the slope of")
def cost_function__lambda_m(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    a2 = np.column_stack((np.ones(m), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    J = np.sum(-Y * np.log(a3) - (1 - Y) * np.log(1 - a3)) / m
    return J + lmbda / m * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))


@mistake("cost-labels-from-1", LABELS_FROM_1[0] + " (y - 1)", LABELS_FROM_1[1],
         "Y = one_hot(y, z3.shape[1])", "the cost compares each galaxy's outputs with another "
         "class's label, while the gradient, ann.py's, uses its own")
def cost_function__labels_from_1(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    a2 = np.column_stack((np.ones(m), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int) - 1]
    J = np.sum(-Y * np.log(a3) - (1 - Y) * np.log(1 - a3)) / m
    return J + lmbda / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))


@mistake("cost-labels-1-to-K", LABELS_FROM_1[0] + " (1..K)", LABELS_FROM_1[1],
         "Y = one_hot(y, z3.shape[1])", "the cost gives class 0's galaxies no class and the "
         "others another's, while the gradient, ann.py's, uses their own")
def cost_function__labels_1_to_K(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    a2 = np.column_stack((np.ones(m), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    Y = (np.ravel(y)[:, None] == np.arange(1, K + 1)).astype(float)
    J = np.sum(-Y * np.log(a3) - (1 - Y) * np.log(1 - a3)) / m
    return J + lmbda / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))


@mistake("cost-softmax", *SOFTMAX, "h = g(z3)", "the cost is a softmax network's, while the "
         "gradient is that of the article's independent sigmoids")
def cost_function__softmax(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    a2 = np.column_stack((np.ones(m), g(a1 @ Theta1.T)))
    z3 = a2 @ Theta2.T
    a3 = np.exp(z3) / np.sum(np.exp(z3), axis=1, keepdims=True)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    J = np.sum(-Y * np.log(a3)) / m
    return J + lmbda / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))


@mistake("cost-no-1-minus-y", "the (1 - y) log(1 - h) term left out", "each output has two "
         "terms, -y log h and -(1 - y) log(1 - h): the second pushes the wrong classes' outputs "
         "down", "J = np.sum(-Y * log_h", "the cost then only asks the right output to grow, "
         "while the gradient also pushes the others down")
def cost_function__right_class_only(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    a2 = np.column_stack((np.ones(m), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    J = np.sum(-Y * np.log(a3)) / m
    return J + lmbda / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))


@mistake("cost-mean", "the mean over the classes as well", "J sums over the K classes and "
         "averages over the m examples only: np.sum(...) / m, not np.mean of the (m, K) array, "
         "which divides by m K", "J = np.sum(-Y * log_h", "the cost divides by m K, not m: its "
         "data part is K times smaller than the gradient's")
def cost_function__mean(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    a2 = np.column_stack((np.ones(m), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    J = np.mean(-Y * np.log(a3) - (1 - Y) * np.log(1 - a3))
    return J + lmbda / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))


# ==== gradient (article section 5), all examples at once =========================================

@mistake("gradient-bias-regularized", "the bias regularized", BIAS + ": add (lambda / m) "
         "Theta to every column but the first", "grad1[:, 1:] += lmbda / m",
         "the gradient also pulls the bias weights towards 0, which the cost leaves alone: a few "
         "weights among many")
def gradient__bias_regularized(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(m), g(z2)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    delta3 = a3 - Y
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(z2)
    Theta1_grad = delta2.T @ a1 / m + lmbda / m * Theta1
    Theta2_grad = delta3.T @ a2 / m + lmbda / m * Theta2
    return np.concatenate((Theta1_grad.ravel(), Theta2_grad.ravel()))


@mistake("gradient-no-m", "the division by m forgotten", "divide the accumulated Delta1 and "
         "Delta2 by m, then add the regularization", "grad1 = Delta1 / m",
         "the gradient's data part is m times too large beside the cost's")
def gradient__no_m(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(m), g(z2)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    delta3 = a3 - Y
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(z2)
    Theta1_grad = delta2.T @ a1
    Theta2_grad = delta3.T @ a2
    Theta1_grad[:, 1:] += lmbda / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((Theta1_grad.ravel(), Theta2_grad.ravel()))


@mistake("gradient-lambda-2m", "lambda / 2m in place of lambda / m", "the derivative of "
         "(lambda / 2m) Theta^2 is (lambda / m) Theta: the 2 goes",
         "grad1[:, 1:] += lmbda / m", "the gradient's pull towards 0 is half what the cost's "
         "penalty asks")
def gradient__lambda_2m(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(m), g(z2)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    delta3 = a3 - Y
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(z2)
    Theta1_grad = delta2.T @ a1 / m
    Theta2_grad = delta3.T @ a2 / m
    Theta1_grad[:, 1:] += lmbda / (2 * m) * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lmbda / (2 * m) * Theta2[:, 1:]
    return np.concatenate((Theta1_grad.ravel(), Theta2_grad.ravel()))


@mistake("delta3-sign", "the sign of delta3 flipped", "the output error is delta3 = a3 - y, "
         "what came out less what should have: y - a3 turns the gradient around, and training "
         "would climb the cost", "delta3 = a3 - Y[i]", "y - a3 turns the gradient around: it "
         "points uphill")
def gradient__delta3_sign(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(m), g(z2)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    delta3 = Y - a3
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(z2)
    Theta1_grad = delta2.T @ a1 / m
    Theta2_grad = delta3.T @ a2 / m
    Theta1_grad[:, 1:] += lmbda / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((Theta1_grad.ravel(), Theta2_grad.ravel()))


@mistake("grad-g-of-a2", "g' taken of a2 instead of z2", "delta2 multiplies by g'(z2), at the "
         "hidden layer's input z2 = Theta1 a1; grad_g(a2) takes it at its output (a2 (1 - a2), "
         "without grad_g, would be right)", "delta2 = (Theta2[:, 1:].T @ delta3)",
         "g' is taken at the hidden layer's output a2, not at its input z2, so Theta1's part of "
         "the gradient is wrong")
def gradient__grad_g_of_a2(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    a2 = np.column_stack((np.ones(m), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    delta3 = a3 - Y
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(a2[:, 1:])
    Theta1_grad = delta2.T @ a1 / m
    Theta2_grad = delta3.T @ a2 / m
    Theta1_grad[:, 1:] += lmbda / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((Theta1_grad.ravel(), Theta2_grad.ravel()))


@mistake("delta2-bias-column", "Theta2's bias column kept in delta2", "delta2 = Theta2[:, 1:]^T "
         "delta3 * g'(z2): leave out Theta2's first column, the bias unit's: a constant 1 has no "
         "error to pass back", "delta2 = (Theta2[:, 1:].T @ delta3)", "each hidden unit gets its "
         "error through its neighbour's weight, so Theta1's part of the gradient is wrong")
def gradient__bias_column(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(m), g(z2)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    delta3 = a3 - Y
    delta2 = delta3 @ Theta2[:, :-1] * grad_g(z2)
    Theta1_grad = delta2.T @ a1 / m
    Theta2_grad = delta3.T @ a2 / m
    Theta1_grad[:, 1:] += lmbda / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((Theta1_grad.ravel(), Theta2_grad.ravel()))


@mistake("gradient-labels-from-1", LABELS_FROM_1[0] + " (y - 1)", LABELS_FROM_1[1],
         "Y = one_hot(y, num_labels)", "the gradient teaches each galaxy another class's output, "
         "while the cost is ann.py's")
def gradient__labels_from_1(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(m), g(z2)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int) - 1]
    delta3 = a3 - Y
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(z2)
    Theta1_grad = delta2.T @ a1 / m
    Theta2_grad = delta3.T @ a2 / m
    Theta1_grad[:, 1:] += lmbda / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((Theta1_grad.ravel(), Theta2_grad.ravel()))


@mistake("gradient-labels-1-to-K", LABELS_FROM_1[0] + " (1..K)", LABELS_FROM_1[1],
         "Y = one_hot(y, num_labels)",
         "the gradient teaches class 0's galaxies that no class is theirs, while the cost is "
         "ann.py's")
def gradient__labels_1_to_K(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(m), g(z2)))
    a3 = g(a2 @ Theta2.T)
    Y = (np.ravel(y)[:, None] == np.arange(1, K + 1)).astype(float)
    delta3 = a3 - Y
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(z2)
    Theta1_grad = delta2.T @ a1 / m
    Theta2_grad = delta3.T @ a2 / m
    Theta1_grad[:, 1:] += lmbda / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((Theta1_grad.ravel(), Theta2_grad.ravel()))


@mistake("gradient-softmax", *SOFTMAX, "a3 = g(Theta2 @ a2)", "the gradient is a softmax "
         "network's, while the cost is that of the article's independent sigmoids")
def gradient__softmax(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(m), g(z2)))
    z3 = a2 @ Theta2.T
    a3 = np.exp(z3) / np.sum(np.exp(z3), axis=1, keepdims=True)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    delta3 = a3 - Y
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(z2)
    Theta1_grad = delta2.T @ a1 / m
    Theta2_grad = delta3.T @ a2 / m
    Theta1_grad[:, 1:] += lmbda / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((Theta1_grad.ravel(), Theta2_grad.ravel()))


@mistake("gradient-order-f", "the gradient unrolled column-major", "unroll it as theta is, row "
         "by row: np.concatenate((grad1.ravel(), grad2.ravel())), without ravel('F')",
         "return np.concatenate((grad1.ravel(), grad2.ravel()))", "the gradient is unrolled "
         "column by column, so each weight gets another weight's slope")
def gradient__order_f(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(m), g(z2)))
    a3 = g(a2 @ Theta2.T)
    Y = np.eye(K)[np.ravel(y).astype(int)]
    delta3 = a3 - Y
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(z2)
    Theta1_grad = delta2.T @ a1 / m
    Theta2_grad = delta3.T @ a2 / m
    Theta1_grad[:, 1:] += lmbda / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((Theta1_grad.ravel(order="F"), Theta2_grad.ravel(order="F")))


# ==== Not classic mistakes, but what a wrong answer's numbers can point to ======================

def cost_function__labels_as_numbers(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    a2 = np.column_stack((np.ones(m), g(a1 @ Theta1.T)))
    a3 = g(a2 @ Theta2.T)
    Y = np.reshape(y, (-1, 1))
    J = np.sum(-Y * np.log(a3) - (1 - Y) * np.log(1 - a3)) / m
    return J + lmbda / (2 * m) * (np.sum(Theta1[:, 1:] ** 2) + np.sum(Theta2[:, 1:] ** 2))


def gradient__labels_as_numbers(theta, n, h, K, X, y, lmbda):
    Theta1, Theta2 = reshape(theta, n, h, K)
    m = len(X)
    a1 = np.column_stack((np.ones(m), X))
    z2 = a1 @ Theta1.T
    a2 = np.column_stack((np.ones(m), g(z2)))
    delta3 = g(a2 @ Theta2.T) - np.reshape(y, (-1, 1))
    delta2 = delta3 @ Theta2[:, 1:] * grad_g(z2)
    Theta1_grad = delta2.T @ a1 / m
    Theta2_grad = delta3.T @ a2 / m
    Theta1_grad[:, 1:] += lmbda / m * Theta1[:, 1:]
    Theta2_grad[:, 1:] += lmbda / m * Theta2[:, 1:]
    return np.concatenate((Theta1_grad.ravel(), Theta2_grad.ravel()))


LABELS_AS_NUMBERS = ("It gives what the labels used as numbers give: y (m, 1) in place of the "
                     "one-hot Y (m, K), whose row for class k has its 1 in column k, "
                     "np.eye(K)[y.ravel()].")
DIRECTIONS = {"cost_function": [(cost_function__labels_as_numbers, LABELS_AS_NUMBERS)],
              "gradient": [(gradient__labels_as_numbers, LABELS_AS_NUMBERS)]}


def directions(name, cases, arguments):
    """For the function `name`: (what a known direction gives on each case, its sentence)."""
    with quiet():
        return [([wrong(*arguments(name, case)) for case in cases], sentence)
                for wrong, sentence in DIRECTIONS.get(name, [])]


def wrong_answers(name, cases, arguments):
    """What each catalogued mistake of the function `name` gives on the check cases (given by
    arguments(name, case)): {mistake's name: [answer per case]}."""
    with quiet():
        return {key: [made.wrong(*arguments(name, case)) for case in cases]
                for key, made in CATALOGUE.items() if made.function == name}


TRAINABLE = tuple(name for name, made in CATALOGUE.items()     # predict: not in training
                  if made.function != "predict")


# ==== Making a mistake in ann.py's functions =====================================================

@contextmanager
def made(name):
    """Inside the block, ann.py's function of the mistake `name` is the wrong one, so that
    ann.py's other functions call it in turn; after it, ann.py's own again."""
    mistake = CATALOGUE[name]
    with mock.patch.object(ann, mistake.function, mistake.wrong):
        yield


@contextmanager
def quiet():
    """Without numpy's warnings inside the block: a wrong function's overflow is what it
    shows, not something to warn about."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield
