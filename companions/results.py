"""What trained weights are worth: --validation, confusion table, --mistakes, --weights, --sweep.

The validation set that judges them in the test set's place (--validation), the confusion table
of the report, the test galaxies they get most wrong (--mistakes), saved weights evaluated
without training (--weights), and a network per hidden size and lambda (--sweep).

The companions never import ann.py (run as a script, it would be loaded a second time): what
here trains or evaluates networks is given ann.py's functions as arguments, by name.
"""
import time

import numpy as np

from companions import figure
from companions.data import UserError, load_weights, save_figure


# ==== --validation: a set that judges the weights in the test set's place ========================

def split_validation(X, y, fraction, seed, path, names):
    """--validation: X (m, n) and y (m,) split into a training set and a validation set, the
    rows of each in file order; returns X_train, y_train, (X_validation, y_validation), or X, y,
    None when fraction is None. From each class, round(fraction x its count) examples, drawn by
    RandomState(seed) (the same split for the same seed), go to validation: the split is
    stratified, and the two sets hold every example once. A class left with no validation or
    no training example is a UserError naming the file (path) and the class (names[k])."""
    if fraction is None:
        return X, y, None
    rng, validation = np.random.RandomState(seed), []
    for k, name in enumerate(names):
        rows = np.flatnonzero(y == k)
        count = int(round(fraction * len(rows)))
        if not 0 < count < len(rows):
            raise UserError(f"{path}: --validation {fraction:g} leaves class {name} with no "
                            f"{'validation' if count == 0 else 'training'} example ("
                            f"{fraction:g} of its {len(rows)} rounds to {count})")
        validation.append(rng.permutation(rows)[:count])
    validation = np.sort(np.concatenate(validation))
    training = np.setdiff1d(np.arange(len(y)), validation)
    return X[training], y[training], (X[validation], y[validation])


# ==== The confusion table =========================================================================

def confusion_table(y, prediction, names):
    """Rows: true class; columns: predicted class; as lines of text. names: one per class."""
    num_labels = len(names)
    width = max(len(n) for n in names) + 2
    first = max(width + 6, len("true \\ predicted") + 2)       # the first column's width
    counts = np.zeros((num_labels, num_labels), dtype=int)
    np.add.at(counts, (y, prediction), 1)
    lines = ["true \\ predicted".ljust(first) + "".join(n.rjust(width) for n in names)]
    for k in range(num_labels):
        right = (f"{100 * counts[k, k] / counts[k].sum():5.1f}% right" if counts[k].sum()
                 else "    - (no example)")
        lines.append(names[k].ljust(first) + "".join(f"{c:{width}d}" for c in counts[k])
                     + "   " + right)
    return lines


# ==== --mistakes: the test galaxies the network gets most wrong ==================================

def worst_mistakes(z3, y, cost_of_outputs, most=18):
    """The examples the network gets wrong, its costliest first, at most `most`: their rows
    and costs, and how many it gets wrong in all. z3 (m, K): the output layer before the
    sigmoid; y (m,) the labels. An example's cost is its part of J, the sum over its K outputs
    that J averages over the examples, the regularization left out: ann.py's cost_of_outputs
    for a set of that one example, with lambda 0 and no weights to penalize."""
    wrong = np.flatnonzero(np.argmax(z3, axis=1) != y)
    no_weights = np.zeros((0, 1))
    cost = np.array([cost_of_outputs(z3[[i]], y[[i]], no_weights, no_weights, 0.0)
                     for i in wrong])
    order = np.argsort(-cost, kind="stable")[:most]
    return wrong[order], cost[order], len(wrong)


def mistakes(screen, keep_open, X, y, forward, names, letters, cost_of_outputs):
    """The figure of the test galaxies X (m, n), y (m,) the network gets most wrong, from
    forward, what ann.py's feedforward returned for them (z2, a2, z3, a3), each one's cost by
    ann.py's cost_of_outputs; shown where the run shows its figure (screen, or None): in a
    window of its own if the run keeps its window open (keep_open), else only saved. names and
    letters: the classes' names and the letters the training figure labels them with. Returns
    the figure, which the run saves."""
    z3, a3 = forward[2:]
    fig = figure.mistakes_figure(X, y, a3, *worst_mistakes(z3, y, cost_of_outputs), names,
                                 letters)
    if screen is not None:
        screen.show_also(fig, "ann.py: the galaxies it gets most wrong", keep_open)
    return fig


# ==== --weights: saved weights on the test set ===================================================

def run_saved(args, X_test, y_test, names, predict, History, LiveFigure):
    """Print the saved weights' test accuracy and confusion table, and save their figure.
    names: the class names; ann.py's predict, History and LiveFigure evaluate and draw them."""
    num_labels = len(names)
    Theta1, Theta2 = load_weights(args.weights, args.test, X_test.shape[1], args.train,
                                  num_labels)
    prediction = predict(Theta1, Theta2, X_test)
    accuracy = 100 * np.mean(prediction == y_test)
    print(f"weights from {args.weights}: network {Theta1.shape[1] - 1} - {Theta1.shape[0]} - "
          f"{Theta2.shape[0]}")
    print(f"test accuracy {accuracy:.1f}% ({len(y_test)} images in {args.test})")
    for line in confusion_table(y_test, prediction, names):
        print("  " + line)
    sizes = (Theta1.shape[1] - 1, Theta1.shape[0], num_labels)
    history = History(sizes, 0.0, X_test, y_test, X_test, y_test, report=lambda line: None)
    history(np.concatenate((Theta1.ravel(), Theta2.ravel())))   # one point for the cost plot
    figure = LiveFigure(X_test, y_test, num_labels, sizes[1], 1)
    figure.update(history, history.best_theta, prediction, step=0)
    figure.title.set_text(f"saved weights on the test set: {accuracy:.1f}% right")
    save_figure(figure.fig, args.save)
    print(f"saved the figure to {args.save}")
    return 0


