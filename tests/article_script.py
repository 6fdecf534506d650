"""The article's script, transcribed: the reference ann.py is held against.

The same computations as the script that accompanies the article, in this project's words: its
cost (logs taken of the outputs as they are), its backpropagation one example at a time on
column vectors, its prediction, and its training callback, which recomputes the cost and the
accuracy of both sets at every iteration, prints the article's progress line, and, with a
figure, clears it and draws it anew (galaxies with their predicted letter, the two cost curves).

benchmarks/bench.py times ann.py against it; test_training.py checks that ann.py prints the
first 20 iterations of its run on the tutorial's galaxies digit for digit. Only numpy, scipy and
(for the figure) matplotlib.
"""
import numpy as np
from scipy.optimize import fmin_cg

SEED, HIDDEN, LMBDA = 917, 8, 1.0          # the article's run


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_slope(z):
    """g'(z) = g(z) (1 - g(z)), g computed once."""
    gz = sigmoid(z)
    return gz * (1.0 - gz)


def unroll(theta, n_in, n_hidden, n_out):
    cut = n_hidden * (n_in + 1)
    return theta[:cut].reshape(n_hidden, n_in + 1), theta[cut:].reshape(n_out, n_hidden + 1)


def outputs(W1, W2, X):
    """The forward pass for all rows of X, the bias column glued on each time."""
    ones = np.ones((X.shape[0], 1))
    hidden = np.hstack((ones, sigmoid(np.hstack((ones, X)) @ W1.T)))
    return sigmoid(hidden @ W2.T)


def cost(theta, n_in, n_hidden, n_out, X, y, lmbda):
    W1, W2 = unroll(theta, n_in, n_hidden, n_out)
    m = len(y)
    h = outputs(W1, W2, X)
    Y = np.hstack([(y == k).reshape(-1, 1) for k in range(n_out)]).astype(float)   # one-hot
    J = np.sum(-Y * np.log(h) - (1 - Y) * np.log(1 - h)) / m
    return J + lmbda / (2 * m) * (np.sum(W1[:, 1:] ** 2) + np.sum(W2[:, 1:] ** 2))


def predict(W1, W2, X):
    return np.argmax(outputs(W1, W2, X), axis=1)


def gradient(theta, n_in, n_hidden, n_out, X, y, lmbda):
    """Backpropagation one example at a time, each example a column vector."""
    W1, W2 = unroll(theta, n_in, n_hidden, n_out)
    m = len(y)
    acc1, acc2 = np.zeros(W1.shape), np.zeros(W2.shape)
    for i in range(m):
        x = np.vstack((np.ones((1, 1)), X[i].reshape(-1, 1)))            # (n + 1, 1)
        hidden_in = W1 @ x                                                # (h, 1)
        hidden = np.vstack((np.ones((1, 1)), sigmoid(hidden_in)))         # (h + 1, 1)
        out = sigmoid(W2 @ hidden)                                        # (K, 1)
        target = np.zeros((n_out, 1))
        target[y[i]] = 1.0
        err_out = out - target                                            # (K, 1)
        err_hidden = (W2[:, 1:].T @ err_out) * sigmoid_slope(hidden_in)   # (h, 1)
        acc2 += err_out @ hidden.T
        acc1 += err_hidden @ x.T
    grad1, grad2 = acc1 / m, acc2 / m
    grad1[:, 1:] += lmbda / m * W1[:, 1:]
    grad2[:, 1:] += lmbda / m * W2[:, 1:]
    return np.concatenate((grad1.ravel(), grad2.ravel()))


def redraw(fig, X, y, n_out, prediction, J_train, J_test, iteration):
    """Clear the figure and draw it anew: 3 x 6 galaxies (two columns a class, moving on each
    iteration) with their predicted letter, blue and ticked when right, red when wrong; below,
    the training and test costs. The caller renders it (fig.canvas.draw())."""
    side = int(round(np.sqrt(X.shape[1])))
    fig.clf()
    top, bottom = fig.add_subplot(2, 1, 1), fig.add_subplot(2, 1, 2)
    picks = [np.flatnonzero(y == k)[(iteration + np.arange(6)) % np.sum(y == k)]
             for k in range(n_out)]
    tiles = np.ones((3 * side, 2 * n_out * side))
    for r in range(3):
        for k in range(n_out):
            for c in range(2):
                i, left = picks[k][2 * r + c], (2 * k + c) * side
                tiles[r * side:(r + 1) * side, left:left + side] = X[i].reshape(side, side)
                right = prediction[i] == y[i]
                top.text(left + 2, r * side + 10, "ESI"[prediction[i]] if n_out == 3 else
                         str(prediction[i]), color="blue" if right else "red")
                if right:
                    top.text(left + 4, r * side + 25, "\u2713", color="blue", fontsize=30)
    top.imshow(tiles, cmap="gray")
    top.axis("off")
    bottom.plot(J_test, "r", label="test")
    bottom.plot(J_train, "b", label="train")
    bottom.set_xlim(0, 600)                      # the article's fixed axes
    bottom.set_ylim(1, 2.1)
    bottom.set_xlabel("iteration")
    bottom.set_ylabel("cost")
    bottom.legend()


def run(X, y, X_test, y_test, maxiter, figure=None, on_iteration=None):
    """The article's training: seed 917, weights uniform in [-0.2, 0.2), 8 hidden units, lambda
    1, fmin_cg with the per-example gradient. Its callback computes both sets' cost and accuracy
    anew, appends the article's progress line, and redraws `figure` (a matplotlib figure, or
    None for none); on_iteration() is called after each. Returns the progress lines."""
    sizes = (X.shape[1], HIDDEN, int(y.max()) + 1)
    lines, J_train, J_test = [], [], []

    def callback(theta):
        W1, W2 = unroll(theta, *sizes)
        J_train.append(cost(theta, *sizes, X, y, LMBDA))
        J_test.append(cost(theta, *sizes, X_test, y_test, LMBDA))
        prediction = predict(W1, W2, X)
        accuracy, test_accuracy = np.mean(prediction == y), np.mean(predict(W1, W2, X_test)
                                                                     == y_test)
        lines.append("iter={:3d}:  Jtrain= {:0.4f} acc= {:0.2f}%  |  Jtest= {:0.4f} acc= "
                     "{:0.2f}%".format(len(lines) + 1, J_train[-1], 100 * accuracy, J_test[-1],
                                       100 * test_accuracy))
        if figure is not None:
            redraw(figure, X, y, sizes[2], prediction, J_train, J_test, len(lines))
            figure.canvas.draw()
        if on_iteration is not None:
            on_iteration()

    rng = np.random.RandomState(SEED)            # the article's np.random.seed(917) draws
    theta0 = np.concatenate(((rng.rand(HIDDEN, sizes[0] + 1) * 0.4 - 0.2).ravel(),
                             (rng.rand(sizes[2], HIDDEN + 1) * 0.4 - 0.2).ravel()))
    fmin_cg(cost, theta0, fprime=gradient, args=(*sizes, X, y, LMBDA), callback=callback,
            maxiter=maxiter, disp=False)
    return lines