# ==== --sweep: a network per hidden size and lambda ==============================================

def run_sweep(args, X_train, y_train, X_test, y_test, num_labels, History, train,
              initial_weights, article, validation=None):
    """Train one network for each of args.sweep_hidden x args.sweep_lmbda on the fast path, as
    ann.py's History, train and initial_weights do (the weights kept by the validation set's
    cost, if one is given); print a line per run and a table, and save the heat map to
    args.save, the article's (hidden size, lambda) marked on it."""
    import matplotlib.pyplot as plt
    hidden_sizes, lmbdas, maxiter = args.sweep_hidden, args.sweep_lmbda, args.maxiter

    def train_network(hidden, lmbda):
        sizes = (X_train.shape[1], hidden, num_labels)
        history = History(sizes, lmbda, X_train, y_train, X_test, y_test,
                          report=lambda line: None, validation=validation)
        train(history, initial_weights(*sizes, args.seed), maxiter, vectorized=True)
        return history

    print(f"sweep: {len(hidden_sizes)} hidden sizes x {len(lmbdas)} lambdas, "
          f"{maxiter} iterations each, vectorized gradient"
          + (f"; {len(y_train)} training and {len(validation[1])} validation images, the "
             "validation set chooses the kept weights" if validation else ""))
    accuracy, interrupted = sweep_accuracies(hidden_sizes, lmbdas, train_network)
    print_sweep_table(accuracy, hidden_sizes, lmbdas, validation)
    fig = sweep_heat_map(accuracy, hidden_sizes, lmbdas, maxiter, article, validation)
    save_figure(fig, args.save)
    plt.close(fig)
    print(f"saved the heat map to {args.save}")
    return 130 if interrupted else 0


def sweep_accuracies(hidden_sizes, lmbdas, train_network):
    """The kept weights' test accuracy (hidden sizes x lambdas; NaN: not trained) of a network
    trained by train_network(hidden, lmbda) for each, a line printed per run, and whether Ctrl-C
    stopped the sweep (the runs that finished are kept)."""
    accuracy = np.full((len(hidden_sizes), len(lmbdas)), np.nan)    # NaN: not trained (yet)
    try:
        for r, hidden in enumerate(hidden_sizes):
            for c, lmbda in enumerate(lmbdas):
                start = time.perf_counter()
                history = train_network(hidden, lmbda)
                accuracy[r, c] = history.acc_test[history.best_iteration]
                print(f"  hidden {hidden:3d}, lambda {lmbda:6g}: test accuracy "
                      f"{100 * accuracy[r, c]:5.1f}% (kept, iteration "
                      f"{history.best_iteration}; final {100 * history.acc_test[-1]:.1f}%), "
                      f"{time.perf_counter() - start:.1f} s")
    except KeyboardInterrupt:      # Ctrl-C: the table and the map of the runs that finished
        print("sweep interrupted (Ctrl-C): the runs that finished")
        return accuracy, True
    return accuracy, False


def print_sweep_table(accuracy, hidden_sizes, lmbdas, validation):
    """The sweep's test accuracies (%) as a table: rows hidden sizes, columns lambdas."""
    chosen = " (lowest validation cost)" if validation else ""
    print(f"test accuracy (%) of the kept weights{chosen}, rows: hidden units, columns: lambda")
    print("hidden \\ lambda " + "".join(f"{lmbda:>8g}" for lmbda in lmbdas))
    for r, hidden in enumerate(hidden_sizes):
        print(f"{hidden:>15d} " + "".join(f"{100 * a:8.1f}" if a == a else f"{'-':>8}"
                                           for a in accuracy[r]))


def sweep_heat_map(accuracy, hidden_sizes, lmbdas, maxiter, article, validation):
    """The sweep's test accuracies as a heat map, each cell labelled, the article's (hidden
    size, lambda) marked. Returns the figure."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * len(lmbdas), 1.6 + 0.7 * len(hidden_sizes)),
                           layout="constrained")
    shown = ax.imshow(100 * accuracy, cmap="viridis", aspect="auto")
    middle = 0.0 if np.isnan(accuracy).all() else np.nanmean(accuracy)
    for r in range(len(hidden_sizes)):
        for c in range(len(lmbdas)):
            marked = (hidden_sizes[r], lmbdas[c]) == article
            ax.text(c, r, (f"{100 * accuracy[r, c]:.1f}" if accuracy[r, c] == accuracy[r, c]
                           else "-") + ("\n(article)" if marked else ""),
                    ha="center", va="center", fontsize=9,
                    color="black" if accuracy[r, c] > middle else "white")
    ax.set_xticks(range(len(lmbdas)), [f"{v:g}" for v in lmbdas])
    ax.set_yticks(range(len(hidden_sizes)), [str(h) for h in hidden_sizes])
    ax.set_xlabel("lambda")
    ax.set_ylabel("hidden units")
    ax.set_title(f"test accuracy (%) after up to {maxiter} iterations"
                 + (", chosen on a validation set" if validation else ""), fontsize=10)
    fig.colorbar(shown, ax=ax, label="test accuracy (%)")
    return fig
